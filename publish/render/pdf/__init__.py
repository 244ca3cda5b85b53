"""The print and screen PDFs: the book laid out part by part, assembled once, written as two files.

Stages, each a set of units of the pipeline's cache (publish/cache.py):

    parts       each part of the book (parts.py) laid out on its own, once (layout.py),
                in the worker processes, largest first
    contents    the contents part, once the other parts' page numbers are known
    furniture   running heads and folios (furniture.py): the body's beside the contents,
                the front matter's after it
    book        the parts' pages assembled into one PDF (assemble.py)
    screen      the book cut at the trim: the tagged PDF/UA-1 edition for reading
    print       the book as a PDF/X-4 press file in CMYK (press_file.py), and its preflight report

Only the parts an edit reaches are laid out again; the pages of the others
come from the cache. The pagination (which folio each anchor is on) goes to
the EPUB's page-list (`PdfEditions.pagination`).

The writer is in writer.py; this package's other modules are what each stage
runs. A worker process that lays out parts imports layout.py alone (not the
assembly's PDF library): its names here are found when first asked for.
"""
from __future__ import annotations

__all__ = ["PdfWriter", "PdfEditions", "Pagination", "STYLESHEETS", "press_edition_of"]


def __getattr__(name: str):
    if name == "STYLESHEETS":
        from .layout import STYLESHEETS
        return STYLESHEETS
    if name in __all__:
        from . import writer
        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
