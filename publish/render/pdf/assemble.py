"""The book: the parts' pages put together into one PDF, with its furniture, and nothing twice.

    assemble_book(plan, layouts, furniture_pdf, pub) → the book PDF

From the parts (each a tagged PDF/UA-1 file, laid out on its own):

- the pages, in the plan's order, with a blank page where a part must start
  on a right-hand page after one that ended on one;
- the furniture (running heads and folios, furniture.py) drawn over each
  page, as an artifact (pagination, not content, for assistive technology);
- one embedded font per face (fonts.py);
- one structure tree: the parts' top-level elements under one Document
  element, their parent trees renumbered into one;
- one name tree of destinations, so that a link to an anchor in another
  part (kept by weasyprint_patches.links_to_other_parts) resolves;
- one outline built from every part's bookmarks and their levels;
- page labels (i, ii … 1, 2 …), the document's metadata and language.

The result keeps the bleed (MediaBox = trim + bleed, TrimBox, BleedBox):
screen.pdf is cut from it at the TrimBox, print.pdf finished for the press.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import threading
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pikepdf

from ... import model as m
from ..html import source_date
from .fonts import font_glyphs, merge_page_fonts
from .layout import Bookmark, PartLayout

GENERATOR = "publish"


@dataclass(frozen=True)
class BookPage:
    """One page of the assembled book."""
    part: int  # index of its part in the plan, -1 for a blank page put between parts
    index: int  # its page in that part
    side: str
    name: str  # its page name in the style sheets; "blank" for a blank page
    folio: str  # its page label: "iii", "12"
    head: str  # the running head over it
    furniture: str  # the furniture page drawn over it (styles/paged.css: furniture, furniture-front, …)


@dataclass(frozen=True)
class BookPlan:
    pages: tuple[BookPage, ...]
    body_start: int  # index of the page numbered 1

    def page_of_part(self, part: int, index: int) -> int:
        return next(i for i, p in enumerate(self.pages) if p.part == part and p.index == index)


NO_FURNITURE = frozenset({"cover", "plain", "opener", "blank"})
"""Pages that show neither running head nor folio: the covers, the title page and its verso, chapter
openers, blank pages (as in the printed report)."""


def plan_book(pub: m.Publication, parts, layouts: list[PartLayout]) -> BookPlan:
    """Which page of which part goes where, what each is numbered and what furniture it carries."""
    placed: list[tuple[int, int, object]] = []  # (part, index, PageRecord | None)
    for number, (part, layout) in enumerate(zip(parts, layouts)):
        next_side = "right" if len(placed) % 2 == 0 else "left"
        if placed and next_side != part.first_side:
            placed.append((-1, 0, None))
        placed.extend((number, index, page) for index, page in enumerate(layout.pages))
    body_start = 0
    if pub.layout == "report":
        body_start = next((i for i, (number, _, _) in enumerate(placed)
                           if number >= 0 and parts[number].kind == "documents"), 0)
    heads = {number: _running_head(pub, part) for number, part in enumerate(parts)}
    pages = []
    for i, (number, index, record) in enumerate(placed):
        side = "right" if i % 2 == 0 else "left"
        name = "blank" if record is None or record.blank else record.name
        folio = _roman(i + 1) if i < body_start else str(i - body_start + 1)
        furniture = ("furniture-none" if name in NO_FURNITURE else
                     "furniture-front" if name == "front" else
                     "furniture-article" if pub.layout != "report" else "furniture")
        pages.append(BookPage(number, index, side, name, folio, heads.get(number, ""), furniture))
    return BookPlan(tuple(pages), body_start)


def _running_head(pub: m.Publication, part) -> str:
    docs = [d for d in pub.documents if d.id in part.documents]
    return docs[0].running_head if docs else ""


def _roman(number: int) -> str:
    numerals = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50),
                ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
    out = ""
    for letters, value in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


class OpenedAhead:
    """The parts' chunks opened and their fonts' glyphs read ahead of the assembly, in a thread, while the
    build waits for a part being laid out (after an edit, the others come from the cache): the assembly
    takes them as it would have opened them (`opened`). Only the time of it changes."""

    def __init__(self):
        self._opened: dict[str, tuple[pikepdf.Pdf, dict]] = {}  # a chunk's digest → (the PDF, its fonts' glyphs)
        self._thread: threading.Thread | None = None

    def start(self, chunks: list[bytes]) -> None:
        self.forget()  # what an earlier build (a watching process's) left
        self._thread = threading.Thread(target=self._open, args=(chunks,), daemon=True)
        self._thread.start()

    def _open(self, chunks: list[bytes]) -> None:
        for data in chunks:
            pdf = pikepdf.open(io.BytesIO(data))
            self._opened[hashlib.sha256(data).hexdigest()] = (pdf, _fonts_glyphs(pdf))

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def opened(self, data: bytes) -> tuple[pikepdf.Pdf, dict | None]:
        """The chunk opened, and its fonts' glyphs by their objects' numbers (None: not read yet)."""
        self.wait()
        found = self._opened.pop(hashlib.sha256(data).hexdigest(), None)
        return found if found is not None else (pikepdf.open(io.BytesIO(data)), None)

    def forget(self) -> None:
        self.wait()
        self._opened.clear()


AHEAD = OpenedAhead()
"""This process's chunks opened ahead (render/pdf/writer.py starts it; a watching process builds again and
again: each build forgets what its assembly did not take)."""


def _fonts_glyphs(pdf: pikepdf.Pdf) -> dict:
    glyphs: dict = {}
    for page in pdf.pages:
        for font in page.obj.get("/Resources", {}).get("/Font", {}).values():
            if font.objgen not in glyphs:
                glyphs[font.objgen] = font_glyphs(font)
    return glyphs


def assemble_book(meta: m.Metadata, plan: BookPlan, layouts: list[PartLayout], furniture: bytes | None,
                  subset_cache=None) -> bytes:
    book = pikepdf.new()
    # Each part's PDF files (its chunks: layout.draw), and where each of their pages goes.
    sources: list[pikepdf.Pdf] = []
    glyphs_read: list[dict | None] = []  # each source's fonts' glyphs, where they were read ahead
    pages_of_part: list[list[tuple[int, pikepdf.Page]]] = []  # part → its pages: (source, page)
    for layout in layouts:
        pages = []
        for pdf in layout.pdfs:
            opened, glyphs = AHEAD.opened(pdf)
            sources.append(opened)
            glyphs_read.append(glyphs)
            pages += [(len(sources) - 1, page) for page in sources[-1].pages]
        pages_of_part.append(pages)
    furniture_pdf = pikepdf.open(io.BytesIO(furniture)) if furniture else None
    placed: list[list[int]] = [[] for _ in sources]  # source → the book positions of its pages, in order
    read: dict = {}  # a font of the book (its object's number) → its glyphs, read ahead from its source
    for position, page in enumerate(plan.pages):
        if page.part < 0:
            book.pages.append(_blank_like(book, book.pages[-1] if len(book.pages) else sources[0].pages[0]))
        else:
            source, original = pages_of_part[page.part][page.index]
            book.pages.append(original)
            placed[source].append(position)
            if glyphs_read[source] is not None:
                copies = book.pages[-1].obj.get("/Resources", {}).get("/Font", {})
                for name, font in original.obj.get("/Resources", {}).get("/Font", {}).items():
                    read[copies[name].objgen] = glyphs_read[source][font.objgen]
        target = book.pages[-1]
        if furniture_pdf is not None and page.furniture != "furniture-none":
            _draw_furniture(book, target, furniture_pdf.pages[position])
    merge_page_fonts(book, subset_cache, read)
    _merge_structure(book, sources, placed)
    _merge_destinations(book, sources)
    _outline(book, plan, layouts)
    _page_labels(book, plan)
    _metadata(book, meta)
    out = io.BytesIO()
    book.save(out, deterministic_id=True, compress_streams=True,
              object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _blank_like(book: pikepdf.Pdf, model_page) -> pikepdf.Page:
    """An empty page with the same boxes (trim, bleed) as its neighbour."""
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary(),
                              Contents=pikepdf.Stream(book, b""))
    obj = model_page.obj if hasattr(model_page, "obj") else model_page
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in obj:
            page[box] = pikepdf.Array([float(v) for v in obj[box]])
    return pikepdf.Page(book.make_indirect(page))


def _draw_furniture(book: pikepdf.Pdf, page: pikepdf.Page, furniture_page: pikepdf.Page) -> None:
    """The furniture page drawn over the page, marked as a pagination artifact.

    The page's own content is wrapped in q … Q first: WeasyPrint leaves its
    flip of the y axis in force at the end of a page.
    """
    form = book.copy_foreign(furniture_page.as_form_xobject())
    # WeasyPrint gives every page of a part the same resources: this page gets its own, sharing the rest.
    shared = page.obj.Resources
    resources = pikepdf.Dictionary({key: value for key, value in shared.items()})
    resources.XObject = pikepdf.Dictionary({**dict(shared.get("/XObject", {}).items()),
                                            "/Furniture": form})
    page.obj.Resources = book.make_indirect(resources)
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    page.obj.Contents = pikepdf.Array([pikepdf.Stream(book, b"q\n"), *streams, pikepdf.Stream(
        book, b"\nQ\nq /Artifact <</Type /Pagination>> BDC /Furniture Do EMC Q\n")])


def _merge_structure(book: pikepdf.Pdf, sources: list[pikepdf.Pdf], placed: list[list[int]]) -> None:
    """One structure tree: every part's elements under one Document element, one parent tree.

    `placed`: for each source PDF, the book positions its pages went to.
    """
    root = book.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document = book.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document,
                                                     P=root, K=pikepdf.Array()))
    root.K = pikepdf.Array([document])
    numbers = pikepdf.Array()
    next_key = 0
    for number, source in enumerate(sources):
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            continue
        tree = book.copy_foreign(tree)
        for top in tree.K:
            for element in (top.K if top.get("/S") == "/Document" else [top]):
                element.P = document
                document.K.append(element)
        # The part's parent tree keys: its pages' /StructParents and its annotations' /StructParent.
        offset = next_key
        entries = list(tree.ParentTree.get("/Nums", []))
        for i in range(0, len(entries), 2):
            key = int(entries[i]) + offset
            numbers.append(key)
            numbers.append(entries[i + 1])
            next_key = max(next_key, key + 1)
        for position in placed[number]:
            obj = book.pages[position].obj
            if "/StructParents" in obj:
                obj.StructParents = int(obj.StructParents) + offset
            for annotation in obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
    root.ParentTree = book.make_indirect(pikepdf.Dictionary(Nums=numbers))
    root.ParentTreeNextKey = next_key
    book.Root.StructTreeRoot = root
    book.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


def _merge_destinations(book: pikepdf.Pdf, sources: list[pikepdf.Pdf]) -> None:
    """One name tree of every anchor: a link `/Dest (anchor)` resolves whichever part it is in."""
    names: dict[str, pikepdf.Object] = {}
    for source in sources:
        dests = source.Root.get("/Names", {}).get("/Dests")
        if dests is None:
            continue
        array = list(dests.get("/Names", []))
        for i in range(0, len(array), 2):
            names.setdefault(str(array[i]), _local(book, array[i + 1]))
    flat = pikepdf.Array()
    for name in sorted(names):
        flat.append(pikepdf.String(name))
        flat.append(names[name])
    book.Root.Names = pikepdf.Dictionary(Dests=book.make_indirect(pikepdf.Dictionary(Names=flat)))


def _local(book: pikepdf.Pdf, obj):
    """A value of another PDF, made this one's (its indirect objects copied, or mapped to their copies)."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return book.copy_foreign(obj)
    if isinstance(obj, pikepdf.Array):
        return pikepdf.Array([_local(book, item) for item in obj])
    if isinstance(obj, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _local(book, value) for key, value in obj.items()})
    return obj


def _outline(book: pikepdf.Pdf, plan: BookPlan, layouts: list[PartLayout]) -> None:
    """The bookmarks of every part, nested by level as WeasyPrint nests them (skipped levels kept apart)."""
    marks: list[tuple[Bookmark, int]] = []
    for number, layout in enumerate(layouts):
        for bookmark in layout.bookmarks:
            marks.append((bookmark, plan.page_of_part(number, bookmark.page)))
    if not marks:
        return
    root: list = []
    stack: list[tuple[int, list]] = [(0, root)]
    for bookmark, page in marks:
        while stack[-1][0] >= bookmark.level:
            stack.pop()
        node = (bookmark, page, [])
        stack[-1][1].append(node)
        stack.append((bookmark.level, node[2]))
    outlines = book.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    count = _outline_items(book, outlines, root)
    outlines.Count = count
    book.Root.Outlines = outlines


def _outline_items(book: pikepdf.Pdf, parent, nodes) -> int:
    """Write `nodes` as `parent`'s children; the number of items visible below `parent`."""
    items = []
    visible = len(nodes)
    for bookmark, page, children in nodes:
        item = book.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(bookmark.label), Parent=parent,
            Dest=pikepdf.Array([book.pages[page].obj, pikepdf.Name.XYZ, bookmark.x, bookmark.y, 0])))
        below = _outline_items(book, item, children)
        item.Count = below if bookmark.open else -below
        visible += below if bookmark.open else 0
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    if items:
        parent.First, parent.Last = items[0], items[-1]
    return visible


def _page_labels(book: pikepdf.Pdf, plan: BookPlan) -> None:
    """The viewer's page numbers, as printed: i, ii … before the first chapter, then 1, 2 …"""
    nums = []
    if plan.body_start > 0:
        nums += [0, pikepdf.Dictionary(S=pikepdf.Name.r)]
    nums += [plan.body_start, pikepdf.Dictionary(S=pikepdf.Name.D)]
    book.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))


def _metadata(book: pikepdf.Pdf, meta: m.Metadata) -> None:
    title = f"{meta.title}{meta.subtitle}"
    created = source_date()
    stamp = pdf_date(created)
    info = {"/Title": title, "/Creator": GENERATOR, "/Producer": GENERATOR, "/CreationDate": stamp,
            "/ModDate": stamp}
    if meta.authors:
        info["/Author"] = ", ".join(meta.authors)
    if meta.description:
        info["/Subject"] = meta.description
    if meta.keywords:
        info["/Keywords"] = ", ".join(meta.keywords)
    book.trailer.Info = book.make_indirect(pikepdf.Dictionary({k: pikepdf.String(v) for k, v in info.items()}))
    book.Root.Lang = pikepdf.String(meta.language)
    book.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    book.Root.Metadata = book.make_indirect(pikepdf.Stream(book, xmp_packet(meta, created), Type=pikepdf.Name.Metadata,
                                                           Subtype=pikepdf.Name.XML))


def pdf_date(moment: datetime.datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%SZ")


def xmp_packet(meta: m.Metadata, created: datetime.datetime, extra: str = "") -> bytes:
    """The document's XMP metadata: what /Info says, and PDF/UA-1's identifier."""
    when = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    creators = "".join(f"<rdf:li>{escape(a)}</rdf:li>" for a in meta.authors)
    subjects = "".join(f"<rdf:li>{escape(k)}</rdf:li>" for k in meta.keywords)
    description = (f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.description)}</rdf:li>'
                   f'</rdf:Alt></dc:description>' if meta.description else "")
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.title + meta.subtitle)}</rdf:li></rdf:Alt></dc:title>
{f'<dc:creator><rdf:Seq>{creators}</rdf:Seq></dc:creator>' if creators else ''}
{description}
{f'<dc:subject><rdf:Bag>{subjects}</rdf:Bag></dc:subject>' if subjects else ''}
<dc:language><rdf:Bag><rdf:li>{escape(meta.language)}</rdf:li></rdf:Bag></dc:language>
<xmp:CreateDate>{when}</xmp:CreateDate><xmp:ModifyDate>{when}</xmp:ModifyDate><xmp:MetadataDate>{when}</xmp:MetadataDate>
<xmp:CreatorTool>{GENERATOR}</xmp:CreatorTool><pdf:Producer>{GENERATOR}</pdf:Producer>
<pdfuaid:part>1</pdfuaid:part>{extra}
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>""".encode("utf-8")
