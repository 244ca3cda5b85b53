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
from dataclasses import dataclass, field

from markupsafe import Markup

from .. import model as m
from ..paths import STYLES
from . import EDITIONS
from .html import render_template, source_date
from .web import LinkedContext

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

    def __init__(self, pub, settings, current=None, page_map=None):
        super().__init__(pub, settings, current)
        self.page_map = page_map
        self.cover_image = ""
        self.modified = source_date().strftime("%Y-%m-%dT%H:%M:%SZ")
        self.accessibility_summary = ACCESSIBILITY_SUMMARY
        self.page_list: list[PageTarget] = []
        self._breaks: dict[str, list[str]] = {}
        self.manifest: list[ManifestItem] = []
        self.spine: list[str] = []
        self.nav_points: list[NavPoint] = []
        self.play_order: dict[str, int] = {}
        self.toc_depth = 1

    def at(self, doc):
        other = super().at(doc)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k != "current"})
        other.current = doc
        return other

    def nav_href(self, anchor: str) -> str:
        doc_id = self.where.get(anchor)
        doc = self.pub.document(doc_id)
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

    def page_breaks_before(self, anchor: str) -> Markup:
        """Markers of the printed pages that begin at this anchor (EPUB page-list targets)."""
        return Markup("".join(
            f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" aria-label="第{label}页"></span>'
            for label in self._breaks.get(anchor, ())))

    def plan_page_breaks(self) -> None:
        """Each printed page's marker goes before the first paragraph (or heading) starting on it."""
        if self.page_map is None:
            return
        seen_pages: set[int] = set()
        for anchor in self.anchors_in_reading_order():
            page = self.page_map.page_of.get(anchor)
            if page is None or page < self.page_map.body_start:
                continue
            for missing in range(max(seen_pages, default=page - 1) + 1, page + 1):
                if missing in seen_pages or missing < self.page_map.body_start:
                    continue
                seen_pages.add(missing)
                label = self.page_map.folios[missing]
                self._breaks.setdefault(anchor, []).append(label)
                doc_id = self.where[anchor]
                self.page_list.append(PageTarget(label, f"text/{self.page_name(self.pub.document(doc_id))}#page-{label}",
                                                 anchor))

    def anchors_in_reading_order(self) -> list[str]:
        """Every document, heading and paragraph id, in the order they are read."""
        anchors = []
        for doc in self.pub.documents:
            anchors.append(doc.id)
            for block in m.walk_blocks(doc.blocks):
                if isinstance(block, (m.Paragraph, m.Heading)) and block.id:
                    anchors.append(block.id)
        return anchors


def render_epub(pub: m.Publication, page_map=None, cover_png: bytes | None = None) -> bytes:
    context = EpubContext(pub, EDITIONS["epub"], page_map=page_map)
    context.plan_page_breaks()
    return package_epub(pub, context, build_content_documents(pub, context), cover_png)


def package_epub(pub: m.Publication, context: EpubContext, documents: dict[str, bytes],
                 cover_png: bytes | None) -> bytes:
    """The content documents plus everything built from the model: cover, styles, images,
    navigation, NCX, manifest and package document, zipped reproducibly."""
    files: dict[str, bytes] = dict(documents)
    if cover_png:
        files["EPUB/images/cover.png"] = cover_png
        context.cover_image = "images/cover.png"
    files["EPUB/text/cover.xhtml"] = render_template("epub/cover.xhtml", pub=pub, edition=context).encode()
    files["EPUB/css/book.css"] = b"\n".join((STYLES / name).read_bytes() for name in STYLESHEETS)
    for figure in pub.figures:
        if figure.image_path is not None:
            files[f"EPUB/images/{figure.image_path.name}"] = figure.image_path.read_bytes()
    files["EPUB/nav.xhtml"] = render_template("epub/nav.xhtml", pub=pub, edition=context).encode()
    build_ncx(pub, context, files)
    build_manifest(pub, context, files)
    files["EPUB/package.opf"] = render_template("epub/package.opf", pub=pub, edition=context).encode()
    files["META-INF/container.xml"] = CONTAINER_XML
    return build_zip(files)


def build_content_documents(pub: m.Publication, context: EpubContext) -> dict[str, bytes]:
    files = {}
    for doc in pub.documents:
        page = render_template("epub/document.xhtml", pub=pub, edition=context.at(doc), doc=doc)
        files[f"EPUB/text/{context.page_name(doc)}"] = page.encode("utf-8")
    return files


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
    position = {anchor: i for i, anchor in enumerate(context.anchors_in_reading_order())}
    keys: dict[str, tuple] = {}

    def visit(points):
        for point in points:
            keys.setdefault(point.href, (position[point.anchor], 1, 0))
            visit(point.children)
    visit(context.nav_points)
    for i, page in enumerate(context.page_list):
        keys[page.href] = (position[page.anchor], 0, i)
    return {href: n for n, href in enumerate(sorted(keys, key=keys.__getitem__), 1)}


def build_manifest(pub: m.Publication, context: EpubContext, files: dict[str, bytes]) -> None:
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
    # One item per image file: two figures may show the same photo.
    images = dict.fromkeys(f.image_path for f in pub.figures if f.image_path is not None)
    for i, path in enumerate(images):
        items.append(ManifestItem(f"img-{i + 1}", f"images/{path.name}",
                                  MEDIA_TYPES.get(path.suffix.lower(), "image/jpeg")))
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
