"""The book's furniture: running heads and folios, drawn over the assembled pages.

A part is laid out without knowing where in the book it will be: its
folios depend on the pages before it. So the parts are laid out without
running heads or folios, and the book's furniture is laid out separately,
by WeasyPrint from templates/book/furniture.html and the page furniture
rules of styles/paged.css: one page per page of the book, holding only that
page's margin boxes. assemble.py draws each furniture page over its page.

Which page shows what is decided in assemble.plan_book (from each page's name:
no furniture on covers, the title page, chapter openers and blank pages;
roman folios only in the front matter). Body folios start at 1 on the first
chapter's opener, whatever the front matter holds, so the body's furniture
is laid out as soon as the body parts are, beside the contents.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ... import model as m
from ...paths import PROJECT_ROOT
from .. import EDITIONS
from ..html import render_template
from .assemble import BookPage
from .layout import PdfContext, parsed_stylesheets


@dataclass(frozen=True)
class FurniturePage:
    page_name: str  # the furniture page's name in styles/paged.css
    head: str
    folio: str


@dataclass(frozen=True)
class FurnitureSource:
    """What a run of furniture pages is made from (the cache's key is its digest)."""
    pub: m.Publication  # its metadata only: title, language, trim, bleed, layout
    pages: tuple[FurniturePage, ...]
    first_side: str  # the side of its first page


def furniture_source(pub: m.Publication, pages: list[BookPage]) -> FurnitureSource:
    shown = replace(pub, documents=(), contents=(), footnotes=(), figures=(), input_files=(),
                    meta=replace(pub.meta, blurb=(), back_cover=(), credits=(), authors=(), description="",
                                 keywords=(), identifier="", source_url=""))
    furniture = tuple(FurniturePage(p.furniture, p.head, "" if p.furniture == "furniture-none" else p.folio)
                      for p in pages)
    return FurnitureSource(shown, furniture, pages[0].side if pages else "right")


def render_furniture(source: FurnitureSource) -> bytes:
    """The furniture pages as a PDF, one per page of the book."""
    import weasyprint

    from ..sandbox import SandboxedFetcher
    from ..weasyprint_patches import applied
    fetcher = SandboxedFetcher(source.pub.root)
    context = PdfContext(source.pub, EDITIONS["print"])
    html = render_template("book/furniture.html", pub=source.pub, pages=source.pages, edition=context,
                           starts_left=source.first_side == "left")
    with applied(fonts_subset_by_the_book=True):  # assemble.py merges its fonts with the parts'
        document = weasyprint.HTML(string=html, base_url=PROJECT_ROOT.as_uri() + "/",
                                   url_fetcher=fetcher).render(stylesheets=parsed_stylesheets())
        if len(document.pages) != len(source.pages):
            raise RuntimeError(f"the furniture came out on {len(document.pages)} pages for {len(source.pages)}")
        return document.write_pdf()
