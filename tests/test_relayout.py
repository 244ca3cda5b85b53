"""A part laid out again after an edit (render/pdf/relayout.py) is the part a clean layout makes, byte for byte.

The report's longest part (chapter 02, 47 pages: its sections run on) is laid
out once; then, after each edit of a copy of its content, laid out again from
its last layout and trail (as the cache gives them) and from nothing: the two
outputs must be the same bytes — the pages' PDFs, their records, the
bookmarks, the page editor's decisions — while the first made only the pages
the edit reaches. The edits are of every kind an editor makes, one after the
other: a sentence added near the start and near the end, taken out again,
several lines in the middle, a note, a caption, a sidebar, a table cell; and
a paragraph added (the markup changes: the part is laid out whole).
"""
from __future__ import annotations

import json
import shutil

import pytest

from publish.pipeline import Log, build_publication, load
from publish.render.pdf import layout
from publish.render.pdf.parts import book_parts

from .conftest import REPORT
from .test_incremental import edition_files

PART = "progress"
SENTENCE = "合作成果惠及地区各国人民。"
START = "在同各方一道落实全球安全倡议的过程中，"  # in the first paragraph of 02-2
END = "大力加强和完善出口管制体系建设。"  # in one of its last
LINES = "各方在联合国框架内加强沟通协调，推动以对话协商方式化解分歧，" * 6

EDITS = [
    # what, file, text, replaced by, how the part may be laid out again: "rejoined" (stops early),
    # "begun" (begins late), "made" (fewer pages made than the part has), "whole"
    ("a sentence near the start", "02-2-cooperation.md", START, START + SENTENCE, "rejoined"),
    ("a sentence near the end", "02-2-cooperation.md", END, END + SENTENCE, "begun"),
    ("the same sentence taken out", "02-2-cooperation.md", END + SENTENCE, END, "begun"),
    ("several lines in a sidebar", "02-2-cooperation.md", "南苏丹是世界最不发达国家之一，",
     "南苏丹是世界最不发达国家之一，" + LINES, "any"),
    ("a note", "02-2-cooperation.md", "2023年3月22日，<https://", "2023年3月22日，第二版，<https://", "made"),
    ("a caption", "02-2-cooperation.md", "caption: 中国向柬埔寨援助的扫雷物资",
     "caption: 中国向柬埔寨援助的扫雷物资和设备", "made"),
    ("a table cell", "02-1-consensus.md", "| “印尼重视全球安全倡议，", "| “印尼高度重视全球安全倡议，", "any"),
    ("a paragraph added", "02-2-cooperation.md", END, END + "\n\n" + SENTENCE, "whole"),
]


def part_source(root):
    pub = load(root, Log(quiet=True))
    part = next(p for p in book_parts(pub) if p.name == PART)
    return layout.part_source(pub, part)


def edit(root, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture()
def laid_out(monkeypatch) -> list:
    """Where each layout of the part began, whether it rejoined its last one (relayout.Trail), and the pages
    it made."""
    seen: list[tuple[int, tuple | None, int]] = []
    real = layout.LaidOut.__init__

    def watched(made, document, editor, trail, last):
        real(made, document, editor, trail, last)
        seen.append((trail.begun_at, trail.rejoined, len(document.pages)))
    monkeypatch.setattr(layout.LaidOut, "__init__", watched)
    return seen


def test_a_part_laid_out_again_after_each_kind_of_edit_is_the_clean_layout(tmp_path, laid_out):
    root = tmp_path / "gsi-report-2024"
    shutil.copytree(REPORT, root)
    last = layout.lay_out_part(part_source(root))
    pages = len(layout.PartLayout.from_bytes(last[0]).pages)
    assert pages > 40
    for what, name, old, new, expected in EDITS:
        edit(root, name, old, new)
        source = part_source(root)
        laid_out.clear()
        again = layout.lay_out_part(source, last)
        (begun, rejoined, made), *more = laid_out
        clean = layout.lay_out_part(source)
        assert again[0] == clean[0], what
        assert not more, f"{what}: laid out more than once (its notes moved)"
        if expected == "rejoined":
            assert begun == 0 and rejoined is not None and made < pages / 2, (what, begun, rejoined, made)
        elif expected == "begun":
            assert begun > pages / 2 and made < pages / 3, (what, begun, rejoined, made)
        elif expected == "made":
            assert made < pages, (what, begun, rejoined, made)
        elif expected == "whole":
            assert (begun, rejoined, made) == (0, None, len(layout.PartLayout.from_bytes(clean[0]).pages)), what
        last = again
    # A last layout whose trail was lost is rejoined only, one whose trail cannot be read is laid out whole;
    # the result is the same.
    edit(root, "02-2-cooperation.md", START + SENTENCE, START)
    source = part_source(root)
    clean = layout.lay_out_part(source)[0]
    assert layout.lay_out_part(source, (last[0], None))[0] == clean
    starts = layout.chunk_starts([r.start for r in layout.PartLayout.from_bytes(last[0]).pages], pages)
    broken = json.dumps({str(page): {"start": {}} for page in starts}).encode()
    assert layout.lay_out_part(source, (last[0], broken))[0] == clean


def test_the_report_built_again_after_an_edit_near_the_end_of_its_longest_chapter_is_a_clean_build(tmp_path):
    """The whole pipeline: the cache gives chapter 02's part its last layout and trail; the editions equal a
    clean build's, byte for byte, and only that part was laid out again."""
    root = tmp_path / "gsi-report-2024"
    shutil.copytree(REPORT, root)
    output, clean = tmp_path / "output", tmp_path / "clean"
    build_publication(root, output=output, log=Log(quiet=True))
    edit(root, "02-2-cooperation.md", END, END + SENTENCE)
    result = build_publication(root, output=output, log=Log(quiet=True))
    build_publication(root, output=clean, log=Log(quiet=True), clean=True)
    assert set(result.laid_out) == {PART}
    assert edition_files(output, "gsi-report-2024") == edition_files(clean, "gsi-report-2024")
