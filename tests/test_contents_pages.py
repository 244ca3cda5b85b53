"""The printed contents: every entry of the report's contents, with the page numbers of our layout."""
from __future__ import annotations

import re

import pdfplumber
import pikepdf
import pytest
from pypdf import PdfReader

from .fidelity import SOURCE

LEADER = re.compile(r"^(?P<title>.+?)[ .]{4,}(?P<page>[0-9ivxlc]+)$")


def printed_contents_titles() -> list[str]:
    """The entries of the contents page of the printed report (its text, before `01 前言`)."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    start = lines.index("目录") + 1
    end = next(i for i, line in enumerate(lines) if i > start and line.strip() == "01 前言")
    titles = []
    for line in lines[start:end]:
        line = line.strip().strip("-").strip()
        if not line or line.startswith("—"):
            continue
        title = re.sub(r"\s*\d+$", "", line).strip()
        title = re.sub(r"^(0[1-4]|附件\s*\d)\s+", "", title)
        titles.append(re.sub(r"\s+", "", title))
    return [t for t in titles if t]


def contents_lines(pdf_path) -> list[tuple[str, str]]:
    entries = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages[:12]:
            text = page.extract_text() or ""
            if ". ." not in text:
                continue
            for line in text.splitlines():
                match = LEADER.match(line.strip())
                if match:
                    entries.append((re.sub(r"\s+", "", match["title"]), match["page"]))
    return entries


def page_labels(pdf_path) -> list[str]:
    with pikepdf.open(pdf_path) as pdf:
        return [str(page.label) for page in pdf.pages]


def outline_pages(pdf_path) -> dict[str, int]:
    reader = PdfReader(pdf_path)
    found = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.setdefault(re.sub(r"\s+", "", item.title), reader.get_destination_page_number(item))
    walk(reader.outline)
    return found


@pytest.fixture(scope="module")
def screen(built):
    return built / "gsi-report-2024" / "screen.pdf"


def test_every_printed_contents_entry_is_listed(screen):
    listed = " ".join(title for title, _ in contents_lines(screen))
    missing = [t for t in printed_contents_titles() if re.sub(r"^0\d", "", t) not in listed]
    assert len(printed_contents_titles()) >= 32
    assert missing == []


def test_contents_page_numbers_are_the_pages_the_headings_are_on(screen):
    """Each number read from the contents equals the folio of the page its heading is on
    (the page comes from the PDF outline, the folio from the page labels)."""
    labels = page_labels(screen)
    headings = outline_pages(screen)
    checked = 0
    for title, number in contents_lines(screen):
        key = next((h for h in headings if h.endswith(title) or title.endswith(h)), None)
        assert key is not None, f"no heading for contents entry {title}"
        assert labels[headings[key]] == number, f"{title}: contents says {number}, heading on {labels[headings[key]]}"
        checked += 1
    assert checked >= 32


def test_screen_pdf_is_tagged_and_labelled(screen):
    with pikepdf.open(screen) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        labels = [str(page.label) for page in pdf.pages]
    assert labels[0] == "i" and "1" in labels
