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

from publish.write import remove_stale_parts, write_file, write_tree

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


# -- the writer, killed while it writes -------------------------------------------

WRITER = """
import sys
from pathlib import Path
from publish.write import write_file, write_tree
kind, target = sys.argv[1], Path(sys.argv[2])
if kind == "file":
    write_file(target, b"new" * 60_000_000)
else:
    write_tree(target, {f"page-{i:04}.html": b"new" * 400_000 for i in range(400)})
"""


def kill_writer_while_it_writes(kind: str, target: Path, sig: int = signal.SIGKILL) -> int:
    """Start a writer of a large file (or folder) at `target`; signal it as soon as its temporary copy exists."""
    process = subprocess.Popen([sys.executable, "-c", WRITER, kind, str(target)], cwd=PROJECT)
    pattern = f".{target.name}.*.part"
    while process.poll() is None and not list(target.parent.glob(pattern)):
        time.sleep(0.001)
    assert process.poll() is None, "the writer finished before it could be stopped"
    process.send_signal(sig)
    return process.wait(timeout=60)


def test_a_file_write_killed_midway_leaves_the_old_file_and_a_hidden_leftover(tmp_path):
    target = tmp_path / "print.pdf"
    write_file(target, b"old edition")
    assert kill_writer_while_it_writes("file", target) == -signal.SIGKILL
    assert target.read_bytes() == b"old edition"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "print.pdf"]
    assert leftovers and all(name.startswith(".print.pdf.") and name.endswith(".part") for name in leftovers)
    remove_stale_parts(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["print.pdf"]


def test_a_file_write_interrupted_cleans_up_after_itself(tmp_path):
    target = tmp_path / "print.pdf"
    write_file(target, b"old edition")
    assert kill_writer_while_it_writes("file", target, signal.SIGINT) != 0
    assert target.read_bytes() == b"old edition"
    assert [p.name for p in tmp_path.iterdir()] == ["print.pdf"]


def test_a_folder_write_killed_midway_leaves_the_old_folder(tmp_path):
    target = tmp_path / "web"
    write_tree(target, {"index.html": b"old", "old-page.html": b"old page"})
    assert kill_writer_while_it_writes("tree", target) == -signal.SIGKILL
    assert snapshot(target) == {"index.html": b"old", "old-page.html": b"old page"}
    remove_stale_parts(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web"]


def test_a_folder_caught_between_two_renames_is_put_back(tmp_path):
    """Without an atomic exchange a folder is swapped with two renames; a kill between them
    leaves only `.web.old`: the next build puts it back, or deletes it once `web` exists."""
    (tmp_path / ".web.old").mkdir()
    (tmp_path / ".web.old" / "index.html").write_bytes(b"old")
    remove_stale_parts(tmp_path)
    assert snapshot(tmp_path) == {"web/index.html": b"old"}
    (tmp_path / ".web.old").mkdir()
    remove_stale_parts(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web"]


def test_a_folder_write_replaces_the_folder_exactly(tmp_path):
    target = tmp_path / "web"
    write_tree(target, {"index.html": b"old", "gone.html": b"old", "assets/a.css": b"a"})
    write_tree(target, {"index.html": b"new", "assets/b.css": b"b"})
    assert snapshot(target) == {"index.html": b"new", "assets/b.css": b"b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web"]
    assert oct(target.stat().st_mode & 0o777) == "0o755"


@pytest.mark.parametrize("name", ["../escape.html", "/etc/escape.html", ""])
def test_a_folder_write_refuses_names_outside_the_folder(tmp_path, name):
    target = tmp_path / "web"
    write_tree(target, {"index.html": b"old"})
    with pytest.raises(ValueError):
        write_tree(target, {"index.html": b"new", name: b"x"})
    assert snapshot(target) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web"] and not (tmp_path / "escape.html").exists()


def test_a_file_is_written_readable_by_everyone(tmp_path):
    write_file(tmp_path / "a.pdf", b"x")
    assert oct((tmp_path / "a.pdf").stat().st_mode & 0o777) == "0o644"
    assert os.listdir(tmp_path) == ["a.pdf"]
