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


ZERO_WIDTH_SPACE = "\u200b"
OPENING_QUOTES = "“‘"
CLOSING_QUOTES = "”’"
NO_BREAK_BEFORE = CLOSING + "！？…—"
NO_BREAK_AFTER = OPENING


def allow_breaks_at_quotes(html: Markup) -> Markup:
    """A break opportunity after a closing curly quote and before an opening one.

    Unicode line breaking (UAX #14, which Pango follows) gives curly quotes the
    class QU, "no break before or after", because Western texts use the same
    marks both ways. In Chinese ” only closes and “ only opens, so a line may
    end after ” and start with “ (clreq 3.1.7). Without those opportunities a
    line before `人才班”等，` had to end three characters early and justification
    spread it wide. A zero-width space marks the opportunity: it has no glyph,
    so the PDF's text (pdftotext, copy-paste) does not contain it.
    """
    if not any(q in html for q in OPENING_QUOTES + CLOSING_QUOTES):
        return html
    parts = TAG.split(str(html))
    texts = [i for i, part in enumerate(parts) if part and not part.startswith("<")]
    flat = "".join(parts[i] for i in texts)
    out = []
    for position, char in enumerate(flat):
        before = flat[position - 1] if position else ""
        after = flat[position + 1] if position + 1 < len(flat) else ""
        if char in OPENING_QUOTES and before and before not in NO_BREAK_AFTER + OPENING_QUOTES:
            out.append(ZERO_WIDTH_SPACE)
        out.append(char)
        if char in CLOSING_QUOTES and after and after not in NO_BREAK_BEFORE + CLOSING_QUOTES:
            out.append(ZERO_WIDTH_SPACE)
    # Put the text back into its places between the tags.
    rebuilt, cursor = list(parts), 0
    for i in texts:
        length = len(parts[i])
        piece, taken = [], 0
        while taken < length:
            ch = out[cursor]
            cursor += 1
            piece.append(ch)
            if ch != ZERO_WIDTH_SPACE:
                taken += 1
        # A space marked after this part's last character belongs with it.
        while cursor < len(out) and out[cursor] == ZERO_WIDTH_SPACE:
            piece.append(out[cursor])
            cursor += 1
        rebuilt[i] = "".join(piece)
    return Markup("".join(rebuilt))
