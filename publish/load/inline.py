"""Inline Markdown of one paragraph → escaped HTML runs and footnote calls.

Raw HTML is not part of the content format: python-markdown's HTML patterns
are switched off, so `<script>` in a chapter reaches the editions as text,
never as markup (docs/content-format.md, "Errors and safety" in the README).
"""
from __future__ import annotations

import re

import markdown
from markupsafe import Markup

from .markdown_source import LINE_BREAK_MARK

NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\]")
CALL_MARK = re.compile("\ue000([^\ue001]*)\ue001")


def _inline_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[], output_format="html")
    # Raw HTML is refused: these are the two places python-markdown lets it through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # Reference-style links and images are not part of the format either.
    md.inlinePatterns.deregister("image_link")
    md.inlinePatterns.deregister("image_reference")
    md.inlinePatterns.deregister("short_image_ref")
    return md


_MD = _inline_markdown()


def render_inline(text: str) -> tuple[list[str | Markup], list[str]]:
    """Return the runs (HTML and footnote ids, in order) and the internal link targets.

    Footnote calls become private-use markers before Markdown sees the text, so
    emphasis around a call still works, then the HTML is cut at the markers.
    """
    marked = NOTE_CALL.sub(lambda m: f"\ue000{m.group(1)}\ue001", text)
    _MD.reset()
    html = _MD.convert(marked)
    if html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    html = html.replace(LINE_BREAK_MARK, "<br />")
    runs: list[str | Markup] = []
    pos = 0
    for match in CALL_MARK.finditer(html):
        if match.start() > pos:
            runs.append(Markup(html[pos:match.start()]))
        runs.append(match.group(1))  # a plain str is a footnote id; Markup is HTML
        pos = match.end()
    if pos < len(html):
        runs.append(Markup(html[pos:]))
    links = re.findall(r'href="#([^"]+)"', html)
    return runs, links
