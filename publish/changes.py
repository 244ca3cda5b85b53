"""Which printed pages an edit changed: the page text of a PDF, compared with the last build's.

After a correction the production manager tells the printer which pages to
replace, and the proofreader re-reads only what moved. Both want the answer
by folio:

    print.pdf: page 23 changed (text), 24–78 reflowed, i–vi, 1–22 unchanged

`read_pages` reads a PDF into one `PageRecord` per page: its folio (the
PDF's /PageLabels: i, ii … in the front matter, 1, 2 … in the body), its body
lines in reading order (text, position on the trimmed page, size), its
footnotes and its furniture (running head and folio). The records of the last
build are kept as JSON (`records_to_json`, `load_records`), so a build reads
only the PDF it has just written.

`compare` aligns the text of the two builds, not their pages: every body line
of the book in one sequence, every footnote line in another (a note that moves
to the next page with its call stays in order there). Lines equal in both are
matched first; what is left is compared character by character, so a line
broken differently because an earlier line grew is not an edit. A page holding
an edited character is `text`; a page whose text only moved is `reflowed`; a
page whose body is as it was but whose running head or folio changed is
`furniture`. Footnote marks restart on every page (①②③), so a mark is
compared as "a mark", whatever its number.

The reader knows the PDFs this project writes (WeasyPrint's: text drawn with
Tm, Tf and TJ of hex glyph strings, fonts with a ToUnicode map) and reads them
with pikepdf and regular expressions, about ten times faster than pdftotext
(benchmarks/changes.py); a PDF drawing text some other way is refused with a
message saying so, rather than read wrong. The running head and folio are told
by their tags (WeasyPrint tags the page-margin boxes); on an untagged page, by
the page margins of styles/paged.css. A page drawn exactly as a page of the
last build (its `key`) is taken from the stored records, not read again.

What a build calls once it has written a PDF, and what it keeps:

    changes = pdf_changes("print.pdf", pdf_bytes, cache / "pages-print.json")
    changes.summary              → the build log's line
    changes.records_json()       → cache / "pages-print.json", for the next build
    changes_json([changes, …], [compare_documents("web", old_files, new_files), …])
                                 → output/<id>/changes.json

and `publish.proof.changed_sheets(previous_pdf, new_pdf, changes.report, folder)`
draws the before/after sheets from the previous PDF, if the build kept it.
"""
from __future__ import annotations

import bisect
import difflib
import hashlib
import io
import json
import re
from array import array
from dataclasses import dataclass, field, replace
from pathlib import Path

import pikepdf

from .paths import STYLES
from .render.pdf_content import multiply

RECORDS_VERSION = 1  # of the stored page records
CHANGES_VERSION = 1  # of changes.json
MM = 72 / 25.4
CIRCLED_MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
ANY_MARK = "①"  # every footnote mark is compared as this one
UNMAPPED = "\ufffd"  # a glyph the font's ToUnicode map does not name

# Glyph boxes drawn on proofs: the ideographic em box of the CJK faces (880 above the baseline, 120 below).
ASCENT, DESCENT = 0.88, 0.12
# Runs on one printed line: a superscript note call sits about a third of an em above its line's baseline.
SAME_LINE = 0.45  # em of the larger run
# Runs further apart than this on one line are separate words (table cells): a space is put between them.
WORD_GAP = 1.0  # em
# Furniture can only be in the margins: runs nearer the page's top or bottom edge than this are looked up.
FURNITURE_ZONE = 50 * MM
# The character-level comparison of one differing stretch is quadratic at worst: past this, its lines all count.
MAX_COMPARED = 4_000_000  # characters before × characters after

UNCHANGED, TEXT, REFLOWED, FURNITURE, ADDED, REMOVED = "unchanged", "text", "reflowed", "furniture", "added", "removed"
KINDS = (TEXT, FURNITURE, REFLOWED, ADDED, REMOVED, UNCHANGED)  # the order of the summary
KIND_WORDS = {TEXT: "changed (text)", FURNITURE: "furniture only", REFLOWED: "reflowed", ADDED: "added",
              REMOVED: "removed", UNCHANGED: "unchanged"}


class PageTextError(Exception):
    """A PDF (or stored records) that cannot be read into page records: the message names the file and says why."""


# -- records ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """One printed line: its text, where it sits on the trimmed page (pt from the trim's top-left), its size."""
    text: str
    x0: float
    x1: float
    baseline: float
    size: float  # pt, of the line's largest glyphs

    @property
    def top(self) -> float:
        return self.baseline - ASCENT * self.size

    @property
    def bottom(self) -> float:
        return self.baseline + DESCENT * self.size

    def to_json(self) -> list:
        return [self.text, round(self.x0, 2), round(self.x1, 2), round(self.baseline, 2), round(self.size, 2)]

    @classmethod
    def from_json(cls, row: list) -> "Line":
        text, x0, x1, baseline, size = row
        return cls(str(text), float(x0), float(x1), float(baseline), float(size))


@dataclass(frozen=True)
class PageRecord:
    """What one page prints, read back from the PDF."""
    index: int  # 0-based page of the PDF
    folio: str  # its page label
    width: float  # the trimmed page, pt
    height: float
    trim_left: float  # where the trim sits in the media box (the bleed), pt from its top-left: to draw on page images
    trim_top: float
    lines: tuple[Line, ...]  # the body, top to bottom, left to right
    notes: tuple[Line, ...] = ()  # the footnotes at the page's foot
    furniture: tuple[Line, ...] = ()  # running head and folio
    key: str = ""  # a digest of what the page draws: a page with the same key has the same record

    def to_json(self) -> dict:
        return {"index": self.index, "folio": self.folio, "key": self.key, "trim": [round(v, 2) for v in
                (self.trim_left, self.trim_top, self.width, self.height)],
                "lines": [l.to_json() for l in self.lines], "notes": [l.to_json() for l in self.notes],
                "furniture": [l.to_json() for l in self.furniture]}

    @classmethod
    def from_json(cls, row: dict) -> "PageRecord":
        left, top, width, height = row["trim"]
        return cls(int(row["index"]), str(row["folio"]), float(width), float(height), float(left), float(top),
                   tuple(map(Line.from_json, row["lines"])), tuple(map(Line.from_json, row["notes"])),
                   tuple(map(Line.from_json, row["furniture"])), str(row.get("key", "")))


def records_to_json(records: list[PageRecord]) -> bytes:
    """The records as compact JSON, one page a line (3 to 4 KB a page of the report), to keep beside the build."""
    rows = ",\n".join(json.dumps(r.to_json(), ensure_ascii=False, separators=(",", ":")) for r in records)
    return f'{{"version":{RECORDS_VERSION},"pages":[\n{rows}\n]}}\n'.encode("utf-8")


def records_from_json(data: bytes, source: str = "page records") -> list[PageRecord]:
    try:
        stored = json.loads(data)
        if stored.get("version") != RECORDS_VERSION:
            raise PageTextError(f"{source}: page records of version {stored.get('version')!r}, this build reads "
                                f"version {RECORDS_VERSION}; fix: delete the file (the next build starts afresh)")
        return [PageRecord.from_json(row) for row in stored["pages"]]
    except PageTextError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PageTextError(f"{source}: not page records ({exc.__class__.__name__}: {exc}); fix: delete the file "
                            f"(the next build starts afresh)") from None


def load_records(path: Path) -> list[PageRecord] | None:
    """The records kept by the last build, or None when there are none (a first build)."""
    path = Path(path)
    if not path.exists():
        return None
    return records_from_json(path.read_bytes(), str(path))


# -- reading a PDF ---------------------------------------------------------------------------------------------------
def read_pages(pdf: bytes | Path, name: str | None = None,
               previous: list[PageRecord] | None = None) -> list[PageRecord]:
    """One record per page of a PDF written by this project (a path or the file's bytes).

    A page drawn exactly as a page of `previous` (the same content stream, boxes and fonts: its `key`) is not
    read again: its lines are taken from there. After most edits that is most pages.
    """
    source = name or (str(pdf) if isinstance(pdf, (str, Path)) else "the PDF")
    known = {record.key: record for record in previous or () if record.key}
    try:
        document = pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, (bytes, bytearray)) else pdf)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise PageTextError(f"{source}: not a readable PDF ({exc}); fix: build the edition again") from None
    with document:
        reader = _Reader(document, source)
        records = []
        for index, page in enumerate(document.pages):
            folio = str(page.label)  # the page label (/PageLabels: i, ii … then 1, 2 …), read by qpdf
            key = reader.key(page)
            same = known.get(key)
            records.append(replace(same, index=index, folio=folio) if same else reader.page(index, page, folio, key))
        return records


ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f",
           ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}


def _hex_strings(body: bytes, where: str) -> bytes:
    """A text object with each literal string `(…)` written as the hex string `<…>` of the same bytes
    (PDF 32000 7.3.4.2: escapes, octal codes, balanced parentheses, a backslash before a line end)."""
    out = bytearray()
    i, end = 0, len(body)
    while i < end:
        char = body[i]
        if char == 0x3C:  # a hex string: copied whole
            close = body.find(b">", i)
            out += body[i:close + 1]
            i = close + 1
            continue
        if char != 0x28:
            out.append(char)
            i += 1
            continue
        depth, i, data = 1, i + 1, bytearray()
        while i < end and depth:
            char = body[i]
            if char == 0x5C and i + 1 < end:  # backslash
                following = body[i + 1]
                if following in ESCAPES:
                    data += ESCAPES[following]
                    i += 2
                elif 0x30 <= following <= 0x37:
                    digits = body[i + 1:i + 4]
                    length = next((n for n in range(len(digits), 0, -1)
                                   if all(0x30 <= d <= 0x37 for d in digits[:n])), 1)
                    data.append(int(digits[:length], 8) & 0xFF)
                    i += 1 + length
                elif following in (0x0A, 0x0D):  # a line continued
                    i += 2 + (following == 0x0D and body[i + 2:i + 3] == b"\n")
                else:
                    data.append(following)
                    i += 2
                continue
            if char == 0x28:
                depth += 1
            elif char == 0x29:
                depth -= 1
                if not depth:
                    i += 1
                    break
            data.append(char)
            i += 1
        if depth:
            raise PageTextError(f"{where}: a text string is not closed; fix: build the edition again")
        out += b"<" + data.hex().encode() + b">"
    return bytes(out)


def _number_tree(node) -> list[tuple[int, pikepdf.Dictionary]]:
    found = []
    nums = node.get("/Nums")
    if nums is not None:
        found += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
    for kid in node.get("/Kids", []):
        found += _number_tree(kid)
    return found


NUMBER = rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
WHITESPACE = b" \t\r\n\x00\x0c"
# Between text objects: what moves the coordinates (cm, q, Q) and the marked content that says what text is
# (BDC with an /MCID, BMC, EMC), each a whole token. Inline images are skipped whole.
GRAPHICS = re.compile(
    rb"(?<![^\s\]>)])("
    rb"(?:" + NUMBER + rb"\s+){6}cm|<<[^<>]*>>\s*BDC|/\w+\s+/\w+\s+BDC|BMC|EMC|q|Q|BI\s.*?\sID\s.*?\sEI"
    rb")(?![^\s\[</(])", re.S)
DRAWN_XOBJECT = re.compile(rb"/([^\s/\[<(]+)\s+Do(?![^\s])")
MCID = re.compile(rb"/MCID\s+(\d+)")
# Inside BT … ET: what this reader follows; anything else that draws or moves text is refused.
TEXT_OP = re.compile(
    rb"(?P<tm>(?:" + NUMBER + rb"\s+){6})Tm"
    rb"|/(?P<font>[^\s/\[<(]+)\s+(?P<size>" + NUMBER + rb")\s+Tf"
    rb"|\[(?P<tj>[^\]]*)\]\s*TJ"
    rb"|<(?P<hex>[0-9A-Fa-f\s]*)>\s*Tj"
    rb"|(?P<other>(?<![\w.])(?:Td|TD|T\*|Tj|TJ|'|\"|Ts|Tz|Tc|Tw|TL|Tr|d0|d1)(?!\w))", re.S)
HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]*)>")
# How WeasyPrint draws nearly every text object: one Tm, one Tf, one TJ (checked to be one, of hex strings only).
WEASYPRINT_TEXT = re.compile(rb"\s*([^\n]*)\sTm\s+/(\S+)\s+(\S+)\s+Tf\s+\[(.*)\]\s*TJ\s*", re.S)
# A TJ array's numbers move the next glyph; WeasyPrint writes one after nearly every glyph, most of them
# thousandths of a unit. Only those of a unit (a thousandth of an em) or more are added up: the rest move a
# line's end by less than a hundredth of a point.
ADJUSTMENT = re.compile(rb"[>\[\s](-?[1-9][\d.]*(?:[eE][-+]?\d+)?)")


class _Font:
    """A composite font as drawn: 2-byte codes, their text (ToUnicode), their widths (/W)."""

    def __init__(self, font: pikepdf.Dictionary, source: str):
        name = str(font.get("/BaseFont", "?"))
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            raise PageTextError(f"{source}: the font {name} is not a composite font with Identity-H codes; this "
                                f"reader reads the PDFs this project writes (WeasyPrint's), not this one; "
                                f"fix: compare PDFs written by build.py")
        self.text = [UNMAPPED] * 65536
        if "/ToUnicode" in font:
            _read_cmap(font.ToUnicode.read_bytes(), self.text)
        descendant = font.DescendantFonts[0]
        default = float(descendant.get("/DW", 1000))
        self.widths = [default] * 65536
        if "/W" in descendant:
            _read_widths(descendant.W.unparse(), self.widths)


def _read_cmap(data: bytes, table: list[str]) -> None:
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            table[int(code, 16)] = _utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])",
                                              block):
            first, last = int(first, 16), int(last, 16)
            if target.startswith(b"["):
                for code, each in zip(range(first, last + 1), HEX_STRING.findall(target)):
                    table[code] = _utf16(each)
            else:  # consecutive codes, the last UTF-16 unit counting up (ISO 32000 9.10.3)
                start = bytes.fromhex(target[1:-1].decode())
                for offset, code in enumerate(range(first, min(last, 65535) + 1)):
                    unit = int.from_bytes(start[-2:], "big") + offset
                    table[code] = _utf16(start[:-2].hex().encode() + f"{unit & 0xFFFF:04x}".encode())


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", "replace")


def _read_widths(data: bytes, widths: list[float]) -> None:
    """/W: `c [w1 w2 …]` gives codes c, c+1 … their widths; `c1 c2 w` gives codes c1 … c2 one width."""
    tokens = re.findall(rb"\[|\]|" + NUMBER, data[1:-1] if data.startswith(b"[") else data)
    position, pending = 0, []
    while position < len(tokens):
        token = tokens[position]
        if token == b"[":
            first = int(pending.pop())
            end = tokens.index(b"]", position)
            for offset, width in enumerate(tokens[position + 1:end]):
                if first + offset < 65536:
                    widths[first + offset] = float(width)
            position = end + 1
            continue
        pending.append(token)
        if len(pending) == 3:
            first, last, width = int(pending[0]), int(pending[1]), float(pending[2])
            for code in range(first, min(last, 65535) + 1):
                widths[code] = width
            pending = []
        position += 1


@dataclass
class _Run:
    """Text drawn by one text-showing operator: where it starts and ends, its baseline and size (pt)."""
    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    mcid: int | None


FURNITURE_FORM = b"Furniture"
FURNITURE_MCID = -1  # the runs of the furniture form: the page's running head and folio


class _FormAsPage:
    """A form XObject's content and resources where the reader expects a page's."""

    def __init__(self, obj: pikepdf.Dictionary):
        self.obj = obj


class _Reader:
    """The pages of one PDF, read one by one; its fonts, tags and forms looked up once."""

    def __init__(self, document: pikepdf.Pdf, source: str):
        self.source = source
        self.fonts: dict[tuple, _Font] = {}
        self.furniture_parents: dict[tuple, bool] = {}
        self.forms: dict[tuple, bool] = {}  # form XObjects: whether they draw text
        self.font_digests: dict[tuple, bytes] = {}
        self.tree = document.Root.get("/StructTreeRoot")
        self.parent_tree: dict[int, pikepdf.Object] = {}
        self.documents: set[tuple] = set()
        if self.tree is not None and "/ParentTree" in self.tree:
            self.parent_tree = dict(_number_tree(self.tree.ParentTree))
            kids = self.tree.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
            self.documents = {k.objgen for k in kids
                              if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/Document"}
        self.margins: tuple[float, float] | None = None  # of the layout, read when a page is not tagged

    def key(self, page: pikepdf.Page) -> str:
        """A digest of what the page draws: its content stream as stored, its boxes, its fonts."""
        digest = hashlib.blake2b(digest_size=16)
        contents = page.obj.get("/Contents")
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []:
            digest.update(stream.read_raw_bytes())
            digest.update(repr(stream.get("/Filter")).encode())
        digest.update(repr([float(v) for v in page.mediabox] + [float(v) for v in page.trimbox]).encode())
        for name, xobject in sorted(page.obj.get("/Resources", pikepdf.Dictionary()).get(
                "/XObject", pikepdf.Dictionary()).items()):
            if xobject.get("/Subtype") == "/Form":  # the furniture: what the page shows over its own content
                digest.update(name.encode() + xobject.read_raw_bytes())
        fonts = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
        for name in sorted(fonts.keys()):
            font = fonts[name]
            if font.objgen not in self.font_digests:
                self.font_digests[font.objgen] = _font_digest(font)
            digest.update(name.encode() + self.font_digests[font.objgen])
        return digest.hexdigest()

    def page(self, index: int, page: pikepdf.Page, folio: str, key: str = "") -> PageRecord:
        media = [float(v) for v in page.mediabox]
        trim = [float(v) for v in page.trimbox]
        runs = self.runs(index, page, trim[0], trim[3])
        width, height = trim[2] - trim[0], trim[3] - trim[1]
        tagged = self.furniture_ids(page, runs, height)
        if any(run.mcid == FURNITURE_MCID for run in runs):
            tagged = (tagged or set()) | {FURNITURE_MCID}
        if tagged is None and self.margins is None:
            self.margins = furniture_margins()
        body, furniture = [], []
        for run in runs:
            if FURNITURE_ZONE <= run.baseline <= height - FURNITURE_ZONE:
                body.append(run)
            elif tagged is not None:
                (furniture if run.mcid in tagged else body).append(run)
            else:  # an untagged page: what lies in the layout's margins
                top, bottom = self.margins
                (furniture if run.baseline < top or run.baseline > height - bottom else body).append(run)
        lines, notes = _split_notes(_lines(body))
        return PageRecord(index, folio, round(width, 2), round(height, 2), round(trim[0] - media[0], 2),
                          round(media[3] - trim[3], 2), tuple(lines), tuple(notes), tuple(_lines(furniture)), key)

    def furniture_ids(self, page: pikepdf.Page, runs: list[_Run], height: float) -> set[int] | None:
        """The marked content of the page's margin boxes, which WeasyPrint tags as /NonStruct elements right
        under the /Document; None for a page without tags."""
        if not self.documents or "/StructParents" not in page.obj:
            return None
        marked = self.parent_tree.get(int(page.obj.StructParents))
        if not isinstance(marked, pikepdf.Array):
            return None
        found = set()
        for run in runs:
            if run.mcid is None or run.mcid < 0 or run.mcid >= len(marked) or run.mcid in found:
                continue
            if FURNITURE_ZONE <= run.baseline <= height - FURNITURE_ZONE:
                continue
            element = marked[run.mcid]
            parent = element.get("/P") if isinstance(element, pikepdf.Dictionary) else None
            if not isinstance(parent, pikepdf.Dictionary):
                continue
            key = parent.objgen
            if key not in self.furniture_parents:
                grand = parent.get("/P")
                self.furniture_parents[key] = (parent.get("/S") == "/NonStruct" and isinstance(
                    grand, pikepdf.Dictionary) and grand.objgen in self.documents)
            if self.furniture_parents[key]:
                found.add(run.mcid)
        return found

    def runs(self, index: int, page: pikepdf.Page, left: float, top: float) -> list[_Run]:
        contents = page.obj.get("/Contents")
        if contents is None:
            return []
        data = b"\n".join(c.read_bytes() for c in contents) if isinstance(contents, pikepdf.Array) \
            else contents.read_bytes()
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        fonts = _PageFonts(self, resources.get("/Font", pikepdf.Dictionary()), index)
        matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        saved: list[tuple] = []
        marked: list[int | None] = []
        runs: list[_Run] = []
        for graphics, text in _text_objects(data):
            for token in GRAPHICS.findall(graphics):
                last = token[-1:]
                if last == b"q":
                    saved.append(matrix)
                elif last == b"Q":
                    if saved:
                        matrix = saved.pop()
                elif last == b"m":  # cm
                    matrix = multiply(tuple(map(float, token.split()[:6])), matrix)
                elif token.endswith(b"EMC"):
                    if marked:
                        marked.pop()
                elif token.endswith((b"BDC", b"BMC")):
                    found = MCID.search(token)
                    marked.append(int(found.group(1)) if found else None)
            if text is not None:
                mcid = next((m for m in reversed(marked) if m is not None), None)
                self.text_object(index, text, matrix, fonts, left, top, mcid, runs)
        drawn = DRAWN_XOBJECT.findall(data) if b"Do" in data else []
        for name in drawn:
            if name == FURNITURE_FORM:  # the book's running head and folio (render/pdf/assemble.py)
                form = resources.get("/XObject", pikepdf.Dictionary()).get("/" + name.decode("latin-1"))
                runs += [replace(run, mcid=FURNITURE_MCID) for run in self.form_runs(index, form, left, top)]
        if self.forms_with_text(resources, [n for n in drawn if n != FURNITURE_FORM]):
            raise PageTextError(f"{self.source}: page {index + 1} draws text inside a form XObject, which this "
                                f"reader does not follow (the PDFs this project writes do not)")
        return runs

    def form_runs(self, index: int, form: pikepdf.Object, left: float, top: float) -> list[_Run]:
        """The text a form XObject draws, read like a page (the furniture is a page drawn over a page)."""
        page = pikepdf.Dictionary(Contents=form, Resources=form.get("/Resources", pikepdf.Dictionary()))
        return self.runs(index, _FormAsPage(page), left, top)

    def text_object(self, index: int, body: bytes, ctm: tuple, fonts: "_PageFonts", left: float, top: float,
                    mcid: int | None, runs: list[_Run]) -> None:
        if b"(" in body:  # strings written literally (pikepdf writes the press file's text so): read as hex
            body = _hex_strings(body, f"{self.source}: page {index + 1}")
        plain = WEASYPRINT_TEXT.fullmatch(body)
        if plain and b"TJ" not in plain.group(4) and b"(" not in plain.group(4):
            tm, name, size, shown = plain.groups()
            try:
                matrix, size = tuple(map(float, tm.split())), float(size)
            except ValueError:
                matrix = ()
            if len(matrix) == 6:
                self.show(fonts[name], size, matrix, ctm, shown, left, top, mcid, runs)
                return
        if b"(" in body:
            raise PageTextError(f"{self.source}: page {index + 1} shows text as literal strings, which this reader "
                                f"does not read; it reads the PDFs this project writes (WeasyPrint's hex glyph codes); "
                                f"fix: compare PDFs written by build.py")
        font, size = None, 0.0
        text_matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        for op in TEXT_OP.finditer(body):
            kind = op.lastgroup
            if kind == "tm":
                text_matrix = tuple(map(float, op.group("tm").split()))
                continue
            if kind == "size":
                font, size = fonts[op.group("font")], float(op.group("size"))
                continue
            if kind == "other":
                raise PageTextError(f"{self.source}: page {index + 1} moves or draws text with "
                                    f"`{op.group('other').decode()}`, which this reader does not follow; it reads "
                                    f"the PDFs this project writes (WeasyPrint's), not this one; "
                                    f"fix: compare PDFs written by build.py")
            if font is None:
                raise PageTextError(f"{self.source}: page {index + 1} shows text before choosing a font")
            shown = op.group("tj") if kind == "tj" else b"<" + op.group("hex") + b">"
            advance = self.show(font, size, text_matrix, ctm, shown, left, top, mcid, runs)
            text_matrix = text_matrix[:4] + (text_matrix[4] + advance * text_matrix[0],
                                             text_matrix[5] + advance * text_matrix[1])

    @staticmethod
    def show(font: _Font, size: float, text_matrix: tuple, ctm: tuple, shown: bytes, left: float, top: float,
             mcid: int | None, runs: list[_Run]) -> float:
        """One run of glyphs (a TJ array's strings) as text at its place; returns how far it advanced (text space)."""
        codes = array("H", bytes.fromhex(b"".join(HEX_STRING.findall(shown)).decode("ascii")))
        codes.byteswap()  # PDF codes are big-endian
        # Most arrays move glyphs by thousandths of a unit only (`>0`, `>-0.07`): no need to read them.
        count = shown.count
        small = count(b">0") + count(b">-0") + count(b"><") + shown.endswith(b">")
        adjust = 0.0 if small == count(b">") and shown[:1] == b"<" else sum(map(float, ADJUSTMENT.findall(shown)))
        advance = (sum(map(font.widths.__getitem__, codes)) - adjust) / 1000 * size
        a, b, c, d, e, f = text_matrix
        ca, cb, cc, cd, ce, cf = ctm
        x, y = e * ca + f * cc + ce, e * cb + f * cd + cf  # the run's origin, in user space
        horizontal = a * ca + b * cc
        end = x + advance * horizontal
        scale = ((c * ca + d * cc) ** 2 + (c * cb + d * cd) ** 2) ** 0.5
        runs.append(_Run("".join(map(font.text.__getitem__, codes)), min(x, end) - left, max(x, end) - left,
                         top - y, size * scale, mcid))
        return advance

    def forms_with_text(self, resources, names: list[bytes]) -> bool:
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        found = False
        for name in set(names):
            xobject = xobjects.get("/" + name.decode("latin-1"))
            if xobject is None:
                continue
            key = xobject.objgen
            if key not in self.forms:
                self.forms[key] = xobject.get("/Subtype") == "/Form" and bool(
                    re.search(rb"(?<![^\s])BT(?![^\s])", xobject.read_bytes()))
            found = found or self.forms[key]
        return found

    def font(self, font: pikepdf.Dictionary) -> _Font:
        if font.objgen not in self.fonts:
            self.fonts[font.objgen] = _Font(font, self.source)
        return self.fonts[font.objgen]


class _PageFonts:
    """A page's fonts by resource name, each read once per PDF."""

    def __init__(self, reader: _Reader, fonts: pikepdf.Dictionary, index: int):
        self.reader, self.resources, self.index = reader, fonts, index
        self.by_name: dict[bytes, _Font] = {}

    def __getitem__(self, name: bytes) -> _Font:
        if name not in self.by_name:
            key = "/" + name.decode("latin-1")
            if key not in self.resources:
                raise PageTextError(f"{self.reader.source}: page {self.index + 1} uses the font {key}, which its "
                                    f"resources lack")
            self.by_name[name] = self.reader.font(self.resources[key])
        return self.by_name[name]


def _text_objects(data: bytes):
    """The content stream cut at its text objects: (what comes before a BT, the text object's body or None)."""
    position, length = 0, len(data)
    while True:
        start = _token(data, b"BT", position)
        if start < 0:
            yield data[position:], None
            return
        end = _token(data, b"ET", start + 2)
        if end < 0:
            end = length
        yield data[position:start], data[start + 2:end]
        position = end + 2


def _token(data: bytes, word: bytes, position: int) -> int:
    """Where `word` next stands alone as a token (whitespace or the stream's edge on both sides), or -1."""
    length = len(data)
    found = data.find(word, position)
    while found >= 0:
        before = found == 0 or data[found - 1] in WHITESPACE
        after = found + len(word) >= length or data[found + len(word)] in WHITESPACE
        if before and after:
            return found
        found = data.find(word, found + 1)
    return found


def _font_digest(font: pikepdf.Object) -> bytes:
    """Which font a page's codes are drawn in. WeasyPrint draws every glyph by its number in the whole font
    (the CID is the font's glyph id), so a subset that gains glyphs elsewhere in the book does not change what
    this page's codes say: the font's name and encoding decide."""
    return repr(tuple(str(font.get(key, "")) for key in ("/BaseFont", "/Subtype", "/Encoding"))).encode()


def _lines(runs: list[_Run]) -> list[Line]:
    """Runs grouped into printed lines: top to bottom, each left to right."""
    lines: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: r.baseline):
        if lines:
            current = lines[-1]
            size = max(run.size, max(r.size for r in current))
            if run.baseline - current[0].baseline < SAME_LINE * size:
                current.append(run)
                continue
        lines.append([run])
    result = []
    for group in lines:
        group.sort(key=lambda r: r.x0)
        main = max(group, key=lambda r: (r.size, len(r.text)))
        text = group[0].text
        for before, run in zip(group, group[1:]):
            gap = run.x0 - before.x1
            text += (" " if gap > WORD_GAP * max(run.size, before.size) and not text.endswith(" ") else "") + run.text
        result.append(Line(text, round(group[0].x0, 2), round(max(r.x1 for r in group), 2), round(main.baseline, 2),
                           round(main.size, 2)))
    return result


def _split_notes(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """The footnote area: the page's last lines, all of one size smaller than the text's, the first opening with a
    footnote mark."""
    if not lines:
        return lines, []
    note_size = lines[-1].size
    sizes = [l.size for l in lines]
    text_size = max(set(sizes), key=sizes.count)
    if note_size >= text_size:
        return lines, []
    start = len(lines)
    while start > 0 and abs(lines[start - 1].size - note_size) < 0.01:
        start -= 1
    openers = [i for i in range(start, len(lines)) if lines[i].text[:1] in CIRCLED_MARKS]
    if not openers:
        return lines, []
    return lines[:openers[0]], lines[openers[0]:]


def furniture_margins() -> tuple[float, float]:
    """The top and bottom page margins of the layout (styles/paged.css, the first `@page` rule), in pt.

    Used only for an untagged PDF, where the margin boxes cannot be told by their tags.
    """
    css = (STYLES / "paged.css").read_text(encoding="utf-8")
    rule = re.search(r"@page\s*\{[^}]*?margin:\s*([^;]+);", css)
    lengths = [_length(v) for v in rule.group(1).split()] if rule else []
    if not lengths:
        raise PageTextError(f"{STYLES / 'paged.css'}: no `margin:` in its first `@page` rule; the page records need "
                            f"it to tell the running heads of an untagged PDF")
    top = lengths[0]
    bottom = lengths[2] if len(lengths) > 2 else top
    return top, bottom


def _length(value: str) -> float:
    units = {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0, "pc": 12.0, "px": 0.75}
    found = re.fullmatch(r"([\d.]+)(mm|cm|in|pt|pc|px)?", value.strip())
    if not found:
        return 0.0
    return float(found.group(1)) * units.get(found.group(2) or "pt", 1.0)


# -- comparing two builds --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mark:
    """Something to point at on a page image: a changed line, where text was removed, a moved line."""
    kind: str  # "text" | "removed" | "moved" | "furniture"
    top: float  # pt from the trim's top-left
    bottom: float
    x0: float
    x1: float


@dataclass(frozen=True)
class QuotedLine:
    """A line quoted in the report: its text and the folio it is printed on (in its own build)."""
    folio: str
    text: str
    area: str  # "body" | "notes" | "furniture"

    def to_json(self) -> dict:
        return {"folio": self.folio, "text": self.text, "area": self.area}


@dataclass(frozen=True)
class PageChange:
    """What happened to one printed page, by folio."""
    folio: str
    kind: str  # one of KINDS
    index: int | None  # the page in the new PDF (None: removed)
    before_index: int | None  # the page with this folio in the previous PDF (None: added)
    after: tuple[QuotedLine, ...] = ()  # text: this page's new or edited lines; furniture: its new furniture
    before: tuple[QuotedLine, ...] = ()  # what they replace (text), or the furniture as it was
    removed_here: int = 0  # places on this page where text was taken out
    was: str | None = None  # furniture of a renumbered page: the folio its unchanged content had
    was_index: int | None = None  # … and that page in the previous PDF
    # What a before/after proof marks: on the previous build's page shown (the renumbered page's own content
    # where there is one, else the page of this folio) and on the new page.
    marks_before: tuple[Mark, ...] = field(default=(), compare=False, repr=False)
    marks_after: tuple[Mark, ...] = field(default=(), compare=False, repr=False)

    @property
    def shown_before(self) -> int | None:
        """The previous build's page to show beside this one."""
        return self.was_index if self.was_index is not None else self.before_index

    def to_json(self) -> dict:
        row: dict = {"folio": self.folio, "kind": self.kind}
        if self.index is not None:
            row["page"] = self.index + 1
        if self.before_index is not None and self.before_index != self.index:
            row["page_before"] = self.before_index + 1
        if self.was is not None:
            row["was"] = self.was
        if self.after or self.kind in (TEXT, FURNITURE):
            row["after"] = [q.to_json() for q in self.after]
            row["before"] = [q.to_json() for q in self.before]
        if self.removed_here:
            row["removed_here"] = self.removed_here
        return row


@dataclass
class ChangeReport:
    """Every printed page of the new build against the previous one (the new build's pages in order, then the
    previous build's pages whose folio is gone)."""
    pages: list[PageChange]
    pages_before: int
    pages_after: int
    first_build: bool = False

    def of_kind(self, *kinds: str) -> list[PageChange]:
        return [p for p in self.pages if p.kind in kinds]

    @property
    def changed(self) -> list[PageChange]:
        """The pages the printer replaces (or adds, or takes out)."""
        return [p for p in self.pages if p.kind != UNCHANGED]

    def folios(self, kind: str) -> list[str]:
        return [p.folio for p in self.pages if p.kind == kind]

    def summary(self, name: str) -> str:
        """One line for the build log: `print.pdf: page 23 changed (text), 24–78 reflowed, i–vi, 1–22 unchanged`."""
        if self.first_build:
            return f"{name}: first build, {self.pages_after} pages (no previous edition to compare)"
        if not self.changed:
            return f"{name}: no page changed ({self.pages_after} pages)"
        parts = []
        for kind in KINDS:
            pages = self.of_kind(kind)
            if pages:
                ranges = _ranges(pages)
                if ranges is None:  # scattered: counted, the first and last shown
                    parts.append(f"{len(pages)} pages {KIND_WORDS[kind]} ({_ranges(pages, shorten=False)})")
                else:
                    lead = "" if parts else "page " if len(pages) == 1 else "pages "
                    parts.append(f"{lead}{ranges} {KIND_WORDS[kind]}")
        return f"{name}: " + ", ".join(parts)

    def to_json(self) -> dict:
        if self.first_build:
            return {"first_build": True, "pages_after": self.pages_after}
        return {"first_build": False, "pages_before": self.pages_before, "pages_after": self.pages_after,
                "changed": len(self.changed), "pages": [p.to_json() for p in self.pages]}


def _ranges(pages: list[PageChange], shorten: bool = True) -> str | None:
    """Folios as compact ranges in page order (`i–vi, 1–22`); None for more than six ranges, unless shortened
    to the first three and the last (`2, 4, 6 … 70`)."""
    runs: list[list[PageChange]] = []
    for page in pages:
        if runs and _next_to(runs[-1][-1], page):
            runs[-1].append(page)
        else:
            runs.append([page])
    shown = [run[0].folio if len(run) == 1 else f"{run[0].folio}–{run[-1].folio}" for run in runs]
    if len(shown) <= 6:
        return ", ".join(shown)
    return None if shorten else f"{', '.join(shown[:3])} … {shown[-1]}"


def _next_to(first: PageChange, second: PageChange) -> bool:
    if first.folio.isdigit() != second.folio.isdigit():  # front matter (i, ii …) and body (1, 2 …) apart
        return False
    if first.index is not None and second.index is not None:
        return second.index == first.index + 1
    return first.before_index is not None and second.before_index == first.before_index + 1


def compare(before: list[PageRecord] | None, after: list[PageRecord]) -> ChangeReport:
    """What changed on each printed page of `after` since `before` (None: there was no previous build)."""
    if before is None:
        return ChangeReport([], 0, len(after), first_build=True)
    found = _Differences(before, after)
    for area in ("lines", "notes"):
        found.align(area)
    return found.report()


def normalised(text: str) -> str:
    """A line's text as compared: no white space, every footnote mark the same mark."""
    return "".join(text.split()).translate(_ANY_MARK)


_ANY_MARK = str.maketrans({mark: ANY_MARK for mark in CIRCLED_MARKS})


class _Differences:
    """The two builds' lines aligned, and what differs, gathered per page."""

    def __init__(self, before: list[PageRecord], after: list[PageRecord]):
        self.before, self.after = before, after
        self.changed_after: dict[int, dict[tuple[str, int], None]] = {}  # page → (area, line) in order
        self.changed_before: dict[int, dict[tuple[str, int], None]] = {}
        self.replaced: dict[int, dict[tuple[int, str, int], None]] = {}  # new page → the old lines its edits replace
        self.removed: dict[int, list[float]] = {}  # new page → where text was taken out (pt from the top)

    def align(self, area: str) -> None:
        old = [(r.index, i) for r in self.before for i in range(len(getattr(r, area)))]
        new = [(r.index, i) for r in self.after for i in range(len(getattr(r, area)))]
        old_keys = [normalised(getattr(self.before[p], area)[i].text) for p, i in old]
        new_keys = [normalised(getattr(self.after[p], area)[i].text) for p, i in new]
        lines = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
        for tag, i1, i2, j1, j2 in lines.get_opcodes():
            if tag == "equal":
                continue
            if tag == "delete":
                self.edit(area, old[i1:i2], [], self.gap(area, new, j1))
            elif tag == "insert":
                self.edit(area, [], new[j1:j2], None)
            else:
                self.characters(area, old[i1:i2], old_keys[i1:i2], new[j1:j2], new_keys[j1:j2])

    def characters(self, area, old, old_keys, new, new_keys) -> None:
        """Lines that differ, compared character by character: only lines holding an edit count."""
        a, b = "".join(old_keys), "".join(new_keys)
        if len(a) * len(b) > MAX_COMPARED:
            self.edit(area, old, new, None)
            return
        old_ends, new_ends = _ends(old_keys), _ends(new_keys)
        chars = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, a1, a2, b1, b2 in chars.get_opcodes():
            if tag == "equal":
                continue
            old_lines = old[_line_at(old_ends, a1):_line_at(old_ends, a2 - 1) + 1] if a2 > a1 else []
            if b2 > b1:
                self.edit(area, old_lines, new[_line_at(new_ends, b1):_line_at(new_ends, b2 - 1) + 1], None)
                continue
            following = bisect.bisect_right(new_ends, b1)  # the line that starts at b1, if one does
            if b1 == 0 or new_ends[following - 1] == b1:  # taken out between two lines
                self.edit(area, old_lines, [], self.gap(area, new, following))
            else:  # taken out of the middle of a line: that line is edited
                self.edit(area, old_lines, [new[following]], None)

    def gap(self, area: str, lines: list, position: int) -> tuple[int, float] | None:
        """Where text taken out was, in the new build: above the line now at `position`, or below the last."""
        if position < len(lines):
            page, i = lines[position]
            return page, getattr(self.after[page], area)[i].top
        if lines:
            page, i = lines[-1]
            return page, getattr(self.after[page], area)[i].bottom
        return None

    def edit(self, area: str, old: list, new: list, gap: tuple[int, float] | None) -> None:
        for page, i in old:
            self.changed_before.setdefault(page, {})[(area, i)] = None
        pages = {page for page, _ in new} | ({gap[0]} if gap else set())
        for page, i in new:
            self.changed_after.setdefault(page, {})[(area, i)] = None
        if gap is not None:
            self.removed.setdefault(gap[0], []).append(gap[1])
        for page in pages:
            for old_page, i in old:
                self.replaced.setdefault(page, {})[(old_page, area, i)] = None

    def report(self) -> ChangeReport:
        before_by_folio: dict[str, list[PageRecord]] = {}
        for record in self.before:
            before_by_folio.setdefault(record.folio, []).append(record)
        content = {}
        for record in self.before:
            if record.lines or record.notes:
                content.setdefault(_body(record), record)
        pages, paired = [], set()
        for record in self.after:
            candidates = before_by_folio.get(record.folio)
            old = candidates.pop(0) if candidates else None
            if old is not None:
                paired.add(old.index)
            pages.append(self.page(record, old, content))
        for record in self.before:
            if record.index not in paired:
                pages.append(PageChange(record.folio, REMOVED, None, record.index,
                                        marks_before=self.marks_on(record, None, self.changed_before, moved=False)))
        return ChangeReport(pages, len(self.before), len(self.after))

    def page(self, new: PageRecord, old: PageRecord | None, content: dict) -> PageChange:
        edited = self.changed_after.get(new.index, {})
        removed = self.removed.get(new.index, [])
        after = tuple(QuotedLine(new.folio, getattr(new, area)[i].text, _AREA_NAMES[area]) for area, i in edited)
        before = tuple(QuotedLine(self.before[p].folio, getattr(self.before[p], area)[i].text, _AREA_NAMES[area])
                       for p, area, i in self.replaced.get(new.index, {}))
        old_index = old.index if old is not None else None
        if old is None or edited or removed:
            return PageChange(new.folio, ADDED if old is None else TEXT, new.index, old_index, after, before,
                              len(removed), marks_before=self.marks_on(old, new, self.changed_before) if old else (),
                              marks_after=self.marks_on(new, old, self.changed_after))
        if _body(new) == _body(old):
            if _furniture(new) == _furniture(old):
                return PageChange(new.folio, UNCHANGED, new.index, old_index)
            return PageChange(new.folio, FURNITURE, new.index, old_index, *_furniture_changes(new, old),
                              marks_before=_furniture_marks(old, new), marks_after=_furniture_marks(new, old))
        same = content.get(_body(new)) if new.lines or new.notes else None
        if same is not None:  # the same page under another folio: renumbered
            return PageChange(new.folio, FURNITURE, new.index, old_index, *_furniture_changes(new, same),
                              was=same.folio, was_index=same.index, marks_before=_furniture_marks(same, new),
                              marks_after=_furniture_marks(new, same))
        return PageChange(new.folio, REFLOWED, new.index, old_index, marks_before=self.marks_on(old, new,
                          self.changed_before), marks_after=self.marks_on(new, old, self.changed_after))

    def marks_on(self, record: PageRecord, other: PageRecord | None, changed: dict, moved: bool = True
                 ) -> tuple[Mark, ...]:
        """Marks for one side of a proof: its edited lines boxed, where text was taken out (new pages), and a bar
        beside each other line that is not where it is on the other side's page (it moved in or out)."""
        edited = changed.get(record.index, {})
        marks = [_mark("text", getattr(record, area)[i]) for area, i in edited]
        left, right = _text_block(record)  # bars line up in the margin, left of the text
        if changed is self.changed_after:
            marks += [Mark("removed", y - 1.0, y + 1.0, left, right) for y in self.removed.get(record.index, [])]
        if moved:
            kept = set(_positions(other)) if other is not None else set()
            marks += [Mark("moved", line.top, line.bottom, left, right) for area, i, line in _located(record)
                      if (area, i) not in edited and _position(line) not in kept]
        return tuple(marks)


def _furniture_marks(record: PageRecord, other: PageRecord) -> tuple[Mark, ...]:
    """The running heads and folios of `record` that `other` does not print (in that place)."""
    printed = set(_furniture(other))
    return tuple(_mark("furniture", line) for line in record.furniture if _position(line) not in printed)


_AREA_NAMES = {"lines": "body", "notes": "notes", "furniture": "furniture"}


def _ends(keys: list[str]) -> list[int]:
    """The offset just past each line in the lines' joined text."""
    ends, total = [], 0
    for key in keys:
        total += len(key)
        ends.append(total)
    return ends


def _line_at(ends: list[int], offset: int) -> int:
    """The line holding the character at `offset` of the joined text (the last line for an offset past it)."""
    return min(bisect.bisect_right(ends, offset), len(ends) - 1)


def _position(line: Line) -> tuple:
    """A line as placed: a page whose lines all keep their text and place has not moved (records hold 0.01 pt)."""
    return line.text, line.baseline, line.x0


def _positions(record: PageRecord) -> list[tuple]:
    return [_position(l) for l in record.lines + record.notes]


def _located(record: PageRecord):
    for area in ("lines", "notes"):
        for i, line in enumerate(getattr(record, area)):
            yield area, i, line


def _body(record: PageRecord) -> tuple:
    return tuple(_position(l) for l in record.lines), tuple(_position(l) for l in record.notes)


def _furniture(record: PageRecord) -> tuple:
    return tuple(_position(l) for l in record.furniture)


def _furniture_changes(new: PageRecord, old: PageRecord) -> tuple[tuple[QuotedLine, ...], tuple[QuotedLine, ...]]:
    """The running heads and folios that differ: the new page's, and the old page's they replace."""
    old_lines, new_lines = set(_furniture(old)), set(_furniture(new))
    return (tuple(QuotedLine(new.folio, l.text, "furniture") for l in new.furniture if _position(l) not in old_lines),
            tuple(QuotedLine(old.folio, l.text, "furniture") for l in old.furniture if _position(l) not in new_lines))


def _text_block(record: PageRecord) -> tuple[float, float]:
    """The left and right edges of the page's text (the whole page when it has none)."""
    lines = record.lines + record.notes
    if not lines:
        return 0.0, record.width
    return min(l.x0 for l in lines), max(l.x1 for l in lines)


def _mark(kind: str, line: Line) -> Mark:
    return Mark(kind, line.top, line.bottom, line.x0, line.x1)


# -- the web edition and the EPUB: which documents changed -----------------------------------------------------------
# What a build stamps into a document without its content changing: the EPUB's last-modified date (from
# SOURCE_DATE_EPOCH). Two documents differing only there are the same document.
BUILD_STAMPS = (re.compile(rb'(<meta\s+property="dcterms:modified"\s*>)[^<]*(</meta>)'),)


@dataclass(frozen=True)
class DocumentChanges:
    """Which documents of a web edition or an EPUB differ from the previous build's (by name in the edition)."""
    edition: str  # "web", "epub"
    changed: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    first_build: bool = False

    @property
    def count(self) -> int:
        return len(self.changed) + len(self.added) + self.unchanged

    def summary(self) -> str:
        """`web: 2 of 14 documents changed (02-progress.html, index.html)`."""
        if self.first_build:
            return f"{self.edition}: first build, {self.count} documents"
        if not (self.changed or self.added or self.removed):
            return f"{self.edition}: no document changed ({self.count} documents)"
        parts = []
        for names, words in ((self.changed, "changed"), (self.added, "added"), (self.removed, "removed")):
            if names:
                listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
                parts.append(f"{len(names)} {words} ({listed})")
        return f"{self.edition}: {self.count} documents, " + ", ".join(parts)

    def to_json(self) -> dict:
        if self.first_build:
            return {"first_build": True, "documents": self.count}
        return {"first_build": False, "documents": self.count, "changed": list(self.changed),
                "added": list(self.added), "removed": list(self.removed)}


def compare_documents(edition: str, before: dict[str, bytes] | None, after: dict[str, bytes]) -> DocumentChanges:
    """The documents (name → bytes) whose content differs between two builds, build stamps aside."""
    if before is None:
        return DocumentChanges(edition, (), (), (), len(after), first_build=True)
    changed = tuple(sorted(n for n in after if n in before and _unstamped(before[n]) != _unstamped(after[n])))
    return DocumentChanges(edition, changed, tuple(sorted(set(after) - set(before))),
                           tuple(sorted(set(before) - set(after))),
                           sum(1 for n in after if n in before and n not in changed))


def _unstamped(data: bytes) -> bytes:
    for stamp in BUILD_STAMPS:
        data = stamp.sub(rb"\1\2", data)
    return data


def epub_documents(epub: bytes | Path) -> dict[str, bytes]:
    """An EPUB's members by name (the zip's file times are not content)."""
    import zipfile
    with zipfile.ZipFile(io.BytesIO(epub) if isinstance(epub, (bytes, bytearray)) else epub) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def folder_documents(folder: Path) -> dict[str, bytes]:
    """A folder edition's files (the web edition) by path inside it."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- what a build calls ----------------------------------------------------------------------------------------------
@dataclass
class PdfChanges:
    """One PDF edition after a build: the comparison, its log line, and the records to keep for the next build."""
    name: str  # "print.pdf"
    report: ChangeReport
    records: list[PageRecord]

    @property
    def summary(self) -> str:
        return self.report.summary(self.name)

    def records_json(self) -> bytes:
        return records_to_json(self.records)


def pdf_changes(name: str, pdf: bytes | Path, previous: list[PageRecord] | Path | None) -> PdfChanges:
    """Read the PDF just written and compare it with the previous build's records (or their JSON file).

    `previous` None, or a path that does not exist, is a first build. Stored
    records that cannot be read (an older version, a damaged file) count as
    no previous build too, and the report says so: the build must not fail
    for want of a comparison.
    """
    try:
        before = load_records(previous) if isinstance(previous, (str, Path)) else previous
    except PageTextError:
        before = None
    records = read_pages(pdf, name if isinstance(pdf, (bytes, bytearray)) else None, before)
    return PdfChanges(name, compare(before, records), records)


def changes_json(pdfs: list[PdfChanges], documents: list[DocumentChanges] = ()) -> bytes:
    """`changes.json`: for each PDF its summary and every page by folio, for the web and EPUB the documents.

    One page a line, so that the file reads (and diffs) by eye as well as by program.
    """
    editions: dict[str, dict] = {}
    for pdf in pdfs:
        editions[pdf.name] = {"summary": pdf.summary, **pdf.report.to_json()}
    for edition in documents:
        editions[edition.edition] = {"summary": edition.summary(), **edition.to_json()}
    compact = lambda value: json.dumps(value, ensure_ascii=False, separators=(", ", ": "))  # noqa: E731
    out = [f'{{"version": {CHANGES_VERSION}, "editions": {{']
    for number, (name, fields) in enumerate(editions.items()):
        rows = [f"  {compact(key)}: {compact(value)}" for key, value in fields.items() if key != "pages"]
        if "pages" in fields:
            pages = ",\n".join(f"   {compact(page)}" for page in fields["pages"])
            rows.append(f'  "pages": [\n{pages}\n  ]')
        out.append(f" {compact(name)}: {{\n" + ",\n".join(rows) + "\n }" + ("," if number < len(editions) - 1 else ""))
    out.append("}}")
    return ("\n".join(out) + "\n").encode("utf-8")
