"""The print and screen PDFs: one paginated layout, two files.

The book is laid out by WeasyPrint, then checked and corrected where
WeasyPrint 70 falls short for Chinese books (see weasyprint_fixes.py):

1. lay out with every footnote mark set to ①;
2. read which page each note landed on and number the notes ①②③ afresh on
   every page, as in the printed report; lay out again with those marks (same
   glyph widths, so the pages do not move — checked, and repeated if they do);
3. audit: every note must sit on its call's page; a note that does not is
   given `footnote-policy: line` (its call's line moves with it) and the book
   laid out again; if a note is still away from its call, the build fails.

print.pdf carries bleed and crop marks; screen.pdf is the same pages cut at the
TrimBox, so the two editions cost one layout.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

import pikepdf
import weasyprint

from .. import model as m
from ..errors import Problem
from ..paths import PROJECT_ROOT, STYLES
from . import EDITIONS, weasyprint_fixes
from .cjk import set_for_print
from .html import RenderContext, circled, render_template
from .sandbox import SandboxedFetcher

weasyprint_fixes.apply()

STYLESHEETS = ("tokens.css", "content.css", "paged.css")
MAX_LAYOUTS = 6


class PdfContext(RenderContext):
    def __init__(self, pub, settings, note_marks=None, note_policy=None, first_notes=frozenset()):
        super().__init__(pub, settings)
        self.first_notes = first_notes
        self.stylesheets = tuple((STYLES / name).as_uri() for name in STYLESHEETS)
        self.note_marks = note_marks or {}
        self.note_policy = note_policy or {}
        self.bleed = pub.bleed if settings.bleed else ""
        self.marks = pub.crop_marks if settings.crop_marks and pub.crop_marks != "none" else "none"

    def image_url(self, figure: m.Figure) -> str:
        return figure.image_path.resolve().as_uri()

    def inlines(self, nodes):
        return set_for_print(nodes)


@dataclass
class PageMap:
    """Which page (0-based index) each anchor landed on, and the folio printed there."""
    page_of: dict[str, int]
    folios: list[str]
    body_start: int

    def folio(self, anchor: str) -> str:
        return self.folios[self.page_of[anchor]]


@dataclass(frozen=True)
class LayoutHints:
    """What the last layout learnt: per-page note marks, each page's first note, and the
    notes kept with their calls. Given back to the next build of the same content, the
    first layout is usually the last (one layout instead of two or three)."""
    marks: dict[str, str] = field(default_factory=dict)
    first_notes: frozenset[str] = frozenset()
    note_policy: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"marks": self.marks, "first_notes": sorted(self.first_notes), "note_policy": self.note_policy}

    @classmethod
    def from_json(cls, data: dict) -> "LayoutHints":
        return cls(dict(data["marks"]), frozenset(data["first_notes"]), dict(data["note_policy"]))


@dataclass
class PdfResult:
    print_pdf: bytes
    screen_pdf: bytes
    page_map: PageMap
    pages: int
    layouts: int
    notes_repaired: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    hints: LayoutHints = field(default_factory=LayoutHints)


class FootnotePlacementError(Exception):
    pass


def book_html(pub: m.Publication, context: PdfContext) -> str:
    return render_template("book/book.html", pub=pub, edition=context)


def lay_out(pub: m.Publication, context: PdfContext, fetcher: SandboxedFetcher):
    html = book_html(pub, context)
    return weasyprint.HTML(string=html, base_url=PROJECT_ROOT.as_uri() + "/",
                           url_fetcher=fetcher).render()


def anchor_pages(document) -> dict[str, int]:
    """Page index of every anchor, plus `fnref-<id>` for the page each footnote is called on.

    The call's page is read from the call box itself (the box WeasyPrint links
    to its footnote), not from a neighbouring anchor, which a line break can
    separate from the call.
    """
    pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            pages.setdefault(anchor, index)
        for box in page._page_box.descendants():
            note = getattr(box, "footnote", None)
            if note is not None and note.element is not None and note.element.get("id"):
                pages.setdefault("fnref-" + note.element.get("id")[3:], index)
    return pages


def per_page_marks(pub: m.Publication, pages: dict[str, int]) -> tuple[dict[str, str], frozenset[str]]:
    """①②③ restarting on every page, in reading order on that page; and each page's first note."""
    marks: dict[str, str] = {}
    count_on_page: dict[int, int] = {}
    first: set[str] = set()
    for note in pub.footnotes:
        page = pages.get(f"fnref-{note.id}")
        count_on_page[page] = count_on_page.get(page, 0) + 1
        marks[note.id] = circled(count_on_page[page])
        if count_on_page[page] == 1:
            first.add(note.id)
    return marks, frozenset(first)


def misplaced_notes(pub: m.Publication, pages: dict[str, int]) -> list[str]:
    return [note.id for note in pub.footnotes
            if pages.get(f"fn-{note.id}") != pages.get(f"fnref-{note.id}")]


def render_pdfs(pub: m.Publication, hints: LayoutHints | None = None) -> PdfResult:
    """Lay out until the note marks are stable and every note is on its call's page.

    `hints` from an earlier build only save layouts: the result is checked the
    same way, so stale hints cost one more layout, never a wrong page.
    """
    fetcher = SandboxedFetcher(pub.root)
    settings = EDITIONS["print"]
    known_ids = {note.id for note in pub.footnotes}
    hints = hints or LayoutHints()
    marks = {k: v for k, v in hints.marks.items() if k in known_ids}
    first_notes = frozenset(n for n in hints.first_notes if n in known_ids)
    note_policy = {k: v for k, v in hints.note_policy.items() if k in known_ids}
    repaired: list[str] = []
    layouts = 0
    while True:
        context = PdfContext(pub, settings, marks, note_policy, first_notes)
        document = lay_out(pub, context, fetcher)
        layouts += 1
        pages = anchor_pages(document)
        new_marks, new_firsts = per_page_marks(pub, pages)
        away = misplaced_notes(pub, pages)
        if new_marks == marks and new_firsts == first_notes and not away:
            break
        if layouts >= MAX_LAYOUTS:
            details = ", ".join(f"[^{n}] call on page {pages.get('fnref-' + n, -1) + 1}, "
                                f"note on page {pages.get('fn-' + n, -1) + 1}" for n in away)
            raise FootnotePlacementError(
                f"after {layouts} layouts the footnotes are not settled: " +
                (f"{len(away)} note(s) away from their call's page: {details}" if away else
                 "the per-page note marks still change") +
                ". Shorten the note or the paragraph around its call, or move the call.")
        LOG.debug("layout %d: %d marks changed, %d notes away from their calls", layouts,
                  sum(marks.get(k) != v for k, v in new_marks.items()), len(away))
        for note_id in away:
            # First keep the call's line with its note; if that is not enough, its paragraph.
            note_policy[note_id] = "block" if note_policy.get(note_id) == "line" else "line"
            if note_id not in repaired:
                repaired.append(note_id)
        marks, first_notes = new_marks, new_firsts
    if fetcher.refused:
        raise PermissionError("rendering tried to read outside the publication: " + ", ".join(fetcher.refused))
    page_map = _page_map(pub, document, pages)
    print_pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    print_pdf = _finish(print_pdf, page_map, pub, crop_to_trim=False)
    screen_pdf = _finish(print_pdf, page_map, pub, crop_to_trim=True)
    return PdfResult(print_pdf, screen_pdf, page_map, len(document.pages), layouts, repaired,
                     hints=LayoutHints(marks, first_notes, note_policy))


def _page_map(pub: m.Publication, document, pages: dict[str, int]) -> PageMap:
    first_body = pub.documents[0].id if pub.documents else ""
    body_start = pages.get(first_body, 0) if pub.layout == "report" else 0
    folios = []
    for index in range(len(document.pages)):
        if index < body_start:
            folios.append(_roman(index + 1))
        else:
            folios.append(str(index - body_start + 1))
    return PageMap(pages, folios, body_start)


def _roman(number: int) -> str:
    numerals = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50),
                ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
    out = ""
    for letters, value in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def _finish(pdf_bytes: bytes, page_map: PageMap, pub: m.Publication, crop_to_trim: bool) -> bytes:
    """Page labels (i, ii … 1, 2 …) for the viewer; for the screen, cut every page at its TrimBox."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        nums = []
        if page_map.body_start > 0:
            nums += [0, pikepdf.Dictionary(S=pikepdf.Name.r)]
        nums += [page_map.body_start, pikepdf.Dictionary(S=pikepdf.Name.D)]
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))
        if crop_to_trim:
            for page in pdf.pages:
                trim = page.obj.get("/TrimBox")
                if trim is not None:
                    page.obj.MediaBox = trim
                    page.obj.CropBox = trim
                    if "/BleedBox" in page.obj:
                        page.obj.BleedBox = trim
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


logging.getLogger("weasyprint").setLevel(logging.ERROR)
LOG = logging.getLogger("publish.pdf")
