"""Rendering never touches the network and never reads outside the publication, templates and styles.

A real HTTP server on 127.0.0.1 stands for "the network": every test that
points content or markup at it then checks that it received no request.
A "secret" folder beside the publication stands for "the rest of the disk".
"""
from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pikepdf
import pytest
import weasyprint

from publish.errors import ContentError, ProblemLog
from publish.load import load_publication
from publish.paths import STYLES, TEMPLATES
from publish.render.sandbox import SandboxedFetcher

from .conftest import FIXTURES, copy_publication
from .test_errors_catalogue import CHAPTER, CONFIG, expect, png_bytes

PROJECT = Path(__file__).resolve().parent.parent


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET with a small PNG, and remembers it was asked."""
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        Recorder.requests.append(self.path)
        body = png_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def network():
    """The base URL of a live local server; yields, then the list of requests it got."""
    Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def places(tmp_path):
    """A publication folder with an image, a secret folder beside it, and links from one to the other."""
    root = tmp_path / "pub"
    (root / "images").mkdir(parents=True)
    (root / "images" / "ok.png").write_bytes(png_bytes())
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.png").write_bytes(png_bytes(7, 7))
    (secret / "secret.css").write_text("body { background: red }")
    (root / "images" / "link-out.png").symlink_to(secret / "secret.png")
    (root / "images" / "link-in.png").symlink_to(root / "images" / "ok.png")
    os.mkfifo(root / "images" / "fifo.png")
    return root, secret


def test_the_network_fixture_really_serves(network):
    """The server answers a plain client: a test that sees no request means none was made."""
    import urllib.request
    with urllib.request.urlopen(network + "/probe.png") as response:
        assert response.read().startswith(b"\x89PNG")
    assert Recorder.requests == ["/probe.png"]


@pytest.mark.parametrize("url", [
    "{net}/x.png", "https://example.org/x.png", "ftp://example.org/x.png", "javascript:alert(1)",
    "file:///etc/hostname", "file://otherhost{root}/images/ok.png", "file://{secret}/secret.png",
    "file://{root}/../secret/secret.png", "file://{root}/%2e%2e/secret/secret.png",
    "file://{root}/images/link-out.png", "file://{root}/images/fifo.png", "file://{root}/images/ok.png%00.css",
])
def test_the_fetcher_refuses(places, network, url):
    root, secret = places
    url = url.format(net=network, root=root, secret=secret)
    fetcher = SandboxedFetcher(root)
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert Recorder.requests == []


@pytest.mark.parametrize("url", [
    "file://{root}/images/ok.png", "file://{root}/images/link-in.png", "file://{root}/images/../images/ok.png",
    "file://localhost{root}/images/ok.png", "file://{styles}/tokens.css", "file://{templates}/blocks.html",
    "data:text/css,body%7Bcolor:red%7D",
])
def test_the_fetcher_allows(places, url):
    root, _ = places
    url = url.format(root=root, styles=STYLES, templates=TEMPLATES)
    fetcher = SandboxedFetcher(root)
    response = fetcher.fetch(url)
    assert response.read() and not fetcher.refused


def test_weasyprint_with_the_fetcher_fetches_nothing_it_should_not(places, network):
    """Every way HTML and CSS can make WeasyPrint fetch, pointed at the network and at the secret folder."""
    root, secret = places
    html = f"""<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{network}/style.css">
<link rel="stylesheet" href="{(secret / 'secret.css').as_uri()}">
<style>
@import url("{network}/import.css");
@font-face {{ font-family: Leak; src: url("{network}/font.woff"); }}
body {{ font-family: Leak; background: url("{(secret / 'secret.png').as_uri()}"); }}
p {{ background: url("images/link-out.png"); }}
</style></head><body>
<p>正文</p>
<img src="{network}/img.png"><img src="{(secret / 'secret.png').as_uri()}">
<img src="images/link-out.png"><img src="../secret/secret.png"><img src="images/fifo.png">
<a rel="attachment" href="{(secret / 'secret.css').as_uri()}">附件</a>
<object data="{network}/object.png"></object><embed src="{network}/embed.png">
<svg><image href="{network}/svg.png" width="10" height="10"/></svg>
</body></html>"""
    fetcher = SandboxedFetcher(root)
    pdf = weasyprint.HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert Recorder.requests == []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        images = [name for page in document.pages for name in page.get_images()]
        assert images == []
        assert "/EmbeddedFiles" not in document.Root.get("/Names", {})
    refused = set(fetcher.refused)
    for expected in (f"{network}/style.css", f"{network}/img.png", (secret / "secret.png").as_uri(),
                     (root / "images" / "link-out.png").as_uri(), (secret / "secret.css").as_uri()):
        assert expected in refused, refused


def test_the_same_html_with_an_allowed_image_does_embed_it(places):
    """The check above can fail: an image the sandbox allows does reach the PDF."""
    root, _ = places
    html = '<!DOCTYPE html><html><body><img src="images/ok.png"></body></html>'
    pdf = weasyprint.HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=SandboxedFetcher(root)).write_pdf()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert [name for page in document.pages for name in page.get_images()]


def test_content_cannot_point_a_figure_at_the_network_or_outside(places, network, tmp_path):
    root, secret = places
    chapter = CHAPTER + "".join(f"\n::: figure\nimage: {image}\ncaption: 图\n:::\n" for image in (
        f"{network}/photo.png", "../secret/secret.png", f"{secret}/secret.png", "images/link-out.png",
        "images/fifo.png", "images/link-in.png"))
    (root / "chapter.md").write_text(chapter)
    (root / "publication.yaml").write_text(CONFIG + "  - chapter.md\n")
    log = ProblemLog()
    with pytest.raises(ContentError):
        load_publication(root, log)
    found = log.items
    expect(found, "chapter.md", 9, "is a web address; images are never fetched")
    expect(found, "chapter.md", 14, "`../secret/secret.png` is outside the publication folder")
    expect(found, "chapter.md", 19, "is outside the publication folder")
    expect(found, "chapter.md", 24, "`images/link-out.png` is outside the publication folder")
    expect(found, "chapter.md", 29, "`images/fifo.png` is not a file")
    assert not [p for p in found if p.line == 34]  # a link inside the folder is fine
    assert Recorder.requests == []


AUDITED_BUILD = """
import json, os, sys
watched, report = sys.argv[1], sys.argv[2]
events = []
def hook(event, args):
    if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect", "ftplib.connect"):
        events.append([event, repr(args)[:200]])
    elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if path.startswith(watched):
            events.append([event, path])
sys.addaudithook(hook)
from publish.cli import main
code = main(sys.argv[3:])
with open(report, "w") as handle:
    json.dump({"code": code, "events": events}, handle)
"""


def test_a_full_build_opens_no_socket_and_reads_nothing_beside_the_publication(tmp_path, network):
    """Python's audit hooks see every socket and every file the build opens (WeasyPrint included)."""
    root = copy_publication(FIXTURES / "minimal", tmp_path / "pub" / "minimal")
    secret = tmp_path / "pub" / "secret"
    secret.mkdir()
    (secret / "secret.png").write_bytes(png_bytes())
    (root / "elsewhere").symlink_to(secret)  # a way out that nothing in the content names
    (root / "chapter.md").write_text((root / "chapter.md").read_text().replace(
        "这一倡议为弥补和平赤字提供了新方向。",
        f"这一倡议为弥补和平赤字提供了新方向（[网站]({network}/page)、<{network}/auto>、[安全](https://example.org/)）。"))
    report = tmp_path / "report.json"
    output = tmp_path / "output"
    run = subprocess.run([sys.executable, "-c", AUDITED_BUILD, str(secret), str(report), str(root),
                          "--output", str(output), "-q"], capture_output=True, text=True, cwd=PROJECT, timeout=600)
    result = json.loads(report.read_text())
    assert result["code"] == 0, run.stderr
    assert result["events"] == []
    assert Recorder.requests == []
    assert (output / "minimal" / "print.pdf").exists() and (output / "minimal" / "minimal.epub").exists()
    assert f'href="{network}/page"' in (output / "minimal" / "web" / "chapter.html").read_text()
