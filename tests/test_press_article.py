"""The press file of a real publication: the two-page article built by `build.py`: its print.pdf
(PDF/X-4, made from the one layout) beside its screen.pdf (the same pages cut at the trim)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from publish.paths import CONTENT, PROJECT_ROOT
from publish.render.preflight import preflight
from publish.render.press import MM, press_settings

from .press_support import open_pdf, press_profile, rgb_anywhere

ARTICLE = "gsi-article-2024"


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    """The article's print.pdf and screen.pdf as the build writes them, and its preflight report."""
    press_profile()
    folder = tmp_path_factory.mktemp("article")
    content = folder / "content"
    shutil.copytree(CONTENT / ARTICLE, content / ARTICLE)
    subprocess.run([sys.executable, "build.py", ARTICLE, "--content", str(content), "--output", str(folder / "out"),
                    "--quiet"], cwd=PROJECT_ROOT, check=True)
    out = folder / "out" / ARTICLE
    text = (content / ARTICLE / "publication.yaml").read_text()
    identifier = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("identifier:"))
    settings = press_settings(document_id=identifier)
    return {"book": (out / "screen.pdf").read_bytes(), "press": (out / "print.pdf").read_bytes(),
            "report": (out / "preflight.txt").read_text(), "settings": settings, "identifier": identifier}


def test_the_build_writes_the_preflight_beside_print_pdf(article):
    assert article["report"].startswith("Preflight of print.pdf")
    assert "Problems: 0 errors, 0 warnings" in article["report"]


def test_the_article_prints_as_pdf_x_4_without_a_problem(article):
    report = preflight(article["press"], article["settings"])
    assert report.problems == [], report.text()
    assert report.pages == 2 and report.pdfx_version == "PDF/X-4"
    assert report.trim_mm == (210.0, 297.0) and report.bleed_mm == pytest.approx(3.0, abs=0.01)
    assert report.max_ink is not None and report.max_ink <= 3.3
    assert {f.name.split("+", 1)[1] for f in report.fonts} >= {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"}


def test_the_article_has_no_rgb_no_links_and_its_identifier(article):
    book, press = open_pdf(article["book"]), open_pdf(article["press"])
    assert rgb_anywhere(book) and rgb_anywhere(press) == []
    assert not any("/Annots" in p.obj for p in press.pages)
    xmp = press.Root.Metadata.read_bytes().decode()
    assert f"<xmpMM:DocumentID>uuid:{article['identifier'].removeprefix('urn:uuid:')}</xmpMM:DocumentID>" in xmp
    for before, after in zip(book.pages, press.pages):
        trim = [float(v) for v in after.obj.TrimBox]
        assert trim == [float(v) for v in before.obj.TrimBox]
        media = [float(v) for v in after.obj.MediaBox]
        assert media[0] == pytest.approx(trim[0] - 11 * MM, abs=0.01)
