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

from .. import model as m
from ..paths import STYLES, TEMPLATES
from . import EDITIONS
from .html import RenderContext, render_template

STYLESHEETS = ("tokens.css", "content.css", "web.css")


class LinkedContext(RenderContext):
    """Links between documents of a multi-file edition (web pages, EPUB content documents)."""

    page_suffix = ".html"

    def __init__(self, pub, settings, current: m.Document | None = None):
        super().__init__(pub, settings)
        self.current = current
        self.where = pub.document_of_anchor()
        self.has_search = settings.scripts and pub.layout == "report"

    def at(self, doc: m.Document | None):
        other = self.__class__(self.pub, self.settings, doc)
        return other

    def page_name(self, doc: m.Document) -> str:
        if self.pub.layout == "article" and self.settings.name == "web":
            return "index.html"
        return f"{doc.slug}{self.page_suffix}"

    def href(self, link: m.Link) -> str:
        return self.anchor_href(link.anchor) if link.anchor else link.url

    def anchor_href(self, anchor: str) -> str:
        """An anchor as reached from the current document: `#id` within it, `page.html#id` in another."""
        doc_id = self.where.get(anchor)
        if doc_id is None:
            return f"#{anchor}"
        doc = self.pub.document(doc_id)
        page = self.page_name(doc)
        if self.current is not None and doc.id == self.current.id:
            return f"#{anchor}"
        return page if anchor == doc.id else f"{page}#{anchor}"

    def image_url(self, figure: m.Figure) -> str:
        return f"images/{figure.image_path.name}" if figure.image_path else ""


def render_web(pub: m.Publication) -> dict[str, bytes]:
    """Every file of the edition, by relative path."""
    context = LinkedContext(pub, EDITIONS["web"])
    files: dict[str, bytes] = {}
    docs = list(pub.documents)
    for i, doc in enumerate(docs):
        page = render_template("web/page.html", pub=pub, edition=context.at(doc), doc=doc,
                               previous=docs[i - 1] if i > 0 else None,
                               next=docs[i + 1] if i + 1 < len(docs) else None)
        files[context.page_name(doc)] = page.encode("utf-8")
    if pub.layout == "report":
        files["index.html"] = render_template("web/index.html", pub=pub, edition=context).encode("utf-8")
        files["search.html"] = render_template("web/search.html", pub=pub, edition=context).encode("utf-8")
        files["assets/search-index.js"] = search_index(pub, context).encode("utf-8")
    files.update(web_assets(pub))
    return files


def web_assets(pub: m.Publication) -> dict[str, bytes]:
    """The files every build copies as they are: scripts, stylesheets, photos."""
    files = {}
    if pub.layout == "report":
        files["assets/search.js"] = (TEMPLATES / "web" / "search.js").read_bytes()
    for name in STYLESHEETS:
        files[f"assets/{name}"] = (STYLES / name).read_bytes()
    files["assets/notes.js"] = (TEMPLATES / "web" / "notes.js").read_bytes()
    for figure in pub.figures:
        if figure.image_path is not None:
            files[f"images/{figure.image_path.name}"] = figure.image_path.read_bytes()
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
