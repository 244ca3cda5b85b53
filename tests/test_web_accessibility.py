"""The web edition's accessibility, measured in Chromium on every page, light and dark.

Contrast is computed from the colours the browser actually uses (WCAG 2
relative luminance, backgrounds composited up the tree), headings and
landmarks are read from the rendered DOM, the footnote panel is driven from
the keyboard, and the notes are followed with JavaScript switched off.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from .test_web_edition import browser, open_page  # noqa: F401 (a fixture)

playwright = pytest.importorskip("playwright.sync_api")

SCHEMES = ("light", "dark")

# Every visible element with its own text: its colour, the colour behind it
# (backgrounds composited from the root down), its size and weight. Input
# placeholders are measured as text of their input.
TEXT_COLOURS_JS = r"""
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3] + under[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a).concat([a]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) layers.push(parse(getComputedStyle(e).backgroundColor));
    let colour = [255, 255, 255, 1];  // the canvas under everything (checked separately per scheme)
    const canvas = parse(getComputedStyle(document.documentElement).backgroundColor);
    if (canvas[3] > 0) colour = over(canvas, colour);
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.visibility !== "visible" || s.display === "none" || parseFloat(s.opacity) === 0) return false;
    if (!el.getClientRects().length) return false;
    for (let e = el; e; e = e.parentElement) {
      const r = e.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1) return false;  // visually hidden
    }
    return true;
  };
  const out = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(el)) continue;
    const s = getComputedStyle(el);
    out.push({what: describe(el), text: el.textContent.trim().slice(0, 20), fg: parse(s.color),
              bg: background(el), size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10)});
  }
  for (const el of document.querySelectorAll("input[placeholder]")) {
    if (!visible(el) || el.value) continue;
    const s = getComputedStyle(el, "::placeholder");
    out.push({what: describe(el) + "::placeholder", text: el.placeholder, fg: parse(s.color),
              bg: background(el), size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10)});
  }
  return out;
}
"""


def luminance(rgb) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    """WCAG 2 contrast ratio; a translucent foreground is first laid over its background."""
    alpha = fg[3]
    fg = [fg[i] * alpha + bg[i] * (1 - alpha) for i in range(3)]
    lighter, darker = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def required_ratio(size_px: float, weight: int) -> float:
    """AA: 4.5:1, or 3:1 for large text (18 pt, or 14 pt bold)."""
    large = size_px >= 24 or (size_px >= 18.66 and weight >= 700)
    return 3.0 if large else 4.5


def test_contrast_is_computed_like_wcag():
    assert round(contrast([0, 0, 0, 1], [255, 255, 255, 1]), 2) == 21.0
    assert round(contrast([119, 119, 119, 1], [255, 255, 255, 1]), 2) == 4.48  # #777 on white: the classic near miss
    assert required_ratio(16, 400) == 4.5 and required_ratio(19, 700) == 3.0


def _pages(built):
    web = built / "gsi-report-2024" / "web"
    return [web / name for name in sorted(p.name for p in web.glob("*.html"))] + \
        [built / "gsi-article-2024" / "web" / "index.html"]


def _show_everything(page) -> None:
    """Open what starts closed: the contents drawer, a footnote panel, the skip link."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    if page.locator("a.note-ref").count():
        page.locator("a.note-ref").first.focus()
        page.keyboard.press("Enter")
        page.locator(".note-panel").wait_for(state="visible")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_text_colour_meets_aa(built, browser, scheme):
    failures = []
    pages = _pages(built)
    search = built / "gsi-report-2024" / "web" / "search.html"
    urls = [p.as_uri() for p in pages] + [search.as_uri() + "?q=%E5%AF%B9%E8%AF%9D"]
    for url in urls:
        context, page = open_page(browser, url, color_scheme=scheme)
        try:
            _show_everything(page)
            page.focus("a.skip-link")
            for item in page.evaluate(TEXT_COLOURS_JS):
                ratio = contrast(item["fg"], item["bg"])
                if ratio < required_ratio(item["size"], item["weight"]):
                    failures.append(f"{url.rsplit('/', 1)[-1]} {item['what']} “{item['text']}” "
                                    f"{ratio:.2f}:1 (fg {item['fg']}, bg {item['bg']})")
        finally:
            context.close()
    assert failures == [], "\n".join(sorted(set(failures)))


FOCUS_PLACES = (
    # (page, what to do first, what gets the focus)
    ("02-2-cooperation.html", "", ".site-header__title"),
    ("02-2-cooperation.html", "", ".doc__body a.note-ref"),
    ("02-2-cooperation.html", "", ".pager a"),
    ("01-foreword.html", "open a note", ".note-panel__close"),  # on the tinted panel
    ("index.html", "", ".site-search button"),
)

FOCUS_RING_JS = """sel => {
    const el = document.activeElement, s = getComputedStyle(el);
    return {matches: el.matches(sel), style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_focus_is_visible_with_3_to_1_contrast(built, browser, scheme):
    """Focus from the keyboard shows a ring that stands out (3:1) from what is behind it."""
    web = built / "gsi-report-2024" / "web"
    for name, setup, selector in FOCUS_PLACES:
        context, page = open_page(browser, (web / name).as_uri(), color_scheme=scheme)
        try:
            if setup == "open a note":
                page.locator("a.note-ref").first.focus()
                page.keyboard.press("Enter")
            page.locator(selector).first.focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")  # focus from the keyboard, so :focus-visible applies
            ring = page.evaluate(FOCUS_RING_JS, selector)
            assert ring["matches"], f"{name}: Tab did not come back to {selector}"
            assert ring["style"] != "none" and ring["width"] >= 2, f"{name} {selector}: no visible focus ring {ring}"
            # The ring is drawn outside the element (outline-offset), over its parent's background.
            behind = page.evaluate(TEXT_COLOURS_JS.replace(
                'for (const el of document.querySelectorAll("body *"))',
                "for (const el of [document.activeElement.parentElement])").replace(
                "if (!own || !visible(el)) continue;", ""))
            colour = [float(v) for v in ring["colour"][ring["colour"].index("(") + 1:-1].split(",")[:3]] + [1]
            ratio = contrast(colour, behind[0]["bg"])
            assert ratio >= 3, f"{scheme} {name} {selector}: focus ring {ring['colour']} at {ratio:.2f}:1"
        finally:
            context.close()


def test_headings_are_in_order_on_every_page(built, browser):
    """One h1 first on every page, and no level skipped going down (h1 → h2 → h3)."""
    for html in _pages(built) + [built / "gsi-report-2024" / "web" / "search.html"]:
        context, page = open_page(browser, html.as_uri())
        try:
            levels = page.eval_on_selector_all(
                "h1, h2, h3, h4, h5, h6, [role=heading]",
                "els => els.map(e => e.getAttribute('aria-level') ? +e.getAttribute('aria-level') : +e.tagName[1])")
            assert levels and levels[0] == 1, f"{html.name}: first heading is h{levels[:1]}"
            assert levels.count(1) == 1, f"{html.name}: {levels.count(1)} h1"
            for before, after in zip(levels, levels[1:]):
                assert after <= before + 1, f"{html.name}: h{before} followed by h{after} in {levels}"
        finally:
            context.close()


def test_landmarks_hold_every_text(built, browser):
    """banner, navigation, main, contentinfo; nothing readable outside them but the skip link."""
    for html in _pages(built):
        context, page = open_page(browser, html.as_uri())
        try:
            roles = page.evaluate("""() => ({
                banner: document.querySelectorAll('body > header, [role=banner]').length,
                main: document.querySelectorAll('main').length,
                contentinfo: document.querySelectorAll('body > footer, [role=contentinfo]').length,
                nav: [...document.querySelectorAll('nav')].map(n => n.getAttribute('aria-label') ||
                      (n.getAttribute('aria-labelledby') && document.getElementById(n.getAttribute('aria-labelledby')).textContent)),
                outside: [...document.body.children].filter(e =>
                    !e.matches('header, nav, main, footer, script, a.skip-link') && e.textContent.trim()).map(e => e.outerHTML.slice(0, 60)),
                skip: document.querySelector('a.skip-link') && document.querySelector('a.skip-link').getAttribute('href'),
                mainId: document.querySelector('main') && document.querySelector('main').id,
            })""")
            assert (roles["banner"], roles["main"], roles["contentinfo"]) == (1, 1, 1), f"{html.name}: {roles}"
            assert roles["outside"] == [], f"{html.name}: outside the landmarks: {roles['outside']}"
            assert roles["skip"] == "#" + roles["mainId"]
            assert all(roles["nav"]), f"{html.name}: a nav without a name {roles['nav']}"
            assert len(set(roles["nav"])) == len(roles["nav"]), f"{html.name}: two navs named alike {roles['nav']}"
            if html.parent.parent.name == "gsi-report-2024":
                assert "目录" in roles["nav"], f"{html.name}: no contents navigation"
        finally:
            context.close()


def test_pictures_are_described_by_their_captions(built, browser):
    """Every photo (or its placeholder frame) has alt text, taken from the caption below it."""
    checked = 0
    for html in _pages(built):
        context, page = open_page(browser, html.as_uri())
        try:
            for alt, caption in page.eval_on_selector_all("figure", """els => els.map(f => {
                    const pic = f.querySelector('img, [role=img]');
                    return [pic && (pic.getAttribute('alt') || pic.getAttribute('aria-label')),
                            f.querySelector('figcaption').textContent];
                })"""):
                assert alt and alt.strip(), f"{html.name}: a figure with no alt text (caption {caption[:30]})"
                assert alt[:12] in caption, f"{html.name}: alt {alt[:30]!r} is not from the caption {caption[:30]!r}"
                checked += 1
        finally:
            context.close()
    assert checked >= 14


def test_note_opens_from_the_keyboard_and_is_announced(built, browser):
    page_file = built / "gsi-report-2024" / "web" / "01-foreword.html"
    context, page = open_page(browser, page_file.as_uri())
    try:
        call = page.locator("a.note-ref").first
        call.focus()
        assert call.get_attribute("aria-expanded") == "false"
        page.keyboard.press("Enter")
        panel = page.locator(".note-panel")
        panel.wait_for(state="visible")
        assert call.get_attribute("aria-expanded") == "true"
        assert panel.get_attribute("id") == call.get_attribute("aria-controls")
        assert panel.get_attribute("role") == "dialog"
        assert panel.get_attribute("aria-label") == "注释①"
        assert page.evaluate("document.activeElement.classList.contains('note-panel')"), \
            "the focus did not move to the note, so nothing is announced"
        # What assistive technology is given: a dialog named after the note, holding its text.
        tree = panel.aria_snapshot()
        assert tree.startswith('- dialog "注释①"') and "携手迎接挑战" in tree, tree
        assert "[expanded]" in call.aria_snapshot()
        assert "携手迎接挑战" in panel.inner_text()
        assert page.url == page_file.as_uri(), "the call navigated away instead of opening in place"
        page.keyboard.press("Tab")
        page.keyboard.press("Escape")
        assert panel.count() == 0
        assert page.evaluate("document.activeElement.classList.contains('note-ref')"), "focus not back on the call"
        assert call.get_attribute("aria-expanded") == "false"
        page.keyboard.press("Enter")
        page.locator(".note-panel__close").click()
        assert page.locator(".note-panel").count() == 0
    finally:
        context.close()


NOTE_CALL_TARGETS_JS = """() => [...document.querySelectorAll("a.note-ref")].map(a => {
    const r = a.getBoundingClientRect();
    return {id: a.id, width: r.width, height: r.height};
})"""


def note_call_targets(browser, files, width: int) -> tuple[int, list[str]]:
    """How many note calls the pages have, and those under 24 × 24 px, at a viewport `width` px wide."""
    small, calls = [], 0
    for path in files:
        context, page = open_page(browser, path.as_uri(), width=width)
        try:
            targets = page.evaluate(NOTE_CALL_TARGETS_JS)
        finally:
            context.close()
        calls += len(targets)
        small += [f"{path.name}#{t['id']}: {t['width']:.1f}×{t['height']:.1f} px" for t in targets
                  if t["width"] < 24 or t["height"] < 24]
    return calls, small


@pytest.mark.parametrize("width", (360, 1280))
def test_note_calls_are_24_by_24_px_targets(built, browser, width):
    """WCAG 2.2 target size (2.5.8, AA): every note call, in the text and in the sidebars, on a phone and a desk."""
    calls, small = note_call_targets(browser, _pages(built), width)
    assert calls > 50  # every call of the report and the article is measured
    assert small == [], "\n".join(small[:20])


def test_notes_work_without_javascript(built, browser):
    """The call is a link to the note at the page end; the note links back to the call."""
    page_file = built / "gsi-report-2024" / "web" / "01-foreword.html"
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        call = page.locator("a.note-ref").first
        call_id = call.get_attribute("id")
        call.click()
        note_id = call.get_attribute("href")[1:]
        assert page.url.endswith("#" + note_id)
        note = page.locator(f"#{note_id}")
        assert note.is_visible() and _in_viewport(page, f"#{note_id}")
        assert "携手迎接挑战" in note.inner_text()
        note.locator("a.note__back").click()
        assert page.url.endswith("#" + call_id)
        assert _in_viewport(page, f"#{call_id}")
    finally:
        context.close()


def _in_viewport(page, selector: str) -> bool:
    return page.evaluate("""sel => { const r = document.querySelector(sel).getBoundingClientRect();
                                      return r.bottom > 0 && r.top < window.innerHeight; }""", selector)


PROJECT = Path(__file__).resolve().parent.parent
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"  # package.json: `npm install`
AXE_JS = """() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map(n => n.target.join(" "))})))"""


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed: run `npm install` (package.json)")
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_serious_on_any_page(built, browser, scheme):
    """axe-core, the engine inside Ace by DAISY, over every page with its drawer and a note open."""
    failures = []
    for html in _pages(built) + [built / "gsi-report-2024" / "web" / "search.html"]:
        context, page = open_page(browser, html.as_uri(), color_scheme=scheme)
        try:
            _show_everything(page)
            page.add_script_tag(path=str(AXE))  # injected as text: the page makes no extra request
            failures += [f"{html.name}: {v['impact']} {v['id']} ({v['help']}) at {v['where']}"
                         for v in page.evaluate(AXE_JS) if v["impact"] in ("serious", "critical")]
        finally:
            context.close()
    assert failures == [], "\n".join(failures)
