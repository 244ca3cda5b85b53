"""The PDFs, read back from the files: blocks, notes, fonts, outline, page boxes."""
from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader

from publish import model as m

from .conftest import pdftotext_pages

MM = 72 / 25.4


def squash(text: str) -> str:
    """Text without whitespace: pdftotext breaks lines where the layout did."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def report_pages(built):
    return [squash(p) for p in pdftotext_pages(built / "gsi-report-2024" / "screen.pdf")]


def first_chars(inlines, n=14) -> str:
    return squash(m.plain_text(inlines))[:n]


def test_every_block_type_reaches_the_pdf(report_model, report_pages):
    whole = "".join(report_pages)
    seen = set()
    for doc in report_model.documents:
        for block in m.walk_blocks(doc.blocks):
            if isinstance(block, m.Sidebar):
                assert squash(block.title) in whole
            elif isinstance(block, m.Figure):
                assert first_chars(block.caption) in whole
                assert squash(block.credit)[:10] in whole
            elif isinstance(block, m.Quote):
                assert first_chars(block.paragraphs[0].inlines) in whole
                if block.attribution:
                    assert first_chars(block.attribution, 10) in whole
            elif isinstance(block, m.SourceNote):
                assert first_chars(block.inlines) in whole
            elif isinstance(block, m.Table):
                assert squash(block.caption) in whole
                for row in block.rows:
                    assert squash(m.plain_text(row[0])) in whole  # every date of the table
            elif isinstance(block, m.Box):
                pass
            seen.add(type(block).__name__)
    assert {"Sidebar", "Figure", "Quote", "SourceNote", "Table", "Box", "Paragraph", "Heading"} <= seen


def test_footnote_text_sits_on_its_calls_page(report_model, report_pages):
    """For every note: the text just before its call and the note's own text are on one page."""
    checked = 0
    for doc in report_model.documents:
        for block in m.walk_blocks(doc.blocks):
            for runs in _inline_runs(block):
                before = ""
                for run in runs:
                    if isinstance(run, m.FootnoteCall):
                        lead = squash(before)[-8:]
                        note = first_chars(run.footnote.inlines, 16)
                        pages_with_note = [i for i, p in enumerate(report_pages) if note in p]
                        assert pages_with_note, f"note {run.footnote.id} not found"
                        assert any(lead in report_pages[i] or _split_lead(lead, report_pages, i)
                                   for i in pages_with_note), \
                            f"note {run.footnote.id} is not on the page of its call (…{lead})"
                        checked += 1
                    else:
                        before += m.plain_text((run,))
    assert checked == len(report_model.footnotes) == 53


def _split_lead(lead, pages, i):
    """The call's line may open the page: the lead then starts on the previous page
    (whose text goes on with its own notes) and ends at the top of this one, under
    the running head."""
    return i > 0 and any(lead[:k] in pages[i - 1] and lead[k:] in pages[i][:60]
                         for k in range(1, len(lead)))


def _inline_runs(block):
    if isinstance(block, (m.Paragraph, m.SourceNote)):
        yield block.inlines
    elif isinstance(block, m.Quote) and block.attribution:
        yield block.attribution
    elif isinstance(block, m.Table):
        for row in block.rows:
            yield from row


def test_notes_are_numbered_per_page(built):
    """①②③ restart on every page: the first note mark on each page with notes is ①."""
    import pdfplumber
    with pdfplumber.open(built / "gsi-report-2024" / "screen.pdf") as pdf:
        pages_with_notes = 0
        for page in pdf.pages:
            bottom = page.height * 0.6
            # the marks in the footnote area, set at the notes' size (calls in the text are smaller)
            marks = [c["text"] for c in sorted(page.chars, key=lambda c: (c["top"], c["x0"]))
                     if c["text"] in "①②③④⑤⑥⑦⑧⑨⑩" and c["top"] > bottom and abs(c["size"] - 8.5) < 0.05]
            if marks:
                pages_with_notes += 1
                assert marks[0] == "①", f"page {page.page_number}: notes start with {marks[0]}"
                assert marks == sorted(marks), f"page {page.page_number}: marks out of order {marks}"
        assert pages_with_notes >= 30


@pytest.mark.parametrize("pub_id", ["gsi-report-2024", "gsi-article-2024"])
@pytest.mark.parametrize("edition", ["print.pdf", "screen.pdf"])
def test_every_font_is_embedded_and_subset(built, pub_id, edition):
    out = subprocess.run(["pdffonts", str(built / pub_id / edition)], check=True, capture_output=True,
                         text=True).stdout.splitlines()[2:]
    assert out, "no fonts listed"
    for line in out:
        columns = line.split()
        emb, sub = columns[-5], columns[-4]
        assert (emb, sub) == ("yes", "yes"), line


def test_outline_has_the_chapter_headings(built, report_model):
    reader = PdfReader(built / "gsi-report-2024" / "screen.pdf")

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title
    outline = " ".join(titles(reader.outline))
    for doc in report_model.documents:
        if doc.level == 1:
            assert doc.title in outline
    assert "（二十）以可持续发展促进可持续安全" in outline


def test_print_pdf_has_3mm_bleed_and_a4_trim(built):
    with pikepdf.open(built / "gsi-report-2024" / "print.pdf") as pdf:
        for page in pdf.pages:
            trim = [float(v) for v in page.obj.TrimBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            media = [float(v) for v in page.obj.MediaBox]
            assert trim[2] - trim[0] == pytest.approx(210 * MM, abs=0.5)
            assert trim[3] - trim[1] == pytest.approx(297 * MM, abs=0.5)
            for side in (0, 1):
                assert trim[side] - bleed[side] == pytest.approx(3 * MM, abs=0.05)
            for side in (2, 3):
                assert bleed[side] - trim[side] == pytest.approx(3 * MM, abs=0.05)
            assert media[2] - media[0] >= bleed[2] - bleed[0]


def test_screen_pdf_is_cut_at_the_trim(built):
    with pikepdf.open(built / "gsi-report-2024" / "screen.pdf") as pdf:
        page = pdf.pages[10]
        media = [float(v) for v in page.obj.MediaBox]
        assert media[2] - media[0] == pytest.approx(210 * MM, abs=0.5)
        assert str(pdf.Root.Lang) == "zh-CN"
        assert "全球安全倡议" in str(pdf.docinfo.get("/Title"))


def test_screen_pdf_links_urls_of_notes(built):
    reader = PdfReader(built / "gsi-report-2024" / "screen.pdf")
    uris = set()
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action and action.get("/URI"):
                uris.add(action["/URI"])
    assert "https://www.gov.cn/yaowen/liebiao9/202306/content_6888929.htm" in uris
