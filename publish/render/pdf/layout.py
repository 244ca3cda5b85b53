"""The paginator: one part of the book laid out by WeasyPrint, its page-level decisions made, drawn.

    lay_out_part(source) → PartLayout (bytes)

1. The part's HTML (templates/book/part.html) is made with the page-level
   decisions taken so far (none at first: a part's pages depend on its
   content only, so a clean and an incremental build end on the same bytes).
2. WeasyPrint lays it out, with the fixes of weasyprint_patches.
   Given the part's last layout and the trail it left (`last`, from the
   cache), the pagination begins at the last page the edit left as it was,
   from the state it was in then, and stops where it rejoins the last layout
   — from a page on that begins as it began then, the pages are the last
   layout's (relayout.py): the part is the new pages between the last
   layout's, records and drawing included.
3. Each decider (DECIDERS) reads the layout and may change a decision — a note
   still away from its call's page is given `footnote-policy: block`. If one
   did, the part is laid out again; after MAX_LAYOUTS the build fails, naming
   what did not settle.
4. What cannot move a line is set on the laid-out boxes instead of laying out
   again: the note marks ①②③ restarting on every page (every circled number
   is one em wide in these faces, measured: where one is not, the marks become
   a decision of step 3) and the short rule above each page's first note.
5. The part is drawn in chunks of a few pages (relayout.chunk_starts), each a
   tagged PDF/UA-1 file in sRGB with the bleed, without marks or furniture,
   which assemble.py puts together with the other parts' (a rejoined layout
   draws only its new pages' chunks).

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
from .page_editor import PageEditor, decisions_of
from .relayout import Trail, UnusableTrail, chunk_starts

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
    start: str = ""  # the digest of what it was made from (relayout.py), "" for the last page
    key: str = ""  # its key as the layout left it: another layout may rejoin this one here (relayout.py)
    writes: int = 0  # the page editor's writes when it was left


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
    """A part's pages: its PDFs (one a chunk of pages, relayout.chunk_starts), and what its layout learnt."""
    name: str
    pdfs: tuple[bytes, ...]
    pages: list[PageRecord]
    bookmarks: list[Bookmark]
    decisions: dict
    layouts: int
    chunks: list[int] = field(default_factory=list)  # the pages in each of `pdfs`
    frame: str = ""  # what else a layout rejoining this one must share (relayout.Trail)
    writes: list = field(default_factory=list)  # the page editor's writes, in order (page_editor.decisions_of) …
    spaces: dict = field(default_factory=dict)  # … and the space shared out on each page (index as a string)
    contents: list = field(default_factory=list)  # the digests of its elements' text (relayout.Elements)

    def to_bytes(self) -> bytes:
        head = json.dumps({"name": self.name, "pages": [asdict(p) for p in self.pages],
                           "bookmarks": [asdict(b) for b in self.bookmarks], "decisions": self.decisions,
                           "layouts": self.layouts, "pdfs": [len(pdf) for pdf in self.pdfs], "chunks": self.chunks,
                           "frame": self.frame, "writes": self.writes, "spaces": self.spaces,
                           "contents": self.contents},
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
                       [Bookmark(**b) for b in head["bookmarks"]], dict(head["decisions"]), int(head["layouts"]),
                       [int(n) for n in head["chunks"]], str(head["frame"]), [tuple(w) for w in head["writes"]],
                       {str(k): [tuple(s) for s in v] for k, v in head["spaces"].items()},
                       [list(c) for c in head["contents"]])
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
    from ..weasyprint_patches import weasyprint
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

def lay_out_part(source: PartSource, last: tuple[bytes, bytes | None] | None = None) -> tuple[bytes, bytes]:
    """The part laid out until its decisions hold, drawn: PartLayout.to_bytes(), and the trail the next
    layout of the part may begin from (cache.py: a continuing unit's output and trail).

    `last`: the part's last layout and its trail, where the cache has them from the same engine. The
    pages an edit left as they were are taken from it (relayout.py); the output is the same bytes as
    without it."""
    from ..sandbox import SandboxedFetcher
    from ..weasyprint_patches import applied

    earlier, states = _last_layout(last, source)
    fetcher = SandboxedFetcher(source.pub.root, also=tuple({str(Path(path).parent) for _, path in source.images}))
    frame = repr((source.part.name, source.anchors_elsewhere))
    decisions = Decisions()
    for layouts in range(1, MAX_LAYOUTS + 1):
        context = PdfContext(source.pub, EDITIONS["print"], decisions, source.folios, source.images)
        html = render_template("book/part.html", pub=source.pub, part=source.part, edition=context)
        try:
            document, editor, trail = _paginated(html, fetcher, earlier, states, frame)
            made = LaidOut(document, editor, trail, earlier)
        except UnusableTrail:  # laid out from nothing: the same pages, all made here
            earlier, states = None, {}
            document, editor, trail = _paginated(html, fetcher, earlier, states, frame)
            made = LaidOut(document, editor, trail, earlier)
        found = decisions
        for decide in DECIDERS:
            found = decide(made, source, found)
        if found == decisions:
            break
        decisions = found
    else:
        raise LayoutNotSettled(f"part `{source.part.name}`: after {MAX_LAYOUTS} layouts its page-level decisions "
                               f"still change ({unsettled(made, source)}). Shorten the note or the paragraph "
                               "around its call, or move the call.")
    if fetcher.refused:
        raise PermissionError("rendering tried to read outside the publication: " + ", ".join(fetcher.refused))
    with applied():
        if not decisions.marks:
            set_note_marks(document, note_marks_of(made.records))
        keep_first_note_rules(document)
    anchors = frozenset(source.anchors_elsewhere) | {a for record in made.records for a in record.anchors}
    pdfs, chunks = made.pdfs(draw(document, source, [(a - made.first, b - made.first) for a, b in made.ranges],
                                  anchors))
    layout = PartLayout(source.part.name, pdfs, made.records, made.bookmarks,
                        {**decisions.to_json(), **decisions_of(made.writes, made.spaces)}, layouts, chunks,
                        made.frame, made.writes, {str(index): spaces for index, spaces in sorted(made.spaces.items())},
                        made.contents)
    return layout.to_bytes(), made.trail()


def _paginated(html: str, fetcher, earlier, states, frame: str):
    """The part's HTML laid out by WeasyPrint, the page editor and the trail at work (PageMaking)."""
    from ..weasyprint_patches import applied, weasyprint
    editor = PageEditor()
    trail = Trail(editor, earlier, states, frame)
    with applied(page_editor=PageMaking(editor, trail)):
        document = weasyprint.HTML(string=html, base_url=PROJECT_ROOT.as_uri() + "/",
                                   url_fetcher=fetcher).render(stylesheets=parsed_stylesheets(),
                                                               font_config=font_configuration())
    return document, editor, trail


class PageMaking:
    """What WeasyPrint's pagination is given (weasyprint_patches.pages_made_again): the page editor looks
    at each page once made; the trail records each page as it is left, and stops the pagination where it
    rejoins the last layout."""

    def __init__(self, editor: PageEditor, trail: Trail):
        self.editor, self.trail = editor, trail

    def __call__(self, index: int, pages: list, root_box):
        self.trail.made(index, pages[index], root_box)
        return self.editor(index, pages, root_box)

    def finish(self, pages: list) -> None:
        self.editor.finish(pages)

    def advancing(self, index: int, pages: list, root_box, start) -> bool:
        return self.trail.left(index, root_box, start)

    def beginning(self, root_box, notes: tuple):
        return self.trail.begin(root_box, notes)


def _last_layout(last, source: PartSource) -> tuple[PartLayout | None, dict[int, dict]]:
    """The last layout of the part and the states it left, as far as they can be read."""
    output, trail = last or (None, None)
    try:
        layout = PartLayout.from_bytes(output) if output else None
        states = {int(page): state for page, state in json.loads(trail).items()} if trail and layout else {}
    except (ValueError, AttributeError, TypeError):
        return None, {}
    return (layout, states) if layout is not None and layout.name == source.part.name else (None, {})


class LaidOut:
    """One layout of the part: the pages WeasyPrint made (`document`: from `trail.begun_at` on) and, before
    and after them, the last layout's pages it took up (before: the pages up to where the content
    changed; after: from where the pagination rejoined it, `trail.rejoined`: (this layout's page, the
    last's)). What the part is made of, merged: the pages' records, the bookmarks, the page editor's
    writes and spaces, the chunks to draw (`ranges`, part page indices) and the last layout's chunks kept."""

    def __init__(self, document, editor: PageEditor, trail: Trail, last: PartLayout | None):
        self.document = document
        self.frame, self.contents = trail.frame, trail.elements.contents
        first = self.first = trail.begun_at
        rejoined = trail.rejoined
        self.end = rejoined[0] if rejoined else first + len(document.pages)  # this layout's pages: first … end
        before = last.pages[:first] if first else []
        seen = {anchor for record in before for anchor in record.anchors}
        records = page_records(document, seen)[:self.end - first]
        for index, record in enumerate(records, start=first):
            record.start, record.key = trail.starts.get(index, ""), trail.keys.get(index, "")
            record.writes = trail.writes.get(index, 0)
        records = list(before) + records
        # Where a later layout may begin: the states the pages were left in (relayout.Trail.saved).
        states = {page: state for page, state in trail.states.items() if page < first}
        states.update({page: state for page, state in trail.saved.items() if first <= page < self.end})
        self.writes = list(editor.writes)  # begun later: the last layout's writes until then, restored
        self.spaces = {int(index): spaces for index, spaces in (last.spaces.items() if first else ())
                       if int(index) < first}
        self.spaces.update({index: spaces for index, spaces in editor.spaces.items() if first <= index < self.end})
        self.bookmarks = [b for b in (last.bookmarks if first else ()) if b.page < first]
        self.bookmarks += [replace(b, page=b.page + first) for b in bookmarks(document) if b.page + first < self.end]
        chunks = list(last.chunks) if last is not None else []
        firsts = [sum(chunks[:n]) for n in range(len(chunks))]
        kept_before = firsts.index(first) if first else 0
        self.kept_pdfs: tuple[bytes, ...] = tuple(last.pdfs[:kept_before]) if first else ()
        self.kept_chunks: list[int] = chunks[:kept_before] if first else []
        self.kept_after: tuple[bytes, ...] = ()
        self.kept_chunks_after: list[int] = []
        if rejoined:
            here, there = rejoined
            shift, written = here - there, last.pages[there].writes
            records += [replace(r, writes=r.writes - written + len(self.writes)) for r in last.pages[there:]]
            states.update({page + shift: {**state, "writes": state["writes"] - written + len(self.writes)}
                           for page, state in trail.states.items() if page >= there})
            self.writes += last.writes[written:]
            self.spaces.update({int(index) + shift: spaces for index, spaces in last.spaces.items()
                                if int(index) >= there})
            self.bookmarks += [replace(b, page=b.page + shift) for b in last.bookmarks if b.page >= there]
            chunk = firsts.index(there)
            self.kept_after, self.kept_chunks_after = tuple(last.pdfs[chunk:]), chunks[chunk:]
        if records:  # the last page is never left: no key, and its start begins no chunk
            records[-1] = replace(records[-1], start="", key="", writes=0)
        starts = chunk_starts([r.start for r in records], len(records))
        self.records = records
        # A layout begins only at a chunk's first page (before it, whole chunks are kept).
        self.states = {page: states[page] for page in starts if page >= 1 and page in states}
        after = [self.end + sum(self.kept_chunks_after[:n]) for n in range(len(self.kept_chunks_after))]
        if [s for s in starts if s < first] != firsts[:kept_before] or [s for s in starts if s >= self.end] != after:
            raise UnusableTrail(f"part laid out from page {first} to {self.end}, but its chunks differ from the "
                                "last layout's around them")
        own = [s for s in starts if first <= s < self.end] + [self.end]
        self.ranges = list(zip(own, own[1:]))

    def trail(self) -> bytes:
        """What the next layout of the part may begin from (relayout.Trail.states), beside this one's output."""
        return json.dumps({str(page): state for page, state in sorted(self.states.items())}, sort_keys=True,
                          separators=(",", ":")).encode("utf-8")

    def pdfs(self, drawn: tuple[bytes, ...]) -> tuple[tuple[bytes, ...], list[int]]:
        """The part's chunks: those kept from before, those drawn, those kept from after; and their pages."""
        return (self.kept_pdfs + drawn + self.kept_after,
                self.kept_chunks + [end - start for start, end in self.ranges] + self.kept_chunks_after)


DRAWN_SIDE_BY_SIDE = 32
"""Chunks to draw holding this many pages or more are drawn in two processes at once, where the
build may use two: the longest chapter would otherwise be drawn alone while the other core waits. A
chunk's bytes do not depend on the process that draws it."""


def draw(document, source: PartSource, ranges: list[tuple[int, int]], anchors: frozenset[str]) -> tuple[bytes, ...]:
    """The chunks of laid-out pages (`ranges`, page indices) as tagged PDF/UA-1 files, one each.

    A link to an anchor of another chunk resolves once the chunks are assembled (`anchors`: the part's and
    those of the parts it links to). The faces are embedded as stand-ins, subset once by the book
    (fonts.py), but for the cover's: the EPUB's cover image is drawn from the cover part's PDF alone
    (render/cover.py)."""
    from ..weasyprint_patches import applied
    pages = document.pages
    stand_ins = source.part.kind != "cover"

    def write(chunks) -> list[bytes]:
        with applied(anchors_elsewhere=anchors, fonts_subset_by_the_book=stand_ins):
            return [document.copy(pages[start:end]).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
                    for start, end in chunks]
    from ...cache import ForkedChild, processes_allowed
    total = sum(end - start for start, end in ranges)
    if processes_allowed() < 2 or total < DRAWN_SIDE_BY_SIDE or len(ranges) < 2:
        return tuple(write(ranges))
    split = min(range(1, len(ranges)), key=lambda n: abs(2 * (ranges[n][0] - ranges[0][0]) - total))
    second = ForkedChild("drawing chunks of a part", lambda chunks: _packed(write(chunks)), ranges[split:])
    try:  # forked first: both groups drawn at once
        first = write(ranges[:split])
    except BaseException:
        second.cancel()
        raise
    return tuple(first) + _unpacked(second.result())


def _packed(pieces: list[bytes]) -> bytes:
    return b"".join(struct.pack(">Q", len(piece)) + piece for piece in pieces)


def _unpacked(data: bytes) -> tuple[bytes, ...]:
    pieces, at = [], 0
    while at < len(data):
        (size,) = struct.unpack(">Q", data[at:at + 8])
        pieces.append(data[at + 8:at + 8 + size])
        at += 8 + size
    return tuple(pieces)


# -- deciders: each reads a layout and returns the decisions it calls for ----------------

def keep_notes_with_calls(made: LaidOut, source: PartSource, decisions: Decisions) -> Decisions:
    """A note away from its call's page: `footnote-policy: block` (its call's paragraph moves with it).

    Every note starts with `line` (styles/paged.css): the line holding its
    call moves with it. Where that was not enough, the paragraph goes.
    """
    pages = record_pages(made.records)
    away = [note.id for note in source.pub.footnotes if pages.get(f"fn-{note.id}") != pages.get(f"fnref-{note.id}")]
    if not away:
        return decisions
    policy = dict(decisions.note_policy)
    for note_id in away:
        policy[note_id] = "block"
    return replace(decisions, note_policy=tuple(sorted(policy.items())))


def marks_in_markup(made: LaidOut, source: PartSource, decisions: Decisions) -> Decisions:
    """Where a circled number is not as wide as ①, the marks go into the markup and the part is laid out again."""
    marks = note_marks_of(made.records)
    if not decisions.marks and _marks_fit(made.document, set(marks.values())):
        return decisions  # set on the boxes after layout
    return replace(decisions, marks=tuple(sorted(marks.items())))


DECIDERS = (keep_notes_with_calls, marks_in_markup)


def unsettled(made: LaidOut, source: PartSource) -> str:
    pages = record_pages(made.records)
    away = [f"[^{n.id}] called on page {pages.get('fnref-' + n.id, -1) + 1}, set on page "
            f"{pages.get('fn-' + n.id, -1) + 1} of the part" for n in source.pub.footnotes
            if pages.get(f"fn-{n.id}") != pages.get(f"fnref-{n.id}")]
    return "; ".join(away) or "the note marks"


# -- reading a layout -------------------------------------------------------------------

def anchor_pages(document) -> dict[str, int]:
    """Page index of every anchor of a laid-out document, plus `fnref-<id>` for the page each footnote is
    called on (record_pages, for a document's pages)."""
    return record_pages(page_records(document))


def record_pages(records: list[PageRecord]) -> dict[str, int]:
    """Page index of every anchor, plus `fnref-<id>` for the page each footnote is called on.

    The call's page is read from the call box itself (the box WeasyPrint links
    to its footnote, page_records), not from a neighbouring anchor, which a line
    break can separate from the call.
    """
    pages: dict[str, int] = {}
    for index, record in enumerate(records):
        for anchor in record.anchors:
            pages.setdefault(anchor, index)
        for note in record.notes:
            pages.setdefault("fnref-" + note, index)
    return pages


def note_calls(page) -> list:
    """The footnote-call boxes of a page, in reading order."""
    return [box for box in page._page_box.descendants()
            if getattr(box, "footnote", None) is not None and box.element_tag.endswith("::footnote-call")]


def _note_id(call) -> str:
    return call.footnote.element.get("id")[len("fn-"):]


def note_marks_of(records: list[PageRecord]) -> dict[str, str]:
    """①②③ restarting on every page, in reading order on that page."""
    marks: dict[str, str] = {}
    for record in records:
        for number, note in enumerate(record.notes, start=1):
            marks.setdefault(note, circled(number))
    return marks


def page_records(document, seen: set[str] = frozenset()) -> list[PageRecord]:
    """Each page's record; `seen`: anchors found on pages before the document's first."""
    seen = set(seen)
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
