"""`build.py watch`: a save rebuilds, the chapter preview and the reload event follow, on loopback only."""
from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from publish.paths import PROJECT_ROOT

from .conftest import FIXTURES, copy_publication, pdftotext_pages

STARTUP_SECONDS = 300  # the first build, on a shared machine
EVENT_SECONDS = 300
NEW_TEXT = "监视模式保存后立即重建。"


def lines_of(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def wait_for(lines: queue.Queue, pattern: str, seconds: float) -> re.Match:
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matching {pattern!r}; got:\n{''.join(seen)}")


def server_events(port: int, into: queue.Queue) -> http.client.HTTPConnection:
    """Listen to /__events; each event (name, data) goes into the queue."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=EVENT_SECONDS)
    connection.request("GET", "/__events")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"

    def read():
        name = None
        try:
            for raw in response.fp:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: ") and name:
                    into.put((name, json.loads(line[len("data: "):])))
        except (OSError, ValueError):
            pass

    threading.Thread(target=read, daemon=True).start()
    return connection


def next_event(events: queue.Queue, name: str) -> dict:
    deadline = time.monotonic() + EVENT_SECONDS
    while time.monotonic() < deadline:
        try:
            got, data = events.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if got == name:
            return data
    raise AssertionError(f"no `{name}` event")


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


SERVING = {"en": r"serving http://(127\.0\.0\.1):(\d+)/ — watching ", "zh": r"已在 http://(127\.0\.0\.1):(\d+)/ 提供预览"}


@pytest.fixture(params=["en"])
def watching(request, tmp_path):
    """`build.py watch` on a copy of the fixture, on a free port, its messages in the language asked (and with
    the processes asked: `lang` or `(lang, jobs)`); stopped afterwards."""
    language, jobs = request.param if isinstance(request.param, tuple) else (request.param, 1)
    root = copy_publication(FIXTURES / "minimal", tmp_path / "minimal")
    output = tmp_path / "output"
    process = subprocess.Popen(
        [sys.executable, "build.py", "watch", str(root), "--output", str(output), "--port", "0", "--jobs", str(jobs),
         "--lang", language],
        cwd=PROJECT_ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lines_of, args=(process.stderr, lines), daemon=True).start()
    try:
        found = wait_for(lines, SERVING[language], STARTUP_SECONDS)
        yield {"root": root, "output": output, "host": found.group(1), "port": int(found.group(2)),
               "process": process, "lines": lines}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=60)


def test_a_save_brings_a_preview_then_a_reload_of_the_page(watching, tmp_path):
    port = watching["port"]
    assert watching["host"] == "127.0.0.1"
    events: queue.Queue = queue.Queue()
    connection = server_events(port, events)
    chapter = watching["root"] / "chapter.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("提供了新方向。", "提供了新方向。" + NEW_TEXT, 1), encoding="utf-8")

    draft = next_event(events, "preview")
    status, draft_pdf = get(port, "/minimal/preview.pdf")  # before the build: the draft, laid out alone
    rebuilt = next_event(events, "rebuilt")
    final = next_event(events, "preview")
    status_final, final_pdf = get(port, "/minimal/preview.pdf")  # the chapter's pages of the new screen.pdf
    connection.close()

    assert draft["publication"] == "minimal" and draft["document"] == "chapter-one" and not draft["final"]
    assert final["document"] == "chapter-one" and final["final"] and final["version"] > draft["version"]
    assert rebuilt["publication"] == "minimal"
    assert "chapter.html" in rebuilt["web"] and "annex.html" not in rebuilt["web"]
    for name, status, pdf in (("draft", status, draft_pdf), ("final", status_final, final_pdf)):
        assert status == 200 and pdf.startswith(b"%PDF"), name
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        pages = pdftotext_pages(tmp_path / f"{name}.pdf")
        assert any(NEW_TEXT in page.replace("\n", "") for page in pages), name
        assert not any("附件正文一段" in page for page in pages), name  # the chapter, not the annex

    status, page = get(port, "/minimal/web/chapter.html")
    assert status == 200
    assert NEW_TEXT.encode() in page and b'<script src="/__live.js"></script>' in page
    on_disk = (watching["output"] / "minimal" / "web" / "chapter.html").read_bytes()
    assert b"__live.js" not in on_disk and NEW_TEXT.encode() in on_disk

    status, script = get(port, "/__live.js")
    assert status == 200 and b"EventSource" in script
    status, _ = get(port, "/minimal/print.pdf")
    assert status == 200


def test_the_server_reads_nothing_outside_the_editions(watching):
    port = watching["port"]
    for path in ("/minimal/../../etc/passwd", "/minimal/%2e%2e/%2e%2e/etc/passwd",
                 "/minimal/../.cache/minimal/build.json", "/other/web/index.html"):
        status, _ = get(port, path)
        assert status == 404, path


def test_terminating_the_watch_stops_it_cleanly(watching):
    process = watching["process"]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    wait_for(watching["lines"], r"stopped watching", 10)


@pytest.mark.parametrize("watching", ["zh"], indirect=True)
def test_in_chinese_the_watch_says_so_and_its_pages_speak_the_publications_language(watching):
    port = watching["port"]
    status, home = get(port, "/")
    assert status == 200
    home = home.decode("utf-8")
    assert '<html lang="zh-CN">' in home and "网页版" in home and "章节预览" in home and "web edition" not in home
    status, preview = get(port, "/minimal/preview")
    preview = preview.decode("utf-8")
    assert status == 200 and '<html lang="zh-CN">' in preview and "保存一个章节后显示" in preview
    status, missing = get(port, "/minimal/preview.pdf")
    assert status == 404 and "还没有预览" in missing.decode("utf-8")
    process = watching["process"]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    wait_for(watching["lines"], r"已停止监视", 10)


def test_a_save_that_keeps_the_files_size_and_time_is_seen(watching):
    """The file system's event says the file was written; sizes and times (what polling compares) do not."""
    events: queue.Queue = queue.Queue()
    connection = server_events(watching["port"], events)
    chapter = watching["root"] / "chapter.md"
    before = chapter.stat()
    text = chapter.read_text(encoding="utf-8")
    assert "新方向" in text
    chapter.write_text(text.replace("新方向", "新思路", 1), encoding="utf-8")  # the same number of bytes
    os.utime(chapter, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (chapter.stat().st_size, chapter.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    rebuilt = next_event(events, "rebuilt")
    connection.close()
    assert "chapter.html" in rebuilt["web"]
    assert "新思路".encode() in (watching["output"] / "minimal" / "web" / "chapter.html").read_bytes()


def children(pid: int) -> set[int]:
    try:
        return {int(c) for c in (Path(f"/proc/{pid}/task/{pid}/children").read_text().split())}
    except OSError:
        return set()


@pytest.mark.parametrize("watching", [("en", 2)], indirect=True)
def test_the_workers_stay_from_one_save_to_the_next_and_stop_with_the_watch(watching):
    """The layouts run in worker processes kept by the watch (WeasyPrint loaded once), not started for each
    save; they stop with it."""
    process = watching["process"]
    events: queue.Queue = queue.Queue()
    connection = server_events(watching["port"], events)
    chapter = watching["root"] / "chapter.md"
    workers = []
    for word in ("新方向。第一次保存。", "新方向。第二次保存。"):
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(text.replace("新方向。", word, 1), encoding="utf-8")
        next_event(events, "rebuilt")
        workers.append(children(process.pid))
    connection.close()
    assert len(workers[0]) == 2 and workers[0] == workers[1]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers[0]):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers[0])


@pytest.mark.filterwarnings("ignore::pikepdf.PageCopyWarning")  # a draft has no links to keep, as in the watch
def test_a_preview_after_an_edit_without_new_characters_subsets_no_face_again(tmp_path, monkeypatch):
    """The draft preview embeds the faces' glyphs of its pages (a part embeds stand-ins): the watch keeps
    the subsets it made, and the next preview with the same glyphs takes them, to the same bytes."""
    import io

    import pikepdf

    from publish.cache import Cache
    from publish.pipeline import load
    from publish.progress import Log
    from publish.render.pdf import PdfWriter, fonts
    from publish.render.pdf.layout import PartLayout
    from publish.watch import PreviewSubsets

    pub = load(copy_publication(FIXTURES / "minimal", tmp_path / "minimal"), Log(quiet=True))
    writer = PdfWriter(pub, Cache(tmp_path / "cache"))
    number = next(i for i, part in enumerate(writer.parts) if part.kind == "documents")
    layout = PartLayout.from_bytes(writer.cache.make([writer.part_unit(number)])[writer.part_unit(number).name])
    subsets, made = PreviewSubsets(), []
    real = fonts.harfbuzz_subset
    monkeypatch.setattr(fonts, "harfbuzz_subset", lambda *args: made.append(args[0]) or real(*args))

    def preview() -> bytes:
        cut = pikepdf.new()
        for pdf in layout.pdfs:
            cut.pages.extend(pikepdf.open(io.BytesIO(pdf)).pages)
        fonts.merge_page_fonts(cut, subsets)
        out = io.BytesIO()
        cut.save(out, deterministic_id=True)
        return out.getvalue()

    first = preview()
    assert made, "the faces are subset for the first preview"
    made.clear()
    assert preview() == first and made == []
    for n in range(PreviewSubsets.KEPT + 1):
        subsets.put(f"another {n}", b"")
    assert preview() == first and made, "a few at a time: the oldest go"
