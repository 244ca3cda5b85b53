"""Which printed pages an edit changed: real builds edited, the report checked against poppler's reading of the PDFs.

The report is built from pikepdf records (publish/changes.py); every expected
answer here comes from elsewhere: pdftotext's words and their boxes, pypdf's
page labels, the Markdown that was edited. The oracle `poppler_kinds` decides
each page's kind its own way (a line is new when its text is nowhere in the
previous build's book) and must agree with the report on every page.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from publish import proof
from publish.changes import (ChangeReport, PageChange, PageTextError, compare, compare_documents, changes_json,
                             epub_documents, folder_documents, load_records, pdf_changes, read_pages,
                             records_from_json, records_to_json)
from publish.pipeline import Log, build_publication

from .conftest import ARTICLE, REPORT, copy_publication

MM = 72 / 25.4
# The text block of each layout, from the top and bottom of the trim (styles/paged.css: `@page`, `@page article`).
REPORT_MARGINS = (24 * MM, 24 * MM)
ARTICLE_MARGINS = (20 * MM, 18 * MM)
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Edit 1 of the report: three edits that move nothing.
SAME_LENGTH = ("理念内涵不断丰富发展和完善", "理念内涵不断充实发展和完善")  # 01-foreword.md, mid-chapter
DELETED_SENTENCE = "大时代需要大格局，大格局呼唤大胸怀。"  # 03-closing.md
RUNNING_HEAD = "倡议的落实进展"  # given to 02-progress.md (its title is the running head of its right pages until then)
# Edit 2 of the report: one more line early in the foreword; a page and more at the end of the closing words.
ADDED_LINE = "各方在联合国框架内加强沟通协调，推动以对话协商方式化解分歧，"
ADDED_PARAGRAPHS = "\n\n".join(f"补充说明第{n}条：各方围绕第{n}项重点合作方向深化交流，形成了阶段性成果，并约定在"
                               f"多边框架内持续推进。" for n in range(1, 37))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def squash(text: str) -> str:
    """Text as the oracle compares it: no white space, every footnote mark alike (marks restart on every page)."""
    return re.sub(r"\s+", "", text).translate({ord(c): "①" for c in CIRCLED})


# -- poppler's reading of a PDF --------------------------------------------------------------------------------------
@dataclass
class PopplerPage:
    folio: str
    body: list[tuple[str, float]]  # (text, top), in pdftotext's order
    margins: list[str]  # running head and folio


def poppler_pages(pdf: Path, margins: tuple[float, float]) -> list[PopplerPage]:
    """pdftotext's lines with their boxes, split at the text block's edges; folios from pypdf."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                            text=True).stdout
    labels = PdfReader(pdf).page_labels
    pages = []
    for folio, page in zip(labels, re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', layout, re.S)):
        height, content = float(page[0]), page[1]
        body, margin = [], []
        for top, bottom, words in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">'
                                             r'(.*?)</line>', content, re.S):
            text = "".join(html.unescape(w) for w in re.findall(r"<word[^>]*>(.*?)</word>", words))
            middle = (float(top) + float(bottom)) / 2
            if middle < margins[0] or middle > height - margins[1]:
                margin.append(text)
            else:
                body.append((text, round(float(top), 1)))
        pages.append(PopplerPage(folio, body, margin))
    return pages


def poppler_kinds(before: Path, after: Path, margins: tuple[float, float]) -> dict[str, str]:
    """Each folio's kind, decided from poppler's text alone.

    A line is new when its text is nowhere in the previous build's book: text taken out shows where the lines
    either side of it now join (text taken from the very start of a line does not: the edits here avoid that).
    """
    old, new = poppler_pages(before, margins), poppler_pages(after, margins)
    book = "".join(squash(text) for page in old for text, _ in page.body)
    old_by_folio = {page.folio: page for page in old}
    old_bodies = {tuple(page.body) for page in old if page.body}
    kinds = {}
    for page in new:
        was = old_by_folio.get(page.folio)
        if was is None:
            kinds[page.folio] = "added"
        elif any(squash(text) not in book for text, _ in page.body):
            kinds[page.folio] = "text"
        elif page.body == was.body:
            kinds[page.folio] = "unchanged" if page.margins == was.margins else "furniture"
        elif tuple(page.body) in old_bodies:  # the same page under another folio
            kinds[page.folio] = "furniture"
        else:
            kinds[page.folio] = "reflowed"
    for page in old:
        if page.folio not in kinds:
            kinds[page.folio] = "removed"
    return kinds


def reported_kinds(report: ChangeReport) -> dict[str, str]:
    return {page.folio: page.kind for page in report.pages}


def folios_holding(pdf: Path, text: str, margins=REPORT_MARGINS, area: str = "body") -> list[str]:
    found = []
    for page in poppler_pages(pdf, margins):
        lines = [t for t, _ in page.body] if area == "body" else page.margins
        if squash(text) in "".join(squash(t) for t in lines):
            found.append(page.folio)
    return found


# -- the builds ------------------------------------------------------------------------------------------------------
@dataclass
class Builds:
    folders: dict[str, Path]  # name → a copy of the edition folder after that build
    seconds: float  # the first build, from nothing

    def pdf(self, build: str, name: str = "screen.pdf") -> Path:
        return self.folders[build] / name


def keep(output: Path, pub_id: str, target: Path) -> Path:
    shutil.copytree(output / pub_id, target, ignore=shutil.ignore_patterns(".*"))
    return target


@pytest.fixture(scope="module")
def report_builds(tmp_path_factory) -> Builds:
    """The report three times: as it is; after edit 1; after edit 2 (made on the original text)."""
    tmp = tmp_path_factory.mktemp("report")
    root, output = copy_publication(REPORT, tmp / "gsi-report-2024"), tmp / "output"
    originals = {p.name: p.read_bytes() for p in root.glob("*.md")}
    build = lambda: build_publication(root, editions=("print", "screen"), output=output, log=Log(quiet=True))  # noqa
    started = time.perf_counter()
    build()
    seconds = time.perf_counter() - started
    folders = {"base": keep(output, "gsi-report-2024", tmp / "base")}

    edit(root / "01-foreword.md", *SAME_LENGTH)
    edit(root / "03-closing.md", DELETED_SENTENCE, "")
    edit(root / "02-progress.md", "title: 全球安全倡议落实进展\n", f"title: 全球安全倡议落实进展\nrunning_head: {RUNNING_HEAD}\n")
    build()
    folders["edit1"] = keep(output, "gsi-report-2024", tmp / "edit1")

    for name, data in originals.items():
        (root / name).write_bytes(data)
    edit(root / "01-foreword.md", "安全问题事关世界和平发展和人类前途命运。", "安全问题事关世界和平发展和人类前途命运，" + ADDED_LINE)
    edit(root / "03-closing.md", "共同迈向持久和平、普遍安全的美好明天。\n", "共同迈向持久和平、普遍安全的美好明天。\n\n" + ADDED_PARAGRAPHS + "\n")
    build()
    folders["edit2"] = keep(output, "gsi-report-2024", tmp / "edit2")
    return Builds(folders, seconds)


@pytest.fixture(scope="module")
def article_builds(tmp_path_factory) -> Builds:
    """The article, every edition: as it is; titles edited; rebuilt on another date; grown to a third page."""
    tmp = tmp_path_factory.mktemp("article")
    root, output = copy_publication(ARTICLE, tmp / "gsi-article-2024"), tmp / "output"
    build = lambda **o: build_publication(root, output=output, log=Log(quiet=True), **o)  # noqa: E731
    build()
    folders = {"base": keep(output, "gsi-article-2024", tmp / "base")}
    yaml, chapter = (root / "publication.yaml").read_text("utf-8"), (root / "article.md").read_text("utf-8")

    edit(root / "publication.yaml", "title: 致力构建普遍安全的人类命运共同体", "title: 致力构建普遍安全的命运共同体")
    edit(root / "article.md", "title: 致力构建普遍安全的人类命运共同体", "title: 携手构建普遍安全的人类命运共同体")
    build()
    folders["titles"] = keep(output, "gsi-article-2024", tmp / "titles")

    (root / "publication.yaml").write_text(yaml, "utf-8")
    (root / "article.md").write_text(chapter, "utf-8")
    with pytest.MonkeyPatch.context() as patch:  # the same content, built on another day: every timestamp differs
        patch.setenv("SOURCE_DATE_EPOCH", "1717200000")
        build(clean=True)
    folders["redated"] = keep(output, "gsi-article-2024", tmp / "redated")

    (root / "article.md").write_text(chapter.rstrip("\n") + "\n\n" + ADDED_PARAGRAPHS + "\n", "utf-8")
    build()
    folders["grown"] = keep(output, "gsi-article-2024", tmp / "grown")
    return Builds(folders, 0.0)


def report_of(builds: Builds, after: str, name: str = "screen.pdf") -> ChangeReport:
    return compare(read_pages(builds.pdf("base", name)), read_pages(builds.pdf(after, name)))


# -- the records -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["screen.pdf", "print.pdf"])
def test_records_hold_the_text_pdftotext_reads_on_every_page(report_builds, name):
    pdf = report_builds.pdf("base", name)
    poppler = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                             text=True).stdout.split("\f")[:-1]
    records = read_pages(pdf)
    assert len(records) == len(poppler) == len(PdfReader(pdf).pages)
    for record, text in zip(records, poppler):
        mine = "".join(line.text for line in record.furniture + record.lines + record.notes)
        # pdftotext joins a word broken at a line's end with a hyphen: hyphens are left out on both sides.
        assert sorted(re.sub(r"[\s-]", "", mine)) == sorted(re.sub(r"[\s-]", "", text)), f"page {record.index + 1}"


def test_folios_are_the_page_labels(report_builds):
    pdf = report_builds.pdf("base", "print.pdf")
    folios = [record.folio for record in read_pages(pdf)]
    assert folios == list(PdfReader(pdf).page_labels)
    assert folios[:7] == ["i", "ii", "iii", "iv", "v", "vi", "1"]


def test_furniture_is_what_prints_in_the_margins_and_body_lines_are_in_reading_order(report_builds):
    pdf = report_builds.pdf("base")
    for record, page in zip(read_pages(pdf), poppler_pages(pdf, REPORT_MARGINS)):
        assert sorted(squash(l.text) for l in record.furniture) == sorted(squash(t) for t in page.margins)
        tops = [line.baseline for line in record.lines + record.notes]
        assert tops == sorted(tops)
    right_page = read_pages(pdf)[20]
    assert [l.text for l in right_page.furniture] == ["全球安全倡议落实进展", right_page.folio]


def test_footnotes_are_told_from_the_text(report_builds, report_model):
    records = read_pages(report_builds.pdf("base"))
    notes_opened = [l.text for r in records for l in r.notes if l.text[:1] in CIRCLED]
    assert len(notes_opened) == len(report_model.footnotes)
    for record in records:
        if record.notes:
            sizes = [l.size for l in record.lines]
            assert max(l.size for l in record.notes) < max(set(sizes), key=sizes.count)  # smaller than the text
            assert record.notes[0].baseline > record.lines[-1].baseline


def test_records_keep_through_json(report_builds, tmp_path):
    records = read_pages(report_builds.pdf("base"))
    path = tmp_path / "pages.json"
    path.write_bytes(records_to_json(records))
    assert load_records(path) == records
    assert load_records(tmp_path / "none.json") is None


def test_an_untagged_pdf_has_its_furniture_told_by_the_margins(report_builds, tmp_path):
    """Without the tags that mark the margin boxes, the page margins of styles/paged.css decide."""
    untagged = tmp_path / "untagged.pdf"
    with pikepdf.open(report_builds.pdf("base")) as pdf:
        del pdf.Root["/StructTreeRoot"]
        for page in pdf.pages:
            if "/StructParents" in page.obj:
                del page.obj["/StructParents"]
        pdf.save(untagged)
    assert read_pages(untagged) == read_pages(report_builds.pdf("base"))


def test_pages_drawn_as_before_are_taken_from_the_stored_records(report_builds):
    before = read_pages(report_builds.pdf("base"))
    for build in ("edit1", "edit2"):
        after = report_builds.pdf(build)
        assert read_pages(after, previous=before) == read_pages(after)
    report = report_of(report_builds, "edit1")
    keys = {r.folio: r.key for r in before}
    after_keys = {r.folio: r.key for r in read_pages(report_builds.pdf("edit1"))}
    assert {f for f in after_keys if after_keys[f] == keys.get(f)} == set(report.folios("unchanged"))


# -- the comparison, against poppler ---------------------------------------------------------------------------------
def test_edits_that_move_nothing_change_only_their_pages(report_builds):
    base, after = report_builds.pdf("base"), report_builds.pdf("edit1")
    report = report_of(report_builds, "edit1")
    assert reported_kinds(report) == poppler_kinds(base, after, REPORT_MARGINS)

    edited = folios_holding(after, SAME_LENGTH[1])
    shortened = folios_holding(after, "波诡云谲。面对空前变乱交织")  # the sentences either side of the deleted one
    assert len(edited) == 1 and len(shortened) == 1
    assert report.folios("text") == edited + shortened
    heads = folios_holding(after, RUNNING_HEAD, area="margins")
    assert len(heads) > 10 and report.folios("furniture") == heads
    assert set(report.folios("unchanged")) == set(reported_kinds(report)) - set(edited + shortened + heads)

    page = next(p for p in report.pages if p.folio == edited[0])
    printed = "".join(squash(t) for t, _ in poppler_pages(after, REPORT_MARGINS)[page.index].body)
    assert len(page.after) == 1 and SAME_LENGTH[1][6:] in page.after[0].text and squash(page.after[0].text) in printed
    assert len(page.before) == 1 and SAME_LENGTH[0][6:] in page.before[0].text
    closing = next(p for p in report.pages if p.folio == shortened[0])
    assert DELETED_SENTENCE in "".join(q.text for q in closing.before)  # the lines it was printed on, as they were
    assert DELETED_SENTENCE[:4] not in "".join(q.text for q in closing.after)
    furniture = next(p for p in report.pages if p.folio == heads[0])
    assert [q.text for q in furniture.after] == [RUNNING_HEAD]
    assert [q.text for q in furniture.before] == ["全球安全倡议落实进展"]


def test_a_line_pushed_on_reflows_the_pages_after_it_and_a_longer_chapter_renumbers_the_rest(report_builds):
    base, after = report_builds.pdf("base"), report_builds.pdf("edit2")
    report = report_of(report_builds, "edit2")
    assert reported_kinds(report) == poppler_kinds(base, after, REPORT_MARGINS)

    # The foreword: the line added on its first text page pushes the rest of the chapter on.
    pushed = folios_holding(after, ADDED_LINE)
    assert len(pushed) == 1 and pushed[0] in report.folios("text")
    foreword_end = folios_holding(base, "并肩守护地球家园的平安安宁")[0]
    following = [str(n) for n in range(int(pushed[0]) + 1, int(foreword_end) + 1)]
    assert following and all(reported_kinds(report)[f] == "reflowed" for f in following)
    # The contents list the annexes two pages on: text. The closing words' pages hold new text.
    contents = [p.folio for p in poppler_pages(after, REPORT_MARGINS) if any("附件" in t for t, _ in p.body)][:1]
    assert contents[0] in report.folios("text")
    grown = folios_holding(after, "补充说明第1条") + folios_holding(after, "补充说明第36条")
    assert set(grown) <= set(report.folios("text"))
    # After them every page is the page it was, two folios on: renumbered, and two pages more at the end.
    old_count, new_count = len(PdfReader(base).pages), len(PdfReader(after).pages)
    assert new_count == old_count + 2
    renumbered = [p for p in report.pages if p.was is not None]
    assert len(renumbered) > 10 and all(p.kind == "furniture" and int(p.folio) == int(p.was) + 2 for p in renumbered)
    labels = list(PdfReader(after).page_labels)
    assert report.folios("added") == labels[old_count:]
    summary = report.summary("screen.pdf")
    assert summary.startswith("screen.pdf: pages ") and f"{labels[-2]}–{labels[-1]} added" in summary


def test_print_and_screen_report_the_same_pages(report_builds):
    for build in ("edit1", "edit2"):
        assert reported_kinds(report_of(report_builds, build, "print.pdf")) == \
            reported_kinds(report_of(report_builds, build, "screen.pdf"))


def test_titles_in_the_body_are_text_in_the_running_head_furniture(article_builds):
    base, after = article_builds.pdf("base"), article_builds.pdf("titles")
    report = report_of(article_builds, "titles")
    assert reported_kinds(report) == poppler_kinds(base, after, ARTICLE_MARGINS) == {"1": "text", "2": "furniture"}
    assert [q.text for q in report.pages[0].after] == ["携手构建普遍安全的人类命运共同体"]
    assert [q.text for q in report.pages[1].after] == ["致力构建普遍安全的命运共同体"]


def test_a_build_that_changes_no_page_says_so_and_timestamps_are_not_changes(article_builds):
    base, after = article_builds.folders["base"], article_builds.folders["redated"]
    assert (base / "print.pdf").read_bytes() != (after / "print.pdf").read_bytes()  # its dates differ
    report = report_of(article_builds, "redated", "print.pdf")
    assert report.changed == [] and reported_kinds(report) == {"1": "unchanged", "2": "unchanged"}
    assert report.summary("print.pdf") == "print.pdf: no page changed (2 pages)"

    old_epub, new_epub = (epub_documents(f / "gsi-article-2024.epub") for f in (base, after))
    assert old_epub["EPUB/package.opf"] != new_epub["EPUB/package.opf"]
    assert compare_documents("epub", old_epub, new_epub).summary() == \
        f"epub: no document changed ({len(new_epub)} documents)"
    web = compare_documents("web", folder_documents(base / "web"), folder_documents(after / "web"))
    assert (web.changed, web.added, web.removed) == ((), (), ())


def test_pages_added_at_the_end(article_builds):
    report = report_of(article_builds, "grown")
    assert reported_kinds(report) == poppler_kinds(article_builds.pdf("base"), article_builds.pdf("grown"),
                                                   ARTICLE_MARGINS)
    assert report.folios("added") == list(PdfReader(article_builds.pdf("grown")).page_labels)[2:]
    assert report.folios("text") == ["2"]
    assert report.summary("screen.pdf").startswith("screen.pdf: page 2 changed (text), 3")


def test_web_and_epub_documents_whose_content_changed(article_builds):
    base, after = article_builds.folders["base"], article_builds.folders["titles"]
    epub = compare_documents("epub", epub_documents(base / "gsi-article-2024.epub"),
                             epub_documents(after / "gsi-article-2024.epub"))
    assert {"EPUB/text/article.xhtml", "EPUB/package.opf", "EPUB/nav.xhtml"} <= set(epub.changed)
    assert "EPUB/css/book.css" not in epub.changed and epub.unchanged > 0
    web = compare_documents("web", folder_documents(base / "web"), folder_documents(after / "web"))
    assert "index.html" in web.changed
    assert not [name for name in web.changed if name.startswith("assets/") and name.endswith(".css")]
    assert compare_documents("web", None, folder_documents(after / "web")).first_build


# -- traps: what must not count as an edit, and what must ------------------------------------------------------------
def test_renumbered_footnote_marks_are_not_an_edit_but_a_changed_note_is(report_builds):
    records = read_pages(report_builds.pdf("base"))
    page = next(r for r in records if len(r.notes) >= 2 and any("②" in l.text for l in r.lines))
    swap = str.maketrans({"①": "②", "②": "①"})  # as if a note had come onto the page before them
    marks_swapped = lambda lines: tuple(replace(l, text=l.text.translate(swap)) for l in lines)  # noqa: E731
    renumbered = [replace(r, lines=marks_swapped(r.lines), notes=marks_swapped(r.notes)) if r is page else r
                  for r in records]
    kinds = reported_kinds(compare(records, renumbered))
    assert kinds[page.folio] == "reflowed" and list(kinds.values()).count("unchanged") == len(records) - 1

    note = page.notes[-1]
    edited = [replace(r, notes=r.notes[:-1] + (replace(note, text=note.text + "补"),)) if r is page else r
              for r in records]
    report = compare(records, edited)
    assert reported_kinds(report)[page.folio] == "text"
    assert report.pages[page.index].after[0].area == "notes"


def test_a_first_build_has_nothing_to_compare(report_builds):
    changes = pdf_changes("print.pdf", report_builds.pdf("base", "print.pdf"), None)
    assert changes.report.first_build and changes.summary == "print.pdf: first build, 78 pages (no previous " \
                                                             "edition to compare)"
    assert json.loads(changes_json([changes]))["editions"]["print.pdf"] == {
        "summary": changes.summary, "first_build": True, "pages_after": 78}


def test_the_summary_names_folios_in_compact_ranges():
    def pages(kind, first, last, offset=6):
        return [PageChange(str(n), kind, n + offset - 1, n + offset - 1) for n in range(first, last + 1)]
    front = [PageChange(f, "unchanged", i, i) for i, f in enumerate(["i", "ii", "iii", "iv", "v", "vi"])]
    report = ChangeReport(front + pages("unchanged", 1, 22) + pages("text", 23, 24) + pages("reflowed", 25, 78),
                          84, 84)
    assert report.summary("print.pdf") == "print.pdf: pages 23–24 changed (text), 25–78 reflowed, i–vi, 1–22 unchanged"
    lefts = [PageChange(str(n), "furniture" if n % 2 == 0 else "unchanged", n - 1, n - 1) for n in range(1, 21)]
    assert ChangeReport(lefts, 20, 20).summary("x.pdf") == \
        "x.pdf: 10 pages furniture only (2, 4, 6 … 20), 10 pages unchanged (1, 3, 5 … 19)"
    one = [PageChange("1", "unchanged", 0, 0), PageChange("2", "text", 1, 1)]
    assert ChangeReport(one, 2, 2).summary("x.pdf") == "x.pdf: page 2 changed (text), 1 unchanged"


# -- changes.json and the stored records -----------------------------------------------------------------------------
def test_changes_json_lists_every_page_with_the_lines_that_changed(report_builds, tmp_path):
    stored = tmp_path / "pages-screen.json"
    stored.write_bytes(records_to_json(read_pages(report_builds.pdf("base"))))
    changes = pdf_changes("screen.pdf", report_builds.pdf("edit1"), stored)
    data = json.loads(changes_json([changes]))
    edition = data["editions"]["screen.pdf"]
    assert edition["summary"] == changes.summary
    assert [p["folio"] for p in edition["pages"]] == list(PdfReader(report_builds.pdf("edit1")).page_labels)
    text = [p for p in edition["pages"] if p["kind"] == "text"]
    assert text and all(p["after"] or p.get("removed_here") for p in text)
    assert any(SAME_LENGTH[1][6:] in line["text"] for p in text for line in p["after"])
    assert any(SAME_LENGTH[0][6:] in line["text"] for p in text for line in p["before"])
    assert load_records(stored) != changes.records and records_from_json(changes.records_json()) == changes.records


def test_stored_records_that_cannot_be_read_count_as_no_previous_build(report_builds, tmp_path):
    damaged = tmp_path / "pages.json"
    damaged.write_text('{"version": 1, "pages": [{"index": 0}]}')
    with pytest.raises(PageTextError, match=re.escape(str(damaged))):
        load_records(damaged)
    damaged.write_text('{"version": 99, "pages": []}')
    with pytest.raises(PageTextError, match="version 99"):
        load_records(damaged)
    assert pdf_changes("screen.pdf", report_builds.pdf("base"), damaged).report.first_build


# -- what the reader refuses -----------------------------------------------------------------------------------------
def test_a_file_that_is_not_a_pdf_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "print.pdf"
    bad.write_text("not a PDF")
    with pytest.raises(PageTextError, match=re.escape(str(bad)) + ".*not a readable PDF"):
        read_pages(bad)


def foreign_pdf(tmp_path, source: Path, content: bytes, font=None) -> Path:
    """A one-page PDF drawing `content`, with the first font of `source` (or `font`) as /F1."""
    pdf = pikepdf.new()
    with pikepdf.open(source) as donor:
        font = font if font is not None else pdf.copy_foreign(next(iter(donor.pages[0].Resources.Font.values())))
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(content)
        path = tmp_path / "foreign.pdf"
        pdf.save(path)
    return path


@pytest.mark.parametrize("content, message", [
    (b"BT /F1 12 Tf 72 720 Td <0001> Tj ET", "moves or draws text with `Td`"),
    (b"BT /F1 12 Tf 1 0 0 1 72 720 Tm [(a\\) b] TJ ET", "a text string is not closed"),
])
def test_text_drawn_another_way_is_refused_not_misread(report_builds, tmp_path, content, message):
    path = foreign_pdf(tmp_path, report_builds.pdf("base"), content)
    with pytest.raises(PageTextError, match=re.escape(str(path)) + ".*" + re.escape(message)):
        read_pages(path)


def test_text_written_as_literal_strings_reads_as_the_same_text_in_hex(report_builds, tmp_path):
    """pikepdf writes the press file's strings literally where it can: `(…)` and `<…>` of the same bytes read alike."""
    hexed = foreign_pdf(tmp_path, report_builds.pdf("base"), b"BT /F1 12 Tf 1 0 0 1 72 720 Tm [<0012000f>] TJ ET")
    (tmp_path / "hex.pdf").write_bytes(hexed.read_bytes())
    literal = foreign_pdf(tmp_path, report_builds.pdf("base"), b"BT /F1 12 Tf 1 0 0 1 72 720 Tm [(\\000\\022\\000\\017)] TJ ET")
    expected = read_pages(tmp_path / "hex.pdf")[0].lines
    assert expected and read_pages(literal)[0].lines == expected


def test_a_simple_font_is_refused(report_builds, tmp_path):
    helvetica = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                   BaseFont=pikepdf.Name.Helvetica)
    path = foreign_pdf(tmp_path, report_builds.pdf("base"), b"BT /F1 12 Tf 1 0 0 1 72 720 Tm [<0041>] TJ ET",
                       font=helvetica)
    with pytest.raises(PageTextError, match="not a composite font"):
        read_pages(path)


# -- the before/after sheet ------------------------------------------------------------------------------------------
def red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 150 and g < 110 and b < 110


def orange(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and 90 < g < 190 and b < 90


def band(image: Image.Image, x: int, width: int, top_pt: float, bottom_pt: float, test) -> int:
    """How many pixels of a horizontal band of one page image pass `test`."""
    scale = proof.SIDE_DPI / 72
    top, bottom = int(top_pt * scale), int(bottom_pt * scale) + 1
    return sum(test(image.getpixel((i, j))) for i in range(x, x + width) for j in range(top + 0, bottom))


def test_the_sheet_shows_each_changed_page_before_and_after_with_the_changes_marked(article_builds, tmp_path):
    before, after = article_builds.pdf("base", "print.pdf"), article_builds.pdf("titles", "print.pdf")
    report = compare(read_pages(before), read_pages(after))
    sheets = proof.changed_sheets(before, after, report, tmp_path)
    assert [s.name for s in sheets] == ["print-changed-1.png"]
    sheet = Image.open(sheets[0]).convert("RGB")
    width = round(595.28 * proof.SIDE_DPI / 72)
    size = (width, round(841.89 * proof.SIDE_DPI / 72))

    pages = poppler_pages(article_builds.pdf("titles"), ARTICLE_MARGINS)  # positions from poppler, on the trim
    title = next((t, top) for t, top in pages[0].body if "构建普遍安全" in t)
    body_line = pages[0].body[-1]
    x, y = proof.pair_origin(0, size)
    crop = lambda left: sheet.crop((left, y, left + width, y + size[1]))  # noqa: E731
    old_page, new_page = crop(x), crop(x + width + proof.PAIR_GAP)
    for image in (old_page, new_page):  # the title line boxed in red on both sides, a line of text not
        assert band(image, 0, width, title[1], title[1] + 20, red) > 100
        assert band(image, 0, width, body_line[1], body_line[1] + 10, red) == 0

    x, y = proof.pair_origin(1, size)
    new_page = sheet.crop((x + width + proof.PAIR_GAP, y, x + 2 * width + proof.PAIR_GAP, y + size[1]))
    top_margin = ARTICLE_MARGINS[0]
    assert band(new_page, 0, width, 0, top_margin, orange) > 20  # the running head, in orange
    assert band(new_page, 0, width, top_margin, 841.89 - ARTICLE_MARGINS[1], red) == 0

    assert proof.changed_sheets(before, before, compare(read_pages(before), read_pages(before)), tmp_path) == []


def test_reflowed_pages_get_the_lighter_mark(report_builds, tmp_path):
    before, after = report_builds.pdf("base"), report_builds.pdf("edit2")
    report = report_of(report_builds, "edit2")
    reflowed = report.of_kind("reflowed")[0]
    assert reflowed.marks_after and {m.kind for m in reflowed.marks_after} == {"moved"}
    edited = report.of_kind("text")[0]
    assert "text" in {m.kind for m in edited.marks_after}
    # A renumbered page that prints a folio: shown beside its own content, the folio marked on both.
    renumbered = next(p for p in report.pages if p.was is not None and p.after)
    assert renumbered.shown_before == next(r.index for r in read_pages(before) if r.folio == renumbered.was)
    assert [m.kind for m in renumbered.marks_after] == ["furniture"] == [m.kind for m in renumbered.marks_before]
    sheets = proof.changed_sheets(before, after, report, tmp_path, kinds=("reflowed",))
    assert len(sheets) == -(-len(report.of_kind("reflowed")) // (proof.PAIRS_PER_ROW * proof.ROWS_PER_SHEET))


# -- cost ------------------------------------------------------------------------------------------------------------
def test_reading_and_comparing_costs_a_small_part_of_a_build(report_builds, tmp_path):
    stored = tmp_path / "pages.json"
    stored.write_bytes(records_to_json(read_pages(report_builds.pdf("base", "print.pdf"))))
    new = report_builds.pdf("edit2", "print.pdf").read_bytes()
    best = min(_timed(lambda: changes_json([pdf_changes("print.pdf", new, stored)])) for _ in range(3))
    assert best < 0.05 * report_builds.seconds, (best, report_builds.seconds)


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
