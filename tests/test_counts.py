"""Counts of the report's structure, read from the built editions (not from the model)."""
from __future__ import annotations

import re
import zipfile

import pdfplumber


def epub_documents(path) -> str:
    with zipfile.ZipFile(path) as epub:
        return "\n".join(epub.read(n).decode() for n in sorted(epub.namelist()) if n.startswith("EPUB/text/"))


def test_structure_counts_in_the_epub(built):
    html = epub_documents(built / "gsi-report-2024" / "gsi-report-2024.epub")
    directions = re.findall(r'<h3 id="dir-\d\d">', html)
    platforms = re.findall(r'<h3 id="platform-\d\d">', html)
    assert len(directions) == 20
    assert len(platforms) == 4
    assert html.count('<aside class="sidebar"') == 10
    assert html.count("（图源：") == 14
    assert html.count('epub:type="footnote"') == 53
    table = html[html.index('<div class="table-block"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == 1 + 22
    assert len(re.findall(r'epub:type="appendix"', html)) == 3


def test_structure_counts_in_the_pdf(built):
    with pdfplumber.open(built / "gsi-report-2024" / "screen.pdf") as pdf:
        lines = "\n".join(page.extract_text() or "" for page in pdf.pages)
    text = lines.replace("\n", "")
    assert len(set(re.findall(r"（[一二三四五六七八九十]+）", text))) >= 20
    assert text.count("图源：") == 14
    assert len(re.findall(r"^【.+】$", lines, re.M)) == 10
    for label in ("附件 1", "附件 2", "附件 3"):
        assert label in text
