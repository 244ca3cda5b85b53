"""The page-design checker (tests/page_design.py) on deliberately bad pages.

Each bad page is a small document in the book's markup (templates/blocks.html,
templates/book/part.html) with the project's own style sheets, rendered by
WeasyPrint with the project's fixes, and built so that one fault is there; its
good twin differs only where the fault is. The expected pages and texts come
from the HTML written here, never from the checker.
"""
from __future__ import annotations

import io

import pdfplumber
import pytest
import weasyprint
from PIL import Image

from publish.paths import STYLES
from publish.render.weasyprint_patches import applied

from .page_design import LINE, PAIR_MAX_EM, body_pages, check_design_pages, check_pages, read_design_pages

PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>测试</title>
{sheets}<style>@page {{ size: A4; }}</style></head>
<body class="layout-report"><main>{documents}</main></body></html>"""
SHEETS = "".join(f'<link rel="stylesheet" href="{(STYLES / name).as_uri()}">'
                 for name in ("tokens.css", "content.css", "paged.css"))
# Plain sentences: no dash, no pair of marks, so a page of them has none of the faults checked.
SENTENCES = ("各国应当坚持共同综合合作可持续的安全观，尊重各国主权和领土完整，重视各国合理安全关切，"
             "通过对话协商以和平方式解决国家间的分歧和争端，统筹维护传统领域和非传统领域安全，"
             "携手应对地区争端和恐怖主义气候变化网络安全生物安全等全球性问题，"
             "共同构建普遍安全的世界，推动建设持久和平的美好家园。")


NOTE = "参见有关文献，新华网，2024年1月1日。"
SOURCE = '<p class="source-note">整理自新华网报道，2024年1月1日。</p>'
FORCED_BREAK = ' style="break-before: page"'  # where a bad page needs its fault at a chosen place


def text(length: int, offset: int = 0) -> str:
    """`length` characters of running text ending with a full stop."""
    body = (SENTENCES * (length // len(SENTENCES) + 3))[offset:].lstrip("，。")[:length - 1].rstrip("，。")
    return body + "。"


def paragraphs(count: int, length: int = 150, offset: int = 0) -> str:
    return "".join(f"<p>{text(length, 7 * (i + offset))}</p>" for i in range(count))


def noted_page(count: int = 12) -> str:
    """A page and more of paragraphs, the first with a note."""
    return f"<p>{text(60)}{note(NOTE)}</p>" + paragraphs(count, offset=20)


def document(body: str, title: str = "一、测试章节", head: str = "测试章节", new_page: bool = False) -> str:
    """A document inside a chapter, as templates/book/part.html writes one (it runs on after the one before;
    `new_page`: forced onto a page of its own, the fault of a short page before it)."""
    return (f'<section class="doc doc--chapter doc--level2"{FORCED_BREAK if new_page else ""}>'
            f'<header class="doc-head doc-head--chapter doc-head--level2"><h2 class="doc-head__title">{title}</h2>'
            f'</header><div class="doc__body">{body}</div></section>')


def annex(label: str, title: str, body: str) -> str:
    """An annex: it starts on a right-hand page, under its label and a large title."""
    return (f'<section class="doc doc--annex doc--level2">'
            f'<header class="doc-head doc-head--annex doc-head--level2"><p class="doc-head__label">{label}</p>'
            f'<h2 class="doc-head__title">{title}</h2></header><div class="doc__body">{body}</div></section>')


def opener(number: str, title: str, body: str = "") -> str:
    """A chapter opener (big number on a right-hand page), then the chapter's own text."""
    body = f'<div class="doc__body">{body}</div>' if body else ""
    return (f'<section class="doc doc--opener doc--chapter"><header class="opener">'
            f'<p class="opener__number" aria-hidden="true">{number}</p>'
            f'<h1 class="opener__title">{title}</h1></header>{body}</section>')


def photo(tmp_path, width: int, height: int) -> str:
    """A JPEG made here, of the given proportions."""
    path = tmp_path / f"photo-{width}x{height}.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 150)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path.as_uri()


def figure(caption: str, src: str | None = None, ratio: tuple[int, int] = (3, 2)) -> str:
    """A figure as blocks.html writes it: a photo, or the placeholder frame of a missing one."""
    if src:
        picture = f'<img src="{src}" alt="">'
    else:
        picture = (f'<div class="figure__frame" style="padding-top: {100 * ratio[1] / ratio[0]:.2f}%" role="img">'
                   f'<span class="figure__missing">图片待补：images/photo.jpg</span></div>')
    return f'<figure class="figure">{picture}<figcaption>{caption}</figcaption></figure>'


def sidebar(title: str, body: str) -> str:
    return f'<aside class="sidebar"><p class="sidebar__title">{title}</p>{body}</aside>'


def note(content: str, mark: str = "①") -> str:
    """A footnote call and its note, as the PDF writer marks them."""
    return f'<span class="note" data-mark="{mark}">{content}</span>'


def render(tmp_path, documents: str, name: str = "page.pdf"):
    path = tmp_path / name
    html = PAGE.format(sheets=SHEETS, documents=documents)
    with applied():  # laid out as the book is, Chinese lines justified
        weasyprint.HTML(string=html, base_url=str(STYLES.parent)).write_pdf(path)
    return path


def page_count(path) -> int:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def pages_with_pictures(path) -> list[int]:
    """Pages with an image or a placeholder frame (read here with pdfplumber, not by the checker)."""
    with pdfplumber.open(path) as pdf:
        return [page.page_number - 1 for page in pdf.pages
                if page.images or any(r["height"] > 50 and r["width"] < 400 for r in page.rects)]


def page_texts(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() for page in pdf.pages]


# 1. Blank tint inside a sidebar.

def test_a_photo_moved_overleaf_leaves_blank_tint_in_its_sidebar(tmp_path):
    """A tall photo that does not fit below the sidebar's text goes to the next page; the
    sidebar's part on the first page keeps the tint down to the page foot."""
    bad = render(tmp_path, document(sidebar("【专栏标题】", paragraphs(2, 120) + figure("图片说明", photo(tmp_path, 400, 600)))
                                    + paragraphs(8)), "bad.pdf")
    report = check_pages(bad)
    assert [f.page for f in report.box_blanks] == [0]
    blank = report.box_blanks[0]
    assert text(120, 7).endswith(blank.text)  # the blank is below the sidebar's last paragraph
    assert blank.measure > 10 * LINE  # the photo is 2:3 at 70 % of the measure: over 400 pt
    good = render(tmp_path, document(sidebar("【专栏标题】", paragraphs(2, 120) + figure("图片说明", photo(tmp_path, 600, 400)))
                                     + paragraphs(8)), "good.pdf")
    assert check_pages(good).box_blanks == []


def test_a_box_whose_text_ends_early_on_its_page_shows_blank_below(tmp_path):
    """A bordered box (class `box`) split by a forced break leaves its first part's border
    open below the text, empty."""
    quote = (f'<blockquote class="quote"><p>{{}}</p><p class="attribution"{FORCED_BREAK}>'
             '——摘自某次会议上的讲话</p></blockquote>')
    bad = render(tmp_path, document(paragraphs(2) + '<div class="box">' + quote.format(text(80)) + '</div>'
                                    + paragraphs(4)), "bad.pdf")
    found = check_pages(bad).box_blanks
    assert [f.page for f in found] == [0] and text(80).endswith(found[0].text)
    whole = quote.replace(FORCED_BREAK, "")
    good = render(tmp_path, document(paragraphs(2) + '<div class="box">' + whole.format(text(80)) + '</div>'
                                     + paragraphs(4)), "good.pdf")
    assert check_pages(good).box_blanks == []


# 2. Scraps of split sidebars.


def test_a_split_sidebar_whose_last_part_holds_only_attribution_and_source_is_a_scrap(tmp_path):
    quote = ('<blockquote class="quote"><p>{}</p><p class="attribution"{}>——摘自某次会议上的讲话</p></blockquote>')
    bad = render(tmp_path, document(paragraphs(1) + sidebar("【专栏标题】", paragraphs(2) + quote.format(
        text(80), FORCED_BREAK) + SOURCE) + paragraphs(3)), "bad.pdf")
    found = check_pages(bad).box_fragments
    assert [(f.page, f.measure) for f in found] == [(1, 0)]
    assert found[0].text.startswith("——摘自")
    assert "attribution" in found[0].what and "source note" in found[0].what
    good = render(tmp_path, document(paragraphs(1) + sidebar("【专栏标题】", paragraphs(2) + quote.format(
        text(80), "") + SOURCE) + paragraphs(3)), "good.pdf")
    assert check_pages(good).box_fragments == []


def test_a_split_sidebar_with_enough_text_on_each_page_is_no_scrap(tmp_path):
    """Split after its first paragraph, each part of the sidebar holds several lines."""
    body = paragraphs(1) + f"<p{FORCED_BREAK}>{text(400)}</p>" + SOURCE
    path = render(tmp_path, document(paragraphs(1) + sidebar("【专栏标题】", body) + paragraphs(3)))
    assert page_count(path) >= 2
    assert check_pages(path).box_fragments == []


def test_a_split_sidebar_part_with_two_lines_is_a_scrap(tmp_path):
    body = paragraphs(3) + f"<p{FORCED_BREAK}>{text(50)}</p>" + SOURCE
    found = check_pages(render(tmp_path, document(sidebar("【专栏标题】", body) + paragraphs(3)))).box_fragments
    assert [(f.page, f.measure) for f in found] == [(1, 2)]  # 50 characters: two lines


# 3. Pages left short before a new section.

def test_a_page_short_before_a_new_document_is_reported_but_not_before_a_chapter_opener(tmp_path):
    """Eight lines, then a document that starts on a new page: the page is a quarter full.
    The same short page before the next chapter's opener is a chapter's end, as it should be."""
    full = paragraphs(12)
    bad = render(tmp_path, opener("01", "前言", paragraphs(2)) + document(full, "一、第二节", new_page=True), "bad.pdf")
    found = check_pages(bad).short_pages
    assert [f.page for f in found] == [1]
    assert found[0].measure < 40 and "第二节" in found[0].what
    chapter_end = render(tmp_path, opener("01", "前言", paragraphs(2)) + opener("02", "进展", full), "end.pdf")
    assert check_pages(chapter_end).short_pages == []
    # An annex starts on a right-hand page: after the chapter's short last page 3, a blank page 4.
    before_annex = render(tmp_path, opener("01", "前言", paragraphs(11)) + annex("附件1", "有关讲话", full), "annex.pdf")
    texts = page_texts(before_annex)
    assert len(texts[2].splitlines()) < 20 and texts[3].strip() == "" and "附件1" in texts[4]
    assert check_pages(before_annex).short_pages == []
    next_to_annex = render(tmp_path, opener("01", "前言", paragraphs(2)) + annex("附件1", "有关讲话", full), "annex2.pdf")
    assert "附件1" in page_texts(next_to_annex)[2] and check_pages(next_to_annex).short_pages == []
    full_page = render(tmp_path, opener("01", "前言", paragraphs(9)) + document(full, "一、第二节"), "good.pdf")
    assert check_pages(full_page).short_pages == []


# 4. White gap at a page foot.

def test_a_figure_moved_overleaf_leaves_a_white_gap_at_the_page_foot(tmp_path):
    """A third of a page of text, then a figure three-quarters of a page tall: it goes to the
    next page and leaves the rest of the first blank. (The full page after it shows the checker
    where the text block's foot is.)"""
    before = paragraphs(3, offset=40)
    bad = render(tmp_path, document(before + figure("图片说明", ratio=(2, 3)) + paragraphs(14)), "bad.pdf")
    found = check_pages(bad).foot_gaps
    assert pages_with_pictures(bad)[0] == 1
    assert [f.page for f in found] == [0]
    assert found[0].text in before and found[0].measure > 10 * LINE
    good = render(tmp_path, document(before + figure("图片说明", ratio=(4, 1)) + paragraphs(14)), "good.pdf")
    assert check_pages(good).foot_gaps == []


def test_the_last_page_of_a_chapter_may_end_anywhere(tmp_path):
    path = render(tmp_path, opener("01", "前言", noted_page() + paragraphs(3)) + opener("02", "进展", paragraphs(12)))
    report = check_pages(path)
    assert report.foot_gaps == [] and report.facing_depths == [] and report.short_pages == []


# 5. A note call alone on its line.

def test_a_note_call_alone_on_its_line_is_reported(tmp_path):
    call = note(NOTE)
    bad = render(tmp_path, document(paragraphs(2) + f"<p>{text(60)}<br>{call}。</p>" + paragraphs(2)), "bad.pdf")
    found = check_pages(bad).lone_calls
    assert [(f.page, f.text) for f in found] == [(0, "①。")]
    assert found[0].measure < 8  # the call's size (pt), smaller than any text
    good = render(tmp_path, document(paragraphs(2) + f"<p>{text(60)}{call}。</p>" + paragraphs(2)), "good.pdf")
    assert check_pages(good).lone_calls == []


# 6. One character alone on a paragraph's last line.

def test_one_character_alone_on_a_paragraphs_last_line_is_reported(tmp_path):
    bad = render(tmp_path, document(paragraphs(2) + f"<p>{text(70)[:-1]}<br>架。</p>" + paragraphs(2)), "bad.pdf")
    found = check_pages(bad).single_character_lines
    assert [(f.page, f.text) for f in found] == [(0, "架。")]
    good = render(tmp_path, document(paragraphs(2) + f"<p>{text(70)[:-1]}<br>合作框架。</p><p>是。</p>"
                                     + paragraphs(2)), "good.pdf")
    assert check_pages(good).single_character_lines == []


# 7. A connecting dash opening a line.

def test_a_line_opening_with_a_single_dash_is_reported_but_not_an_attribution(tmp_path):
    bad = render(tmp_path, document(paragraphs(1) + f"<p>{text(60)[:-1]}在中国<br>—阿拉伯国家峰会上表示。</p>"
                                    + f"<p>{text(60)[:-1]}强调<br>—<br>—{text(20)}</p>" + paragraphs(1)), "bad.pdf")
    found = check_pages(bad).dash_line_starts
    assert [f.text for f in found] == ["—阿拉伯国家峰会上表示。", "—", "—" + text(20)]
    quote = '<blockquote class="quote"><p>{}</p><p class="attribution">——摘自某次会议上的讲话</p></blockquote>'
    good = render(tmp_path, document(paragraphs(1) + f"<p>{text(60)[:-1]}在中国—阿拉伯国家峰会上表示。</p>"
                                     + quote.format(text(60))), "good.pdf")
    assert check_pages(good).dash_line_starts == []


# 8. Facing pages at different depths.

def test_facing_pages_ending_lines_apart_are_reported_as_bound(tmp_path):
    """Pages 2 and 3 face each other: page 2 is full; page 3 ends where a forced break sends
    its figure on, its text going on after the figure."""
    moved = f'<div{FORCED_BREAK}>{figure("图片说明", ratio=(3, 2))}</div>'
    bad = render(tmp_path, document(paragraphs(2)) + document(paragraphs(12, offset=30) + moved + paragraphs(9), "二、",
                                                                  new_page=True),
                 "bad.pdf")
    assert [t.count("二、") for t in page_texts(bad)][:2] == [0, 1]
    found = check_pages(bad).facing_depths
    assert [f.page for f in found] == [2] and found[0].measure > 5 * LINE
    assert found[0].text in paragraphs(12, offset=30)
    # Page 1 faces no page: ending it short makes no difference of depth.
    alone = render(tmp_path, document(paragraphs(4) + moved + paragraphs(30)), "alone.pdf")
    assert page_count(alone) >= 3 and pages_with_pictures(alone)[0] == 1
    assert check_pages(alone).facing_depths == []


# 9. Punctuation pairs two em wide.

def test_uncompressed_punctuation_pairs_are_reported_and_compressed_ones_are_not(tmp_path):
    """“好！” and 。” set as they come take two em; the first mark of each pair set half
    width (OpenType `halt`, the class publish/render/cjk.py gives it) takes 1.5 em."""
    marks = "他说：“好！”然后走了。他又说：“好。”然后又走了。问：“对吗？”答：“对。”"
    bad = render(tmp_path, document(f"<p>{marks}</p>"), "bad.pdf")
    found = check_pages(bad).uncompressed_pairs
    assert sorted(f.what.split()[0] for f in found) == sorted(["«：“»"] * 4 + ["«！”»", "«。”»", "«？”»", "«。”»"])
    assert all(1.9 < f.measure < 2.1 for f in found)
    halved = "".join(f'<span class="halt-end">{c}</span>' if c in "！？。：" and marks[i + 1:i + 2] in "“”" else c
                     for i, c in enumerate(marks))
    good = render(tmp_path, document(f"<p>{halved}</p>"), "good.pdf")
    assert check_pages(good).uncompressed_pairs == []
    assert PAIR_MAX_EM < 2


# 10. A name broken at the end of an attribution or caption.

def test_attributions_and_captions_ending_in_a_scrap_of_a_name_are_reported(tmp_path):
    attribution = "——2022年3月8日，国家主席习近平在北京同法国总统马克龙、德国总理朔尔茨举行视频峰会"
    quote = '<blockquote class="quote"><p>{}</p><p class="attribution">{}</p></blockquote>'
    caption = "海军第45批护航编队在执行第1600批护航任务中（图源：解放军报王远方摄）"
    bad = render(tmp_path, document(paragraphs(1) + quote.format(text(60), attribution[:-3] + "<br>" + attribution[-3:])
                                    + figure(caption[:-4] + "<br>" + caption[-4:])), "bad.pdf")
    found = check_pages(bad).name_breaks
    assert [(f.what, f.text.split("/")[-1]) for f in found] == [("attribution ends in", "频峰会"),
                                                                   ("caption ends in", "远方摄）")]
    assert [f.measure for f in found] == [3, 3]
    good = render(tmp_path, document(paragraphs(1) + quote.format(text(60), f"{attribution[:-12]}<br>{attribution[-12:]}")
                                     + figure(f"{caption[:-14]}<br>{caption[-14:]}")), "good.pdf")
    assert check_pages(good).name_breaks == []


# 11. A gap above the notes.

def test_text_ending_far_above_the_notes_is_reported(tmp_path):
    call = note(NOTE)
    bad = render(tmp_path, document(paragraphs(3) + f"<p>{text(100)}{call}</p>"
                                    + f'<div{FORCED_BREAK}>{figure("图片说明", ratio=(3, 2))}</div>' + paragraphs(3)),
                 "bad.pdf")
    found = check_pages(bad).note_gaps
    assert [f.page for f in found] == [0] and found[0].text in text(100) + "①"
    assert found[0].measure > 10 * LINE
    good = render(tmp_path, document(noted_page() + paragraphs(3)), "good.pdf")
    assert check_pages(good).note_gaps == []
    # A chapter's last page ends where its text ends, its notes at the foot: no gap to close.
    chapter_end = render(tmp_path, opener("01", "前言", paragraphs(3) + f"<p>{text(100)}{call}</p>")
                         + opener("02", "进展", paragraphs(3)), "end.pdf")
    with pdfplumber.open(chapter_end) as pdf:  # the text's page: its last line far above its notes
        chars = pdf.pages[1].chars
        text_bottom = max(c["bottom"] for c in chars if c["size"] > 10)
        notes_top = min(c["top"] for c in chars if 8 < c["size"] < 10)
    assert notes_top - text_bottom > 10 * LINE
    assert check_pages(chapter_end).note_gaps == []


# The built editions.

@pytest.mark.parametrize("pub_id", ["gsi-report-2024", "gsi-article-2024"])
def test_the_print_pdf_reads_as_its_screen_twin(built, pub_id):
    """print.pdf (bleed, crop marks) and screen.pdf (cut at the trim) are the same pages: the
    checker finds the same faults on the same lines in both. The counts of the current
    layout are printed (`pytest -s`); later layouts are to bring them down."""
    pages = read_design_pages(built / pub_id / "screen.pdf")
    screen = check_design_pages(pages)
    printed = check_pages(built / pub_id / "print.pdf")
    print(f"{pub_id}: " + ", ".join(f"{label} {count}" for label, count in screen.counts().items()))
    for name, items in screen.findings().items():
        assert [(f.page, f.text, round(f.measure, 1)) for f in printed.findings()[name]] == \
            [(f.page, f.text, round(f.measure, 1)) for f in items], name
    # Running heads and folios are told from the text: each body page has its folio, one more
    # than the page before (openers count but print none), and each left page its running head.
    body = body_pages(pages)
    assert all(page.folio.isdigit() for page in body)
    assert len({int(page.folio) - page.index for page in body}) == 1
    assert all(page.head for page in body if page.index % 2 == 1)
