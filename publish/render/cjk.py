"""How the PDFs set Chinese text: punctuation pairs compressed, break opportunities at curly quotes.

Both treatments work on the model's inline nodes (the text of `model.Text`
leaves), never on markup; emphasis boundaries are transparent to them, a
footnote call, a line break or code ends a run.

Punctuation compression (clreq 3.1.4, "consecutive punctuation marks"). Two
full-width punctuation marks side by side would leave a full em of blank
between them (each glyph is half mark, half blank). Setting one of the pair
with the font's OpenType `halt` feature (half-width alternates, which Noto
CJK has; it has no `chws`) closes that gap to half an em:

- after a closing mark (，。、；：）》」』】〕〉”’) that is followed by any other
  mark, the closing mark loses its trailing blank: `。”` `），` `》。` `，“`;
- an exclamation or question mark (！？) followed by a closing mark loses its
  blank too (`！”` `？）`): the pair would otherwise be the only one set 2 em;
- an opening mark (（《「『【〔〈“‘) that follows another opening mark loses
  its leading blank: `（《` `“《`.

Lone marks are left alone, as clreq asks: halving a lone comma would be
wrong. The halved mark becomes a `model.Punctuation` node (`trim` "end" or
"start"); the templates set it as a span with a class, and the styles decide
how a face without `halt` trims (styles/paged.css). The text itself, and so
copy-paste and the PDF's tags, are untouched.

Break opportunities at curly quotes (clreq 3.1.7). Unicode line breaking
(UAX #14, which Pango follows) gives curly quotes the class QU, "no break
before or after", because Western texts use the same marks both ways. In
Chinese ” only closes and “ only opens, so a line may end after ” and start
with “. Without those opportunities a line before `人才班”等，` had to end
three characters early and justification spread it wide. A zero-width space
marks the opportunity: it has no glyph, so the PDF's text does not contain it.

Lines kept from breaking badly (clreq 3.1.6, 3.1.8). A word joiner (U+2060,
no glyph, no width) forbids a break where one would be allowed:

- before a note call: the call never starts a line alone;
- on both sides of a connecting dash (a single — between words, as in
  中国—阿拉伯国家峰会): the dash neither starts nor ends a line;
- between the last `tail` letters of a run (punctuation not counted): two
  for a paragraph, so its last line never holds one character (孤字), the
  line before giving one up; more for an attribution or a caption's credit,
  so a name (王远方) or a word (专访) is not broken at the end.
"""
from __future__ import annotations

from .. import model as m

CLOSING = "，。、；：）》」』】〕〉”’"
OPENING = "（《「『【〔〈“‘"
CENTRED = "！？"
PUNCTUATION = CLOSING + OPENING
QUOTES = "“”‘’"

ZERO_WIDTH_SPACE = "\u200b"
WORD_JOINER = "\u2060"
DASH = "—"
PARAGRAPH_TAIL = 2  # letters kept together at the end of a paragraph: no 孤字
OPENING_QUOTES = "“‘"
CLOSING_QUOTES = "”’"
NO_BREAK_BEFORE = CLOSING + "！？…—"
NO_BREAK_AFTER = OPENING

BARRIERS = (m.FootnoteCall, m.LineBreak, m.Code)
"""Nodes that end a run of text: no pair or break opportunity is read across them."""


def set_for_print(nodes: tuple, tail: int = PARAGRAPH_TAIL) -> tuple:
    """The nodes with punctuation pairs compressed, break opportunities at curly quotes, and the breaks
    that would leave a note call, a connecting dash or the last `tail` letters alone forbidden.

    `tail` 0 (a title): no word joiner at all — a title's text is also its PDF bookmark and contents entry.
    """
    runs: list[Run] = [Run()]  # runs of text between barriers
    _collect(nodes, runs, iter(range(1 << 30)))
    last = next((run for run in reversed(runs) if any(_is_letter(c) for _, leaf in run.leaves for c in leaf.text)),
                None)
    pieces: dict[int, list] = {}  # leaf number (in reading order) → the nodes it becomes
    for run in runs:
        if run.leaves:
            pieces.update(_set_run(run, tail if run is last else 0))
    if not pieces:
        return nodes
    return _rebuild(nodes, pieces, iter(range(1 << 30)))


class Run:
    """Text leaves between two barriers; `before_call`: the barrier after it is a note call."""

    def __init__(self):
        self.leaves: list[tuple[int, m.Text]] = []
        self.before_call = False


def _collect(nodes, runs: list[Run], numbers) -> None:
    for node in nodes:
        if isinstance(node, m.Text):
            runs[-1].leaves.append((next(numbers), node))
        elif isinstance(node, m.CONTAINERS):
            _collect(node.children, runs, numbers)
        elif isinstance(node, BARRIERS):
            runs[-1].before_call = isinstance(node, m.FootnoteCall)
            runs.append(Run())


def _is_letter(char: str) -> bool:
    return not (char in PUNCTUATION or char in CENTRED or char.isspace() or char in "…—·"
                or char in (ZERO_WIDTH_SPACE, WORD_JOINER))


def _set_run(run: Run, tail: int) -> dict[int, list]:
    """For each leaf of one run of text that changes: what it becomes."""
    text = "".join(leaf.text for _, leaf in run.leaves)
    trims = _pair_trims(text)
    breaks_before, breaks_after = _quote_breaks(text)
    joins = _joins(text, tail, run.before_call) if tail else set()  # where a word joiner goes (len: the end)
    breaks_before -= joins
    breaks_after -= {i - 1 for i in joins}
    if not trims and not breaks_before and not breaks_after and not joins:
        return {}
    out: dict[int, list] = {}
    position = 0
    for number, leaf in run.leaves:
        nodes: list = []
        buffer = ""
        for char in leaf.text:
            if position in joins:
                buffer += WORD_JOINER
            if position in breaks_before:
                buffer += ZERO_WIDTH_SPACE
            if position in trims:
                if buffer:
                    nodes.append(m.Text(buffer))
                    buffer = ""
                nodes.append(m.Punctuation(char, trims[position], char in QUOTES))
            else:
                buffer += char
            if position in breaks_after:
                buffer += ZERO_WIDTH_SPACE
            position += 1
        if number == run.leaves[-1][0] and position in joins:
            buffer += WORD_JOINER
        if buffer:
            nodes.append(m.Text(buffer))
        if nodes != [leaf]:
            out[number] = nodes
    return out


def _joins(text: str, tail: int, before_call: bool) -> set[int]:
    """Where a break must not be: before a note call, around a connecting dash, inside the last letters."""
    joins: set[int] = set()
    if before_call and text and not text[-1].isspace():
        joins.add(len(text))
    for i, char in enumerate(text):
        if char == DASH and 0 < i < len(text) - 1 and DASH not in (text[i - 1], text[i + 1]) \
                and not text[i - 1].isspace() and not text[i + 1].isspace():
            joins.update((i, i + 1))
    if tail > 1:
        letters = [i for i, char in enumerate(text) if _is_letter(char)][-tail:]
        if len(letters) > 1:
            joins.update(i for i in range(letters[0] + 1, letters[-1] + 1) if not text[i].isspace())
    return joins


def _pair_trims(text: str) -> dict[int, str]:
    """Which marks of the text lose their blank, and on which side."""
    trims: dict[int, str] = {}
    for i, char in enumerate(text):
        after = text[i + 1] if i + 1 < len(text) else ""
        before = text[i - 1] if i else ""
        if char in CLOSING and after and after in PUNCTUATION:
            trims[i] = "end"
        elif char in CENTRED and after and after in CLOSING:
            trims[i] = "centred"
        elif char in OPENING and before and before in OPENING:
            trims[i] = "start"
    return trims


def _quote_breaks(text: str) -> tuple[set[int], set[int]]:
    """Positions where a break opportunity goes before an opening quote or after a closing one."""
    before, after = set(), set()
    for i, char in enumerate(text):
        previous = text[i - 1] if i else ""
        following = text[i + 1] if i + 1 < len(text) else ""
        if char in OPENING_QUOTES and previous and previous not in NO_BREAK_AFTER + OPENING_QUOTES:
            before.add(i)
        if char in CLOSING_QUOTES and following and following not in NO_BREAK_BEFORE + CLOSING_QUOTES:
            after.add(i)
    return before, after


def _rebuild(nodes, pieces: dict[int, list], numbers) -> tuple:
    out = []
    for node in nodes:
        if isinstance(node, m.Text):
            number = next(numbers)
            out.extend(pieces.get(number, (node,)))
        elif isinstance(node, m.Link):
            out.append(m.Link(node.url, _rebuild(node.children, pieces, numbers), node.title))
        elif isinstance(node, (m.Emphasis, m.Strong)):
            out.append(type(node)(_rebuild(node.children, pieces, numbers)))
        else:
            out.append(node)
    return tuple(out)
