"""The EPUB 3 book: the web edition's HTML writer as XHTML, plus packaging.

Packaging is a row of small steps, as in Sphinx's EPUB builder: content
documents → navigation document → NCX → package document → zip. The manifest
is built from the model, never by walking a folder. The zip is reproducible:
`mimetype` first and stored, entries in a fixed order, every timestamp from
SOURCE_DATE_EPOCH.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from .. import model as m
from ..cache import Unit
from ..paths import STYLES
from . import EDITIONS
from .html import render_template, source_date
from .web import LinkedContext, book_view, edition_images

STYLESHEETS = ("tokens.css", "content.css", "epub.css")
MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}
ACCESSIBILITY_SUMMARY = ("本书为可重排文本，含完整的两级目录、地标导航与印刷版页码对照；"
                         "标题层级有序，脚注可双向跳转，图片均有替代文字（照片暂缺时以说明文字替代）。")


@dataclass
class ManifestItem:
    id: str
    href: str
    media_type: str
    properties: str = ""


@dataclass
class NavPoint:
    order: int
    label: str
    href: str
    anchor: str
    children: list["NavPoint"] = field(default_factory=list)


@dataclass(frozen=True)
class PageTarget:
    label: str
    href: str
    anchor: str  # the paragraph or heading the printed page begins with

    @property
    def kind(self) -> str:
        """NCX pageTarget type: roman folios are front matter."""
        return "normal" if self.label.isdigit() else "front"


class EpubContext(LinkedContext):
    page_suffix = ".xhtml"
    images_folder = "../images"  # content documents are in EPUB/text/, photos in EPUB/images/

    def __init__(self, pub, settings, current=None, where=None, breaks=None, page_list=(), images=()):
        super().__init__(pub, settings, current, where, images)
        self.breaks: dict[str, tuple[str, ...]] = dict(breaks or {})  # anchor → printed pages starting there
        self.page_list: list[PageTarget] = list(page_list)
        self.cover_image = ""
        self.modified = source_date().strftime("%Y-%m-%dT%H:%M:%SZ")
        self.accessibility_summary = ACCESSIBILITY_SUMMARY
        self.manifest: list[ManifestItem] = []
        self.spine: list[str] = []
        self.nav_points: list[NavPoint] = []
        self.play_order: dict[str, int] = {}
        self.toc_depth = 1

    def at(self, doc):
        return self.__class__(self.pub, self.settings, doc, self.where, self.breaks, self.page_list, self.images)

    def nav_href(self, anchor: str) -> str:
        doc = self.pub.document(self.where[anchor])
        page = f"text/{self.page_name(doc)}"
        return page if anchor == doc.id else f"{page}#{anchor}"

    @property
    def page_source(self) -> str:
        """The edition whose page numbers the page-list gives (pageBreakSource): the printed one.

        It has no ISBN of its own, so it is named in words, as a reader would cite it.
        """
        return f"《{self.pub.meta.title}{self.pub.meta.subtitle}》印刷版（{self.pub.meta.publisher}，" \
               f"{self.pub.meta.date_display}，{self.pub.trim}）"

    @property
    def max_page_number(self) -> int:
        """The highest arabic folio in the page-list (the NCX's dtb:maxPageNumber)."""
        return max((int(page.label) for page in self.page_list if page.label.isdigit()), default=0)

    def section_type(self, doc: m.Document) -> str:
        return {"annex": "appendix", "front": "frontmatter", "back": "backmatter"}.get(doc.kind, "chapter")

    def section_role(self, doc: m.Document) -> str:
        return {"annex": "doc-appendix"}.get(doc.kind, "doc-chapter")

    def page_breaks_before(self, anchor: str) -> tuple[str, ...]:
        """The printed pages that begin at this anchor (their markers are the EPUB's page-list targets)."""
        return self.breaks.get(anchor, ())


def anchors_in_reading_order(pub: m.Publication) -> list[str]:
    """Every document, heading and paragraph id, in the order they are read."""
    anchors = []
    for doc in pub.documents:
        anchors.append(doc.id)
        for block in m.walk_blocks(doc.blocks):
            if isinstance(block, (m.Paragraph, m.Heading)) and block.id:
                anchors.append(block.id)
    return anchors


def printed_pages(pub: m.Publication, pagination) -> tuple[dict[str, tuple[str, ...]], list[PageTarget]]:
    """Where each printed page of the body begins, from the PDFs' pagination.

    A page's marker goes before the first paragraph (or heading) starting on
    it; a page that no paragraph starts on (a page of notes, a full-page
    figure) is marked with the next one.
    """
    breaks: dict[str, list[str]] = {}
    page_list: list[PageTarget] = []
    if pagination is None:
        return {}, []
    where = pub.document_of_anchor()
    pages = {doc.id: f"text/{doc.slug}.xhtml" for doc in pub.documents}
    seen: set[int] = set()
    for anchor in anchors_in_reading_order(pub):
        page = pagination.page_of.get(anchor)
        if page is None or page < pagination.body_start:
            continue
        for missing in range(max(seen, default=page - 1) + 1, page + 1):
            if missing in seen or missing < pagination.body_start:
                continue
            seen.add(missing)
            label = pagination.folios[missing]
            breaks.setdefault(anchor, []).append(label)
            page_list.append(PageTarget(label, f"{pages[where[anchor]]}#page-{label}", anchor))
    return {anchor: tuple(labels) for anchor, labels in breaks.items()}, page_list


# -- the units of the EPUB ------------------------------------------------------------------

def epub_edition(pub: m.Publication, cache, pagination, cover_png: bytes | None, photos: dict | None = None) -> bytes:
    """The EPUB: each content document a unit of the cache, then the package, made from them."""
    view, where = book_view(pub), pub.linked_anchors()
    breaks, page_list = printed_pages(pub, pagination)
    images = edition_images(pub, photos or {}, "epub")
    names = tuple(sorted((digest, name) for digest, (name, _) in images.items()))
    units = []
    for doc in pub.documents:
        anchors = {doc.id, *(b.id for b in m.walk_blocks(doc.blocks) if getattr(b, "id", ""))}
        own_breaks = tuple(sorted((a, labels) for a, labels in breaks.items() if a in anchors))
        units.append(Unit(f"epub/EPUB/text/{doc.slug}.xhtml", render_content_document,
                          (view, doc, where, own_breaks, names)))
    documents = {name[len("epub/"):]: data for name, data in cache.make(units).items()}
    files = tuple(sorted((name, source.read_bytes()) for name, source in images.values()))
    package = Unit("epub/book", package_epub, (replace(pub, input_files=()), tuple(page_list),
                                               tuple(sorted(documents.items())), cover_png, files))
    return cache.make([package])[package.name]


def render_content_document(view: m.Publication, doc: m.Document, where: dict[str, str], breaks,
                            images: tuple = ()) -> bytes:
    pub = replace(view, documents=tuple(doc if d.id == doc.id else d for d in view.documents))
    context = EpubContext(pub, EDITIONS["epub"], doc, where, dict(breaks), images=images)
    return render_template("epub/document.xhtml", pub=pub, edition=context, doc=doc).encode("utf-8")


def package_epub(pub: m.Publication, page_list: tuple, documents: tuple, cover_png: bytes | None,
                 images: tuple = ()) -> bytes:
    """The content documents plus everything built from the model: cover, styles, images,
    navigation, NCX, manifest and package document, zipped reproducibly. `images`: each
    photo's (file name, bytes) in the EPUB, one per file (two figures may show the same photo)."""
    context = EpubContext(pub, EDITIONS["epub"], page_list=page_list)
    files: dict[str, bytes] = dict(documents)
    if cover_png:
        files["EPUB/images/cover.png"] = cover_png
        context.cover_image = "images/cover.png"
    files["EPUB/text/cover.xhtml"] = render_template("epub/cover.xhtml", pub=pub, edition=context).encode()
    files["EPUB/css/book.css"] = b"\n".join((STYLES / name).read_bytes() for name in STYLESHEETS)
    for name, data in images:
        files[f"EPUB/images/{name}"] = data
    files["EPUB/nav.xhtml"] = render_template("epub/nav.xhtml", pub=pub, edition=context).encode()
    build_ncx(pub, context, files)
    build_manifest(pub, context, files, [name for name, _ in images])
    files["EPUB/package.opf"] = render_template("epub/package.opf", pub=pub, edition=context).encode()
    files["META-INF/container.xml"] = CONTAINER_XML
    return build_zip(files)


def build_ncx(pub: m.Publication, context: EpubContext, files: dict[str, bytes]) -> None:
    order = iter(range(1, 10_000))

    def points(entries, depth):
        if entries:
            context.toc_depth = max(context.toc_depth, depth)
        return [NavPoint(next(order), " ".join(x for x in (e.number, e.label, e.title) if x),
                         context.nav_href(e.target), e.target, points(e.children, depth + 1)) for e in entries]
    context.nav_points = points(pub.contents, 1)
    context.play_order = play_order(context)
    files["EPUB/toc.ncx"] = render_template("epub/toc.ncx", pub=pub, edition=context).encode()


def play_order(context: EpubContext) -> dict[str, int]:
    """The NCX playOrder of every contents and page target: one number per place, in reading order.

    The NCX wants navMap and pageList numbered together, and two entries that
    point at the same place to share a number. A page marker sits just before
    the paragraph its page begins with, so it is read before that paragraph.
    """
    position = {anchor: i for i, anchor in enumerate(anchors_in_reading_order(context.pub))}
    keys: dict[str, tuple] = {}

    def visit(points):
        for point in points:
            keys.setdefault(point.href, (position[point.anchor], 1, 0))
            visit(point.children)
    visit(context.nav_points)
    for i, page in enumerate(context.page_list):
        keys[page.href] = (position[page.anchor], 0, i)
    return {href: n for n, href in enumerate(sorted(keys, key=keys.__getitem__), 1)}


def build_manifest(pub: m.Publication, context: EpubContext, files: dict[str, bytes], images: list[str]) -> None:
    items = [ManifestItem("nav", "nav.xhtml", "application/xhtml+xml", "nav"),
             ManifestItem("ncx", "toc.ncx", "application/x-dtbncx+xml"),
             ManifestItem("css", "css/book.css", "text/css"),
             ManifestItem("cover", "text/cover.xhtml", "application/xhtml+xml")]
    if context.cover_image:
        items.append(ManifestItem("cover-image", context.cover_image, "image/png", "cover-image"))
    spine = ["cover", "nav"]
    for doc in pub.documents:
        item_id = f"doc-{doc.slug}"
        items.append(ManifestItem(item_id, f"text/{context.page_name(doc)}", "application/xhtml+xml"))
        spine.append(item_id)
    for i, name in enumerate(images):
        items.append(ManifestItem(f"img-{i + 1}", f"images/{quote(name)}",
                                  MEDIA_TYPES.get(Path(name).suffix.lower(), "image/jpeg")))
    context.manifest = items
    context.spine = spine


CONTAINER_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles>
<rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"""


def build_zip(files: dict[str, bytes]) -> bytes:
    stamp = source_date()
    date_time = max((1980, 1, 1, 0, 0, 0), stamp.timetuple()[:6])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("mimetype", date_time)
        info.compress_type = zipfile.ZIP_STORED
        archive.writestr(info, b"application/epub+zip")
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out.getvalue()
