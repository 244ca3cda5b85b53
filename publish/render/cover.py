"""The cover as a picture (the EPUB's cover image), drawn from the same cover design as the PDFs."""
from __future__ import annotations

import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from .. import model as m
from ..cache import Unit
from ..paths import PROJECT_ROOT
from . import EDITIONS
from .html import render_template

COVER_WIDTH_PX = 1200


def cover_unit(pub: m.Publication, cover_pdf: bytes | None = None) -> Unit:
    """The EPUB's cover picture: the printed cover's page (the PDF writer's cover part) where the book
    has one, else the cover design drawn from the metadata alone."""
    if cover_pdf is not None:
        return Unit("epub/cover.png", cover_png_from_pdf, (cover_pdf,))
    shown = replace(pub, documents=(), contents=(), footnotes=(), figures=(), input_files=())
    return Unit("epub/cover.png", render_cover_png, (shown,), heavy=True)


def cover_png_from_pdf(pdf: bytes) -> bytes:
    """The first page of `pdf`, cut at its trim, as a picture COVER_WIDTH_PX wide."""
    import io

    import pikepdf
    with pikepdf.open(io.BytesIO(pdf)) as source:
        page = pikepdf.new()
        page.pages.append(source.pages[0])
        first = page.pages[0].obj
        first.MediaBox = first.get("/TrimBox", first.MediaBox)
        out = io.BytesIO()
        page.save(out, deterministic_id=True)
    return _picture(out.getvalue())


def render_cover_png(pub: m.Publication) -> bytes:
    from .weasyprint_patches import weasyprint
    from .pdf.layout import PdfContext
    from .sandbox import SandboxedFetcher
    from .weasyprint_patches import applied
    context = PdfContext(pub, EDITIONS["screen"], linked_stylesheets=True)
    html = render_template("book/cover.html", pub=pub, edition=context)
    fetcher = SandboxedFetcher(pub.root)
    with applied():
        pdf = weasyprint.HTML(string=html, base_url=PROJECT_ROOT.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    if fetcher.refused:
        raise PermissionError("the cover tried to read outside the publication: " + ", ".join(fetcher.refused))
    return _picture(pdf)


def _picture(pdf: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "cover.pdf"
        source.write_bytes(pdf)
        # poppler's pdftoppm: deterministic output for the same PDF.
        subprocess.run(["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1",
                        "-scale-to-x", str(COVER_WIDTH_PX), "-scale-to-y", "-1",
                        str(source), str(Path(folder) / "cover")], check=True)
        return (Path(folder) / "cover.png").read_bytes()
