"""Faults that lose nothing: a stopped build leaves no process behind; a cache that cannot be written or
read fails or recovers without touching the editions; what the build says of them is what is on disk.

Each case runs the real build as a process and does to it what happens to
builds: `timeout` and CI cancels send SIGTERM, Ctrl-C is SIGINT, the out-of-
memory killer SIGKILL; a cache folder left read-only by another user, a
build record written by another version, a cache file cut short by a full disk.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publish import cli
from publish.cache import MANIFEST_FORMAT

from .conftest import REPORT
from .test_safety_atomic import build_command, edited_copy, good_build, hidden_leftovers, snapshot  # noqa: F401 (fixtures)

PROJECT = Path(__file__).resolve().parent.parent


# -- the processes of a build ---------------------------------------------------------------------------

def children_of() -> dict[int, list[int]]:
    """Every process's children, from /proc (pid → child pids)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def descendants(pid: int) -> set[int]:
    tree, found, todo = children_of(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to read its status is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_the_workers_die_with_the_build(tmp_path, sig):
    """The report laid out in two workers; the build (only it, as `timeout` does) gets the signal while they
    work. Within two seconds of the build's end no process it started is left."""
    process = subprocess.Popen(build_command(REPORT, tmp_path / "output", "--clean", "--jobs", "2"),
                               stderr=subprocess.PIPE, text=True, cwd=PROJECT)
    for line in process.stderr:
        if "] load" in line:
            break
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers |= descendants(process.pid)
        time.sleep(0.05)
    time.sleep(0.5)  # the workers are laying out parts (and have forked their own children for drawing)
    workers |= descendants(process.pid)
    assert process.poll() is None and len(workers) >= 2, "the build had no workers to stop"
    process.send_signal(sig)
    process.stderr.read()
    process.wait(timeout=60)
    expected = {signal.SIGTERM: 128 + signal.SIGTERM, signal.SIGINT: 130, signal.SIGKILL: -signal.SIGKILL}[sig]
    assert process.returncode == expected
    deadline = time.monotonic() + 2
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in workers if alive(pid)] == []
    assert not (tmp_path / "output" / "gsi-report-2024" / "print.pdf").exists()


# -- the cache ---------------------------------------------------------------------------------------------

def build(pub: Path, output: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(build_command(pub, output, *extra), capture_output=True, text=True, cwd=PROJECT,
                          timeout=600)


def make_cache_unwritable(cache: Path) -> Path:
    """The cache's units folder made unwritable: by its permissions, or (for root, whom they do not stop)
    by a file where the folder should be. Returns what the build cannot write into."""
    units = cache / "units"
    if os.geteuid() != 0:
        for path in [units, *units.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555)
        cache.chmod(0o555)
        return units
    shutil.rmtree(units)
    units.write_bytes(b"not a folder")
    return units


def test_a_cache_that_cannot_be_written_fails_the_build_and_replaces_nothing(edited_copy):
    pub, output = edited_copy
    before = snapshot(output / "minimal")
    cache = output / ".cache" / "minimal"
    record = (cache / "build.json").read_bytes()
    blocked = make_cache_unwritable(cache)
    try:
        run = build(pub, output)
    finally:
        cache.chmod(0o755)
    assert run.returncode == 3, run.stderr
    assert "cannot write" in run.stderr and str(blocked) in run.stderr
    assert "the previous editions are unchanged" in run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(output / "minimal") == before  # every edition as it was, as the message says
    assert (cache / "build.json").read_bytes() == record  # and the record of them
    assert hidden_leftovers(output / "minimal") == []
    if blocked.is_file():
        blocked.unlink()
    else:
        for path in [blocked, *blocked.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    again = build(pub, output, "-q")  # made writable: the build goes through
    assert again.returncode == 0, again.stderr
    assert "改过的一句话" in (output / "minimal" / "web" / "chapter.html").read_text()


def test_a_build_stopped_while_renaming_says_which_editions_are_new_and_the_next_completes_them(edited_copy):
    """A disk error between two renames (in this process: the rename function fails on its third call):
    the message names what was replaced, never "unchanged"; the next build finishes the set."""
    import publish.write as write
    pub, output = edited_copy
    before = snapshot(output / "minimal")
    real_move, moves = write._move_into_place, []

    def fails_on_the_third(new, final):
        if len(moves) == 2:
            raise OSError(5, "Input/output error", str(final))
        moves.append(final)
        real_move(new, final)
    write._move_into_place = fails_on_the_third
    try:
        import contextlib
        import io
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            code = cli.main([str(pub), "--output", str(output), "--jobs", "1"], project=PROJECT)
    finally:
        write._move_into_place = real_move
    said = stderr.getvalue()
    replaced = sorted({Path(final).name for final in moves})
    assert code == 3, said
    assert "editions are unchanged" not in said
    assert "already new" in said and all(name in said for name in replaced), said
    mixed = snapshot(output / "minimal")
    assert mixed != before and (output / "minimal" / write.JOURNAL).exists()
    again = build(pub, output, "-q")
    assert again.returncode == 0, again.stderr
    clean_output = output.parent / "clean"
    assert build(pub, clean_output, "-q", "--clean").returncode == 0
    without_report = lambda files: {k: v for k, v in files.items() if k != "changes.json"}  # noqa: E731
    assert without_report(snapshot(output / "minimal")) == without_report(snapshot(clean_output / "minimal"))
    assert not (output / "minimal" / write.JOURNAL).exists()


WRONG_RECORDS = {
    "units stored as a list": lambda r: {**r, "builds": {"units": r["builds"]}},
    "editions as a list": lambda r: {**r, "editions": list(r["editions"].items())},
    "another format": lambda r: {**r, "format": MANIFEST_FORMAT + 1},
    "a list, not a record": lambda r: [r],
    "records of another shape": lambda r: {**r, "records": {"inputs": 7, "page_of": ["intro", 1]}},
}


@pytest.mark.parametrize("change", WRONG_RECORDS.values(), ids=WRONG_RECORDS.keys())
def test_a_build_record_of_the_wrong_shape_is_ignored_with_a_warning_and_rebuilt(edited_copy, change):
    pub, output = edited_copy
    path = output / ".cache" / "minimal" / "build.json"
    path.write_text(json.dumps(change(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
    run = build(pub, output)
    assert run.returncode == 0, run.stderr
    assert "改过的一句话" in (output / "minimal" / "web" / "chapter.html").read_text()
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["format"] == MANIFEST_FORMAT and isinstance(record["builds"], list)
    if change is not WRONG_RECORDS["records of another shape"]:
        assert "build record" in run.stderr and str(path) in run.stderr
    again = build(pub, output)
    assert again.returncode == 0 and "up to date" in again.stderr


def test_damaged_cache_files_are_rendered_again_with_a_warning(edited_copy):
    pub, output = edited_copy
    units = sorted((output / ".cache" / "minimal" / "units").glob("*/*"))
    for unit in units:  # a full disk cut every one short
        data = unit.read_bytes()
        unit.write_bytes(data[: len(data) // 2])
    run = build(pub, output, "--jobs", "1")
    assert run.returncode == 0, run.stderr
    assert "damaged cache file" in run.stderr
    used = json.loads((output / ".cache" / "minimal" / "build.json").read_text(encoding="utf-8"))["builds"][-1]
    for key in used:  # what this build used is on disk whole again: the next build reads it
        stored = output / ".cache" / "minimal" / "units" / key[:2] / key
        head, _, body = stored.read_bytes().partition(b"\n")
        assert head == hashlib.sha256(body).hexdigest().encode(), stored
    clean_output = output.parent / "clean"
    assert build(pub, clean_output, "-q", "--clean").returncode == 0
    for name in ("print.pdf", "screen.pdf", "minimal.epub", "web/chapter.html"):
        assert (output / "minimal" / name).read_bytes() == (clean_output / "minimal" / name).read_bytes(), name
