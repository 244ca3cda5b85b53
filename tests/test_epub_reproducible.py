"""The same content and SOURCE_DATE_EPOCH give the same EPUB, byte for byte.

Two builds run as separate processes with different hash seeds (so a set or
dict order that leaked into the output would show), each into its own output
folder.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from publish.cache import Cache
from publish.load import load_publication
from publish.render.epub import epub_edition

from .conftest import FIXTURES

PROJECT = Path(__file__).resolve().parent.parent
EPOCH = 1720000000  # 2024-07-03T09:46:40Z


def build_epub(output: Path, hash_seed: str, cache_from: Path | None = None) -> bytes:
    """`build.py gsi-report-2024 --edition epub` into `output`, in a process of its own.

    The first build lays the book out to learn the printed page numbers; the
    second starts from the first one's cache (page numbers only: its EPUB is
    rendered from nothing, into another folder), which saves a layout.
    """
    if cache_from is not None:
        shutil.copytree(cache_from / ".cache", output / ".cache")
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH), PYTHONHASHSEED=hash_seed)
    subprocess.run([sys.executable, "build.py", "gsi-report-2024", "--edition", "epub", "--output", str(output),
                    "--quiet"], cwd=PROJECT, env=env, check=True, capture_output=True)
    return (output / "gsi-report-2024" / "gsi-report-2024.epub").read_bytes()


def test_two_builds_give_the_same_bytes(tmp_path):
    first = build_epub(tmp_path / "first", "1")
    second = build_epub(tmp_path / "second", "2", cache_from=tmp_path / "first")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as epub:
        names = [info.filename for info in epub.infolist()]
        assert names[0] == "mimetype" and epub.infolist()[0].compress_type == zipfile.ZIP_STORED
        assert names[1:] == sorted(names[1:]), "entries are not in a fixed order"
        assert {info.date_time for info in epub.infolist()} == {(2024, 7, 3, 9, 46, 40)}
        pages = ElementTree.fromstring(epub.read("EPUB/nav.xhtml")).iter("{http://www.w3.org/1999/xhtml}a")
        assert sum(1 for _ in pages) > 60, "the page-list is missing"


def test_timestamps_follow_source_date_epoch(monkeypatch, tmp_path):
    """Another SOURCE_DATE_EPOCH, another dcterms:modified and other zip times; nothing else changes."""
    pub = load_publication(FIXTURES / "minimal")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    early = epub_edition(pub, Cache(tmp_path / "early"), None, None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    late = epub_edition(pub, Cache(tmp_path / "late"), None, None)
    assert early != late
    with zipfile.ZipFile(io.BytesIO(early)) as a, zipfile.ZipFile(io.BytesIO(late)) as b:
        assert a.namelist() == b.namelist()
        assert b.infolist()[0].date_time == (2024, 7, 3, 9, 46, 40)
        assert '<meta property="dcterms:modified">2024-07-03T09:46:40Z</meta>' in b.read("EPUB/package.opf").decode()
        assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in a.read("EPUB/package.opf").decode()
        for name in a.namelist():
            if name != "EPUB/package.opf":
                assert a.read(name) == b.read(name), name
