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


def open_page(browser, url, width=1280, height=900):
    """A page that records console errors and every request it makes."""
    context = browser.new_context(viewport={"width": width, "height": height})
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
