"""Typography read back from a PDF: justification, line breaking, folios, running heads, page rhythm.

Measured from the PDF's glyphs (pdfplumber), not from the HTML that made it.
Run it on any built PDF to print the counts:

    .venv/bin/python -m tests.typography output/gsi-report-2024/screen.pdf
"""
from __future__ import annotations

import re
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

MM = 72 / 25.4
MARGIN_ZONE = 23 * MM  # running heads and folios live in the top and bottom margins (24 mm)
NO_LINE_START = set("，。、；：？！）》」』】”’…")
NO_LINE_END = set("（《「『【“‘")
CIRCLED = set("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")
CLOSING = set("，。、；：）》」』】”’")
HAN = re.compile(r"[\u3400-\u9fff]")
EDGE_TOLERANCE = 0.5  # pt
CALL_SIZE = 7.5  # pt: footnote calls are set smaller (6.4 pt) than any text (8 pt and more)
PARAGRAPH_END = 2  # em: a line shorter than this by more is a paragraph's end, not a justification failure
CHECKED_SIZES = (10.5, 9.975, 8.5)  # body text, sidebar text, footnotes (pt)
BOOK_TITLE = "全球安全倡议落实进展报告（2024）"
CHAPTER_HEADS = {"前言", "全球安全倡议落实进展", "结束语", "附件"}


@dataclass
class Line:
    page: int
    top: float
    x0: float
    x1: float
    size: float
    font: str
    text: str
    chars: list[dict] = field(default_factory=list, repr=False, compare=False)  # pdfplumber's glyphs, calls too
    colour: str = ""  # the main glyphs' fill colour, "#rrggbb"

    @property
    def bottom(self) -> float:
        return self.top + self.size

    @property
    def face(self) -> str:
        name = self.font.split("+")[-1]
        return "heading" if "Sans" in name else "quote" if "WenKai" in name else "text"

    @property
    def bold(self) -> bool:
        return "Bold" in self.font


@dataclass
class Page:
    index: int
    width: float
    height: float
    lines: list[Line]
    head: str  # text in the top zone
    foot: list[tuple[float, str]]  # (x, text) in the bottom zone
    big_number: bool  # a chapter opener's large number

    @property
    def body(self) -> list[Line]:
        return [line for line in self.lines if line.size >= 8]


@dataclass
class Report:
    lines: int = 0
    full_lines: int = 0
    ragged: list[str] = field(default_factory=list)
    bad_start: list[str] = field(default_factory=list)
    bad_end: list[str] = field(default_factory=list)
    folio_problems: list[str] = field(default_factory=list)
    head_problems: list[str] = field(default_factory=list)
    heading_at_foot: list[str] = field(default_factory=list)
    widows: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    short_pages: list[str] = field(default_factory=list)
    right_edge_spread: float = 0.0
    pair_advances: list[float] = field(default_factory=list)  # em, first mark of each punctuation pair

    def counts(self) -> dict[str, int]:
        return {
            "lines": self.lines, "full lines checked": self.full_lines,
            "not flush (>0.5pt)": len(self.ragged), "line starts with closing punctuation": len(self.bad_start),
            "line ends with opening punctuation": len(self.bad_end), "folio problems": len(self.folio_problems),
            "running-head problems": len(self.head_problems), "heading alone at page foot": len(self.heading_at_foot),
            "widow lines": len(self.widows), "orphan lines": len(self.orphans),
            "pages with <3 lines inside a chapter": len(self.short_pages),
            "punctuation pairs measured": len(self.pair_advances),
        }


PAIR_FIRST = set("，。、；：）》」』】”")
PAIR_SECOND = set("，。、；：）》」』】”（《「『【“")


def pair_advances(path: Path) -> list[float]:
    """Advance (in em) of the first mark of each adjacent pair of full-width marks on a line,
    e.g. `。”`: 1.0 uncompressed, 0.5 with the pair compressed (clreq 3.1.4)."""
    advances = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            chars = sorted((c for c in page.chars if c["size"] >= 8),
                           key=lambda c: (round(c["bottom"]), c["x0"]))
            for a, b in zip(chars, chars[1:]):
                if a["text"] in PAIR_FIRST and b["text"] in PAIR_SECOND and round(a["bottom"]) == round(b["bottom"]):
                    advances.append((b["x0"] - a["x0"]) / a["size"])
    return advances


def read_pages(path: Path, margin_zone: float = MARGIN_ZONE) -> list[Page]:
    pages = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            # pdfplumber gives the TrimBox as (x0, top, x1, bottom) in the glyphs' own
            # coordinates (measured on a print PDF, whose MediaBox adds the bleed, against
            # its screen twin cut at the trim).
            media = page.mediabox
            trim = page.trimbox or media
            top_limit = trim[1] + margin_zone
            bottom_limit = trim[3] - margin_zone
            head, foot, body_chars = [], [], []
            big = False
            for char in page.chars:
                if char["size"] > 40:
                    big = True
                if char["top"] < top_limit:
                    head.append(char)
                elif char["top"] >= bottom_limit:
                    foot.append(char)
                else:
                    body_chars.append(char)
            pages.append(Page(index, trim[2] - trim[0], trim[3] - trim[1], glyph_lines(index, body_chars, trim[0]),
                              "".join(c["text"] for c in sorted(head, key=lambda c: c["x0"])).strip(),
                              _foot(foot, trim[0]), big))
    return pages


def glyph_lines(index: int, chars: list[dict], x_shift: float) -> list[Line]:
    """Glyphs grouped into lines by baseline; footnote calls (small, raised) join their line,
    and a call with no line beside it (alone on its line) is a line of its own."""
    rows: dict[int, list[dict]] = {}
    calls = []
    for char in chars:
        if char["text"].isspace():
            continue
        if char["size"] < CALL_SIZE:
            calls.append(char)
        else:
            rows.setdefault(round(char["bottom"]), []).append(char)
    for call in calls:
        home = next((row for bottom, row in rows.items()
                     if bottom - row[0]["size"] - 3 <= call["top"] <= bottom), None)
        if home is not None:
            home.append(call)
        else:
            rows.setdefault(round(call["bottom"]), []).append(call)
    lines = []
    for _, row in sorted(rows.items()):
        row.sort(key=lambda c: c["x0"])
        sizes = Counter(round(c["size"], 2) for c in row)
        size = sizes.most_common(1)[0][0]
        main = [c for c in row if round(c["size"], 2) == size]
        lines.append(Line(index, min(c["top"] for c in main), row[0]["x0"] - x_shift, row[-1]["x1"] - x_shift,
                          size, main[0]["fontname"], "".join(c["text"] for c in row), row,
                          hex_colour(main[0].get("non_stroking_color"))))
    return lines


def hex_colour(colour) -> str:
    """pdfplumber's fill colour (grey, RGB or CMYK floats) as "#rrggbb".

    A CMYK colour that is a token's press ink (print.pdf) reads as that token's
    screen colour, so that print.pdf reads as its screen twin does."""
    if colour is None:
        return ""
    if isinstance(colour, (int, float)):
        colour = (colour,)
    colour = tuple(colour)
    if len(colour) == 1:
        colour = colour * 3
    elif len(colour) == 4:
        token = _press_inks().get(tuple(round(v, 3) for v in colour))
        if token:
            return token
        c, m, y, k = colour
        colour = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return "#" + "".join(f"{round(v * 255):02x}" for v in colour[:3])


def _press_inks() -> dict[tuple, str]:
    if not _INKS:
        from publish.render.press import read_press_colours
        for colour in read_press_colours().colours:
            _INKS[tuple(round(v, 3) for v in colour.cmyk)] = colour.screen.lower()
    return _INKS


_INKS: dict[tuple, str] = {}


def _foot(chars: list[dict], x_shift: float) -> list[tuple[float, str]]:
    if not chars:
        return []
    chars = sorted(chars, key=lambda c: c["x0"])
    return [(chars[0]["x0"] - x_shift, "".join(c["text"] for c in chars).strip())]


def blocks_of(lines: list[Line]) -> list[list[Line]]:
    """Runs of lines of one size and face, spaced one leading apart: a paragraph block."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks:
            last = blocks[-1][-1]
            gap = line.top - last.top
            if line.size == last.size and line.face == last.face and 0 < gap < line.size * 2.2 \
                    and abs(line.x0 - blocks[-1][0].x0) < line.size * 2.5:
                blocks[-1].append(line)
                continue
        blocks.append([line])
    return blocks


@dataclass(frozen=True)
class Furniture:
    """What the running heads should read, and whether the last page is a back cover."""
    book_title: str = BOOK_TITLE
    chapter_heads: frozenset = frozenset(CHAPTER_HEADS)
    back_cover: bool = True
    margin_zone: float = MARGIN_ZONE  # pt from the trim edge where heads and folios live


def check(path: Path, furniture: Furniture = Furniture()) -> Report:
    pages = read_pages(path, furniture.margin_zone)
    report = Report()
    spreads = []
    for page in pages:
        if _is_contents(page):
            continue
        for block in blocks_of(page.body):
            left = min(line.x0 for line in block)
            ends = Counter(round(line.x1, 1) for line in block)
            right = ends.most_common(1)[0][0] if len(block) > 2 else max(line.x1 for line in block)
            right = max(right, max(_end(line, right) for line in block))
            for i, line in enumerate(block):
                report.lines += 1
                text = line.text
                if text[0] in NO_LINE_START:
                    report.bad_start.append(f"p{page.index + 1}: {text[:20]}")
                if text[-1] in NO_LINE_END:
                    report.bad_end.append(f"p{page.index + 1}: {text[-20:]}")
                if i == len(block) - 1 or line.face == "heading":
                    continue  # a block's last line ends its paragraph (or the page cuts it: checked on the next)
                following = block[i + 1]
                if following.x0 > left + line.size * 1.5 or following.text[0] in CIRCLED \
                        or following.text.startswith("——"):
                    continue  # the next line starts a new paragraph, note or attribution
                if not HAN.search(text) or not any(abs(line.size - s) < 0.05 for s in CHECKED_SIZES):
                    continue
                if right - line.x1 > PARAGRAPH_END * line.size:
                    continue
                report.full_lines += 1
                end = _end(line, right)
                spreads.append(end - right)
                if abs(end - right) > EDGE_TOLERANCE:
                    report.ragged.append(f"p{page.index + 1}: {end - right:+.2f}pt {text[:16]}…")
        _check_page_furniture(page, pages, report, furniture)
        _check_page_rhythm(page, pages, report, furniture)
    report.right_edge_spread = (max(spreads) - min(spreads)) if spreads else 0.0
    report.pair_advances = pair_advances(path)
    return report


def _end(line: Line, right: float) -> float:
    """Where a line's text ends. A closing mark set half-width (OpenType `halt`, for a
    punctuation pair) keeps its full-width box in the PDF's font metrics, so a line
    ending in one seems to overshoot by half an em: its advance really ends there."""
    if line.text[-1] in CLOSING and abs(line.x1 - right - line.size / 2) < EDGE_TOLERANCE:
        return line.x1 - line.size / 2
    return line.x1


def _is_contents(page: Page) -> bool:
    return any(". . ." in line.text or "......" in line.text for line in page.lines)


def _is_plain_page(page: Page, pages: list[Page], furniture: Furniture) -> bool:
    """Cover, title leaves, blank, opener and back-cover pages carry no running head and no folio."""
    first_contents = next((p.index for p in pages if _is_contents(p)), 0)
    return (page.big_number or not page.body or page.index < first_contents
            or (furniture.back_cover and page.index == len(pages) - 1))


def _check_page_furniture(page: Page, pages: list[Page], report: Report, furniture: Furniture) -> None:
    right_hand = page.index % 2 == 0  # page 1 is a right-hand page
    if _is_plain_page(page, pages, furniture):
        if page.head or page.foot:
            report.folio_problems.append(f"p{page.index + 1}: furniture on a plain page: {page.head} {page.foot}")
        return
    if not page.foot:
        report.folio_problems.append(f"p{page.index + 1}: no folio")
        return
    x, folio = page.foot[0]
    outside = x > page.width / 2 if right_hand else x < page.width / 2
    if not outside:
        report.folio_problems.append(f"p{page.index + 1}: folio {folio} not on the outer side")
    if _is_contents(page):
        return
    if page.index == 0:
        if page.head:  # the first page opens with the title itself
            report.head_problems.append(f"p1: running head {page.head!r} above the title")
        return
    if not right_hand and page.head != furniture.book_title:
        report.head_problems.append(f"p{page.index + 1}: left running head {page.head!r}")
    if right_hand and page.head not in furniture.chapter_heads:
        report.head_problems.append(f"p{page.index + 1}: right running head {page.head!r}")


def _check_page_rhythm(page: Page, pages: list[Page], report: Report, furniture: Furniture) -> None:
    body = [line for line in page.body if line.size >= 9]
    if not body or _is_plain_page(page, pages, furniture) or _is_contents(page):
        return
    last = body[-1]
    if last.face == "heading" and last.size >= 10.5 and last.bold:
        report.heading_at_foot.append(f"p{page.index + 1}: {last.text[:20]}")
    text_lines = [line for line in body if line.face == "text" and abs(line.size - 10.5) < 0.3]
    if not text_lines:
        return
    left = statistics.median_low(sorted(line.x0 for line in text_lines))
    first, final = text_lines[0], text_lines[-1]
    nxt = pages[page.index + 1] if page.index + 1 < len(pages) else None
    next_text = [line for line in nxt.body if line.face == "text" and abs(line.size - 10.5) < 0.3] if nxt else []
    # Orphan: a paragraph's first line (indented) alone at the page foot, its paragraph going on overleaf.
    if final is last and final.x0 > left + 15 and next_text and next_text[0].x0 <= left + 1 \
            and next_text[0] is nxt.body[0] if nxt and nxt.body else False:
        report.orphans.append(f"p{page.index + 1}: {final.text[:16]}")
    # Widow: the last line of a paragraph alone at the page top (not indented, then a new paragraph or block).
    if first is body[0] and first.x0 <= left + 1 and len(text_lines) > 1 and page.index > 0:
        second = text_lines[1]
        previous = pages[page.index - 1]
        if second.x0 > left + 15 and previous.body and not previous.big_number:
            report.widows.append(f"p{page.index + 1}: {first.text[:16]}")
    if len(body) < 3 and nxt is not None and not (nxt.big_number or not nxt.body) \
            and not _starts_document(nxt):
        report.short_pages.append(f"p{page.index + 1}: {len(body)} lines")


def _starts_document(page: Page) -> bool:
    """A page that opens a part or an annex (its first line is a large heading)."""
    return bool(page.body) and page.body[0].face == "heading" and page.body[0].size >= 14


def main(argv: list[str]) -> int:
    for name in argv or ["output/gsi-report-2024/screen.pdf"]:
        report = check(Path(name))
        print(name)
        for label, count in report.counts().items():
            print(f"  {label:<40} {count}")
        print(f"  {'right-edge spread of full lines (pt)':<40} {report.right_edge_spread:.2f}")
        if report.pair_advances:
            print(f"  {'punctuation pair advance (em), max':<40} {max(report.pair_advances):.3f}")
        for label, items in (("not flush", report.ragged), ("bad start", report.bad_start),
                             ("bad end", report.bad_end), ("folio", report.folio_problems),
                             ("running head", report.head_problems),
                             ("heading at foot", report.heading_at_foot), ("widow", report.widows),
                             ("orphan", report.orphans), ("short page", report.short_pages)):
            for item in items[:8]:
                print(f"    {label}: {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
