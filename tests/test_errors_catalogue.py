"""The catalogue of editors' mistakes: each one fails the load (or warns, where the
edition can still be right) with the file, the line (and column where known),
what is wrong and how to fix it. Never a traceback.

Each test writes a small publication whose text is in the test, so the
expected line numbers can be counted by eye.
"""
from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from publish.errors import MAX_PROBLEMS_PER_FILE, ContentError, Problem, ProblemLog
from publish.load import load_publication
from publish.load.publication import RESERVED_ID_PREFIXES, RESERVED_IDS
from publish.paths import TEMPLATES

PROJECT = Path(__file__).resolve().parent.parent

CONFIG = """\
id: probe
title: 测试
date: "2024-07"
identifier: urn:uuid:00000000-0000-4000-8000-000000000000
spine:
"""

CHAPTER = """\
---
title: 第一章
id: one
---

正文。
"""


def make_publication(folder: Path, chapters: dict[str, str | bytes], config: str | None = None) -> Path:
    """A publication in `folder/probe` with these files; the `.md` ones make the spine, in this order."""
    root = folder / "probe"
    root.mkdir(parents=True)
    spine = "".join(f"  - {name}\n" for name in chapters if name.endswith(".md"))
    (root / "publication.yaml").write_text(CONFIG + spine if config is None else config)
    for name, text in chapters.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def problems(root: Path) -> list[Problem]:
    log = ProblemLog()
    try:
        load_publication(root, log)
    except ContentError:
        pass
    return log.items


def expect(found: list[Problem], file: str, line: int | None, *words: str, column: int | None = None,
           severity: str = "error") -> Problem:
    """Exactly one problem in `file` at `line` whose message holds every word; it says how to fix it."""
    matches = [p for p in found if p.path.name == file and p.line == line and p.severity == severity
               and all(w in p.message for w in words)]
    assert len(matches) == 1, "expected one match among:\n" + "\n".join(map(str, found))
    problem = matches[0]
    assert problem.hint, f"no fix given: {problem}"
    if column is not None:
        assert problem.column == column, str(problem)
    where = f"{file}:{line}" + (f":{column}" if column is not None else "") if line is not None else f"{file}:"
    assert where in str(problem) and f"{severity}:" in str(problem) and "fix:" in str(problem)
    assert "Traceback" not in str(problem)
    return problem


def errors(found: list[Problem]) -> list[Problem]:
    return [p for p in found if p.severity == "error"]


# -- YAML ----------------------------------------------------------------------

def test_broken_yaml_in_publication_yaml_names_line_and_column(tmp_path):
    config = CONFIG.replace("title: 测试", "title: 测试: 副标题") + "  - chapter.md\n"
    root = make_publication(tmp_path, {"chapter.md": CHAPTER}, config)
    found = problems(root)
    expect(found, "publication.yaml", 2, "broken YAML", "mapping values are not allowed", column=10)
    assert len(found) == 1


def test_unclosed_bracket_is_reported_where_it_was_opened(tmp_path):
    config = CONFIG.replace("title: 测试", "title: [测试") + "  - chapter.md\n"
    root = make_publication(tmp_path, {"chapter.md": CHAPTER}, config)
    expect(problems(root), "publication.yaml", 2, "the list `[` opened here is never closed", column=8)


def test_broken_yaml_in_front_matter_counts_lines_from_the_top_of_the_file(tmp_path):
    chapter = "---\ntitle: 第一章\nsubtitle: \"——副标题\nid: one\n---\n\n正文。\n"
    root = make_publication(tmp_path, {"chapter.md": chapter})
    expect(problems(root), "chapter.md", 3, "broken YAML in the front matter", "quote opened here", column=11)


def test_unknown_keys_suggest_the_nearest_known_one(tmp_path):
    config = CONFIG + "  - chapter.md\ncolour: blue\n"
    chapter = CHAPTER.replace("id: one", "id: one\ntitel: 错")
    root = make_publication(tmp_path, {"chapter.md": chapter}, config)
    found = problems(root)
    expect(found, "publication.yaml", 7, "unknown key `colour`")
    assert "did you mean `title`" in expect(found, "chapter.md", 4, "unknown key `titel`").hint


@pytest.mark.parametrize("line_text, line, words", [
    ("level: one", 3, ("`level` must be a whole number", "text `one`")),
    ("level: 4", 3, ("`level` must be one of 1, 2, 3", "`4`")),
    ("kind: appendix", 3, ("`kind` must be one of front, chapter, annex, back",)),
    ("number: [1, 2]", 3, ("`number` must be text", "a list")),
    ("id: \"第 一\"", 3, ("`id` does not have the expected form",)),
])
def test_front_matter_value_of_the_wrong_type(tmp_path, line_text, line, words):
    chapter = CHAPTER.replace("id: one", f"{line_text}\nid: one" if not line_text.startswith("id:") else line_text)
    root = make_publication(tmp_path, {"chapter.md": chapter})
    expect(problems(root), "chapter.md", line, *words)


@pytest.mark.parametrize("replace, by, line, words", [
    ("spine:\n", "contents_depth: \"3\"\nspine:\n", 5, ("`contents_depth` must be a whole number", "text `3`")),
    ("date: \"2024-07\"", "date: July", 3, ("`date` does not have the expected form", "`July`")),
    ("title: 测试", "title: \"\"", 2, ("`title` is empty",)),
    ("spine:\n", "trim: \"A4; } body { background: url(x) } @page {\"\nspine:\n", 5,
     ("`trim` does not have the expected form",)),
    ("spine:\n", "bleed: 3mm;color:red\nspine:\n", 5, ("`bleed` does not have the expected form",)),
    ("spine:\n", "language: \"zh CN\"\nspine:\n", 5, ("`language` does not have the expected form",)),
    ("spine:\n", "source_url: javascript:alert(1)\nspine:\n", 5, ("`source_url` does not have the expected form",)),
    ("spine:\n", "authors:\n  - 甲\n  - {name: 乙}\nspine:\n", 7, ("item 2 of `authors` must be text", "a mapping")),
])
def test_publication_value_of_the_wrong_type(tmp_path, replace, by, line, words):
    root = make_publication(tmp_path, {"chapter.md": CHAPTER}, CONFIG.replace(replace, by) + "  - chapter.md\n")
    expect(problems(root), "publication.yaml", line, *words)


def test_required_key_missing_and_key_written_twice(tmp_path):
    config = CONFIG.replace("identifier: urn:uuid:00000000-0000-4000-8000-000000000000\n", "") + "  - chapter.md\n"
    chapter = CHAPTER.replace("id: one", "id: one\ntitle: 又一个")
    root = make_publication(tmp_path, {"chapter.md": chapter}, config)
    found = problems(root)
    expect(found, "publication.yaml", 1, "has no `identifier`")
    expect(found, "chapter.md", 4, "the key `title` is written twice", "first on line 2", column=1)


@pytest.mark.parametrize("text, words, column", [
    ("title: &t 第一章\nsubtitle: *t", ("an alias `*t` is not supported",), 11),
    ("title: !!python/object:os.system 第一章", ("a tag `!!python/object:os.system` is not supported",), 8),
])
def test_yaml_aliases_and_tags_are_refused(tmp_path, text, words, column):
    line = 3 if "*t" in text else 2
    root = make_publication(tmp_path, {"chapter.md": f"---\n{text}\n---\n\n正文。\n"})
    expect(problems(root), "chapter.md", line, *words, column=column)


def test_yaml_nested_beyond_reason_is_an_error_not_a_recursion_crash(tmp_path):
    root = make_publication(tmp_path, {"chapter.md": "---\ntitle: " + "[" * 5000 + "\n---\n\n正文。\n"})
    expect(problems(root), "chapter.md", 2, "nested too deeply")


# -- the spine -----------------------------------------------------------------

def test_spine_entry_whose_file_is_missing(tmp_path):
    root = make_publication(tmp_path, {"chapter.md": CHAPTER}, CONFIG + "  - chapter.md\n  - annexe.md\n")
    expect(problems(root), "publication.yaml", 7, "`annexe.md` names a file that does not exist")


def test_spine_entries_outside_the_folder_or_twice(tmp_path):
    (tmp_path / "outside.md").write_text(CHAPTER)
    config = CONFIG + "  - chapter.md\n  - ../outside.md\n  - /etc/hostname\n  - link.md\n  - ./chapter.md\n"
    root = make_publication(tmp_path, {"chapter.md": CHAPTER}, config)
    (root / "link.md").symlink_to(tmp_path / "outside.md")
    found = problems(root)
    expect(found, "publication.yaml", 7, "`../outside.md` points outside the publication folder")
    expect(found, "publication.yaml", 8, "`/etc/hostname` points outside the publication folder")
    expect(found, "publication.yaml", 9, "`link.md` points outside the publication folder")
    expect(found, "publication.yaml", 10, "`./chapter.md` is listed twice", "first on line 6")


def test_empty_spine_and_page_names_that_collide(tmp_path):
    root = make_publication(tmp_path, {"chapter.md": CHAPTER}, CONFIG + "  []\n")
    expect(problems(root), "publication.yaml", 5, "the spine lists no file")
    chapters = {"index.md": CHAPTER, "前言.md": CHAPTER.replace("one", "two"),
                "后记.md": CHAPTER.replace("one", "three")}
    root = make_publication(tmp_path / "b", chapters)
    found = problems(root)
    expect(found, "publication.yaml", 6, "`index.md` would make a page named `index`")
    expect(found, "publication.yaml", 8, "`后记.md` would make a page named `chapter`", "`前言.md` on line 7")


# -- ids and anchors -----------------------------------------------------------

def test_duplicate_chapter_id_names_both_places(tmp_path):
    root = make_publication(tmp_path, {"a.md": CHAPTER, "b.md": CHAPTER.replace("第一章", "第二章")})
    expect(problems(root), "b.md", 3, "the id `one` is used twice", "for this chapter",
           "for the chapter at a.md:3")


def test_duplicate_heading_anchor_names_both_places(tmp_path):
    a = CHAPTER + "\n## 一、概述 {#overview}\n\n文字。\n"
    b = CHAPTER.replace("id: one", "id: two") + "\n## 二、概述 {#overview}\n\n文字。\n\n## 三 {#one}\n"
    root = make_publication(tmp_path, {"a.md": a, "b.md": b})
    found = problems(root)
    expect(found, "b.md", 8, "the id `overview` is used twice", "for this heading", "for the heading at a.md:8")
    expect(found, "b.md", 12, "the id `one` is used twice", "for the chapter at a.md:3")


def test_ids_the_editions_use_and_malformed_anchors(tmp_path):
    chapter = CHAPTER.replace("id: one", "id: toc") + "\n## 一 {#fn-1}\n\n## 二 {#a:b}\n"
    root = make_publication(tmp_path, {"chapter.md": chapter})
    found = problems(root)
    expect(found, "chapter.md", 3, "the id `toc` is one the editions use")
    expect(found, "chapter.md", 8, "the id `fn-1` is one the editions use")
    expect(found, "chapter.md", 10, "the heading id `a:b` is not a valid id", column=6)


def test_reserved_ids_cover_every_fixed_id_in_the_templates():
    """The loader's list of ids the editions use is the templates' list: none is missing."""
    fixed = set()
    for template in TEMPLATES.rglob("*"):
        if template.is_file():
            fixed |= set(re.findall(r'\bid="([^"{]+)', template.read_text()))
    missing = {i for i in fixed if i not in RESERVED_IDS and not i.startswith(RESERVED_ID_PREFIXES)}
    assert fixed and not missing


def test_cross_reference_to_an_unknown_anchor(tmp_path):
    chapter = CHAPTER + "\n## 一、概述 {#overview}\n\n参见[概述](#overvue)。\n"
    root = make_publication(tmp_path, {"chapter.md": chapter})
    assert "did you mean `#overview`" in expect(problems(root), "chapter.md", 10, "link to `#overvue`").hint


# -- footnotes -----------------------------------------------------------------

def test_footnote_call_without_definition_and_definition_never_called(tmp_path):
    chapter = CHAPTER + "\n正文[^a]。\n\n[^b]: 注释。\n"
    root = make_publication(tmp_path, {"chapter.md": chapter})
    found = problems(root)
    expect(found, "chapter.md", 8, "`[^a]` has no definition")
    expect(found, "chapter.md", 10, "`[^b]` is defined but never called")


def test_footnotes_defined_twice_called_twice_empty_or_badly_named(tmp_path):
    chapter = CHAPTER + "\n甲[^a]乙[^a]丙[^c]丁[^d:1]。\n\n[^a]: 一。\n[^a]: 二。\n[^c]:\n[^d:1]: 四。\n"
    root = make_publication(tmp_path, {"chapter.md": chapter})
    found = problems(root)
    expect(found, "chapter.md", 8, "`[^a]` is called twice", "first at chapter.md:8")
    expect(found, "chapter.md", 11, "`[^a]` is defined twice", "first on line 10")
    expect(found, "chapter.md", 12, "`[^c]` has no text")
    expect(found, "chapter.md", 13, "the footnote id `d:1` is not a valid id")


# -- blocks --------------------------------------------------------------------

def test_unknown_block_type_and_unclosed_block(tmp_path):
    chapter = CHAPTER + "\n::: boxed\n文字。\n:::\n\n::: sidebar 【专栏】\n文字。\n"
    root = make_publication(tmp_path, {"chapter.md": chapter})
    found = problems(root)
    expect(found, "chapter.md", 8, "unknown block type `boxed`")
    expect(found, "chapter.md", 12, "the `sidebar` block opened here is never closed")


def test_stray_block_lines_and_runaway_nesting(tmp_path):
    chapter = CHAPTER + "\n:::\n\n::: 【无类型】\n\n" + "::: box\n" * 10 + "文字。\n" + ":::\n" * 10
    root = make_publication(tmp_path, {"chapter.md": chapter})
    found = problems(root)
    expect(found, "chapter.md", 8, "`:::` closes a block, but no block is open here")
    expect(found, "chapter.md", 10, "a `:::` line must be `:::` alone", column=1)
    expect(found, "chapter.md", 20, "blocks are nested more than 8 deep")


def test_table_rows_of_different_widths(tmp_path):
    chapter = CHAPTER + "\n::: table 表\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 | 3 |\n:::\n"
    root = make_publication(tmp_path, {"chapter.md": chapter})
    expect(problems(root), "chapter.md", 11, "this table row has 3 cells, the header has 2")


# -- images --------------------------------------------------------------------

def figure_chapter(image: str) -> str:
    return CHAPTER + f"\n::: figure\nimage: {image}\ncaption: 图\n:::\n"  # `image:` is on line 9


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real PNG file, made by hand (signature, IHDR, one IDAT, IEND)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_missing_image_is_a_warning_with_a_placeholder(tmp_path):
    root = make_publication(tmp_path, {"chapter.md": figure_chapter("images/absent.jpg")})
    found = problems(root)
    expect(found, "chapter.md", 9, "image `images/absent.jpg` is missing", severity="warning")
    assert not errors(found)
    assert load_publication(root).figures[0].image_path is None


@pytest.mark.parametrize("name, data, words", [
    ("images/notes.jpg", "这不是图片".encode(), ("is not an image",)),
    ("images/broken.png", png_bytes()[:40], ("is damaged and cannot be decoded",)),
    ("images/photo.jpg", png_bytes(), ("is a PNG file with the ending `.jpg`",)),
    ("images/drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
     ("is an SVG drawing",)),
    ("images/huge.png", png_bytes(20000, 20000), ("more than 60 million",)),
])
def test_image_that_is_not_an_image_or_is_corrupt(tmp_path, name, data, words):
    root = make_publication(tmp_path, {"chapter.md": figure_chapter(name), name: data})
    expect(problems(root), "chapter.md", 9, f"image `{name}`", *words)


def test_a_good_image_loads(tmp_path):
    root = make_publication(tmp_path, {"chapter.md": figure_chapter("images/ok.png"), "images/ok.png": png_bytes()})
    assert load_publication(root).figures[0].image_path == root / "images" / "ok.png"


def test_two_different_images_with_the_same_file_name_keep_apart_in_the_editions(tmp_path):
    chapter = figure_chapter("images/a/photo.png") + "\n::: figure\nimage: images/b/photo.png\ncaption: 图\n:::\n"
    root = make_publication(tmp_path, {"chapter.md": chapter, "images/a/photo.png": png_bytes(),
                                       "images/b/photo.png": png_bytes(5, 5)})
    first, second = load_publication(root).figures
    assert first.edition_image_stem != second.edition_image_stem
    assert first.edition_image_stem.startswith("photo-")


@pytest.mark.parametrize("line_text, line, words", [
    ("ratio: wide", 11, ("`ratio` must look like 3:2",)),
    ("colour: red", 11, ("unknown key `colour` in a figure",)),
    ("credit: [甲, 乙]", 11, ("`credit` in a figure must be text",)),
])
def test_figure_fields(tmp_path, line_text, line, words):
    chapter = figure_chapter("images/absent.jpg").replace("caption: 图\n", f"caption: 图\n{line_text}\n")
    root = make_publication(tmp_path, {"chapter.md": chapter})
    expect(problems(root), "chapter.md", line, *words)


# -- text files ----------------------------------------------------------------

def test_file_that_is_not_utf8_names_line_and_column(tmp_path):
    chapter = CHAPTER.encode() + "\n第二段，".encode() + "国标编码".encode("gbk") + "。\n".encode()
    root = make_publication(tmp_path, {"chapter.md": chapter})
    expect(problems(root), "chapter.md", 8, "the file is not UTF-8", column=5)


def test_publication_yaml_that_is_not_utf8(tmp_path):
    root = make_publication(tmp_path, {"chapter.md": CHAPTER})
    (root / "publication.yaml").write_bytes((CONFIG + "  - chapter.md\n").replace("测试", "测验").encode("gb18030"))
    expect(problems(root), "publication.yaml", 2, "the file is not UTF-8", column=8)


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x0c", "\ufdd0", "\uffff"])
def test_control_characters_and_noncharacters(tmp_path, character):
    root = make_publication(tmp_path, {"chapter.md": CHAPTER + f"\n第二{character}段。\n"})
    expect(problems(root), "chapter.md", 8, f"U+{ord(character):04X} is not allowed", column=3)


def test_empty_chapter_warns_and_empty_file_fails(tmp_path):
    chapters = {"a.md": "---\ntitle: 空章\n---\n", "b.md": "", "c.md": "正文，没有前言。\n"}
    root = make_publication(tmp_path, chapters)
    found = problems(root)
    expect(found, "a.md", 2, "this chapter has no text", severity="warning")
    expect(found, "b.md", 1, "the file is empty")
    expect(found, "c.md", 1, "the file does not start with front matter")


def test_unclosed_comment(tmp_path):
    root = make_publication(tmp_path, {"chapter.md": CHAPTER + "\n<!-- 编者注\n\n后文。\n"})
    expect(problems(root), "chapter.md", 8, "a comment `<!--` is never closed")


def test_absurdly_long_line_and_paragraph(tmp_path):
    chapter = CHAPTER + "\n" + "长" * 60_000 + "\n\n" + "段落。\n" * 20_000
    root = make_publication(tmp_path, {"chapter.md": chapter})
    found = problems(root)
    expect(found, "chapter.md", 8, "this line is 60,000 characters long")
    expect(found, "chapter.md", 10, "this paragraph is 60,000 characters long")


@pytest.mark.parametrize("paragraph", [
    "全球安全倡议。" * 480_000,  # a 10 MB (UTF-8) paragraph on one line
    "[" * 30_000 + "]" + "[a](" * 4_000 + "\\" * 3_000,  # under the limit; python-markdown alone: minutes
], ids=["10MB-paragraph", "pathological-inline"])
def test_huge_or_pathological_paragraphs_finish(tmp_path, paragraph):
    """`build.py check` in a process of its own; the timeout only stops a hang (it takes a second)."""
    root = make_publication(tmp_path, {"chapter.md": CHAPTER + "\n" + paragraph + "\n"})
    run = subprocess.run([sys.executable, str(PROJECT / "build.py"), "check", str(root)],
                         capture_output=True, text=True, cwd=PROJECT, timeout=120)
    assert "Traceback" not in run.stderr
    if len(paragraph) > 50_000:
        assert run.returncode == 1 and "chapter.md:8: error: this line is" in run.stderr
    else:
        assert run.returncode == 0, run.stderr


# -- all at once ---------------------------------------------------------------

def test_check_reports_every_problem_of_every_file_at_once_and_writes_nothing(tmp_path):
    config = CONFIG + "  - a.md\n  - b.md\n  - missing.md\ncolour: blue\n"
    a = CHAPTER + "\n正文[^x]。\n"
    b = CHAPTER.replace("id: one", "id: two\nlevel: one") + "\n::: boxed\n文字。\n:::\n"
    root = make_publication(tmp_path, {"a.md": a, "b.md": b}, config)
    output = tmp_path / "output"
    run = subprocess.run([sys.executable, str(PROJECT / "build.py"), "check", str(root), "--output", str(output)],
                         capture_output=True, text=True, cwd=PROJECT, timeout=120)
    assert run.returncode == 1
    for where in ("publication.yaml:8: error: spine entry `missing.md`", "publication.yaml:9: error: unknown key",
                  "a.md:8: error: footnote `[^x]` has no definition", "b.md:4: error: `level` must be",
                  "b.md:9: error: unknown block type `boxed`"):
        assert where in run.stderr, run.stderr
    assert "5 problem(s)" in run.stderr
    assert "Traceback" not in run.stderr
    assert not output.exists()


def test_a_broken_file_lists_a_hundred_problems_then_how_many_more(tmp_path):
    root = make_publication(tmp_path, {"chapter.md": CHAPTER + "\n" + ":::\n" * 500})
    found = problems(root)
    listed = [p for p in found if "no block is open" in p.message]
    assert len(listed) == MAX_PROBLEMS_PER_FILE
    expect(found, "chapter.md", None, "400 more errors in this file are not listed")


def test_the_cli_never_shows_a_traceback_for_a_missing_folder(tmp_path):
    run = subprocess.run([sys.executable, str(PROJECT / "build.py"), "check", str(tmp_path / "nowhere")],
                         capture_output=True, text=True, cwd=PROJECT, timeout=120,
                         env={**os.environ, "PYTHONWARNINGS": "error"})
    assert run.returncode == 2 and "Traceback" not in run.stderr and "nowhere" in run.stderr
