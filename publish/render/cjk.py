"""Chinese punctuation compression for the PDFs (clreq 3.1.4, "consecutive punctuation marks").

Two full-width punctuation marks side by side would leave a full em of blank
between them (each glyph is half mark, half blank). Setting one of the pair
with the font's OpenType `halt` feature (half-width alternates, which Noto
CJK has; it has no `chws`) closes that gap to half an em:

- after a closing mark (，。、；：）》」』】〕〉”’) that is followed by any other
  mark, the closing mark loses its trailing blank: `。”` `），` `》。` `，“`;
- an opening mark (（《「『【〔〈“‘) that follows another opening mark loses
  its leading blank: `（《` `“《`.

Centred marks (？！·) and lone marks are left alone, as clreq asks: halving
a lone comma would be wrong. The change is markup only (a span with a
class: `halt-end` trims a mark's trailing blank, `halt-start` its leading
blank, `halt-quote` marks a curly quote, which some faces draw proportional);
the text, and so copy-paste and the PDF's tags, are untouched. The styles
decide how a face without `halt` trims (styles/paged.css).
"""
from __future__ import annotations

import re

from markupsafe import Markup

CLOSING = "，。、；：）》」』】〕〉”’"
OPENING = "（《「『【〔〈“‘"
PUNCTUATION = CLOSING + OPENING
TAG = re.compile(r"(<[^>]*>)")
PAIR = re.compile(f"([{CLOSING}])(?=[{PUNCTUATION}])|(?<=[{OPENING}])([{OPENING}])")


QUOTES = "“”‘’"


def halve(match: re.Match) -> str:
    mark = match.group(0)
    side = "halt-end" if match.group(1) else "halt-start"
    quote = " halt-quote" if mark in QUOTES else ""
    return f'<span class="{side}{quote}">{mark}</span>'


def compress_punctuation(html: Markup) -> Markup:
    """The run's HTML with one mark of each adjacent pair set half-width."""
    if not any(char in PUNCTUATION for char in html):
        return html
    parts = TAG.split(str(html))
    return Markup("".join(part if part.startswith("<") else PAIR.sub(halve, part) for part in parts))
