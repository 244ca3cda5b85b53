"""Page design read back from a PDF: the faults a book designer looks for page by page.

Where tests/typography.py checks lines (flush edges, forbidden line starts, folios),
this checks how the pages are filled: blank tint inside sidebars, sidebars split
into scraps, pages left short, white gaps at a page foot or above the notes,
facing pages at different depths, and a few line-level faults the eye catches at
once (a note call alone on a line, one character alone on a paragraph's last line,
a connecting dash opening a line, punctuation pairs left a full two em wide, a
name broken at the end of an attribution or caption).

Everything is measured from the PDF alone (pdfplumber: glyphs, filled rectangles
and their colours, images), never from the HTML that made it. The colours that
tell a sidebar from a box, and the size of one line of text, are read from
styles/tokens.css, where the design defines them. Print the counts of a PDF with

    .venv/bin/python -m tests.page_design output/gsi-report-2024/screen.pdf [--all]
"""
from __future__ import annotations

import re
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import ClassVar

import pdfplumber

from .typography import CALL_SIZE, CIRCLED, HAN, NO_LINE_START, Line, blocks_of, glyph_lines, hex_colour

STYLES = Path(__file__).resolve().parent.parent / "styles"


def design_tokens(path: Path = STYLES / "tokens.css") -> dict[str, str]:
    """The custom properties of styles/tokens.css (`--color-tint` → `#edf2f8`)."""
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", path.read_text(encoding="utf-8")))


TOKENS = design_tokens()
TINT = TOKENS["--color-tint"].lower()                # sidebar backgrounds
TINT_STRONG = TOKENS["--color-tint-strong"].lower()  # placeholder frames of missing photos (and table heads)
RULE = TOKENS["--color-rule"].lower()                # box borders, the rule above the notes
MUTED = TOKENS["--color-muted"].lower()              # captions, source notes, running heads
TEXT_SIZE = float(TOKENS["--text-size"].removesuffix("pt"))
NOTE_SIZE = float(TOKENS["--note-size"].removesuffix("pt"))
LINE = TEXT_SIZE * float(TOKENS["--text-leading"])   # one line of body text, baseline to baseline (pt)
# Depths are read from glyph boxes; below its glyphs a line keeps half its leading, which is
# part of the line, not blank: facing depths may differ by that much more.
HALF_LEADING = (LINE - TEXT_SIZE) / 2

def bottom_padding(selector: str, path: Path = STYLES / "content.css") -> float:
    """A box's bottom padding in pt, from its `padding:` in styles/content.css (em of the text size)."""
    rule = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", path.read_text(encoding="utf-8")).group(1)
    values = re.search(r"padding:\s*([^;]+);", rule).group(1).split()
    bottom = values[{1: 0, 2: 0, 3: 2, 4: 2}[len(values)]]
    return float(bottom.removesuffix("em")) * TEXT_SIZE


# The tint a box keeps below its last line as its own padding (cloned onto each part of a box broken
# across pages) is its frame, not a hole: what box_blanks measures at a box's foot is below it.
BOX_PADDING_BOTTOM = {"sidebar": bottom_padding(".sidebar"), "box": bottom_padding(".box")}

# Thresholds, in the designer's terms.
BOX_BLANK_LINES = 2         # blank tint taller than two lines inside a sidebar reads as a hole
BOX_FRAGMENT_MIN_LINES = 3  # a split sidebar's part with fewer lines of its own text is a scrap
PAGE_FILL_MIN = 2 / 3       # a page ending before a new section must be at least two-thirds full
# White at a page foot (or above the notes' rule) up to two lines and a half: a page two lines
# short, as widow and orphan rules may leave it, measures that much from its last glyph, since
# the text block is rarely a whole number of lines and, above the notes, 14 pt of margin and
# padding (paged.css) stand between text and rule. Three lines short is a gap.
FOOT_GAP_LINES = 2.5
NOTE_GAP_LINES = 2.5
FACING_DEPTH_LINES = 1      # facing pages may differ by one line, no more
PAIR_MAX_EM = 1.75          # two marks compressed take 1.5 em, uncompressed 2 em: the limit lies between
NAME_TAIL_MAX = 3           # a last line of three characters or fewer is a name or word broken off
# Heading sizes that tell where a flow ends (pt): opener, annex and article titles are 20 pt
# and more; a document inside a chapter starts with a 14–15 pt title or label; section
# headings inside the text are 12 pt and less.
CHAPTER_TITLE_SIZE = 18
DOCUMENT_TITLE_SIZE = 14
BIG_NUMBER_SIZE = 40        # a chapter opener's large number (96 pt)
ATTRIBUTION = "——"
CENTRED_MARKS = set("！？")
OPENING_MARKS = set("（《「『【“‘〔〈")
CLOSING_MARKS = set("，。、；：）》」』】”’〕〉")
PAIR_MARKS = OPENING_MARKS | CLOSING_MARKS | CENTRED_MARKS
FOLIO = re.compile(r"^(\d+|[ivxlcdm]+)$")


@dataclass(frozen=True)
class Area:
    """A rectangle in the page's coordinates (pt; x from the trim's left edge, y down from the top)."""
    x0: float
    top: float
    x1: float
    bottom: float

    def holds(self, line: Line | Area, slack: float = 2.0) -> bool:
        return (line.x0 >= self.x0 - slack and line.x1 <= self.x1 + slack
                and line.top >= self.top - slack and line.bottom <= self.bottom + slack)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Box:
    """One page's fragment of a sidebar (tinted) or a box (ruled border): its inner area."""
    kind: str  # "sidebar" | "box"
    area: Area


@dataclass
class DesignPage:
    index: int
    folio: str
    head: str
    x_shift: float             # the trim's left edge in pdfplumber's coordinates
    lines: list[Line]          # text above the notes, furniture and photo placeholders' labels left out
    notes: list[Line]          # the footnote area's lines
    note_top: float | None     # the rule above the notes (or the first note's top)
    boxes: list[Box]
    pictures: list[Area]       # images and the placeholder frames of missing photos
    cover: bool                # a full-page background: front or back cover
    big_number: bool           # a chapter opener

    @property
    def blank(self) -> bool:
        return not (self.lines or self.notes or self.pictures or self.boxes)

    def content(self) -> list[tuple[float, float, object]]:
        """(top, bottom, item) of what stands above the notes, top first."""
        items = [(line.top, line.bottom, line) for line in self.lines]
        items += [(box.area.top, box.area.bottom, box) for box in self.boxes]
        items += [(area.top, area.bottom, area) for area in self.pictures]
        return sorted(items, key=lambda item: (item[0], item[1]))

    @property
    def content_top(self) -> float | None:
        content = self.content()
        return content[0][0] if content else None

    @property
    def content_bottom(self) -> float | None:
        content = self.content()
        return max(bottom for _, bottom, _ in content) if content else None

    @property
    def depth(self) -> float | None:
        """How far down the page the type reaches, notes included."""
        bottoms = [b for b in (self.content_bottom, self.notes[-1].bottom if self.notes else None) if b is not None]
        return max(bottoms) if bottoms else None

    @property
    def last_line(self) -> str:
        return self.lines[-1].text if self.lines else ""

    def first_item(self):
        content = self.content()
        return content[0][2] if content else None


@dataclass(frozen=True)
class Finding:
    """One fault, with what it takes to find it on the page."""
    page: int        # 0-based index in the PDF
    folio: str       # the printed page number, "" where the page has none
    top: float       # pt from the page's top edge
    text: str        # the line that shows the place
    measure: float   # the fault's size, in `unit`
    unit: str
    what: str = ""

    def __str__(self) -> str:
        folio = f" (folio {self.folio})" if self.folio else ""
        return f"p{self.page + 1}{folio} y={self.top:.0f}: {self.measure:g} {self.unit} {self.what}: {self.text[:30]}"


@dataclass
class PageDesignReport:
    box_blanks: list[Finding] = field(default_factory=list)
    box_fragments: list[Finding] = field(default_factory=list)
    short_pages: list[Finding] = field(default_factory=list)
    foot_gaps: list[Finding] = field(default_factory=list)
    lone_calls: list[Finding] = field(default_factory=list)
    single_character_lines: list[Finding] = field(default_factory=list)
    dash_line_starts: list[Finding] = field(default_factory=list)
    facing_depths: list[Finding] = field(default_factory=list)
    uncompressed_pairs: list[Finding] = field(default_factory=list)
    name_breaks: list[Finding] = field(default_factory=list)
    note_gaps: list[Finding] = field(default_factory=list)
    pages: int = 0

    LABELS: ClassVar[dict[str, str]] = {
        "box_blanks": "blank tint in a sidebar or box (>2 lines)",
        "box_fragments": "split sidebar/box part with <3 lines",
        "short_pages": "page <2/3 full before a new section",
        "foot_gaps": "white gap at a page foot (>2.5 lines)",
        "lone_calls": "note call alone on a line",
        "single_character_lines": "one character alone on a last line",
        "dash_line_starts": "line starting with a connecting dash",
        "facing_depths": "facing pages at different depths",
        "uncompressed_pairs": "punctuation pair 2 em wide",
        "name_breaks": "attribution/caption/credit ending in <=3 chars",
        "note_gaps": "gap above the notes (>2.5 lines)",
    }

    def findings(self) -> dict[str, list[Finding]]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "pages"}

    def counts(self) -> dict[str, int]:
        return {self.LABELS[name]: len(items) for name, items in self.findings().items()}


# Reading the pages.

def read_design_pages(path: Path) -> list[DesignPage]:
    pages = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            pages.append(_design_page(index, page))
    return pages


def _design_page(index: int, page) -> DesignPage:
    trim = page.trimbox or page.mediabox
    shift = trim[0]
    width, height = trim[2] - trim[0], trim[3] - trim[1]
    filled = [(hex_colour(r.get("non_stroking_color")),
               Area(r["x0"] - shift, r["top"], r["x1"] - shift, r["bottom"])) for r in page.rects if r["fill"]]
    cover = any(area.width * area.height > 0.8 * width * height for _, area in filled)
    pictures = [Area(i["x0"] - shift, i["top"], i["x1"] - shift, i["bottom"]) for i in page.images]
    pictures += _placeholder_frames([area for colour, area in filled if colour == TINT_STRONG])
    boxes = [Box("sidebar", area) for colour, area in filled
             if colour == TINT and area.width > 3 * LINE and area.height > 1]
    boxes += [Box("box", area) for area in _bordered([area for colour, area in filled if colour == RULE])]
    lines = [line for line in glyph_lines(index, page.chars, shift)
             if not any(picture.holds(line) for picture in pictures)]
    lines.sort(key=lambda line: line.top)
    folio = head = ""
    if lines and lines[-1].face == "heading" and FOLIO.match(lines[-1].text) and lines[-1].top > 0.85 * height:
        folio = lines.pop().text
    tops = [area.top for area in pictures] + [box.area.top for box in boxes]
    if lines and lines[0].face == "heading" and not lines[0].bold and lines[0].colour == MUTED \
            and lines[0].size < TEXT_SIZE and lines[0].bottom < 0.15 * height \
            and all(lines[0].bottom <= top for top in tops):
        head = lines.pop(0).text
    notes = _notes(lines)
    lines = lines[:len(lines) - len(notes)]
    note_top = None
    if notes:
        note_top = notes[0].top
        rules = [area for colour, area in filled if colour == RULE and area.height < 1.5
                 and notes[0].top - LINE < area.top < notes[0].top]
        if rules:
            note_top = min(area.top for area in rules)
    return DesignPage(index, folio, head, shift, lines, notes, note_top, boxes, pictures, cover,
                      any(c["size"] > BIG_NUMBER_SIZE for c in page.chars))


def _placeholder_frames(areas: list[Area]) -> list[Area]:
    """The frames drawn for missing photos: a lone strong-tint rectangle. Table heads share
    the colour but come as a row of cells side by side."""
    rows = Counter((round(a.top), round(a.bottom)) for a in areas)
    return [a for a in areas if rows[(round(a.top), round(a.bottom))] == 1 and a.height > 2 * LINE]


def _bordered(areas: list[Area]) -> list[Area]:
    """A bordered box is drawn as its outer and inner rectangles filled even-odd; each
    side of the border is under 3 pt. (A rule above a block has only one side.)"""
    inner = []
    for outer in areas:
        for candidate in areas:
            insets = (candidate.x0 - outer.x0, candidate.top - outer.top,
                      outer.x1 - candidate.x1, outer.bottom - candidate.bottom)
            if candidate is not outer and all(0.1 < inset < 3 for inset in insets):
                inner.append(candidate)
    return inner


def _notes(lines: list[Line]) -> list[Line]:
    """The footnote area: the run of note-sized text lines at the page foot, from the first
    that opens with a note mark."""
    run = []
    for line in reversed(lines):
        if line.face != "text" or abs(line.size - NOTE_SIZE) > 0.3:
            break
        run.append(line)
    run.reverse()
    start = next((i for i, line in enumerate(run) if line.text[0] in CIRCLED), None)
    return run[start:] if start is not None else []


# What kind of page, what kind of line.

@dataclass(frozen=True)
class TextBlock:
    """The text block's top and bottom, as deep as the type reaches on the fullest pages."""
    top: float
    bottom: float


def body_pages(pages: list[DesignPage]) -> list[DesignPage]:
    """Pages of running text: not the front matter (everything before the first chapter
    opener, or the pages with roman folios), covers, openers or blank pages."""
    first_opener = next((p.index for p in pages if p.big_number), None)
    return [p for p in pages
            if not (p.cover or p.big_number or p.blank or FOLIO.match(p.folio) and not p.folio.isdigit())
            and (first_opener is None or p.index > first_opener)]


def text_block(pages: list[DesignPage]) -> TextBlock:
    """Read from the body pages: a PDF with no full page has no measurable foot."""
    tops = [p.content_top for p in pages if p.content_top is not None]
    depths = [p.depth for p in pages if p.depth is not None]
    return TextBlock(min(tops, default=0.0), max(depths, default=0.0))


def opens_chapter(page: DesignPage | None) -> bool:
    """A page that starts a chapter: an opener, an annex or article title page, the blank
    page before one, a cover, or no page at all."""
    return page is None or page.cover or page.big_number or page.blank \
        or any(line.face == "heading" and line.size >= CHAPTER_TITLE_SIZE for line in page.lines)


def starts_with_heading(page: DesignPage, min_size: float = TEXT_SIZE) -> bool:
    first = page.first_item()
    return isinstance(first, Line) and first.face == "heading" and first.bold and first.size >= min_size - 0.1


def starts_document(page: DesignPage) -> bool:
    """A new document inside a chapter: a forced page break before its title."""
    return starts_with_heading(page, DOCUMENT_TITLE_SIZE)


def ends_flow(pages: list[DesignPage], page: DesignPage) -> bool:
    nxt = pages[page.index + 1] if page.index + 1 < len(pages) else None
    return opens_chapter(nxt) or starts_document(nxt)


def is_caption(line: Line) -> bool:
    """A figure caption or a credit line (the article's colophon): small muted type, not Kai
    (the Kai face in muted colour is a source note)."""
    return line.face != "quote" and not line.bold and line.colour == MUTED and line.size < TEXT_SIZE


def is_source_note(line: Line) -> bool:
    return line.face == "quote" and line.colour == MUTED


def is_title(line: Line) -> bool:
    return line.face == "heading" and line.bold


def attributions(lines: list[Line]) -> list[list[Line]]:
    """Attribution paragraphs: a Kai line opening with "——" and the lines that continue it
    (same face and size, one line below, set flush right)."""
    groups = []
    for i, line in enumerate(lines):
        if line.face != "quote" or not line.text.startswith(ATTRIBUTION):
            continue
        group = [line]
        for following in lines[i + 1:]:
            last = group[-1]
            if following.face == last.face and abs(following.size - last.size) < 0.1 \
                    and 0 < following.top - last.top < 2.2 * last.size \
                    and abs(following.x1 - last.x1) < last.size and following.x0 >= line.x0 - 1 \
                    and not following.text.startswith(ATTRIBUTION):
                group.append(following)
            else:
                break
        groups.append(group)
    return groups


def captions(lines: list[Line]) -> list[list[Line]]:
    """Captions and credit lines: runs of caption lines one line apart."""
    groups: list[list[Line]] = []
    for line in lines:
        if not is_caption(line):
            continue
        if groups and abs(line.size - groups[-1][-1].size) < 0.1 \
                and 0 < line.top - groups[-1][-1].top < 2.2 * line.size and groups[-1][-1] is _previous(lines, line):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _previous(lines: list[Line], line: Line) -> Line | None:
    i = lines.index(line)
    return lines[i - 1] if i else None


def _finding(page: DesignPage, top: float, text: str, measure: float, unit: str, what: str = "") -> Finding:
    return Finding(page.index, page.folio, top, text, round(measure, 2), unit, what)


def _meaningful(text: str) -> list[str]:
    """Letters, digits and Han characters: what counts as characters of a word."""
    return [c for c in text if HAN.match(c) or c.isalnum()]


# The detectors, one per fault.

def box_blanks(pages: list[DesignPage]) -> list[Finding]:
    """1. A blank region of tint (no text, no picture) taller than two lines inside a box fragment."""
    found = []
    for page in pages:
        for box in page.boxes:
            inside = [(line.top, line.bottom, line.text) for line in page.lines if box.area.holds(line)]
            inside += [(p.top, p.bottom, "[picture]") for p in page.pictures if box.area.holds(p)]
            inside.sort()
            cursor, above = box.area.top, "[top of the box]"
            foot = box.area.bottom - BOX_PADDING_BOTTOM[box.kind]
            for top, bottom, text in inside + [(foot, foot, "")]:
                gap = top - cursor
                if gap > BOX_BLANK_LINES * LINE:
                    where = "at the foot of" if not text else "inside"
                    found.append(_finding(page, cursor, above, gap, "pt", f"blank {where} a {box.kind}, below"))
                if bottom > cursor:
                    cursor, above = bottom, text
    return found


def box_fragments(pages: list[DesignPage], body: list[DesignPage]) -> list[Finding]:
    """2. A box split across pages whose fragment on a page holds fewer than three lines of
    its own text (its title, attribution lines and source note not counted)."""
    split: list[list[tuple[DesignPage, Box]]] = []
    numbers = {page.index for page in body}
    for page in body:
        nxt = pages[page.index + 1] if page.index + 1 in numbers else None
        for box in page.boxes:
            if nxt is None or any(line.top > box.area.bottom for line in page.lines):
                continue  # text follows the box on its page: the box ends here
            first = nxt.first_item()
            if isinstance(first, Box) and first.kind == box.kind and abs(first.area.width - box.area.width) < 2:
                opening = [line for line in nxt.lines if first.area.holds(line)][:1]
                if opening and is_title(opening[0]):
                    continue  # the next page opens another box, with its title
                chain = next((c for c in split if c[-1][0] is page and c[-1][1] is box), None)
                if chain is None:
                    split.append([(page, box), (nxt, first)])
                else:
                    chain.append((nxt, first))
    found = []
    for chain in split:
        for page, box in chain:
            inside = [line for line in page.lines if box.area.holds(line)]
            attributed = {id(line) for group in attributions(inside) for line in group}
            own = [line for line in inside
                   if not (is_title(line) or is_source_note(line) or id(line) in attributed)]
            if len(own) < BOX_FRAGMENT_MIN_LINES:
                extra = [name for name, present in (("attribution", attributed),
                                                     ("source note", any(map(is_source_note, inside))))
                         if present]
                what = f"of text in a split {box.kind}'s part" + (f", besides {' and '.join(extra)}" if extra else "")
                text = inside[0].text if inside else "[empty]"
                found.append(_finding(page, box.area.top, text, len(own), "lines", what))
    return found


def short_pages(pages: list[DesignPage], body: list[DesignPage], block: TextBlock) -> list[Finding]:
    """3. A page less than two-thirds full whose next page starts a new section (a heading),
    unless a chapter ends there."""
    found = []
    for page in body:
        nxt = pages[page.index + 1] if page.index + 1 < len(pages) else None
        if opens_chapter(nxt) or not starts_with_heading(nxt) or page.depth is None:
            continue
        fill = (page.depth - block.top) / (block.bottom - block.top)
        if fill < PAGE_FILL_MIN:
            found.append(_finding(page, page.depth, page.last_line, 100 * fill, "% full",
                                  f"before «{nxt.first_item().text[:12]}»"))
    return found


def foot_gaps(pages: list[DesignPage], body: list[DesignPage], block: TextBlock) -> list[Finding]:
    """4. The text ends more than two lines and a half above the text block's foot while the
    next page goes on with the same flow. On a page with notes the foot is their rule: the
    place note_gaps (11) looks at too."""
    found = []
    for page in body:
        if ends_flow(pages, page) or page.content_bottom is None:
            continue
        floor = page.note_top if page.notes else block.bottom
        gap = floor - page.content_bottom
        if gap > FOOT_GAP_LINES * LINE:
            where = "above the notes" if page.notes else "at the page foot"
            found.append(_finding(page, page.content_bottom, page.last_line, gap, "pt", f"blank {where}, below"))
    return found


def lone_calls(body: list[DesignPage]) -> list[Finding]:
    """5. A line holding only a footnote call (and perhaps closing punctuation)."""
    found = []
    for page in body:
        for line in page.lines:
            calls = [c for c in line.chars if c["size"] < CALL_SIZE]
            rest = [c["text"] for c in line.chars if c["size"] >= CALL_SIZE]
            if calls and all(c["text"] in CIRCLED for c in calls) and all(t in NO_LINE_START for t in rest):
                found.append(_finding(page, line.top, line.text, calls[0]["size"], "pt", "note call alone"))
    return found


def single_character_lines(body: list[DesignPage]) -> list[Finding]:
    """6. A paragraph's last line holding one Han character and perhaps closing punctuation."""
    found = []
    for page in body:
        for lines in (page.lines, page.notes):
            named = {id(line) for group in attributions(lines) + captions(lines) for line in group}
            for block in blocks_of(lines):
                if len(block) < 2:
                    continue
                left = min(line.x0 for line in block)
                for line in block:
                    text = "".join(c["text"] for c in line.chars if c["size"] >= CALL_SIZE)
                    if id(line) in named or is_title(line) or line.x0 > left + line.size / 2:
                        continue  # attributions and captions are names (10); an indented line opens a paragraph
                    if len(text) >= 1 and HAN.match(text[0]) and all(c in NO_LINE_START for c in text[1:]):
                        found.append(_finding(page, line.top, line.text, line.x1 - line.x0, "pt", "wide, a last line"))
    return found


def dash_line_starts(body: list[DesignPage]) -> list[Finding]:
    """7. A line opening with a single "—": half of a "——" or a connecting dash broken off
    its first word ("中国—阿拉伯国家峰会"). A "——" opening an attribution is right."""
    found = []
    for page in body:
        for line in page.lines + page.notes:
            if line.text.startswith("—") and not line.text.startswith(ATTRIBUTION):
                found.append(_finding(page, line.top, line.text, line.size, "pt", "dash opens the line"))
    return found


def facing_depths(pages: list[DesignPage], body: list[DesignPage]) -> list[Finding]:
    """8. The two pages of a spread (even page on the left, odd on the right; page 1 alone
    on the right) ending more than one line apart, where neither ends its flow."""
    found = []
    numbers = {page.index for page in body}
    for page in body:
        if page.index % 2 == 0 or page.index + 1 not in numbers:
            continue  # page index 1 (page 2) is the first left-hand page
        right = pages[page.index + 1]
        if ends_flow(pages, page) or ends_flow(pages, right):
            continue
        difference = page.depth - right.depth
        if abs(difference) > FACING_DEPTH_LINES * LINE + HALF_LEADING:
            short = right if difference > 0 else page
            found.append(_finding(short, short.depth, short.last_line, abs(difference), "pt",
                                  f"shallower than p{(page if short is right else right).index + 1}, ending"))
    return found


def uncompressed_pairs(body: list[DesignPage]) -> list[Finding]:
    """9. Two full-width marks side by side taking a full 2 em ("！”" "。”" "），")."""
    found = []
    for page in body:
        for lines in (page.lines, page.notes):
            for block in blocks_of(lines):
                ends = Counter(round(line.x1, 1) for line in block)
                right = (ends.most_common(1)[0][0] if len(block) > 2 else max(line.x1 for line in block)) + page.x_shift
                for line in block:
                    found += _line_pairs(page, line, right)
    return found


def _line_pairs(page: DesignPage, line: Line, right: float) -> list[Finding]:
    glyphs = sorted(line.chars, key=lambda c: c["x0"])  # note calls too: a call after a pair ends it
    # Justification adds the same letter-spacing after every character of the line: take it off.
    spacing = [b["x0"] - a["x0"] - a["size"] for a, b in zip(glyphs, glyphs[1:])
               if HAN.match(a["text"]) and HAN.match(b["text"]) and abs(a["size"] - b["size"]) < 0.1]
    extra = max(0.0, statistics.median(spacing)) if spacing else 0.0
    found = []
    for i, (a, b) in enumerate(zip(glyphs, glyphs[1:])):
        if a["text"] not in PAIR_MARKS or b["text"] not in PAIR_MARKS or abs(a["size"] - b["size"]) > 0.1:
            continue
        if a["text"] in OPENING_MARKS and b["text"] not in OPENING_MARKS:
            continue  # an opening mark before a closing one is no pair of blanks
        if i + 2 < len(glyphs):  # the pair ends where the next glyph starts
            width = (glyphs[i + 2]["x0"] - a["x0"] - 2 * extra) / a["size"]
        else:  # at the line's end, a mark set half-width still has a full-width box: the edge ends it
            width = (min(b["x1"], right) - a["x0"] - extra) / a["size"]
        if width > PAIR_MAX_EM:
            context = "".join(c["text"] for c in glyphs[max(0, i - 4):i + 4])
            found.append(_finding(page, line.top, context, width, "em", f"«{a['text']}{b['text']}» pair"))
    return found


def name_breaks(body: list[DesignPage]) -> list[Finding]:
    """10. An attribution or a caption whose last line is three characters or fewer."""
    found = []
    for page in body:
        for kind, groups in (("attribution", attributions(page.lines)), ("caption", captions(page.lines))):
            for group in groups:
                if len(group) > 1 and len(_meaningful(group[-1].text)) <= NAME_TAIL_MAX:
                    found.append(_finding(page, group[-1].top, f"{group[-2].text[-10:]}/{group[-1].text}",
                                          len(_meaningful(group[-1].text)), "characters", f"{kind} ends in"))
    return found


def note_gaps(pages: list[DesignPage], body: list[DesignPage]) -> list[Finding]:
    """11. On a page with notes, the text ending more than two lines and a half above their rule —
    but for a chapter's last page, whose text ends where it ends, its notes at the foot."""
    found = []
    for page in body:
        if page.notes and page.content_bottom is not None and not ends_flow(pages, page):
            gap = page.note_top - page.content_bottom
            if gap > NOTE_GAP_LINES * LINE:
                found.append(_finding(page, page.content_bottom, page.last_line, gap, "pt",
                                      "blank above the notes, below"))
    return found


def check_pages(pdf_path: Path | str) -> PageDesignReport:
    """Every detector over a PDF's pages."""
    return check_design_pages(read_design_pages(Path(pdf_path)))


def check_design_pages(pages: list[DesignPage]) -> PageDesignReport:
    body = body_pages(pages)
    block = text_block(body)
    return PageDesignReport(
        box_blanks=box_blanks(body),
        box_fragments=box_fragments(pages, body),
        short_pages=short_pages(pages, body, block),
        foot_gaps=foot_gaps(pages, body, block),
        lone_calls=lone_calls(body),
        single_character_lines=single_character_lines(body),
        dash_line_starts=dash_line_starts(body),
        facing_depths=facing_depths(pages, body),
        uncompressed_pairs=uncompressed_pairs(body),
        name_breaks=name_breaks(body),
        note_gaps=note_gaps(pages, body),
        pages=len(pages),
    )


def main(argv: list[str]) -> int:
    show_all = "--all" in argv
    names = [a for a in argv if a != "--all"] or ["output/gsi-report-2024/screen.pdf"]
    for name in names:
        report = check_pages(Path(name))
        print(f"{name} ({report.pages} pages)")
        for items, (label, count) in zip(report.findings().values(), report.counts().items()):
            print(f"  {label:<48} {count}")
            for item in items if show_all else items[:3]:
                print(f"      {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
