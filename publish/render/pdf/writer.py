"""The writer of the print and screen PDFs (render/pdf/, whose stages its package's text names)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf

from ... import model as m
from ...cache import Cache, Kept, Pending, Unit
from .assemble import AHEAD, BookPlan, assemble_book, plan_book
from .furniture import furniture_source, render_furniture
from .layout import STYLESHEETS, PartLayout, lay_out_part, part_source
from .parts import Part, book_parts
from .press_file import PressEdition, press_edition

__all__ = ["PdfWriter", "PdfEditions", "Pagination", "STYLESHEETS", "press_edition_of"]


@dataclass
class Pagination:
    """Which page (0-based index in the book) each anchor landed on, and the folio printed there."""
    page_of: dict[str, int]
    folios: list[str]
    body_start: int

    def folio(self, anchor: str) -> str:
        return self.folios[self.page_of[anchor]]


@dataclass
class PdfEditions:
    screen: Pending  # screen.pdf, cut from the book when asked for: `screen_pdf`
    pagination: Pagination
    pages: int
    press: Pending | None = None  # print.pdf and its preflight, being made: `press_edition()`
    cover_pdf: bytes | None = None  # the printed cover's part, where the book has one (the EPUB's cover)
    book_pdf: bytes = b""  # the pages of both PDFs, as laid out (what the change report reads)
    layouts: dict[str, int] = field(default_factory=dict)  # part → layouts it took, for the parts laid out
    decisions: dict[str, dict] = field(default_factory=dict)  # part → its page-level decisions

    @property
    def screen_pdf(self) -> bytes:
        return self.screen.result()


def press_edition_of(editions: PdfEditions) -> PressEdition:
    """print.pdf and its preflight, once made."""
    return PressEdition.from_bytes(editions.press.result())


class PdfWriter:
    """The PDFs of one publication; `start` sets the parts going, `finish` waits for them and assembles."""

    def __init__(self, pub: m.Publication, cache: Cache, photos: dict | None = None, press=None,
                 strict: bool = False):
        self.pub, self.cache = pub, cache
        self.photos = photos or {}  # a photo's digest → its PreparedPhoto (render/images.py)
        self.press, self.strict = press, strict  # press_file.PressSpec; None: no print.pdf asked for
        self.parts = book_parts(pub)
        self._pending: dict[int, Pending] = {}

    def part_unit(self, number: int, folios: dict[str, str] | None = None) -> Unit:
        part = self.parts[number]
        screen = {digest: str(photo.copy("screen").path) for digest, photo in self.photos.items()}
        return Unit(f"pdf/part/{part.name}", lay_out_part, (part_source(self.pub, part, folios, screen),), heavy=True,
                    continues=True)

    def start(self) -> None:
        """Every part but the contents goes to the workers, the longest first."""
        numbers = [i for i, part in enumerate(self.parts) if not part.needs_page_numbers]
        numbers.sort(key=lambda i: -self._size(self.parts[i]))
        units = {i: self.part_unit(i) for i in numbers}
        started = self.cache.start(list(units.values()))
        self._pending = {i: started[units[i].name] for i in numbers}

    def _size(self, part: Part) -> int:
        return sum(len(repr(d.blocks)) for d in self.pub.documents if d.id in part.documents)

    def finish(self) -> PdfEditions:
        # While the parts being laid out are waited for, those the cache had are opened for the assembly.
        AHEAD.start([pdf for pending in self._pending.values() if pending.value is not None
                     for pdf in PartLayout.from_bytes(pending.value).pdfs])
        try:
            return self._finish()
        finally:
            AHEAD.forget()  # no thread left running (a watching process may fork new workers next)

    def _finish(self) -> PdfEditions:
        raw: dict[int, bytes] = {i: pending.result() for i, pending in self._pending.items()}
        layouts: dict[int, PartLayout] = {i: PartLayout.from_bytes(data) for i, data in raw.items()}
        contents = [i for i, part in enumerate(self.parts) if part.needs_page_numbers]
        # The body's folios do not depend on the contents' length: the body's furniture is laid out
        # beside the contents.
        provisional = plan_book(self.pub, self.parts, [layouts.get(i, _EMPTY) for i in range(len(self.parts))])
        body_unit = self._furniture_unit("body", provisional, body=True)
        body_furniture = self.cache.start([body_unit]) if body_unit else {}
        folios = self._folios(provisional, layouts)
        contents_units = {i: self.part_unit(i, folios) for i in contents}
        started = self.cache.start(list(contents_units.values()))
        for i, unit in contents_units.items():
            raw[i] = started[unit.name].result()
            layouts[i] = PartLayout.from_bytes(raw[i])
        ordered = [layouts[i] for i in range(len(self.parts))]
        plan = plan_book(self.pub, self.parts, ordered)
        front_unit = self._furniture_unit("front", plan, body=False)
        front = self.cache.make([front_unit])[front_unit.name] if front_unit else None
        body = body_furniture[body_unit.name].result() if body_unit else None
        book_unit = Unit("pdf/book", assemble, (self.pub.meta, plan, front, body,
                                                *[raw[i] for i in range(len(self.parts))]), keeps=True)
        book = self.cache.make([book_unit])[book_unit.name]
        press = None
        if self.press is not None:  # made in a worker while the screen PDF, and then the EPUB, are made here
            photos = tuple(sorted((str(p.photo.path), digest) for digest, p in self.photos.items()))
            folder = str(next(iter(self.photos.values())).cache) if self.photos else ""
            press = self.cache.start([Unit("pdf/print", press_edition, (book, self.press, photos, folder,
                                                                          self.strict), heavy=True, keeps=True)])[
                "pdf/print"]
        screen = self.cache.start([Unit("pdf/screen", screen_edition, (book,))])["pdf/screen"]
        laid_out = {part.name: layouts[i].layouts for i, part in enumerate(self.parts)
                    if f"pdf/part/{part.name}" in self.cache.rendered}
        cover = next((layouts[i].pdfs[0] for i, part in enumerate(self.parts) if part.kind == "cover"), None)
        return PdfEditions(screen, _pagination(plan, ordered), len(plan.pages), press, cover, book, laid_out,
                           {part.name: layouts[i].decisions for i, part in enumerate(self.parts)})

    def _furniture_unit(self, run: str, plan: BookPlan, body: bool) -> Unit | None:
        pages = list(plan.pages[plan.body_start:] if body else plan.pages[:plan.body_start])
        if not pages:
            return None
        return Unit(f"pdf/furniture/{run}", render_furniture, (furniture_source(self.pub, pages),), heavy=True)

    @staticmethod
    def _folios(plan: BookPlan, layouts: dict[int, PartLayout]) -> dict[str, str]:
        """The folio each anchor of the laid-out parts is printed on."""
        folios: dict[str, str] = {}
        for page in plan.pages:
            if page.part in layouts:
                for anchor in layouts[page.part].pages[page.index].anchors:
                    folios.setdefault(anchor, page.folio)
        return folios


_EMPTY = PartLayout("", (), [], [], {}, 0)


def assemble(meta: m.Metadata, plan: BookPlan, front: bytes | None, body: bytes | None, *parts: bytes,
             kept: Kept | None = None) -> bytes:
    """The book from its parts and its two runs of furniture (front matter, body). Each face's subset is
    kept in the cache (`kept`): an edit that brings no new character reuses the last build's."""
    furniture = _join_furniture(front, body)
    return assemble_book(meta, plan, [PartLayout.from_bytes(p) for p in parts], furniture, subset_cache=kept)


def _join_furniture(front: bytes | None, body: bytes | None) -> bytes | None:
    runs = [r for r in (front, body) if r]
    if len(runs) < 2:
        return runs[0] if runs else None
    joined = pikepdf.new()
    for run in runs:
        joined.pages.extend(pikepdf.open(io.BytesIO(run)).pages)
    out = io.BytesIO()
    joined.save(out, deterministic_id=True)
    return out.getvalue()


def screen_edition(book: bytes) -> bytes:
    """The book cut at the TrimBox: what a reader sees of the printed page."""
    with pikepdf.open(io.BytesIO(book)) as pdf:
        for page in pdf.pages:
            trim = page.obj.get("/TrimBox")
            if trim is not None:
                page.obj.MediaBox = trim
                page.obj.CropBox = trim
                if "/BleedBox" in page.obj:
                    page.obj.BleedBox = trim
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def _pagination(plan: BookPlan, layouts: list[PartLayout]) -> Pagination:
    page_of: dict[str, int] = {}
    for position, page in enumerate(plan.pages):
        if page.part < 0:
            continue
        record = layouts[page.part].pages[page.index]
        for anchor in record.anchors:
            page_of.setdefault(anchor, position)
        for note in record.notes:
            page_of.setdefault(f"fnref-{note}", position)
    return Pagination(page_of, [p.folio for p in plan.pages], plan.body_start)
