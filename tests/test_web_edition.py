"""The offline HTML edition in a real browser (Debian's Chromium via Playwright), from file://."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def open_page(browser, url, width=1280, height=900, color_scheme="light"):
    """A page that records console errors and every request it makes."""
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=color_scheme)
    page = context.new_page()
    page.errors, page.requests = [], []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("request", lambda req: page.requests.append(req.url))
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page


@pytest.mark.parametrize("pub_id", ["gsi-report-2024", "gsi-article-2024"])
def test_every_page_loads_offline_and_every_link_resolves(built, browser, pub_id):
    web = built / pub_id / "web"
    pages = sorted(web.glob("*.html"))
    assert (web / "index.html") in pages
    for html in pages:
        context, page = open_page(browser, html.as_uri())
        try:
            assert page.errors == [], f"{html.name}: {page.errors}"
            for url in page.requests:
                assert url.startswith("file://"), f"{html.name} requested {url}"
                path = Path(unquote(urlsplit(url).path))
                assert web.resolve() in path.resolve().parents, f"{html.name} read {path} outside the edition"
            links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            for href in links:
                parts = urlsplit(href)
                if parts.scheme in ("http", "https"):
                    continue  # a cited source: shown as a link, never fetched
                assert parts.scheme == "file", href
                target = Path(unquote(parts.path))
                assert target.is_file(), f"{html.name}: broken link {href}"
                if parts.fragment:
                    ids = _ids(browser, target) if target != html else \
                        set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
                    assert unquote(parts.fragment) in ids, f"{html.name}: no #{parts.fragment} in {target.name}"
        finally:
            context.close()


_ID_CACHE: dict[Path, set] = {}


def _ids(browser, target: Path) -> set:
    if target not in _ID_CACHE:
        context, page = open_page(browser, target.as_uri())
        _ID_CACHE[target] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        context.close()
    return _ID_CACHE[target]


def test_footnote_call_opens_the_note_in_place(built, browser):
    page_file = built / "gsi-report-2024" / "web" / "01-foreword.html"
    context, page = open_page(browser, page_file.as_uri())
    try:
        call = page.locator("a.note-ref").first
        call.click()
        panel = page.locator(".note-panel")
        assert panel.count() == 1
        assert "携手迎接挑战" in panel.inner_text()
        page.keyboard.press("Escape")
        assert page.locator(".note-panel").count() == 0
    finally:
        context.close()


def test_no_horizontal_scrolling_on_a_phone(built, browser):
    web = built / "gsi-report-2024" / "web"
    for name in ("index.html", "02-1-consensus.html", "02-2-cooperation.html"):
        context, page = open_page(browser, (web / name).as_uri(), width=360, height=740)
        try:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 360px"
        finally:
            context.close()


def test_every_page_has_the_contents_with_its_own_entry_marked_and_a_pager(built, browser, report_model):
    web = built / "gsi-report-2024" / "web"
    docs = list(report_model.documents)
    for i, doc in enumerate(docs):
        context, page = open_page(browser, (web / f"{doc.slug}.html").as_uri())
        try:
            current = page.eval_on_selector_all(".page-contents a[aria-current=page]", "els => els.map(e => e.href)")
            assert [href.split("#")[0].rsplit("/", 1)[1] for href in current] == [f"{doc.slug}.html"], doc.slug
            prev = page.locator("a[rel=prev]")
            nxt = page.locator("a[rel=next]")
            assert prev.count() == (1 if i > 0 else 0) and nxt.count() == (1 if i + 1 < len(docs) else 0)
            if i > 0:
                assert prev.get_attribute("href") == f"{docs[i - 1].slug}.html"
            if i + 1 < len(docs):
                assert nxt.get_attribute("href") == f"{docs[i + 1].slug}.html"
            assert page.locator(".site-header__title").get_attribute("href") == "index.html"
        finally:
            context.close()
    context, page = open_page(browser, (web / "index.html").as_uri())
    try:
        entries = page.eval_on_selector_all("#contents a", "els => els.map(e => e.textContent)")
        assert "（十二）推动和参与国际反恐合作" in "".join(entries)
        assert len(entries) == sum(1 for _ in _entries(report_model.contents))
    finally:
        context.close()


def _entries(entries):
    for entry in entries:
        yield entry
        yield from _entries(entry.children)


def test_search_works_offline_from_a_small_index(built, browser):
    web = built / "gsi-report-2024" / "web"
    index = web / "assets" / "search-index.js"
    # The book's plain text once (substring search needs no word list for Chinese), about 170 KB.
    assert index.stat().st_size < 300_000, index.stat().st_size
    context, page = open_page(browser, (web / "index.html").as_uri())
    try:
        page.fill("#q", "湄公河")
        page.press("#q", "Enter")
        page.wait_for_load_state("load")
        assert page.url.startswith((web / "search.html").as_uri())
        results = page.locator("#search-results li a")
        assert results.count() >= 1
        assert "湄公河" in page.locator("#search-results").inner_text()
        assert page.errors == []
        results.first.click()
        page.wait_for_load_state("load")
        assert "湄公河" in page.locator("main").inner_text()
    finally:
        context.close()
