"""Incremental builds: an edit renders only what it affects, and the result is a clean build's, byte for byte."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from publish.paths import PROJECT_ROOT
from publish.pipeline import Log, build_publication
from publish.progress import CLEAR_LINE

from .conftest import FIXTURES, copy_publication

EDITED_SENTENCE = "这一倡议为弥补和平赤字提供了新方向。"
# Long enough to push the rest of the chapter, its notes with it, further down the pages.
ADDED_TEXT = "各方在联合国框架内加强沟通协调，推动以对话协商方式化解分歧，" * 12


def build(root: Path, output: Path, **options):
    return build_publication(root, output=output, log=Log(quiet=True), jobs=1, **options)


REPORTS = {"changes.json"}
"""Files about a build, not editions: what changed since the build before it."""


def edition_files(output: Path, pub_id: str) -> dict[str, bytes]:
    """Every file of every edition (not the cache, not the change report), by path inside output/<id>/."""
    folder = output / pub_id
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in REPORTS}


def edit_paragraph(root: Path, old: str, new: str) -> None:
    chapter = root / "chapter.md"
    text = chapter.read_text(encoding="utf-8")
    assert old in text
    chapter.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture()
def publication(tmp_path) -> Path:
    return copy_publication(FIXTURES / "minimal", tmp_path / "minimal")


def test_an_edit_built_incrementally_equals_a_clean_build(publication, tmp_path):
    incremental, clean = tmp_path / "incremental", tmp_path / "clean"
    build(publication, incremental)
    before = edition_files(incremental, "minimal")
    edit_paragraph(publication, EDITED_SENTENCE, EDITED_SENTENCE + ADDED_TEXT)

    result = build(publication, incremental)
    build(publication, clean, clean=True)

    after, reference = edition_files(incremental, "minimal"), edition_files(clean, "minimal")
    assert after.keys() == reference.keys()
    differing = [name for name in reference if after[name] != reference[name]]
    assert differing == []
    assert after["print.pdf"] != before["print.pdf"]  # the edit did reach the outputs
    # The edited chapter's page and EPUB document were rendered again; the annex's web page was not.
    assert "web/chapter.html" in result.rendered
    assert "epub/EPUB/text/chapter.xhtml" in result.rendered
    assert "web/annex.html" not in result.rendered
    assert {"pdf/print", "pdf/screen"} <= set(result.rendered)
    # Only the edited chapter's part of the book was laid out again (and the contents, whose page
    # numbers it may move): the annex's pages came from the cache.
    assert set(result.laid_out) <= {"chapter-one", "contents"} and "chapter-one" in result.laid_out
    assert "pdf/part/annex-one" not in result.rendered


def test_a_build_with_nothing_changed_renders_nothing(publication, tmp_path):
    output = tmp_path / "output"
    build(publication, output)
    files = sorted(p for p in (output / "minimal").rglob("*") if p.is_file())
    stamps = {p: p.stat().st_mtime_ns for p in files}
    stream = io.StringIO()

    result = build_publication(publication, output=output, log=Log(stream=stream), jobs=1)

    assert result.rendered == []
    assert result.written == []
    assert {p: p.stat().st_mtime_ns for p in files} == stamps
    assert "up to date: nothing rendered, nothing written" in stream.getvalue()


def test_an_edit_in_one_part_lays_out_that_part_only(publication, tmp_path):
    output = tmp_path / "output"
    build(publication, output)
    annex = publication / "annex.md"
    annex.write_text(annex.read_text(encoding="utf-8") + "\n附件补充说明一段。\n", encoding="utf-8")

    result = build(publication, output)

    assert "chapter-one" not in result.laid_out and "annex-one" in result.laid_out
    assert "web/annex.html" in result.rendered and "web/chapter.html" not in result.rendered
    assert {"pdf/print", "pdf/screen"} <= set(result.rendered)
    build(publication, tmp_path / "clean", clean=True)
    assert edition_files(output, "minimal") == edition_files(tmp_path / "clean", "minimal")


def test_an_edit_that_brings_no_new_character_reuses_the_faces_subsets(publication, tmp_path, monkeypatch):
    """The book subsets each face once (render/pdf/fonts.py) and keeps the subset: the next build whose
    parts use the same glyphs takes it from the cache; a clean build makes every subset afresh."""
    from publish.render.pdf import fonts
    subsets = []
    real = fonts.harfbuzz_subset
    monkeypatch.setattr(fonts, "harfbuzz_subset", lambda *args: subsets.append(args[0]) or real(*args))
    output = tmp_path / "output"
    build(publication, output)
    assert subsets
    subsets.clear()
    edit_paragraph(publication, EDITED_SENTENCE, EDITED_SENTENCE * 2)  # its characters are all in the book
    result = build(publication, output)
    assert "pdf/book" in result.rendered and subsets == []
    build(publication, tmp_path / "clean", clean=True)
    assert subsets
    assert edition_files(output, "minimal") == edition_files(tmp_path / "clean", "minimal")


def test_an_edition_changed_by_hand_is_written_again(publication, tmp_path):
    output = tmp_path / "output"
    build(publication, output)
    page = output / "minimal" / "web" / "chapter.html"
    page.write_text("changed by hand", encoding="utf-8")
    (output / "minimal" / "screen.pdf").unlink()

    result = build(publication, output)

    assert {"web", "screen"} <= set(result.written)  # from the cache: nothing needed rendering
    assert result.rendered == []
    build(publication, tmp_path / "clean", clean=True)
    assert edition_files(output, "minimal") == edition_files(tmp_path / "clean", "minimal")


def test_one_edition_built_alone_keeps_the_others_up_to_date(publication, tmp_path):
    output = tmp_path / "output"
    build(publication, output)
    edit_paragraph(publication, EDITED_SENTENCE, EDITED_SENTENCE + "补充一句。")

    web_only = build_publication(publication, ("web",), output=output, log=Log(quiet=True), jobs=1)
    everything = build(publication, output)

    assert web_only.rendered and all(unit.startswith("web/") for unit in web_only.rendered)
    assert not any(unit.startswith("web/") for unit in everything.rendered)  # already done
    assert "pdf/print" in everything.rendered


def test_the_command_line_says_when_nothing_changed(publication, tmp_path):
    command = [sys.executable, "build.py", str(publication), "--output", str(tmp_path / "output"), "--jobs", "1"]
    first = subprocess.run(command + ["--clean"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    second = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "[minimal] write  up to date: nothing rendered, nothing written" in second.stderr



class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_live_line_on_a_terminal_and_plain_lines_elsewhere():
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        log = Log(stream=stream)
        log.step("minimal", "pdf", "laying out the parts of the book")
        log.stage("minimal", "pdf", "11 pages, 1 layout")

    assert CLEAR_LINE + "[minimal] pdf    laying out the parts" in terminal.getvalue()
    assert terminal.getvalue().endswith(CLEAR_LINE + "[minimal] pdf    11 pages, 1 layout\n")
    assert pipe.getvalue() == "[minimal] pdf    11 pages, 1 layout\n"


def test_quiet_prints_only_problems_and_verbose_prints_every_step():
    quiet, verbose = io.StringIO(), io.StringIO()
    for stream, options in ((quiet, {"quiet": True}), (verbose, {"verbose": True})):
        log = Log(stream=stream, **options)
        log.step("minimal", "pdf", "laying out the book")
        log.stage("minimal", "pdf", "done")
        log.problem("chapter.md:3: error: something")

    assert quiet.getvalue() == "chapter.md:3: error: something\n"
    assert verbose.getvalue() == ("[minimal] pdf    laying out the book\n[minimal] pdf    done\n"
                                  "chapter.md:3: error: something\n")


def test_the_engine_knows_each_rendering_library_by_its_installed_version():
    """A new version of a library that renders makes every unit anew: the engine's digest holds each
    one's version, read from its dist-info folder's name, as the package metadata gives it."""
    from importlib import metadata

    from publish.cache import LIBRARIES, _library_versions
    assert _library_versions() == tuple((name, metadata.version(name)) for name in LIBRARIES)


def test_the_version_is_told_when_asked_for():
    from importlib import metadata
    run = subprocess.run([sys.executable, "build.py", "--version"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == f"build.py {metadata.version('publish')}"


def _priority_and_modules(names: tuple[str, ...]) -> tuple[int, bool]:
    import time
    time.sleep(0.1)  # long enough for each worker to take some of the tasks
    return os.nice(0), all(name in sys.modules for name in names)


@pytest.mark.skipif(os.geteuid() != 0, reason="only a privileged process may raise a priority again")
def test_workers_warm_up_in_turn_and_work_at_the_builds_priority():
    """The first worker imports the first group of modules; the others import the rest in the background,
    at the lowest priority, then work at the build's priority again (cache._worker_start)."""
    from publish.cache import Workers
    with Workers(2, (("json",), ("csv", "wave"))) as workers:
        tasks = [workers.submit(_priority_and_modules, ("csv", "wave")) for _ in range(8)]
        answers = {task.result() for task in tasks}
    assert {priority for priority, _ in answers} == {0}
    assert (0, True) in answers  # a worker that warmed up in the background
