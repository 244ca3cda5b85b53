"""The offline HTML edition: one page per spine document, a contents page, no network.

Every link is relative, every asset (styles, the notes script, the search
index, images) is inside the edition's folder, so it opens from a USB stick
(file://) or any static server. Faces come from the reader's system through
the font stacks in styles/tokens.css: no font is shipped or fetched. Every
system that reads Chinese has a Song and a Hei face; web fonts subset to the
report's 1,781 characters would weigh about 2 MB (WOFF2: Noto Serif CJK
0.8 MB, Noto Sans CJK Bold 0.6 MB, before the regular Hei and the Kai), four
times the rest of the edition.

The search index is the book's plain text, one entry per section (about
170 KB, 60 KB gzipped), read only by search.html: substring search needs no
word list for Chinese, so nothing smaller would find as much.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from .. import model as m
from ..cache import Unit
from ..paths import STYLES, TEMPLATES
from . import EDITIONS
from .html import RenderContext, render_template

STYLESHEETS = ("tokens.css", "content.css", "web.css")


class LinkedContext(RenderContext):
    """Links between documents of a multi-file edition (web pages, EPUB content documents).

    `where` names the document holding each anchor a link can reach
    (Publication.linked_anchors): a page is rendered from its own document
    and that map, never from the other documents' text.
    """

    page_suffix = ".html"
    images_folder = "images"  # where the photos are, seen from a page

    def __init__(self, pub, settings, current: m.Document | None = None, where: dict[str, str] | None = None,
                 images=()):
        super().__init__(pub, settings)
        self.current = current
        self.where = pub.linked_anchors() if where is None else where
        self.images = dict(images)  # a photo's digest → its file name in the edition (edition_images)
        self.has_search = settings.scripts and pub.layout == "report"

    def at(self, doc: m.Document | None):
        return self.__class__(self.pub, self.settings, doc, self.where, self.images)

    def page_name(self, doc: m.Document) -> str:
        if self.pub.layout == "article" and self.settings.name == "web":
            return "index.html"
        return f"{doc.slug}{self.page_suffix}"

    def href(self, link: m.Link) -> str:
        return self.anchor_href(link.anchor) if link.anchor else link.url

    def anchor_href(self, anchor: str) -> str:
        """An anchor as reached from the current document: `#id` within it, `page.html#id` in another."""
        doc_id = self.where.get(anchor)
        if doc_id is None or (self.current is not None and doc_id == self.current.id):
            return f"#{anchor}"
        page = self.page_name(self.pub.document(doc_id))
        return page if anchor == doc_id else f"{page}#{anchor}"

    def image_url(self, figure: m.Figure) -> str:
        """The photo's address from the page that shows it, percent-encoded."""
        name = self.images.get(figure.image_digest)
        return f"{self.images_folder}/{quote(name)}" if name else ""


def edition_images(pub: m.Publication, photos: dict, edition: str) -> dict[str, tuple[str, Path]]:
    """Each photo of the edition: its digest → (its file name there, the file it is copied from).

    The file is the photo's copy for that edition (render/images.py: resized, sRGB,
    no metadata); its ending follows the copy's format.
    """
    out = {}
    for figure in pub.figures:
        if figure.image_path is None or figure.image_digest in out:
            continue
        photo = photos.get(figure.image_digest)
        if photo is not None:
            copy = photo.copy(edition)
            out[figure.image_digest] = (f"{figure.edition_image_stem}.{'jpg' if copy.format == 'JPEG' else 'png'}",
                                        copy.path)
        else:
            out[figure.image_digest] = (f"{figure.edition_image_stem}{figure.image_path.suffix.lower()}",
                                        figure.image_path)
    return out


def book_view(pub: m.Publication) -> m.Publication:
    """What every page of a multi-file edition may show of the book: its metadata, contents and the
    documents' heads (titles, numbers), without their text."""
    return replace(pub, documents=tuple(m.document_head(d) for d in pub.documents), footnotes=(), figures=(),
                   input_files=())


def _with_document(view: m.Publication, doc: m.Document) -> m.Publication:
    return replace(view, documents=tuple(doc if d.id == doc.id else d for d in view.documents))


# -- the units of the web edition ---------------------------------------------------------

def web_units(pub: m.Publication, images: tuple = ()) -> list[Unit]:
    """One unit per page: a document's page is made from its document, the book's view and the link map."""
    view, where = book_view(pub), pub.linked_anchors()
    context = LinkedContext(view, EDITIONS["web"], where=where)
    docs = list(pub.documents)
    units = [Unit(f"web/{context.page_name(doc)}", render_page,
                  (view, doc, where, docs[i - 1].id if i else "", docs[i + 1].id if i + 1 < len(docs) else "",
                   images))
             for i, doc in enumerate(docs)]
    if pub.layout == "report":
        units += [Unit("web/index.html", render_book_page, ("web/index.html", view, where)),
                  Unit("web/search.html", render_book_page, ("web/search.html", view, where)),
                  Unit("web/assets/search-index.js", render_search_index, (replace(pub, input_files=()),))]
    return units


def render_page(view: m.Publication, doc: m.Document, where: dict[str, str], previous: str, following: str,
                images: tuple = ()) -> bytes:
    pub = _with_document(view, doc)
    context = LinkedContext(pub, EDITIONS["web"], where=where, images=images)
    return render_template("web/page.html", pub=pub, edition=context.at(doc), doc=doc,
                           previous=pub.document(previous) if previous else None,
                           next=pub.document(following) if following else None).encode("utf-8")


def render_book_page(template: str, view: m.Publication, where: dict[str, str]) -> bytes:
    return render_template(template, pub=view, edition=LinkedContext(view, EDITIONS["web"], where=where)).encode("utf-8")


def render_search_index(pub: m.Publication) -> bytes:
    return search_index(pub, LinkedContext(pub, EDITIONS["web"])).encode("utf-8")


def web_edition(pub: m.Publication, cache, photos: dict | None = None) -> dict[str, bytes]:
    """Every file of the edition, by relative path: the rendered pages (through the cache) and the assets."""
    images = edition_images(pub, photos or {}, "web")
    names = tuple(sorted((digest, name) for digest, (name, _) in images.items()))
    files = {unit_name[len("web/"):]: data for unit_name, data in cache.make(web_units(pub, names)).items()}
    files.update(web_assets(pub))
    for name, source in images.values():
        files[f"images/{name}"] = source.read_bytes()
    return files


def web_assets(pub: m.Publication) -> dict[str, bytes]:
    """The files every build copies as they are: scripts and stylesheets."""
    files = {}
    if pub.layout == "report":
        files["assets/search.js"] = (TEMPLATES / "web" / "search.js").read_bytes()
    for name in STYLESHEETS:
        files[f"assets/{name}"] = (STYLES / name).read_bytes()
    files["assets/notes.js"] = (TEMPLATES / "web" / "notes.js").read_bytes()
    return files


def search_index(pub: m.Publication, context: LinkedContext) -> str:
    """One entry per section: its title, its page and its plain text.

    A script file (not JSON fetched at run time) because browsers refuse
    fetch() from file:// pages.
    """
    entries = []
    for doc in pub.documents:
        page = context.page_name(doc)
        title, anchor, text = doc.toc_title or doc.title, doc.id, []
        for block in m.walk_blocks(doc.blocks):
            if isinstance(block, m.Heading):
                if text:
                    entries.append({"t": title, "u": f"{page}#{anchor}", "x": "".join(text)})
                title, anchor, text = block.plain_text, block.id, []
            elif isinstance(block, (m.Paragraph, m.SourceNote)):
                text.append(m.plain_text(block.inlines))
            elif isinstance(block, m.Figure):
                text.append(m.plain_text(block.caption))
            elif isinstance(block, m.Table):
                text.extend(m.plain_text(cell) for row in block.rows for cell in row)
        entries.append({"t": title, "u": f"{page}#{anchor}", "x": "".join(text)})
    return "window.SEARCH_INDEX = " + json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + ";\n"
