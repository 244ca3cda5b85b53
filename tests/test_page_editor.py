"""The page editor (publish/render/pdf/page_editor.py) on pages that have the faults it mends.

Each case is laid out by WeasyPrint with the project's style sheets and
fixes twice: as it comes (the page checker, tests/page_design.py, finds the
fault) and with the page editor (it does not). What the editor did is read
from the PDF: where the photo is, which page a paragraph is on.
"""
from __future__ import annotations

import pdfplumber
import weasyprint

from publish.paths import STYLES
from publish.render.pdf.page_editor import PageEditor
from publish.render.weasyprint_patches import applied

from .page_design import LINE, check_pages
from .test_page_design_checker import PAGE, SHEETS, document, photo, sidebar, text


def numbered(count: int, first: int = 0, length: int = 150) -> str:
    """Paragraphs with ids (the editor names what it changed by them)."""
    return "".join(f'<p id="p{first + i}">{text(length, 7 * (first + i))}</p>' for i in range(count))


def figure(figure_id: str, src: str) -> str:
    return (f'<figure class="figure" id="{figure_id}"><img src="{src}" alt="">'
            f'<figcaption>图片说明（图源：新华社）</figcaption></figure>')


def render(tmp_path, documents: str, name: str, edited: bool):
    path = tmp_path / name
    editor = PageEditor() if edited else None
    with applied(page_editor=editor):
        weasyprint.HTML(string=PAGE.format(sheets=SHEETS, documents=documents),
                        base_url=str(STYLES.parent)).write_pdf(path)
    return path, editor


def page_of(path, words: str) -> int:
    with pdfplumber.open(path) as pdf:
        return next(page.page_number - 1 for page in pdf.pages if words in page.extract_text().replace("\n", ""))


def test_a_figure_that_does_not_fit_goes_past_the_text_after_it(tmp_path):
    body = numbered(6) + figure("figure-1", photo(tmp_path, 600, 400)) + numbered(6, first=6)
    bad, _ = render(tmp_path, document(body), "bad.pdf", edited=False)
    assert check_pages(bad).foot_gaps  # page 1 ends in white above the photo
    good, editor = render(tmp_path, document(body), "good.pdf", edited=True)
    report = check_pages(good)
    assert report.foot_gaps == [] and report.facing_depths == []
    moved_past = editor.decisions["figures"]["figure-1"].removeprefix("after ")
    assert moved_past.startswith("p") and int(moved_past[1:]) >= 6
    assert page_of(good, text(150, 7 * 6)[:20]) == 0  # the paragraph after the photo now fills page 1


def test_a_sidebar_photo_that_does_not_fit_moves_up_its_box_and_stays_in_it(tmp_path):
    box = sidebar("【专栏标题】", numbered(3, first=20, length=120) + figure("figure-2", photo(tmp_path, 600, 400))
                  + '<p class="source-note">整理自新华网报道。</p>')
    body = numbered(2) + box + numbered(6, first=2)
    bad, _ = render(tmp_path, document(body), "bad.pdf", edited=False)
    assert check_pages(bad).box_blanks
    good, editor = render(tmp_path, document(body), "good.pdf", edited=True)
    assert check_pages(good).box_blanks == [] and check_pages(good).box_fragments == []
    assert editor.decisions["figures"]["figure-2"].startswith("moved up after")
    with pdfplumber.open(good) as pdf:
        photo_page = next(page.page_number - 1 for page in pdf.pages if page.images)
        tint = [r for r in pdf.pages[photo_page].rects if r["height"] > 100]
        image = pdf.pages[photo_page].images[0]
    assert any(r["top"] <= image["top"] and r["bottom"] >= image["bottom"] for r in tint)  # inside its box


def test_a_page_short_above_a_figure_that_ends_its_section_is_filled(tmp_path):
    """A photo closing a section does not fit at the foot of page 1, too tall to be sized to the room,
    and no text of its section follows it to move up: the page ends three or four lines short. The
    editor adds space above the page's headings and boxes, or sets a paragraph a character narrower,
    until the page is full; the photo stays as it was, overleaf."""
    for count, height in ((c, h) for c in range(3, 10) for h in (300, 340, 380, 420)):
        body = numbered(2) + '<h3 id="h">（一）小节标题</h3>' + numbered(count, first=2) \
            + '<blockquote class="quote"><p id="q">' + text(80, 5) + "</p></blockquote>" \
            + figure("figure-3", photo(tmp_path, 600, height))
        documents = document(body) + document(numbered(8, first=20), "二、下一节")
        bad, _ = render(tmp_path, documents, "bad.pdf", edited=False)
        gaps = check_pages(bad).foot_gaps
        if gaps and gaps[0].page == 0 and 2.5 * LINE < gaps[0].measure < 4 * LINE:
            break
    else:
        raise AssertionError("no case left page 1 three or four lines short")
    good, editor = render(tmp_path, documents, "good.pdf", edited=True)
    assert check_pages(good).foot_gaps == []
    assert editor.decisions["lines"] and editor.decisions["figures"] == {}  # what it changed, by id; the photo stays where it is
