"""Every sentence of the source, in order, in the screen PDF and in the EPUB (issue: fidelity).

The source's artifacts are removed by the rules in tests/fidelity.py, never by
reading the content. Coverage is printed (run pytest with -s to see it).
"""
from __future__ import annotations

import zipfile
from xml.etree import ElementTree

import pdfplumber
import pytest

from .fidelity import article_source, coverage, report_source

NOTE_SIZE = 8.5  # pt: styles/tokens.css --note-size; footnote text in the PDFs
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

# Units the print set inside a paragraph that a page break split (a sidebar, a box,
# its photo or source note between the two halves). The content rejoins the paragraph
# and sets the block after it, so these units come later or earlier than in the
# extracted text. Each is listed with the block that moved.
MOVED = {
    "平斡旋活动等方面": "sidebar 【为饱受战乱之苦的人们送去希望】 set after the rejoined paragraph",
    "2023年12月，中国国防部代表团": "the same sidebar",
    "中国维和官兵在黎巴嫩": "the same sidebar",
    "广泛参与战后重建": "the same sidebar",
    "传递温暖和爱心": "the same sidebar",
    "中国“蓝盔”用实际行动": "the same sidebar",
    "合作而非对抗": "sidebar 【助力建设安全家园】 set after the rejoined paragraph",
    "中国不懈探索中国特色热点问题解决之道": "the same sidebar",
    "整理自《中国助力柬埔寨": "source note of 【助力建设安全家园】, printed after the paragraph's second half",
    "《清排雷场见担当": "the same source note, second line",
    "整理自《中国工程助力巴巴多斯": "source note of 【多元合作成就中巴友谊新标杆】, printed after body text",
    "《多元合作成就中巴友谊新标杆》": "the same source note, second line",
    "国家海平面上升状况（2023）": "sidebar 【太平洋上的和平乐章】 set after the rejoined paragraph",
    "医疗合作方面，中国继续向基里巴斯": "the same sidebar",
    "2023年7月，中国与巴布亚新几内亚": "the same sidebar",
    "中方援所罗门群岛国家转诊医院": "the same sidebar",
    "7月至9月，中国“和平方舟”号医院船": "the same sidebar",
    "非洲气候峰会上宣布实施“非洲光带”": "box 全球发展倡议 set after the rejoined paragraph",
    "2023年3月10日，沙特国务大臣兼国家安全顾问艾班、": "the caption's first line of the Beijing dialogue photo, "
                                                 "which the page editor moves past the paragraph after it",
}


def pdf_text(path) -> tuple[str, str]:
    """Running text and footnote text of a PDF, told apart by the notes' font size;
    running heads and folios (in the top and bottom 20 mm) and call marks left out."""
    body, notes = [], []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            top, bottom = 20 * 72 / 25.4, page.height - 20 * 72 / 25.4
            for char in page.chars:
                if char["top"] < top or char["bottom"] > bottom:
                    continue
                if abs(char["size"] - NOTE_SIZE) < 0.05:
                    notes.append(char["text"])
                elif char["size"] >= 8.0:
                    body.append(char["text"])
    return "".join(body), "".join(notes)


def epub_text(path) -> tuple[str, str]:
    """Running text and footnote text of an EPUB, documents in spine order."""
    body, notes = [], []
    with zipfile.ZipFile(path) as epub:
        opf = ElementTree.fromstring(epub.read("EPUB/package.opf"))
        ns = {"opf": "http://www.idpf.org/2007/opf"}
        hrefs = {i.get("id"): i.get("href") for i in opf.find("opf:manifest", ns)}
        for ref in opf.find("opf:spine", ns):
            href = hrefs[ref.get("idref")]
            if not href.startswith("text/"):
                continue
            root = ElementTree.fromstring(epub.read("EPUB/" + href))
            _collect(root.find(f"{XHTML}body"), body, notes)
    return "".join(body), "".join(notes)


def _collect(element, body, notes):
    kind = element.get(EPUB_TYPE)
    if kind == "footnote":
        notes.append("".join(element.itertext()))
        return element.tail and body.append(element.tail)
    if kind == "noteref":
        return element.tail and body.append(element.tail)
    if element.text:
        body.append(element.text)
    for child in element:
        _collect(child, body, notes)
    if element.tail:
        body.append(element.tail)


@pytest.fixture(scope="module")
def source():
    return report_source()


@pytest.mark.parametrize("edition", ["screen.pdf", "gsi-report-2024.epub"])
def test_every_sentence_of_the_report_in_order(built, source, edition):
    path = built / "gsi-report-2024" / edition
    body, notes = pdf_text(path) if edition.endswith(".pdf") else epub_text(path)
    running = coverage(source.running, body)
    note_coverage = coverage(source.notes, notes, ordered=False)
    captions = coverage(source.captions, body, ordered=False)
    for name, result in (("running text", running), ("footnotes", note_coverage), ("captions", captions)):
        print(f"{edition}: {result.summary(name)}")
    assert running.missing == [], running.missing
    assert note_coverage.missing == [] and captions.missing == []
    unexplained = [u for u in running.found_out_of_order if not any(u.startswith(k) for k in MOVED)]
    assert unexplained == [], unexplained
    assert len(source.notes) == 53 and len(source.captions) == 14


@pytest.mark.parametrize("edition", ["screen.pdf", "gsi-article-2024.epub"])
def test_every_sentence_of_the_article_in_order(built, edition):
    path = built / "gsi-article-2024" / edition
    body, _ = pdf_text(path) if edition.endswith(".pdf") else epub_text(path)
    result = coverage(article_source(), body)
    print(f"{edition}: {result.summary('article')}")
    assert result.missing == [] and result.found_out_of_order == []
