"""Content cannot put script or markup into the web edition or the EPUB.

tests/fixtures/hostile tries every way in: raw HTML inline and as blocks, in
headings, block titles, tables, lists, notes, figure fields and front matter;
`javascript:`, `data:`, `file:` and relative links (also disguised by case, by
character references and as autolinks); HTML in every field of
publication.yaml. The editions are rendered by the real renderers, then
parsed; the web edition is also opened in Chromium.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from publish.errors import ProblemLog
from publish.load import load_publication
from publish.cache import Cache
from publish.render.epub import epub_edition
from publish.render.web import web_edition

from .conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"
WEB_SCRIPTS = {"assets/search-index.js", "assets/search.js", "assets/notes.js"}
ALLOWED_SCHEME = re.compile(r"(https?|mailto):", re.I)
TEXT_ATTRIBUTES = {"content", "aria-label", "alt", "title"}


@pytest.fixture(scope="module")
def hostile():
    log = ProblemLog()
    return load_publication(HOSTILE, log), log.items


@pytest.fixture(scope="module")
def web(hostile, tmp_path_factory) -> dict[str, bytes]:
    return web_edition(hostile[0], Cache(tmp_path_factory.mktemp("cache"), clean=True))


@pytest.fixture(scope="module")
def epub(hostile, tmp_path_factory) -> dict[str, bytes]:
    data = epub_edition(hostile[0], Cache(tmp_path_factory.mktemp("cache"), clean=True), None, None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lines_with(text: str) -> set[int]:
    """The fixture lines (1-based) that hold `text`."""
    source = (HOSTILE / "chapter.md").read_text().split("\n")
    return {i + 1 for i, line in enumerate(source) if text in line}


def test_every_refused_link_is_a_warning_naming_file_and_line(hostile):
    _, problems = hostile
    warned = {(p.path.name, p.line) for p in problems if p.severity == "warning" and "removed" in p.message}
    expected = set()
    for target in ("](javascript:", "](JaVaScRiPt:", "](java&#115;cript:", "](data:", "](file:", "](//",
                   "](../", "<javascript://", "](vbscript:"):
        expected |= {("chapter.md", line) for line in lines_with(target)}
    assert warned == expected
    assert not [p for p in problems if p.severity == "error"]


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text += data


def elements_of(page: bytes) -> Elements:
    parser = Elements()
    parser.feed(page.decode("utf-8"))
    return parser


def assert_no_active_content(name: str, tags: list[tuple[str, dict]], scripts_allowed: set[str]) -> None:
    for tag, attributes in tags:
        assert tag not in ("iframe", "object", "embed", "style", "svg", "math", "form") or \
            (tag == "form" and attributes.get("action") == "search.html"), (name, tag, attributes)
        assert not [a for a in attributes if a.lower().startswith("on")], (name, tag, attributes)
        if tag == "script":
            assert attributes.get("src") in scripts_allowed, (name, attributes)
        for attribute in ("href", "src", "action", "xlink:href"):
            target = (attributes.get(attribute) or "").strip()
            if target and not target.startswith("#") and not ALLOWED_SCHEME.match(target):
                assert stays_inside_the_edition(name, target), (name, tag, attribute, target)


def stays_inside_the_edition(document: str, target: str) -> bool:
    """A relative link from `document` to a file of the same edition: no scheme, no way out."""
    path = target.split("#")[0].split("?")[0]
    if ":" in path.split("/")[0] or path.startswith(("/", "\\")):
        return False
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(document), path))
    return not resolved.startswith("..")


def test_web_edition_holds_no_script_or_active_markup_from_content(web):
    pages = {name: data for name, data in web.items() if name.endswith(".html")}
    assert pages
    for name, page in pages.items():
        elements = elements_of(page)
        assert_no_active_content(name, elements.tags, WEB_SCRIPTS)
        assert not elements.script_text.strip(), name  # no inline script at all
        for tag, attributes in elements.tags:  # content text may sit in text attributes, inert; nowhere else
            assert not [v for a, v in attributes.items() if "pwned" in (v or "") and a not in TEXT_ATTRIBUTES], \
                (name, tag, attributes)
    chapter = pages["chapter.html"].decode()
    assert "&lt;script&gt;window.pwned" in chapter  # the text is shown, as text
    links = [a.get("href") for tag, a in elements_of(pages["chapter.html"]).tags if tag == "a"]
    assert "https://example.org/a?b=1&c=2" in links and "mailto:editor@example.org" in links
    assert "#overview" in links


def test_epub_documents_are_well_formed_and_hold_no_script(epub):
    documents = {n: d for n, d in epub.items() if n.endswith((".xhtml", ".opf", ".ncx"))}
    assert any(n.endswith("chapter.xhtml") for n in documents)
    for name, data in documents.items():
        root = ElementTree.fromstring(data)  # raises on a stray `&nbsp;` or an unclosed tag
        tags = [(el.tag.rsplit("}", 1)[-1], {k.rsplit("}", 1)[-1]: v for k, v in el.attrib.items()})
                for el in root.iter()]
        assert_no_active_content(name, [t for t in tags if t[0] != "meta"], scripts_allowed=set())
        assert not [t for t in tags if t[0] == "script"], name
    chapter = next(d for n, d in documents.items() if n.endswith("chapter.xhtml")).decode()
    assert "\xa0空格" in chapter and "&amp;foo;" in chapter and "&amp;#0;" in chapter


def test_configuration_text_is_escaped_by_the_templates(web, epub):
    index = web["index.html"].decode()
    assert "<script>window.pwned" not in index and "测试&lt;script&gt;window.pwned" in index
    package = epub["EPUB/package.opf"].decode()
    assert "<x/>" not in package and "&amp;amp;&lt;x/&gt;" in package


def test_no_script_from_content_runs_in_a_browser(web, tmp_path):
    """Every page of the hostile web edition, opened from file:// in Chromium."""
    playwright = pytest.importorskip("playwright.sync_api")
    folder = tmp_path / "web"
    for name, data in web.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                                          "--disable-background-networking"])
        try:
            page = browser.new_page()
            dialogs, requests = [], []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("request", lambda request: requests.append(request.url))
            for html_file in sorted(folder.glob("*.html")):
                page.goto(html_file.as_uri())
                page.wait_for_load_state("load")
                # onmouseover / onfocus handlers, had any survived, would run now.
                page.evaluate("document.querySelectorAll('body *').forEach(e => {"
                              " e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));"
                              " e.dispatchEvent(new FocusEvent('focus')); })")
                # …and a `javascript:` link, had any survived, would run when followed.
                page.evaluate("document.querySelectorAll('a').forEach(a => {"
                              " if (a.protocol === 'javascript:' || a.protocol === 'data:') a.click(); })")
                page.wait_for_timeout(100)
                assert page.evaluate("typeof window.pwned") == "undefined", html_file.name
        finally:
            browser.close()
    assert not dialogs
    assert all(url.startswith(folder.as_uri()) for url in requests), requests
