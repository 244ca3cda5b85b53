"""Each fix to WeasyPrint (publish/render/weasyprint_patches/) on an HTML case that fails without it.

Every case is laid out twice by the real WeasyPrint with the real fonts:
with every fix, and with every fix but the one tested. Outside `applied()`
WeasyPrint is as released.
"""
from __future__ import annotations

import io

import pdfplumber
import pikepdf
import pytest
import weasyprint
from weasyprint.layout import block as block_module
from weasyprint.text import line_break

from publish.paths import STYLES
from publish.render import weasyprint_patches as patches
from publish.render.pdf.layout import anchor_pages

SHEETS = "".join(f'<link rel="stylesheet" href="{(STYLES / name).as_uri()}">'
                 for name in ("tokens.css", "content.css", "paged.css"))
TEXT = "全球安全倡议以六个坚持为核心要义是中国向世界提供的公共安全产品这一倡议为弥补和平赤字提供了新方向"


def page(body: str, style: str = "") -> str:
    return (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>t</title>{SHEETS}<style>{style}</style></head>'
            f'<body><main><div class="doc__body">{body}</div></main></body></html>')


def without(patch) -> tuple:
    return tuple(p for p in patches.PATCHES if p is not patch)


def render(html: str, fixes=patches.PATCHES, **settings):
    with patches.applied(fixes, **settings):
        return weasyprint.HTML(string=html).render()


def write(html: str, fixes=patches.PATCHES, **settings) -> bytes:
    with patches.applied(fixes, **settings):
        return weasyprint.HTML(string=html).write_pdf()


def test_outside_applied_weasyprint_is_as_released():
    released = (block_module._linebox_layout, line_break.split_first_line, line_break.Layout.set_text)
    with patches.applied():
        assert block_module._linebox_layout is not released[0]
    assert (block_module._linebox_layout, line_break.split_first_line, line_break.Layout.set_text) == released


def test_every_patch_names_the_upstream_issue_it_answers():
    for patch in patches.PATCHES + (patches.libraries_found_once,):
        assert patch.UPSTREAM.startswith("https://"), patch.__name__
        assert patch.__doc__ and len(patch.__doc__) > 200, patch.__name__


# -- placed_notes_stay ---------------------------------------------------------------------------

NOTE_ON_A_FULL_PAGE = page(
    f'<p>{TEXT * 10}<span class="note" id="fn-a" data-mark="①">{TEXT * 2}</span>。</p><p>{TEXT * 3}</p>'
    f'<p>{TEXT * 6}</p>', "@page { size: A6; margin: 12mm }")
"""A note placed on the first page, then a paragraph whose widows and orphans let it break only where
its next line no longer fits above the note: WeasyPrint 70 moved the placed note to the next page."""


def notes_away(document) -> list[str]:
    pages = anchor_pages(document)
    return sorted(k for k in pages if k.startswith("fn-") and pages[k] != pages.get("fnref-" + k[3:]))


def test_a_placed_note_stays_on_its_calls_page():
    assert notes_away(render(NOTE_ON_A_FULL_PAGE, without(patches.placed_notes_stay))) == ["fn-a"]
    assert notes_away(render(NOTE_ON_A_FULL_PAGE)) == []


# -- inter_character_justification -------------------------------------------------------------------

def right_edges(pdf: bytes) -> list[float]:
    """The right edge of every line of the paragraph but its last."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        lines: dict[int, float] = {}
        for char in document.pages[0].chars:
            top = round(char["top"])
            lines[top] = max(lines.get(top, 0.0), char["x1"])
    edges = [lines[top] for top in sorted(lines)]
    return edges[:-1]


def test_justified_chinese_lines_end_flush():
    html = page(f"<p>{TEXT}，“{TEXT}”、{TEXT}。{TEXT}《{TEXT}》{TEXT}</p>",
                "@page { size: 120mm 200mm; margin: 15mm } .doc__body p { text-indent: 0 }")
    ragged = right_edges(write(html, without(patches.inter_character_justification)))
    flush = right_edges(write(html))
    assert len(flush) >= 4
    assert max(ragged) - min(ragged) > 3  # points: lines end where their last whole character fits
    assert max(flush) - min(flush) < 0.5
    # the text itself gains nothing: no character is added to justify
    with pdfplumber.open(io.BytesIO(write(html))) as document:
        assert " " not in document.pages[0].extract_text().replace("\n", "")


def test_justified_lines_keep_the_texts_own_letter_spacing():
    """The justification's letter-spacing is added to the text's own (what the line was broken with):
    replacing it, the lines of a paragraph set with letter-spacing ended short by the sum of it."""
    html = page(f"<p>{TEXT * 3}</p>", "@page { size: 120mm 200mm; margin: 15mm } "
                ".doc__body p { text-indent: 0; letter-spacing: 0.03em }")
    edges = right_edges(write(html))
    plain = right_edges(write(page(f"<p>{TEXT * 3}</p>", "@page { size: 120mm 200mm; margin: 15mm } "
                                   ".doc__body p { text-indent: 0 }")))
    assert len(edges) >= 3
    assert max(edges) - min(edges) < 0.5 and abs(max(edges) - max(plain)) < 0.5  # flush with the measure


# -- break_all_anywhere ------------------------------------------------------------------------------

URL = "https://www.fmprc.gov.cn/web/ziliao_674904/1179_674909/202304/t20230421_11063235.shtml"


def line_texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [line["text"].replace(" ", "") for line in document.pages[0].extract_text_lines()]


def test_a_url_under_break_all_fills_its_lines_letter_by_letter():
    """Without the fix the note's first line stops after `https://` (the next ordinary break point,
    `www.fmprc.gov.cn/`, did not fit) and justification spreads its ten characters over the line."""
    html = page(f'<p class="source-note">整理自<a href="{URL}">{URL}</a>，2023年4月21日。</p>',
                "@page { size: 60mm 120mm; margin: 10mm } .source-note { font-size: 10pt }")
    spread = line_texts(write(html, without(patches.break_all_anywhere)))
    filled = line_texts(write(html))
    assert spread[0] == "整理自https://"
    assert len(filled[0]) >= len(spread[0]) + 8 and filled[0].startswith("整理自https://www.")
    assert len(filled) < len(spread)
    assert "".join(filled) == "".join(spread)  # the same text, broken elsewhere


# -- links_to_other_parts ----------------------------------------------------------------------------

def link_destinations(pdf: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [str(annotation.Dest) for annotation in document.pages[0].obj.get("/Annots", [])
                if "/Dest" in annotation]


def test_a_link_to_an_anchor_in_another_part_is_kept_as_a_named_destination():
    html = page('<p>见<a href="#annex-1">附件一</a>；见<a href="#nowhere">不存在</a>；<span id="here">此处</span>'
                '<a href="#here">本页</a></p>')
    assert link_destinations(write(html, without(patches.links_to_other_parts), anchors_elsewhere={"annex-1"})) \
        == ["here"]
    assert link_destinations(write(html, anchors_elsewhere={"annex-1"})) == ["annex-1", "here"]


# -- pages_made_again ------------------------------------------------------------------------------

class SpaceAboveTheSecondParagraph:
    """A page editor: once page 2 is made, more space above the second paragraph, pages made again from 1."""

    def __init__(self):
        self.calls: list[int] = []

    def __call__(self, index, pages, root_box):
        from weasyprint.css.properties import Dimension
        self.calls.append(index)
        if index != 1 or len(self.calls) > 2:
            return None
        box = next(b for b in root_box.descendants() if getattr(b, "element", None) is not None
                   and b.element.get("id") == "second" and b.element_tag == "p")
        box.style = box.style.copy()
        box.style["margin_top"] = Dimension(200, "px")
        return 0


def paragraph_top(document, element_id: str) -> tuple[int, float]:
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if getattr(box, "element", None) is not None and box.element.get("id") == element_id \
                    and box.element_tag == "p":
                return number, box.position_y
    raise AssertionError(element_id)


def test_a_page_editor_changes_the_box_tree_and_pages_are_made_again_with_their_notes():
    """The editor sees each page once made; after it moved the second paragraph down, pages 1 and on
    are made again from where they began, with the notes still to place put back: each note once, on
    its call's page. Without the patch the editor is never asked."""
    html = page(f'<p>{TEXT * 4}<span class="note" id="fn-a" data-mark="①">{TEXT}</span>。</p>'
                f'<p id="second">{TEXT * 5}<span class="note" id="fn-b" data-mark="①">{TEXT}</span>。</p>'
                f'<p>{TEXT * 8}<span class="note" id="fn-c" data-mark="①">{TEXT}</span>。</p>',
                "@page { size: A6; margin: 12mm }")
    plain = render(html)
    unasked = SpaceAboveTheSecondParagraph()
    assert paragraph_top(render(html, without(patches.pages_made_again), page_editor=unasked), "second") == \
        paragraph_top(plain, "second") and unasked.calls == []
    editor = SpaceAboveTheSecondParagraph()
    edited = render(html, page_editor=editor)
    assert editor.calls[:3] == [0, 1, 0]  # page 2 made, then pages 1 and 2 made again
    number, top = paragraph_top(edited, "second")
    plain_number, plain_top = paragraph_top(plain, "second")
    assert (number, top) != (plain_number, plain_top) and (number > plain_number or top > plain_top + 100)
    assert notes_away(edited) == []
    from weasyprint.formatting_structure import boxes
    notes = [note.element.get("id") for page_ in edited.pages for area in page_._page_box.children
             if isinstance(area, boxes.FootnoteAreaBox) for note in area.children]
    assert sorted(notes) == ["fn-a", "fn-b", "fn-c"]  # each once
    assert len(edited.pages) >= len(plain.pages)


class DownOnItsPage:
    """A page editor with `finish`: once every page is made, the second paragraph moved down on its page."""

    def __init__(self):
        self.finished: list[int] = []

    def __call__(self, index, pages, root_box):
        return None

    def finish(self, pages):
        self.finished.append(len(pages))
        for page_box in pages:
            for box in page_box.descendants():
                if getattr(box, "element", None) is not None and box.element.get("id") == "second" \
                        and box.element_tag == "p":
                    box.translate(0, 40)


def test_a_page_editor_finishes_the_laid_out_pages_before_their_links_are_read():
    """`finish` is called once, with every page, before WeasyPrint reads the pages: the moved paragraph is
    drawn where it was moved, and a link to it points there. Without the patch it is never called."""
    html = page(f'<p><a href="#second">{TEXT}</a></p><p id="second">{TEXT * 3}</p><p>{TEXT * 3}</p>',
                "@page { size: A6; margin: 12mm }")
    plain = render(html)
    unasked = DownOnItsPage()
    render(html, without(patches.pages_made_again), page_editor=unasked)
    assert unasked.finished == []
    editor = DownOnItsPage()
    edited = render(html, page_editor=editor)
    assert editor.finished == [len(edited.pages)]
    assert paragraph_top(edited, "second")[1] == pytest.approx(paragraph_top(plain, "second")[1] + 40)
    number, top = paragraph_top(edited, "second")
    anchor = edited.pages[number].anchors["second"]
    assert anchor[1] == pytest.approx(top)


class StopAtTheSecondPage:
    """A page editor with `advancing`: it keeps what each page was made from, and stops after the second."""

    def __init__(self, stop: bool = True):
        self.starts: dict[int, object] = {}
        self.stop = stop

    def __call__(self, index, pages, root_box):
        return None

    def advancing(self, index, pages, root_box, start):
        self.starts[index] = start
        return self.stop and index == 1


def page_texts(document) -> list[str]:
    from weasyprint.formatting_structure import boxes
    return ["".join(box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox))
            for page in document.pages]


LONG_TEXT = page("".join(f'<p id="p{n}">{TEXT * 3}<span class="note" id="fn-{n}" data-mark="①">{TEXT}</span>。</p>'
                         for n in range(12)), "@page { size: A6; margin: 12mm }")


def test_a_pagination_stops_where_the_caller_knows_the_pages_after():
    """`advancing` is told what each page was made from as the pagination leaves it; when it says so, no
    more pages are made and the document is the pages made so far, each as in the whole layout. Without
    the patch it is never asked."""
    whole = render(LONG_TEXT)
    assert len(whole.pages) > 3
    unasked = StopAtTheSecondPage()
    assert len(render(LONG_TEXT, without(patches.pages_made_again), page_editor=unasked).pages) == len(whole.pages)
    assert unasked.starts == {}
    editor = StopAtTheSecondPage()
    stopped = render(LONG_TEXT, page_editor=editor)
    assert sorted(editor.starts) == [0, 1]
    assert page_texts(stopped) == page_texts(whole)[:2]
    assert editor.starts[1].resume_at is not None and editor.starts[0].resume_at is None


class BeginAtTheThirdPage(StopAtTheSecondPage):
    """A page editor with `beginning`: the pagination begins at page 2, from what it was made from in an
    earlier pagination of the same content (kept by `advancing`)."""

    def __init__(self, kept):
        super().__init__(stop=False)
        self.kept = kept
        self.shown: list[int] = []

    def __call__(self, index, pages, root_box):
        self.shown.append(index)
        return None

    def beginning(self, root_box, notes):
        start = self.kept[2]
        waiting = {note.element.get("id") for note in start.notes_waiting}
        return 2, start._replace(notes_waiting=tuple(n for n in notes if n.element.get("id") in waiting))


def test_a_pagination_begins_at_a_page_from_the_state_an_earlier_one_left_it_in():
    """`beginning` has the pagination begin at a later page from a kept start (its notes still to place
    found among the new layout's): the pages made are the whole layout's from there, with their notes;
    the editor is shown the pages after the first. Without the patch it begins at the first page."""
    keeping = StopAtTheSecondPage(stop=False)
    whole = render(LONG_TEXT, page_editor=keeping)
    unasked = BeginAtTheThirdPage(keeping.starts)
    assert len(render(LONG_TEXT, without(patches.pages_made_again), page_editor=unasked).pages) == len(whole.pages)
    begun = BeginAtTheThirdPage(keeping.starts)
    later = render(LONG_TEXT, page_editor=begun)
    assert page_texts(later) == page_texts(whole)[2:]
    assert begun.shown == list(range(3, len(whole.pages)))
    assert notes_away(later) == []
    assert sorted(begun.starts) == list(range(2, len(whole.pages) - 1))


# -- libraries_found_once ---------------------------------------------------------------------------

PROCESSES_STARTED = """
import sys
started = []
sys.addaudithook(lambda event, args: event == "subprocess.Popen" and started.append(str(args[0])))
{imports}
print(len([s for s in started if "ldconfig" in s]), len([s for s in started if "ldconfig" not in s]))
"""


def test_weasyprint_is_imported_without_running_the_compiler():
    """With `libraries_found_once` in force (the patches' package imports WeasyPrint so), WeasyPrint's libraries
    are found with one look at the linker's cache; as released, each name it tries runs `ldconfig` and a
    missing one `gcc` and `ld` too. Both load the same library files."""
    import subprocess
    import sys

    def started(imports: str) -> tuple[int, int]:
        run = subprocess.run([sys.executable, "-c", PROCESSES_STARTED.format(imports=imports)], check=True,
                             capture_output=True, text=True)
        ldconfig, others = run.stdout.split()
        return int(ldconfig), int(others)
    released_ldconfig, released_others = started("import weasyprint")
    assert released_ldconfig > 5 and released_others > 5  # gcc and ld for the names that are not there
    assert started("import publish.render.weasyprint_patches") == (1, 0)
    loaded = subprocess.run([sys.executable, "-c", "import publish.render.weasyprint_patches; "
                             "print(open('/proc/self/maps').read())"], check=True, capture_output=True, text=True)
    released = subprocess.run([sys.executable, "-c", "import weasyprint; print(open('/proc/self/maps').read())"],
                              check=True, capture_output=True, text=True)

    def libraries(maps: str) -> set[str]:
        return {line.split()[-1] for line in maps.splitlines() if any(
            name in line for name in ("libpango", "libharfbuzz", "libfontconfig", "libgobject"))}
    assert libraries(loaded.stdout) == libraries(released.stdout) != set()


# -- fonts_subset_by_the_book -------------------------------------------------------------------------

def embedded_faces(pdf: bytes) -> dict[str, tuple]:
    """Each font of the first page: its embedded program's glyph count and PostScript name, its widths and
    its Unicode map."""
    from fontTools.ttLib import TTFont
    faces = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for font in document.pages[0].Resources.Font.values():
            described = font.DescendantFonts[0]
            descriptor = described.FontDescriptor
            program = TTFont(io.BytesIO((descriptor.get("/FontFile3") or descriptor.FontFile2).read_bytes()))
            faces[str(font.BaseFont)] = (program["maxp"].numGlyphs, program["name"].getDebugName(6),
                                         repr(list(described.W)), font.ToUnicode.read_bytes())
    return faces


def drawn(pdf: bytes, tmp_path, name: str) -> bytes:
    import subprocess
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftoppm", "-r", "60", "-gray", str(path)], capture_output=True, check=True).stdout


def test_a_part_for_the_book_embeds_stand_ins_and_the_book_subsets_each_face_once(tmp_path):
    """With the setting, each face is embedded cut to its .notdef (its names, widths and Unicode map as
    WeasyPrint writes them); merged (fonts.py) the page draws exactly as WeasyPrint's own subset does.
    Without the patch the setting changes nothing: WeasyPrint subsets to the glyphs used."""
    from publish.render.pdf.fonts import merge_page_fonts
    html = page(f'<p>{TEXT}</p><p class="source-note">{TEXT[:12]}（2024）</p>')
    released = write(html, without(patches.fonts_subset_by_the_book), fonts_subset_by_the_book=True)
    stand_ins = write(html, fonts_subset_by_the_book=True)
    assert write(html) != stand_ins
    faces, own = embedded_faces(stand_ins), embedded_faces(released)
    assert len(faces) >= 2 and faces.keys() == own.keys()
    for name, (glyphs, postscript, widths, unicode) in faces.items():
        assert glyphs == 1 and own[name][0] > 1, name
        assert (postscript, widths, unicode) == own[name][1:], name
    assert len(stand_ins) < len(released) / 4
    with pikepdf.open(io.BytesIO(stand_ins)) as document:
        merge_page_fonts(document)
        out = io.BytesIO()
        document.save(out)
    assert drawn(out.getvalue(), tmp_path, "merged") == drawn(released, tmp_path, "released") \
        != drawn(stand_ins, tmp_path, "stand-ins")


def test_a_part_drawn_in_chunks_reads_each_face_once(monkeypatch):
    """A part is drawn in chunks, each its own PDF (render/pdf/layout.py: draw): while the stand-ins are
    in force, each face's file is read once and cut to its .notdef once for all of them, and each chunk is
    the PDF it is alone."""
    from weasyprint.pdf import fonts as pdf_fonts
    read: list[int] = []
    real = pdf_fonts.get_hb_object_data
    monkeypatch.setattr(pdf_fonts, "get_hb_object_data", lambda face, *a, **k: read.append(1) or real(face, *a, **k))
    document = render(LONG_TEXT)
    chunks = [document.copy(document.pages[n:n + 1]) for n in range(3)]

    def drawn_apart() -> list[bytes]:
        out = []
        for chunk in chunks:
            with patches.applied(fonts_subset_by_the_book=True):
                out.append(chunk.write_pdf())
        return out
    read.clear()
    apart = drawn_apart()
    read_apart = len(read)
    read.clear()
    with patches.applied(fonts_subset_by_the_book=True):
        together = [chunk.write_pdf() for chunk in chunks]
    assert together == apart
    assert read_apart >= 2 * len(read) > 0  # each face's file and its stand-in: once, not once per chunk


def test_a_different_weasyprint_refuses_to_start(monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match="publish patches WeasyPrint 70.0"):
        with patches.applied():
            pass
