"""The book's furniture: running heads and folios, drawn over the assembled pages.

A part is laid out without knowing where in the book it will be: its
folios depend on the pages before it. So the parts are laid out without
running heads or folios, and the book's furniture is laid out separately,
by WeasyPrint from templates/book/furniture.html and the furniture rules of
styles/paged.css: one page per page of the book, holding only that page's
running head and folio, placed in its margins. assemble.py draws each
furniture page over its page.

Which page shows what is decided in assemble.plan_book (from each page's name:
no furniture on covers, the title page, chapter openers and blank pages;
roman folios only in the front matter) and here (`shown_head`: the book's
title over a left-hand page, the chapter over a right-hand one, none over
the article's first page, which carries its title). Body folios start at 1
on the first chapter's opener, whatever the front matter holds, so the
body's furniture is laid out as soon as the body parts are, beside the
contents.

The head and folio are positioned boxes, not margin boxes: the book needs
no margin box anywhere, and WeasyPrint computes the sixteen of every page it
makes (the parts' pages too) wherever a rule gives any of them a style.
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
    page_name: str  # the furniture page's name in styles/paged.css (its margins)
    side: str  # "left" | "right": the head and folio go to the outer side
    head: str  # the running head shown over it ("" for none)
    folio: str  # the folio shown under it ("" for none)


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
    title = pub.meta.title + pub.meta.subtitle
    furniture = tuple(FurniturePage(p.furniture, p.side, shown_head(p, title, first=p is pages[0]),
                                    "" if p.furniture == "furniture-none" else p.folio) for p in pages)
    return FurnitureSource(shown, furniture, pages[0].side if pages else "right")


def shown_head(page: BookPage, title: str, first: bool) -> str:
    """The running head over a page: the book's title on the left, the chapter on the right; none over the
    front matter and the pages without furniture, nor over the short form's first page (its title is there)."""
    if page.furniture not in ("furniture", "furniture-article") or (page.furniture == "furniture-article" and first):
        return ""
    return title if page.side == "left" else page.head


def render_furniture(source: FurnitureSource) -> bytes:
    """The furniture pages as a PDF, one per page of the book."""
    from ..sandbox import SandboxedFetcher
    from ..weasyprint_patches import applied, weasyprint
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
