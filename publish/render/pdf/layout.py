"""The paginator: one part of the book laid out by WeasyPrint, its page-level decisions made, drawn.

    lay_out_part(source) → PartLayout (bytes)

1. The part's HTML (templates/book/part.html) is made with the page-level
   decisions taken so far (none at first: a part's pages depend on its
   content only, so a clean and an incremental build end on the same bytes).
2. WeasyPrint lays it out, with the fixes of weasyprint_patches.
3. Each decider (DECIDERS) reads the layout and may change a decision — a note
   still away from its call's page is given `footnote-policy: block`. If one
   did, the part is laid out again; after MAX_LAYOUTS the build fails, naming
   what did not settle.
4. What cannot move a line is set on the laid-out boxes instead of laying out
   again: the note marks ①②③ restarting on every page (every circled number
   is one em wide in these faces, measured: where one is not, the marks become
   a decision of step 3) and the short rule above each page's first note.
5. The part is drawn: a tagged PDF/UA-1 file in sRGB with the bleed, without
   marks or furniture, which assemble.py puts together with the other parts.

What the layout learnt travels with the PDF: each page's side, name and
anchors, the notes called on it, the bookmarks, and the decisions.
"""
from __future__ import annotations

import json
import logging
import struct
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ... import model as m
from ...paths import PROJECT_ROOT, STYLES
from .. import EDITIONS
from ..cjk import set_for_print
from ..html import RenderContext, circled, render_template
from .parts import Part
from .page_editor import PageEditor

STYLESHEETS = ("tokens.css", "content.css", "paged.css")
MAX_LAYOUTS = 4
PLACEHOLDER_MARK = circled(1)
CSS_PX = 0.75  # PDF points per CSS pixel

logging.getLogger("weasyprint").setLevel(logging.ERROR)


class LayoutNotSettled(Exception):
    """The page-level decisions of a part did not reach a fixed point."""


@dataclass(frozen=True)
class PartSource:
    """Everything a part's pages are made from: the cache's key for the part is its digest."""
    part: Part
    pub: m.Publication  # reduced to what the part shows (see part_publication)
    folios: tuple[tuple[str, str], ...] = ()  # the contents: the folio of each entry's target
    anchors_elsewhere: tuple[str, ...] = ()  # anchors its links reach in other parts (sorted: a key is a repr)
    images: tuple[tuple[str, str], ...] = ()  # a photo's digest → the screen copy the layout embeds (its path)


@dataclass(frozen=True)
class Decisions:
    """The page-level decisions of one part, each made from a layout of it."""
    note_policy: tuple[tuple[str, str], ...] = ()  # note id → footnote-policy beyond the default `line`
    marks: tuple[tuple[str, str], ...] = ()  # note id → mark, only where marks cannot be set after layout

    def to_json(self) -> dict:
        return {"note_policy": dict(self.note_policy), "marks": dict(self.marks)}


@dataclass
class PageRecord:
    side: str  # "left" | "right"
    name: str  # the page's name in the style sheets ("" for an unnamed page)
    blank: bool
    anchors: list[str] = field(default_factory=list)  # the anchors found first on this page
    notes: list[str] = field(default_factory=list)  # ids of the notes called here, in reading order


@dataclass
class Bookmark:
    level: int
    label: str
    page: int  # index in the part
    x: float  # PDF points, the page's own coordinates
    y: float
    open: bool


@dataclass
class PartLayout:
    """A part's pages: its PDF (one file, or several for a long part, drawn side by side), and what its
    layout learnt."""
    name: str
    pdfs: tuple[bytes, ...]
    pages: list[PageRecord]
    bookmarks: list[Bookmark]
    decisions: dict
    layouts: int

    def to_bytes(self) -> bytes:
        head = json.dumps({"name": self.name, "pages": [asdict(p) for p in self.pages],
                           "bookmarks": [asdict(b) for b in self.bookmarks], "decisions": self.decisions,
                           "layouts": self.layouts, "pdfs": [len(pdf) for pdf in self.pdfs]},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        return struct.pack(">Q", len(head)) + head + b"".join(self.pdfs)

    @classmethod
    def from_bytes(cls, data: bytes) -> "PartLayout":
        """The layout stored by to_bytes; ValueError if the bytes are not one (a damaged cache)."""
        try:
            (size,) = struct.unpack(">Q", data[:8])
            head = json.loads(data[8:8 + size].decode("utf-8"))
            pdfs, at = [], 8 + size
            for length in head["pdfs"]:
                pdfs.append(data[at:at + int(length)])
                at += int(length)
            if at != len(data) or not all(pdf.startswith(b"%PDF-") for pdf in pdfs):
                raise ValueError("no PDF")
            return cls(str(head["name"]), tuple(pdfs), [PageRecord(**p) for p in head["pages"]],
                       [Bookmark(**b) for b in head["bookmarks"]], dict(head["decisions"]), int(head["layouts"]))
        except (struct.error, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a stored part layout ({exc.__class__.__name__})") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a stored part layout ({exc})") from None


class PdfContext(RenderContext):
    """What the part and furniture templates may ask of the paginated edition."""

    def __init__(self, pub, settings, decisions: Decisions = Decisions(), folios=(), images=(),
                 linked_stylesheets: bool = False):
        super().__init__(pub, settings)
        self.images = dict(images)
        # The build gives WeasyPrint the style sheets parsed once per process (`parsed_stylesheets`);
        # a document written to be rendered on its own links them.
        self.stylesheets = tuple((STYLES / name).as_uri() for name in STYLESHEETS) if linked_stylesheets else ()
        self.note_policy = dict(decisions.note_policy)
        self.note_marks = dict(decisions.marks)
        self.folios = dict(folios)
        self.bleed = pub.bleed if settings.bleed else ""

    def inlines(self, nodes, tail=None):
        return set_for_print(nodes) if tail is None else set_for_print(nodes, tail)

    def image_url(self, figure: m.Figure) -> str:
        """The photo's screen copy (render/images.py): print.pdf gets the original in its place."""
        copy = self.images.get(figure.image_digest)
        return Path(copy).as_uri() if copy else figure.image_path.resolve().as_uri()

    def missing_image(self, figure: m.Figure) -> str:
        """The frame names the missing file: the proof sheets, made from the PDFs, show what to supply."""
        return f"图片待补：{figure.image}"

    def folio(self, anchor: str) -> str:
        return self.folios.get(anchor, "")


def parsed_stylesheets() -> list:
    """The paged edition's style sheets, parsed once per process (each part would parse them again)."""
    import weasyprint
    key = tuple((name, (STYLES / name).stat().st_mtime_ns) for name in STYLESHEETS)
    if _PARSED.get("key") != key:
        _PARSED.update(key=key, sheets=[weasyprint.CSS(filename=str(STYLES / name)) for name in STYLESHEETS])
    return _PARSED["sheets"]


_PARSED: dict = {}


def font_configuration():
    """One fontconfig and Pango font map for every part a process lays out: WeasyPrint makes a new one
    for each document otherwise, and each opens the faces and measures their glyphs again. The book's
    faces are the system's (no style sheet has @font-face), so every part sees the same fonts."""
    if "fonts" not in _PARSED:
        from weasyprint.text.fonts import FontConfiguration
        _PARSED["fonts"] = FontConfiguration()
    return _PARSED["fonts"]


# -- the paginator ------------------------------------------------------------------

def lay_out_part(source: PartSource) -> bytes:
    """The part laid out until its decisions hold, drawn: PartLayout.to_bytes()."""
    import weasyprint

    from ..sandbox import SandboxedFetcher
    from ..weasyprint_patches import applied

    fetcher = SandboxedFetcher(source.pub.root, also=tuple({str(Path(path).parent) for _, path in source.images}))
    decisions = Decisions()
    for layouts in range(1, MAX_LAYOUTS + 1):
        editor = PageEditor()
        with applied(page_editor=editor):
            context = PdfContext(source.pub, EDITIONS["print"], decisions, source.folios, source.images)
            html = render_template("book/part.html", pub=source.pub, part=source.part, edition=context)
            document = weasyprint.HTML(string=html, base_url=PROJECT_ROOT.as_uri() + "/",
                                       url_fetcher=fetcher).render(stylesheets=parsed_stylesheets(),
                                                                   font_config=font_configuration())
        found = decisions
        for decide in DECIDERS:
            found = decide(document, source, found)
        if found == decisions:
            break
        decisions = found
    else:
        raise LayoutNotSettled(f"part `{source.part.name}`: after {MAX_LAYOUTS} layouts its page-level decisions "
                               f"still change ({unsettled(document, source)}). Shorten the note or the paragraph "
                               "around its call, or move the call.")
    if fetcher.refused:
        raise PermissionError("rendering tried to read outside the publication: " + ", ".join(fetcher.refused))
    with applied():
        if not decisions.marks:
            set_note_marks(document, note_marks(document))
        keep_first_note_rules(document)
    pdfs = draw(document, source)
    layout = PartLayout(source.part.name, pdfs, page_records(document), bookmarks(document),
                        {**decisions.to_json(), **editor.decisions}, layouts)
    return layout.to_bytes()


DRAWN_IN_HALVES = 32
"""A part of this many pages or more is drawn as two PDFs, at the same time where the build may use two
processes: the longest chapter would otherwise be drawn alone while the other core waits. Which parts
are halved depends on their page count only, so a build's bytes do not depend on its cores."""


def draw(document, source: PartSource) -> tuple[bytes, ...]:
    """The laid-out part as tagged PDF/UA-1, in one piece or two halves.

    Its faces are embedded as stand-ins, subset once by the book (fonts.py), but for the cover's: the
    EPUB's cover image is drawn from the cover part's PDF alone (render/cover.py)."""
    from ..weasyprint_patches import applied
    pages = document.pages
    stand_ins = source.part.kind != "cover"
    if len(pages) < DRAWN_IN_HALVES:
        with applied(anchors_elsewhere=frozenset(source.anchors_elsewhere), fonts_subset_by_the_book=stand_ins):
            return (document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True),)
    # A link from one half to an anchor of the other resolves once the halves are assembled.
    anchors = frozenset(source.anchors_elsewhere) | {a for page in pages for a in page.anchors}
    middle = len(pages) // 2
    halves = (document.copy(pages[:middle]), document.copy(pages[middle:]))

    def write(half) -> bytes:
        with applied(anchors_elsewhere=anchors, fonts_subset_by_the_book=stand_ins):
            return half.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    from ...cache import ForkedChild, processes_allowed
    if processes_allowed() < 2:
        return tuple(write(half) for half in halves)
    second = ForkedChild("drawing half of a part", write, halves[1])  # forked first: both halves drawn at once
    try:
        first = write(halves[0])
    except BaseException:
        second.cancel()
        raise
    return first, second.result()


# -- deciders: each reads a layout and returns the decisions it calls for ----------------

def keep_notes_with_calls(document, source: PartSource, decisions: Decisions) -> Decisions:
    """A note away from its call's page: `footnote-policy: block` (its call's paragraph moves with it).

    Every note starts with `line` (styles/paged.css): the line holding its
    call moves with it. Where that was not enough, the paragraph goes.
    """
    pages = anchor_pages(document)
    away = [note.id for note in source.pub.footnotes if pages.get(f"fn-{note.id}") != pages.get(f"fnref-{note.id}")]
    if not away:
        return decisions
    policy = dict(decisions.note_policy)
    for note_id in away:
        policy[note_id] = "block"
    return replace(decisions, note_policy=tuple(sorted(policy.items())))


def marks_in_markup(document, source: PartSource, decisions: Decisions) -> Decisions:
    """Where a circled number is not as wide as ①, the marks go into the markup and the part is laid out again."""
    marks = note_marks(document)
    if not decisions.marks and _marks_fit(document, set(marks.values())):
        return decisions  # set on the boxes after layout
    return replace(decisions, marks=tuple(sorted(marks.items())))


DECIDERS = (keep_notes_with_calls, marks_in_markup)


def unsettled(document, source: PartSource) -> str:
    pages = anchor_pages(document)
    away = [f"[^{n.id}] called on page {pages.get('fnref-' + n.id, -1) + 1}, set on page "
            f"{pages.get('fn-' + n.id, -1) + 1} of the part" for n in source.pub.footnotes
            if pages.get(f"fn-{n.id}") != pages.get(f"fnref-{n.id}")]
    return "; ".join(away) or "the note marks"


# -- reading a layout -------------------------------------------------------------------

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
        for call in note_calls(page):
            pages.setdefault("fnref-" + _note_id(call), index)
    return pages


def note_calls(page) -> list:
    """The footnote-call boxes of a page, in reading order."""
    return [box for box in page._page_box.descendants()
            if getattr(box, "footnote", None) is not None and box.element_tag.endswith("::footnote-call")]


def _note_id(call) -> str:
    return call.footnote.element.get("id")[len("fn-"):]


def note_marks(document) -> dict[str, str]:
    """①②③ restarting on every page, in reading order on that page."""
    marks: dict[str, str] = {}
    for page in document.pages:
        for number, call in enumerate(note_calls(page), start=1):
            marks.setdefault(_note_id(call), circled(number))
    return marks


def page_records(document) -> list[PageRecord]:
    seen: set[str] = set()
    records = []
    for page in document.pages:
        page_type = page._page_box.page_type
        anchors = [a for a in page.anchors if a not in seen]
        seen.update(anchors)
        records.append(PageRecord(page_type.side, page_type.name or "", bool(page_type.blank), anchors,
                                  [_note_id(call) for call in note_calls(page)]))
    return records


def bookmarks(document) -> list[Bookmark]:
    """Every bookmark with its level, at the place it points to in PDF points (as WeasyPrint writes them)."""
    out = []
    for index, page in enumerate(document.pages):
        for level, label, (x, y), state in page.bookmarks:
            out.append(Bookmark(level, label, index, x * CSS_PX, (page.height - y) * CSS_PX, state != "closed"))
    return out


# -- decisions set on the laid-out boxes ---------------------------------------------------

def set_note_marks(document, marks: dict[str, str]) -> None:
    """Each call and its note's marker drawn with its page's mark instead of the ① they were laid out with.

    Only the text of two boxes changes; their widths stay (_marks_fit checked
    that every mark used is as wide as ①), so no line moves.
    """
    for page in document.pages:
        markers = _note_markers(page)
        for call in note_calls(page):
            note_id = _note_id(call)
            mark = marks[note_id]
            _set_box_text(call, mark)
            for marker in markers.get(note_id, ()):
                _set_box_text(marker, mark)


def keep_first_note_rules(document) -> None:
    """The short rule above the notes: every note drew one; only each page's first keeps it."""
    for page in document.pages:
        area = _footnote_area(page)
        if area is None:
            continue
        for note in area.children[1:]:
            for box in note.descendants():
                if box.element_tag.endswith("::before"):
                    target = getattr(box, "_box", box)  # an absolutely placed box sits behind its placeholder
                    target.border_top_width = 0


def _footnote_area(page):
    from weasyprint.formatting_structure import boxes
    return next((b for b in page._page_box.children if isinstance(b, boxes.FootnoteAreaBox)), None)


def _note_markers(page) -> dict[str, list]:
    area = _footnote_area(page)
    markers: dict[str, list] = {}
    for note in area.children if area is not None else ():
        element_id = note.element.get("id", "") if note.element is not None else ""
        markers[element_id[len("fn-"):]] = [b for b in note.descendants()
                                             if b.element_tag.endswith("::footnote-marker")]
    return markers


def _set_box_text(box, text: str) -> None:
    from weasyprint.formatting_structure import boxes
    for child in box.descendants():
        if isinstance(child, boxes.TextBox):
            child.text = text
            child.pango_layout.text = text


def _marks_fit(document, marks: set[str]) -> bool:
    """Every mark is drawn exactly as wide as the ① the lines were laid out with."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout, line_size
    styles = {}
    for page in document.pages:
        for call in note_calls(page):
            for child in call.descendants():
                if isinstance(child, boxes.TextBox):
                    styles[id(child.style)] = child.style
        for markers in _note_markers(page).values():
            for marker in markers:
                for child in marker.descendants():
                    if isinstance(child, boxes.TextBox):
                        styles[id(child.style)] = child.style
    for style in styles.values():
        widths = set()
        for mark in marks | {PLACEHOLDER_MARK}:
            layout = create_layout(mark, style, None, None, 0)  # kept alive while its line is measured
            line, _ = layout.get_first_line()
            widths.add(round(line_size(line, style)[0], 3))
        if len(widths) > 1:
            return False
    return True


# -- what a part shows ------------------------------------------------------------------------

def part_publication(pub: m.Publication, part: Part) -> m.Publication:
    """The publication reduced to what one part shows, so that its key changes only when its pages can."""
    docs = tuple(d for d in pub.documents if d.id in part.documents)
    figure_ids = {b.id for d in docs for b in m.walk_blocks(d.blocks) if isinstance(b, m.Figure)}
    meta = replace(pub.meta, authors=(), description="", keywords=(), identifier="", source_url="",
                   blurb=pub.meta.blurb if part.kind == "cover" else (),
                   back_cover=pub.meta.back_cover if part.back_cover else (),
                   credits=pub.meta.credits if part.kind == "documents" and pub.layout != "report" else ())
    if part.kind == "contents":
        contents = pub.contents
    else:
        contents = tuple(e for e in pub.contents if e.document_id in part.documents)
    return replace(pub, meta=meta, documents=docs, contents=contents,
                   footnotes=tuple(n for d in docs for n in d.footnotes),
                   figures=tuple(f for f in pub.figures if f.id in figure_ids), input_files=())


def own_anchors(pub: m.Publication) -> set[str]:
    """The anchors a (reduced) publication's pages hold."""
    return set(pub.document_of_anchor()) | {f"fn-{n.id}" for n in pub.footnotes}


def part_source(pub: m.Publication, part: Part, folios: dict[str, str] | None = None,
                images: dict[str, str] | None = None) -> PartSource:
    shown = part_publication(pub, part)
    photos = tuple(sorted((f.image_digest, images[f.image_digest]) for f in shown.figures
                          if f.image_digest in (images or {})))
    elsewhere = tuple(sorted((shown.link_targets() - own_anchors(shown)) & set(pub.document_of_anchor())))
    targets = shown.link_targets()
    folio_items = tuple(sorted((a, f) for a, f in (folios or {}).items() if a in targets)) \
        if part.needs_page_numbers else ()
    return PartSource(part, shown, folio_items, elsewhere, photos)


__all__ = ["PartSource", "PartLayout", "PageRecord", "Bookmark", "Decisions", "lay_out_part", "part_source",
           "LayoutNotSettled", "PdfContext", "STYLESHEETS"]
