"""Deterministic builds: the same content and SOURCE_DATE_EPOCH give the same bytes.

Two builds run as separate processes with different hash seeds (so no set or
dict order can leak into an output) into two folders, then a third build
reuses the first folder, where the last build's cache and record (build.json) are found
(publish/pipeline.py): every edition file must be byte-identical across all
three. A build with another SOURCE_DATE_EPOCH shows the timestamps do come
from it.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from .conftest import FIXTURES

PROJECT = Path(__file__).resolve().parent.parent
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z


def build(output: Path, hash_seed: str, epoch: str = EPOCH, *editions: str) -> dict[str, bytes]:
    """Build the minimal fixture into `output`; every edition file by path relative to output/minimal."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONHASHSEED": hash_seed}
    command = [sys.executable, str(PROJECT / "build.py"), str(FIXTURES / "minimal"), "--output", str(output), "-q"]
    command += [arg for edition in editions for arg in ("--edition", edition)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    folder = output / "minimal"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    first_output = tmp_path_factory.mktemp("first")
    first = build(first_output, "1")
    second = build(tmp_path_factory.mktemp("second"), "2")
    again = build(first_output, "3")  # this one starts from the first build's cache and record (build.json)
    return first, second, again


def test_every_edition_is_built(builds):
    first, _, _ = builds
    assert {"print.pdf", "screen.pdf", "minimal.epub", "web/index.html", "web/chapter.html"} <= set(first)


@pytest.mark.parametrize("name", ["print.pdf", "screen.pdf", "minimal.epub"])
def test_pdfs_and_epub_are_byte_identical(builds, name):
    first, second, again = builds
    assert first[name] == second[name]
    assert first[name] == again[name]


def test_every_web_file_is_byte_identical(builds):
    first, second, again = builds
    web = {name for name in first if name.startswith("web/")}
    assert web == {name for name in second if name.startswith("web/")}
    for name in sorted(web):
        assert first[name] == second[name] == again[name], name


def test_source_date_epoch_sets_the_timestamps(builds, tmp_path):
    """The check can fail: another SOURCE_DATE_EPOCH gives another EPUB and PDF."""
    first, _, _ = builds
    other = build(tmp_path, "1", "1710000000", "print", "epub")
    assert other["minimal.epub"] != first["minimal.epub"]
    assert other["print.pdf"] != first["print.pdf"]
    assert creation_date(first["print.pdf"]) == "D:20231114221320Z"
    assert creation_date(other["print.pdf"]) == "D:20240309160000Z"


def creation_date(pdf: bytes) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return str(document.docinfo["/CreationDate"])
