"""The catalogue of what editors type by mistake, through the command line, in English and in Chinese.

Each case is a small publication whose text is in the test (so the lines can
be counted by eye) with one ordinary mistake: full-width marks typed with a
Chinese input method, a misspelled block type or path, a copied publication
that kept its id. `publish build` must stop (exit 1) with the problem at the
line where it was made, say what it is in the language asked for, give a fix,
and write nothing into output/. A mistake must not turn into other problems
(a full-width colon after a note id is not "no definition" plus "called twice").

English is asked for with `--lang en` while the locale is Chinese, Chinese by
the locale alone (LANG=zh_CN.UTF-8), so both ways of choosing are exercised.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from .conftest import ARTICLE

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

PROBLEM = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<label>error|warning|错误|警告)[:：] ?"
                     r"(?P<message>.*)$")
FIX = re.compile(r"^    (?:fix|修改)[:：] ?(?P<fix>.*)$")


@dataclass
class Shown:
    file: str
    line: int
    column: int | None
    label: str
    message: str
    fix: str


def shown_problems(stderr: str) -> list[Shown]:
    """The problems a command printed, read back from its text (`file:line: error: …` + `    fix: …`)."""
    found: list[Shown] = []
    for text in stderr.splitlines():
        problem = PROBLEM.match(text)
        if problem:
            found.append(Shown(Path(problem["file"]).name, int(problem["line"]),
                               int(problem["column"]) if problem["column"] else None, problem["label"],
                               problem["message"], ""))
        elif found and FIX.match(text):
            found[-1].fix = FIX.match(text)["fix"]
    return found


def make_project(folder: Path, chapters: dict[str, str | bytes], config: str | None = None) -> Path:
    """`folder/content/probe` with these files (the `.md` ones make the spine, in order); returns `folder`."""
    root = folder / "content" / "probe"
    root.mkdir(parents=True)
    spine = "".join(f"  - {name}\n" for name in chapters if name.endswith(".md"))
    (root / "publication.yaml").write_text(CONFIG + spine if config is None else config, encoding="utf-8")
    for name, data in chapters.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return folder


def publish(project: Path, *args: str, language: str = "en") -> subprocess.CompletedProcess:
    """`python -m publish ARGS` in `project`; Chinese through the locale, English through `--lang en`."""
    env = {key: value for key, value in os.environ.items() if key not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env["LANG"] = "zh_CN.UTF-8"
    env["PYTHONPATH"] = str(PROJECT)
    command = [sys.executable, "-m", "publish", *args] + (["--lang", "en"] if language == "en" else [])
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)


def photo(width: int = 60, height: int = 40) -> bytes:
    """A real JPEG photo, made with Pillow."""
    import io
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 140, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Case:
    files: dict
    expected: list[tuple[str, int, int | None, str, str]]  # file, line, column, English words, Chinese words
    config: str | None = None
    absent: tuple[str, ...] = ()  # English words no problem may hold: the cascade the mistake must not cause
    exit_code: int = 1


CASES = {
    "block opened with full-width colons": Case(
        {"chapter.md": CHAPTER + "\n：：： sidebar 【专栏】\n专栏正文。\n:::\n"},
        [("chapter.md", 8, 1, "written with full-width colons", "全角冒号")],
        absent=("no block is open", "never closed")),
    "block closed with full-width colons": Case(
        {"chapter.md": CHAPTER + "\n::: box\n方框正文。\n::：\n"},
        [("chapter.md", 10, 1, "`::：` is written with full-width colons", "全角冒号")],
        absent=("never closed",)),
    "full-width colon after a note id": Case(
        {"chapter.md": CHAPTER + "\n正文[^fn-1]。\n\n[^fn-1]：注释文字。\n"},
        [("chapter.md", 10, 8, "a full-width colon `：` after `[^fn-1]`", "全角冒号")],
        absent=("has no definition", "called twice", "never called")),
    "note call in full-width brackets and caret": Case(
        {"chapter.md": CHAPTER + "\n正文［＾fn-1］。\n\n[^fn-1]: 注释文字。\n"},
        [("chapter.md", 8, 3, "`［＾fn-1］` is written with full-width marks", "全角方括号")],
        absent=("never called", "has no definition")),
    "note call with a full-width caret only": Case(
        {"chapter.md": CHAPTER + "\n正文[＾fn-1]。\n\n[^fn-1]: 注释文字。\n"},
        [("chapter.md", 8, 3, "the full-width caret `＾`", "全角脱字符")],
        absent=("never called",)),
    "note definition all in full-width": Case(
        {"chapter.md": CHAPTER + "\n正文[^fn-1]。\n\n［＾fn-1］：注释文字。\n"},
        [("chapter.md", 10, 1, "the full-width colon `：`", "全角冒号")],
        absent=("has no definition", "called twice", "never called")),
    "tab indenting front matter": Case(
        {"chapter.md": "---\ntitle: 第一章\n\tlevel: 1\nid: one\n---\n\n正文。\n"},
        [("chapter.md", 3, 1, "a tab on this line of the front matter", "制表符")],
        absent=("cannot start any token",)),
    "tab indenting the spine": Case(
        {"chapter.md": CHAPTER}, [("publication.yaml", 6, 1, "a tab on this line of publication.yaml", "制表符")],
        config=CONFIG + "\t- chapter.md\n", absent=("cannot start any token", "lists no file")),
    "full-width colon after a key": Case(
        {"chapter.md": "---\ntitle: 第一章\nlevel：2\nid: one\n---\n\n正文。\n"},
        [("chapter.md", 3, 6, "a full-width colon `：` after the key `level`", "全角冒号")]),
    "heading typed with full-width hash marks": Case(
        {"chapter.md": CHAPTER + "\n＃＃ 一、概述\n\n文字。\n"},
        [("chapter.md", 8, 1, "full-width `＃`", "全角")]),
    "misspelled block type: did you mean, contents still checked": Case(
        {"chapter.md": CHAPTER + "\n::: sidbar 【专栏】\n专栏正文[^x]，又见[^y]。\n:::\n\n[^y]: 注释。\n"},
        [("chapter.md", 8, None, "unknown block type `sidbar`", "未知的块类型 `sidbar`"),
         ("chapter.md", 9, None, "`[^x]` has no definition", "`[^x]` 没有内容")],
        absent=("`[^y]` is defined but never called",)),
    "misspelled figure: its keys still checked": Case(
        {"chapter.md": CHAPTER + "\n::: figre\nimage: images/a.jpg\ncaptoin: 图\n:::\n"},
        [("chapter.md", 8, None, "unknown block type `figre`", "未知的块类型 `figre`"),
         ("chapter.md", 10, None, "unknown key `captoin` in a figure", "图片块里有未知的键 `captoin`")]),
    "mistyped image path": Case(
        {"chapter.md": CHAPTER + "\n::: figure\nimage: images/potho.jpg\ncaption: 图\n:::\n",
         "images/photo.jpg": photo()},
        [("chapter.md", 9, None, "image `images/potho.jpg` does not exist, but `images/photo.jpg` does",
          "图片 `images/potho.jpg` 不存在，但有 `images/photo.jpg`")]),
    "footnote id mistyped in the call": Case(
        {"chapter.md": CHAPTER + "\n正文[^fn-l]。\n\n[^fn-1]: 注释。\n"},
        [("chapter.md", 8, None, "`[^fn-l]` has no definition", "`[^fn-l]` 没有内容"),
         ("chapter.md", 10, None, "`[^fn-1]` is defined but never called", "`[^fn-1]` 有内容")]),
    "spine entry mistyped": Case(
        {"chapter.md": CHAPTER}, [("publication.yaml", 6, None, "`chaptre.md` names a file that does not exist",
                                   "`chaptre.md` 所指的文件不存在")], config=CONFIG + "  - chaptre.md\n"),
    "key mistyped": Case(
        {"chapter.md": CHAPTER.replace("id: one", "id: one\nlevle: 2")},
        [("chapter.md", 4, None, "unknown key `levle` in the front matter", "未知的键 `levle`")]),
}

SUGGESTIONS = {  # what the fix line must propose, for the cases that have a closest right answer
    "misspelled block type: did you mean, contents still checked": ("chapter.md", 8, "`sidebar`"),
    "misspelled figure: its keys still checked": ("chapter.md", 10, "`caption`"),
    "mistyped image path": ("chapter.md", 9, "`images/photo.jpg`"),
    "footnote id mistyped in the call": ("chapter.md", 8, "`[^fn-1]`"),
    "spine entry mistyped": ("publication.yaml", 6, "`chapter.md`"),
    "key mistyped": ("chapter.md", 4, "`level`"),
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", list(CASES))
def test_each_mistake_is_named_where_it_is_made_and_nothing_is_written(tmp_path, name, language):
    case = CASES[name]
    project = make_project(tmp_path, case.files, case.config)
    run = publish(project, "build", "probe", "--jobs", "1", language=language)
    assert run.returncode == case.exit_code, run.stderr
    assert "Traceback" not in run.stderr
    assert not (project / "output").exists()
    found = shown_problems(run.stderr)
    label = "error" if language == "en" else "错误"
    for file, line, column, english, chinese in case.expected:
        words = english if language == "en" else chinese
        matches = [p for p in found if (p.file, p.line, p.label) == (file, line, label) and words in p.message]
        assert len(matches) == 1, f"no {file}:{line} `{words}` in:\n{run.stderr}"
        assert matches[0].fix, f"no fix line for {file}:{line}:\n{run.stderr}"
        if column is not None:
            assert matches[0].column == column, run.stderr
    if language == "zh":
        # Every message and fix is in Chinese: each holds Han characters, none holds the English labels.
        assert all(re.search(r"[\u4e00-\u9fff]", p.message + p.fix) for p in found), run.stderr
        assert ": error:" not in run.stderr and "fix:" not in run.stderr
    else:
        for words in case.absent:
            assert words not in run.stderr, run.stderr
        assert len([p for p in found if p.label == "error"]) == len(case.expected), run.stderr
    if name in SUGGESTIONS:
        file, line, suggestion = SUGGESTIONS[name]
        [problem] = [p for p in found if (p.file, p.line) == (file, line)]
        did_you_mean = "did you mean" if language == "en" else "是不是"
        assert did_you_mean in problem.fix and suggestion in problem.fix, problem


def test_a_photo_still_to_come_is_a_placeholder_warning_and_strict_refuses_it(tmp_path):
    """`photo-2.jpg` beside `photo-1.jpg`, which another figure shows, is a photo to come, not a typo."""
    chapter = (CHAPTER + "\n::: figure\nimage: images/photo-1.jpg\ncaption: 图一\n:::\n"
               "\n::: figure\nimage: images/photo-2.jpg\ncaption: 图二\n:::\n")
    project = make_project(tmp_path, {"chapter.md": chapter, "images/photo-1.jpg": photo()})
    checked = publish(project, "check", "probe")
    assert checked.returncode == 0, checked.stderr
    [warning] = shown_problems(checked.stderr)
    assert (warning.file, warning.line, warning.label) == ("chapter.md", 14, "warning")
    assert "image `images/photo-2.jpg` is missing: a placeholder frame is shown" in warning.message
    strict = publish(project, "build", "probe", "--strict", language="zh")
    assert strict.returncode == 1
    assert "chapter.md:14: 警告：图片 `images/photo-2.jpg` 还没有" in strict.stderr
    assert "--strict" in strict.stderr and not (project / "output").exists()


# -- a copied publication that kept its id ---------------------------------------------------------------

@pytest.fixture
def copied_article(tmp_path) -> Path:
    """A project with the article and a copy of it, as a new user makes one: same id, same identifier."""
    shutil.copytree(ARTICLE, tmp_path / "content" / ARTICLE.name)
    shutil.copytree(ARTICLE, tmp_path / "content" / "zz-probe")
    return tmp_path


@pytest.mark.parametrize("asked", ["zz-probe", "gsi-article-2024", "content/zz-probe", None])
@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_two_publications_with_one_id_is_an_error_naming_both_files(copied_article, asked, command, language):
    options = ["--jobs", "1"] if command == "build" else []
    run = publish(copied_article, command, *([asked] if asked else []), *options, language=language)
    assert run.returncode == 1, run.stderr
    assert not (copied_article / "output").exists()
    found = shown_problems(run.stderr)
    same_id = [p for p in found if p.line == 2 and p.file == "publication.yaml"]
    assert same_id, run.stderr
    for problem in same_id:
        words = ("the id `gsi-article-2024` is also the id of content/" if language == "en"
                 else "id `gsi-article-2024` 也是 content/")
        assert words in problem.message and "/publication.yaml:2" in problem.message, problem
        assert problem.fix
    # Both files are named: the one asked for (where the problem is) and the other one (in the message).
    assert "content/zz-probe/publication.yaml:2" in run.stderr
    assert "content/gsi-article-2024/publication.yaml:2" in run.stderr
    same_identifier = [p for p in found if p.line == 13]
    assert same_identifier and all("urn:uuid:0b9d8f4e" in p.message for p in same_identifier), run.stderr


def test_a_fixed_copy_is_selected_by_folder_and_by_id(copied_article):
    config = copied_article / "content" / "zz-probe" / "publication.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("id: gsi-article-2024", "id: probe-article")
    text = text.replace("urn:uuid:0b9d8f4e-5c6a-4e1f-8a2b-3c4d5e6f7a8b", "urn:uuid:5b0ce2ad-1d3a-4a52-9f57-33a3d4e5f6a7")
    config.write_text(text, encoding="utf-8")
    by_folder = publish(copied_article, "check", "zz-probe")
    by_id = publish(copied_article, "check", "probe-article")
    assert by_folder.returncode == 0 and by_id.returncode == 0, by_folder.stderr + by_id.stderr
    assert "[probe-article] check" in by_folder.stderr and "[probe-article] check" in by_id.stderr
    assert "gsi-article-2024" not in by_folder.stderr  # only the one asked for is checked


@pytest.mark.parametrize("language, words", [
    ("en", "no publication `zz-prob` in content (available: gsi-article-2024, zz-probe) (did you mean `zz-probe`?)"),
    ("zh", "content 里没有出版物 `zz-prob`（现有：gsi-article-2024、zz-probe）（是不是 `zz-probe`？）"),
])
def test_an_unknown_publication_is_a_usage_error_with_a_did_you_mean(copied_article, language, words):
    run = publish(copied_article, "check", "zz-prob", language=language)
    assert run.returncode == 2 and words in run.stderr, run.stderr


def test_every_kind_of_problem_reads_in_chinese(tmp_path):
    """One publication with many of the catalogue's mistakes, checked under a Chinese locale: every message
    and every fix is Chinese prose (English words only inside `code` and quoted values)."""
    config = CONFIG.replace("title: 测试", "title: 测试\ncolour: blue\ncontents_depth: \"3\"") + \
        "  - a.md\n  - b.md\n  - missing.md\n"
    a = CHAPTER + ("\n正文[^x]，参见[概述](#overvue)。\n\n# 一级标题\n\n::: boxed\n文字。\n:::\n"
                   "\n::: table 表\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 | 3 |\n:::\n"
                   "\n::: figure\nimage: images/notes.jpg\ncaption: 图\nratio: wide\n:::\n\n[^y]: 没有调用。\n")
    b = CHAPTER.replace("id: one", "id: one\nlevel: one\nkind: appendix") + "\n::: sidebar\n文字。\n"
    project = make_project(tmp_path, {"a.md": a, "b.md": b, "images/notes.jpg": "不是图片".encode()}, config)
    run = publish(project, "check", language="zh")
    assert run.returncode == 1
    found = shown_problems(run.stderr)
    assert len(found) >= 14, run.stderr
    for problem in found:
        for words in (problem.message, problem.fix):
            prose = re.sub(r"`[^`]*`|\S*/\S*|[\w.-]+\.(?:md|yaml|jpg)(?::\d+)?", "", words)  # code, paths: no prose
            assert re.search(r"[\u4e00-\u9fff]", prose), problem
            assert not re.search(r"\b(the|must|is|not|a|an|of|or|and)\b", prose), problem
    assert "个问题；什么都没有写" in run.stderr
