"""Nothing lost: a failed, interrupted or killed build leaves the previous editions as they were.

The build is run as a real process and killed (SIGKILL) or interrupted
(SIGINT, as Ctrl-C) while it renders; the writer is killed while it writes a
large file or folder. Leftovers must be hidden (dot) files, never a visible
half edition, and the next build removes them.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publish.write import EditionSet, write_file

from .conftest import FIXTURES, copy_publication

PROJECT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every visible file under `folder` (no part of its path hidden), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


def hidden_leftovers(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*") if p.name.endswith((".part", ".old"))]


def build_command(pub: Path, output: Path, *extra: str) -> list[str]:
    return [sys.executable, str(PROJECT / "build.py"), str(pub), "--output", str(output), *extra]


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """A publication and the output of one good build of it."""
    folder = tmp_path_factory.mktemp("good")
    pub = copy_publication(FIXTURES / "minimal", folder / "minimal")
    output = folder / "output"
    run = subprocess.run(build_command(pub, output, "-q"), capture_output=True, text=True, cwd=PROJECT, timeout=600)
    assert run.returncode == 0, run.stderr
    return pub, output


@pytest.fixture
def edited_copy(good_build, tmp_path):
    """A copy of the good build's output, and of its publication with a changed paragraph."""
    pub, output = good_build
    pub_copy = copy_publication(pub, tmp_path / "minimal")
    chapter = pub_copy / "chapter.md"
    chapter.write_text(chapter.read_text().replace("这一倡议为弥补和平赤字提供了新方向。", "改过的一句话。"))
    output_copy = tmp_path / "output"
    shutil.copytree(output, output_copy, symlinks=True)
    return pub_copy, output_copy


def start_build_and_signal_it_while_rendering(pub: Path, output: Path, sig: int) -> subprocess.CompletedProcess:
    """Start a build; once it has loaded the content and begun rendering, send `sig`."""
    process = subprocess.Popen(build_command(pub, output), stderr=subprocess.PIPE, text=True, cwd=PROJECT)
    lines = []
    for line in process.stderr:
        lines.append(line)
        if "] load" in line:  # the next step is the PDF layout, which takes seconds
            break
    time.sleep(0.3)
    assert process.poll() is None, "".join(lines)
    process.send_signal(sig)
    rest = process.stderr.read()
    process.wait(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, "", "".join(lines) + rest)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_build_stopped_mid_render_leaves_the_previous_edition_intact(edited_copy, sig):
    pub, output = edited_copy
    before = snapshot(output / "minimal")
    assert {"print.pdf", "screen.pdf", "minimal.epub", "web/chapter.html"} <= set(before)
    stopped = start_build_and_signal_it_while_rendering(pub, output, sig)
    if sig == signal.SIGINT:
        assert stopped.returncode == 130 and "interrupted" in stopped.stderr
        assert "Traceback" not in stopped.stderr
    else:
        assert stopped.returncode == -signal.SIGKILL
    assert snapshot(output / "minimal") == before  # byte for byte, and no visible partial file
    again = subprocess.run(build_command(pub, output, "-q"), capture_output=True, text=True, cwd=PROJECT,
                           timeout=600)
    assert again.returncode == 0, again.stderr
    after = snapshot(output / "minimal")
    assert after.keys() == before.keys() and after["web/chapter.html"] != before["web/chapter.html"]
    assert "改过的一句话" in after["web/chapter.html"].decode()
    assert hidden_leftovers(output / "minimal") == []


def test_a_failed_build_leaves_the_previous_edition_intact(edited_copy):
    pub, output = edited_copy
    before = snapshot(output / "minimal")
    (pub / "chapter.md").write_text((pub / "chapter.md").read_text().replace("::: box", "::: boxed"))
    run = subprocess.run(build_command(pub, output), capture_output=True, text=True, cwd=PROJECT, timeout=600)
    assert run.returncode == 1 and "unknown block type `boxed`" in run.stderr
    assert snapshot(output / "minimal") == before


# -- the writer: staged, then replaced together -------------------------------------------

WRITER = """
import sys
from pathlib import Path
from publish.write import EditionSet
folder = Path(sys.argv[1])
editions = EditionSet(folder)
editions.stage_file(folder / "print.pdf", b"new" * 60_000_000)
editions.stage_tree(folder / "web", {f"page-{i:04}.html": b"new" * 400_000 for i in range(400)})
editions.commit()
"""


def old_editions(folder: Path) -> EditionSet:
    editions = EditionSet(folder)
    editions.stage_file(folder / "print.pdf", b"old edition")
    editions.stage_tree(folder / "web", {"index.html": b"old", "old-page.html": b"old page"})
    editions.commit()
    return editions


def kill_writer_while_it_stages(folder: Path, sig: int = signal.SIGKILL) -> int:
    """Start a writer of a large file and folder; signal it as soon as its first hidden copy exists."""
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)], cwd=PROJECT)
    while process.poll() is None and not list(folder.glob(".*.part")):
        time.sleep(0.001)
    assert process.poll() is None, "the writer finished before it could be stopped"
    process.send_signal(sig)
    return process.wait(timeout=60)


def test_a_write_killed_while_staging_leaves_the_old_editions_and_hidden_leftovers(tmp_path):
    old_editions(tmp_path)
    assert kill_writer_while_it_stages(tmp_path) == -signal.SIGKILL
    assert snapshot(tmp_path) == {"print.pdf": b"old edition", "web/index.html": b"old",
                                  "web/old-page.html": b"old page"}
    assert hidden_leftovers(tmp_path)
    EditionSet(tmp_path).recover()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["print.pdf", "web"]


def test_a_write_killed_between_two_renames_is_finished_by_the_next_build(tmp_path, monkeypatch):
    """The journal lists the renames once every new file is whole: a build killed between two of them
    leaves a mixed set only until the next build finishes the journal."""
    import publish.write as write
    old_editions(tmp_path)
    editions = EditionSet(tmp_path)
    editions.stage_file(tmp_path / "print.pdf", b"new edition")
    editions.stage_tree(tmp_path / "web", {"index.html": b"new"})
    real_move, moves = write._move_into_place, []

    def killed_after_the_first(new, final):
        if moves:
            raise KeyboardInterrupt  # the process dies here
        moves.append(final)
        real_move(new, final)
    monkeypatch.setattr(write, "_move_into_place", killed_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        editions.commit()
    monkeypatch.setattr(write, "_move_into_place", real_move)
    assert (tmp_path / write.JOURNAL).exists()
    assert snapshot(tmp_path) == {"print.pdf": b"new edition", "web/index.html": b"old",
                                  "web/old-page.html": b"old page"}  # mixed, until …
    EditionSet(tmp_path).recover()  # … the next build starts
    assert snapshot(tmp_path) == {"print.pdf": b"new edition", "web/index.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["print.pdf", "web"]


def test_a_write_that_fails_staging_replaces_nothing(tmp_path):
    old_editions(tmp_path)
    editions = EditionSet(tmp_path)
    editions.stage_file(tmp_path / "print.pdf", b"new edition")
    with pytest.raises(ValueError):
        editions.stage_tree(tmp_path / "web", {"index.html": b"new", "../escape.html": b"x"})
    editions.abort()
    assert snapshot(tmp_path) == {"print.pdf": b"old edition", "web/index.html": b"old",
                                  "web/old-page.html": b"old page"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["print.pdf", "web"]
    assert not (tmp_path.parent / "escape.html").exists()


def test_a_folder_write_replaces_the_folder_exactly(tmp_path):
    old_editions(tmp_path)
    editions = EditionSet(tmp_path)
    editions.stage_tree(tmp_path / "web", {"index.html": b"new", "assets/b.css": b"b"})
    editions.commit()
    assert snapshot(tmp_path / "web") == {"index.html": b"new", "assets/b.css": b"b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["print.pdf", "web"]


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_editions_are_readable_by_everyone_whatever_the_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        editions = EditionSet(tmp_path / "out")
        editions.stage_file(tmp_path / "out" / "print.pdf", b"x")
        editions.stage_tree(tmp_path / "out" / "web", {"index.html": b"x", "assets/a.css": b"a"})
        editions.commit()
        write_file(tmp_path / "out" / "cache" / "build.json", b"{}")
    finally:
        os.umask(previous)
    out = tmp_path / "out"
    assert oct(out.stat().st_mode & 0o777) == "0o755"
    for path in [out / "print.pdf", out / "web" / "index.html", out / "web" / "assets" / "a.css",
                 out / "cache" / "build.json"]:
        assert oct(path.stat().st_mode & 0o777) == "0o644", path
    for path in [out / "web", out / "web" / "assets", out / "cache"]:
        assert oct(path.stat().st_mode & 0o777) == "0o755", path


def test_an_old_read_only_folder_edition_is_replaced_without_leftovers(tmp_path):
    old_editions(tmp_path)
    for path in (tmp_path / "web").iterdir():
        path.chmod(0o444)
    (tmp_path / "web").chmod(0o555)
    editions = EditionSet(tmp_path)
    editions.stage_tree(tmp_path / "web", {"index.html": b"new"})
    editions.commit()
    assert snapshot(tmp_path / "web") == {"index.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["print.pdf", "web"]
