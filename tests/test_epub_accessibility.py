"""The EPUBs' accessibility: metadata, navigation, alt text, heading order, and Ace by DAISY's verdict."""
from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from .test_epub_edition import NS

PROJECT = Path(__file__).resolve().parent.parent
ACE = PROJECT / "node_modules" / ".bin" / "ace-cli"  # package.json: `npm install`
CHROMIUM = "/usr/bin/chromium"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
PUBLICATIONS = ["gsi-report-2024", "gsi-article-2024"]


def read_epub(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as epub:
        return {name: epub.read(name) for name in epub.namelist()}


def package(files) -> ElementTree.Element:
    return ElementTree.fromstring(files["EPUB/package.opf"])


def metadata(opf) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in opf.find("opf:metadata", NS):
        key = meta.get("property") or meta.tag.split("}")[1]
        found.setdefault(key, []).append((meta.text or meta.get("content") or "").strip())
    return found


@pytest.mark.parametrize("pub_id", PUBLICATIONS)
def test_metadata_says_what_and_how_accessible(built, pub_id):
    files = read_epub(built / pub_id / f"{pub_id}.epub")
    meta = metadata(package(files))
    for key in ("identifier", "title", "language", "creator", "publisher", "date", "dcterms:modified",
                "schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityHazard",
                "schema:accessibilitySummary"):
        assert meta.get(key) and all(meta[key]), f"{pub_id}: no {key}"
    assert meta["language"] == ["zh-CN"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "alternativeText"} <= \
        set(meta["schema:accessibilityFeature"])


def test_page_numbers_name_their_source(built):
    """The page-list maps to the printed edition, and the package says so (pageBreakSource)."""
    files = read_epub(built / "gsi-report-2024" / "gsi-report-2024.epub")
    meta = metadata(package(files))
    assert {"printPageNumbers", "pageNavigation"} <= set(meta["schema:accessibilityFeature"])
    assert "全球安全倡议落实进展报告" in meta["pageBreakSource"][0] and "印刷版" in meta["pageBreakSource"][0]


def test_cover_image_is_drawn_from_the_cover_design(built):
    files = read_epub(built / "gsi-report-2024" / "gsi-report-2024.epub")
    items = {item.get("id"): item for item in package(files).iter(f"{{{NS['opf']}}}item")}
    cover = items["cover-image"]
    assert cover.get("properties") == "cover-image" and cover.get("media-type") == "image/png"
    with Image.open(io.BytesIO(files["EPUB/" + cover.get("href")])) as image:
        width, height = image.size
    assert width == 1200 and abs(height / width - 297 / 210) < 0.01, (width, height)  # A4, the trim
    page = ElementTree.fromstring(files["EPUB/text/cover.xhtml"])
    alt = page.find(".//x:img", NS).get("alt")
    assert "全球安全倡议落实进展报告" in alt and "中国国际问题研究院" in alt


@pytest.mark.parametrize("pub_id", PUBLICATIONS)
def test_every_picture_has_alt_text_and_headings_descend_in_order(built, pub_id):
    """Across the spine the headings form one outline (h1 chapters, h2 sections, …) with no level skipped."""
    files = read_epub(built / pub_id / f"{pub_id}.epub")
    spine = [ref.get("idref") for ref in package(files).iter(f"{{{NS['opf']}}}itemref")]
    hrefs = {item.get("id"): item.get("href") for item in package(files).iter(f"{{{NS['opf']}}}item")}
    levels = []
    for idref in spine:
        if idref == "nav":
            continue
        doc = ElementTree.fromstring(files["EPUB/" + hrefs[idref]])
        for element in doc.iter():
            tag = element.tag.split("}")[1]
            if tag == "img":
                assert (element.get("alt") or "").strip(), f"{hrefs[idref]}: an image with no alt text"
            if element.get("role") == "img":
                assert (element.get("aria-label") or "").strip(), f"{hrefs[idref]}: a placeholder with no label"
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                levels.append((int(tag[1]), hrefs[idref]))
    assert levels[0][0] == 1
    for (before, _), (after, where) in zip(levels, levels[1:]):
        assert after <= before + 1, f"{where}: h{before} followed by h{after}"


def test_ncx_has_the_contents_and_the_printed_pages_in_reading_order(built):
    files = read_epub(built / "gsi-report-2024" / "gsi-report-2024.epub")
    ncx = ElementTree.fromstring(files["EPUB/toc.ncx"])
    nav = ElementTree.fromstring(files["EPUB/nav.xhtml"])
    page_list = next(n for n in nav.iter(f"{{{NS['x']}}}nav") if n.get(f"{{{NS['epub']}}}type") == "page-list")
    nav_pages = [(a.text, a.get("href")) for a in page_list.iter(f"{{{NS['x']}}}a")]
    targets = list(ncx.iter(f"{NCX}pageTarget"))
    ncx_pages = [(t.find(f"{NCX}navLabel/{NCX}text").text, t.find(f"{NCX}content").get("src")) for t in targets]
    assert ncx_pages == nav_pages
    meta = {m.get("name"): m.get("content") for m in ncx.iter(f"{NCX}meta")}
    assert meta["dtb:totalPageCount"] == str(len(nav_pages))
    assert meta["dtb:maxPageNumber"] == max((label for label, _ in nav_pages if label.isdigit()), key=int)
    assert meta["dtb:depth"] == "3"
    # One playOrder per place: the same target always gets the same number, and pages read in order.
    order: dict[str, str] = {}
    for point in list(ncx.iter(f"{NCX}navPoint")) + targets:
        src = point.find(f"{NCX}content").get("src")
        assert order.setdefault(src, point.get("playOrder")) == point.get("playOrder"), src
    page_orders = [int(t.get("playOrder")) for t in targets]
    assert page_orders == sorted(page_orders)
    assert sorted(set(int(v) for v in order.values())) == list(range(1, len(set(order.values())) + 1))


@pytest.mark.skipif(not ACE.is_file(), reason="Ace by DAISY is not installed: run `npm install` (package.json)")
@pytest.mark.parametrize("pub_id", PUBLICATIONS)
def test_ace_by_daisy_finds_nothing_serious(built, pub_id, tmp_path):
    """Ace (axe-core in Debian's Chromium, plus its EPUB checks): no serious or critical violation."""
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=CHROMIUM)
    subprocess.run([str(ACE), "--silent", "--force", "--outdir", str(tmp_path / "ace"),
                    str(built / pub_id / f"{pub_id}.epub")], env=env, check=True, timeout=300)
    report = json.loads((tmp_path / "ace" / "report.json").read_text())
    violations = [(subject["earl:testSubject"]["url"], test["earl:test"]["earl:impact"],
                   test["earl:test"]["dct:title"])
                  for subject in report["assertions"] for test in subject["assertions"]]
    checked = {subject["earl:testSubject"]["url"] for subject in report["assertions"]}
    serious = [v for v in violations if v[1] in ("serious", "critical")]
    assert serious == [], serious
    assert report["earl:result"]["earl:outcome"] == "pass", violations
    assert "schema:accessibilitySummary" in report["a11y-metadata"]["present"]
    documents = {name[len("EPUB/"):] for name in read_epub(built / pub_id / f"{pub_id}.epub")
                 if name.endswith(".xhtml")}
    assert documents <= checked, f"Ace did not check {documents - checked}"
