"""Chapter files: front matter, then Markdown with `:::` blocks, into raw nodes.

The block structure (containers, headings, paragraphs, tables) is parsed here
by hand so that every node keeps its line number and every structural mistake
(an unclosed block, an unknown block type) is reported where it was made.
What a Chinese input method types instead of the format's ASCII marks
(`：：：`, `［＾id］`, `[^id]：`, `＃`) is reported at its line and column, then
read as the mark meant; a misspelled block type is reported with the closest
type, and its contents are read as that type, so they are still checked.
Inline Markdown inside a paragraph is left to python-markdown later
(see ``inline.py``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ProblemLog, shown
from ..messages import closest, did_you_mean, say
from .schema import ANCHOR as ANCHOR_PATTERN
from .text_file import LINE_BREAK_MARK, read_text
from .yaml_source import LocatedMapping, parse_yaml_mapping

__all__ = ["parse_chapter", "RawChapter", "RawNode", "RawFootnote", "BLOCK_TYPES"]

BLOCK_TYPES = ("sidebar", "figure", "quote", "pullquote", "box", "source", "table")
"""The block types of the content format (docs/content-format.md)."""

MAX_LINE_CHARS = 50_000
MAX_PARAGRAPH_CHARS = 50_000
"""The longest paragraph of the report is about 2,200 characters. Far longer
text is a paste gone wrong, and python-markdown's inline pass slows down
more than linearly on some text (50,000 backslashes take a second, 10 MB
would take hours): it is refused with its line instead."""

MAX_BLOCK_DEPTH = 8
"""Blocks nest two deep in practice (a figure in a sidebar); a runaway of
unclosed `:::` lines is reported instead of being built into a deep tree."""

# Each pattern is matched in full against a line stripped of its outer spaces,
# and runs in time linear in the line: no lazy group followed by an optional
# run of spaces, which made a regex quadratic on long lines.
BLOCK_OPEN = re.compile(r":::\s*([A-Za-z][\w-]*)\s*(.*)")
BLOCK_CLOSE = re.compile(r":::")
HEADING = re.compile(r"(#{1,6})\s+(.*)")
SECTION_BREAK = re.compile(r"(\*\s*){3,}")  # `***` or `* * *` alone on its line: a break between two parts of the text
HEADING_ID = re.compile(r"\{#([^{}]*)\}")
FOOTNOTE_DEFINITION = re.compile(r"\[\^([^\[\]\s]+)\]([:：])\s*(.*)")
"""`[^id]: text`; a full-width colon (`[^id]：`, as a Chinese input method types it) is reported, then read as meant."""
LIST_ITEM = re.compile(r"[-*]\s+(.*)")
TABLE_ROW = re.compile(r"\|.*\|")
TABLE_RULE = re.compile(r"\|(\s*:?-{3,}:?\s*\|)+")
ANCHOR = re.compile(ANCHOR_PATTERN)

# What a Chinese input method types in place of the format's ASCII marks. Each is
# reported where it is written, named as what it is, then read as the mark it
# stands for, so that one slip does not turn into a cascade of other problems.
FULLWIDTH_BLOCK_LINE = re.compile(r"[:：]{3}")
FULLWIDTH_HEADING = re.compile(r"([#＃]{1,6})(?=[ \u3000])")
FULLWIDTH_NOTE_CALL = re.compile(r"([\[［【])([\^＾]|……)([A-Za-z0-9_.-]+)([\]］】])(：?)")
FULLWIDTH_MARKS = {"［": "mark.fullwidth-bracket-open", "］": "mark.fullwidth-bracket-close",
                   "【": "mark.lenticular-open", "】": "mark.lenticular-close", "＾": "mark.fullwidth-caret",
                   "……": "mark.ellipsis-caret", "：": "mark.fullwidth-colon"}


@dataclass
class RawNode:
    kind: str  # paragraph | heading | list | table | block
    line: int
    text: str = ""  # paragraph/heading text; block arguments
    level: int = 0  # heading level
    anchor: str = ""  # heading id
    block_type: str = ""
    checked_as: str = ""  # the known type a block's contents are read as (its own, or the closest to a misspelling)
    children: list["RawNode"] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # table rows (line, cells)
    items: list[tuple[int, str]] = field(default_factory=list)  # list items
    body_lines: list[tuple[int, str]] = field(default_factory=list)  # figure YAML


@dataclass
class RawFootnote:
    id: str
    text: str
    line: int


@dataclass
class RawChapter:
    path: Path
    front: LocatedMapping | None
    nodes: list[RawNode]
    footnotes: list[RawFootnote]


def blank_out_comments(text: str) -> tuple[str, int | None]:
    """Remove editors' comments but keep the line count, so line numbers stay true.

    Returns the text and, for a comment that is never closed, how many lines
    come before it (or None); one pass over the text, however many `<!--` it holds.
    """
    pieces, pos = [], 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            pieces.append(text[pos:])
            return "".join(pieces), None
        end = text.find("-->", start + 4)
        if end < 0:
            pieces.append(text[pos:start])
            pieces.append("\n" * text.count("\n", start))
            return "".join(pieces), text.count("\n", 0, start)
        pieces.append(text[pos:start])
        pieces.append("\n" * text.count("\n", start, end))
        pos = end + 3


def split_front_matter(text: str, path: Path, log: ProblemLog) -> tuple[LocatedMapping | None, list[str], int]:
    """Return the front matter, the body lines, and the 1-based line the body starts on."""
    lines = text.split("\n")
    if not text.strip():
        log.error(path, 1, say("chapter.empty-file"))
        return None, [], 1
    if lines[0].strip() != "---":
        log.error(path, 1, say("chapter.no-front-matter"))
        return None, lines, 1
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            front = parse_yaml_mapping("\n".join(lines[1:end]), path, log, line_offset=1,
                                       what=say("what.front-matter"))
            return front, lines[end + 1:], end + 2
    log.error(path, 1, say("chapter.front-matter-unclosed"))
    return None, [], len(lines) + 1


def parse_chapter(path: Path, log: ProblemLog) -> RawChapter | None:
    text = read_text(path, log)
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, body, first_line = split_front_matter(text, path, log)
    body_text, unclosed = blank_out_comments("\n".join(body))
    if unclosed is not None:
        line = first_line + unclosed
        log.error(path, line, say("chapter.comment-unclosed"))
    lines = list(enumerate(body_text.split("\n"), start=first_line))
    nodes, footnotes = parse_body(lines, path, log)
    return RawChapter(path, front, nodes, footnotes)


def parse_body(lines: list[tuple[int, str]], path: Path, log: ProblemLog):
    """The block tree and the footnote definitions of a chapter body, every node with its line."""
    root = RawNode("block", 0, block_type="(file)")
    stack = [root]
    footnotes: list[RawFootnote] = []
    paragraph: list[tuple[int, str]] = []
    paragraph_length = 0

    def flush_paragraph():
        nonlocal paragraph_length
        if paragraph and paragraph_length > MAX_PARAGRAPH_CHARS:
            log.error(path, paragraph[0][0], say("chapter.paragraph-too-long", length=f"{paragraph_length:,}",
                                                 limit=f"{MAX_PARAGRAPH_CHARS:,}"))
        elif paragraph:
            text = join_paragraph_lines([t for _, t in paragraph])
            stack[-1].children.append(RawNode("paragraph", paragraph[0][0], text))
        paragraph.clear()
        paragraph_length = 0

    for number, raw in lines:
        if len(raw) > MAX_LINE_CHARS:
            flush_paragraph()
            log.error(path, number, say("chapter.line-too-long", length=f"{len(raw):,}",
                                        limit=f"{MAX_LINE_CHARS:,}"))
            continue
        line = ascii_note_calls(raw.rstrip(), number, path, log)
        stripped = line.strip()
        stripped = ascii_block_line(stripped, line, number, path, log)
        current = stack[-1]
        if current.checked_as == "figure" and not BLOCK_CLOSE.fullmatch(stripped):
            if BLOCK_OPEN.fullmatch(stripped):
                log.error(path, number, say("block.figure-nested"))
            current.body_lines.append((number, line))
            continue
        if BLOCK_CLOSE.fullmatch(stripped):
            flush_paragraph()
            if len(stack) == 1:
                log.error(path, number, say("block.close-without-open"))
            else:
                stack.pop()
            continue
        opened = BLOCK_OPEN.fullmatch(stripped)
        if opened:
            flush_paragraph()
            block_type, args = opened.group(1), opened.group(2)
            checked_as = block_type
            if block_type not in BLOCK_TYPES:
                # The contents of a misspelled block are still checked, as the type it was meant to be
                # (or as plain blocks when no type is close), so their problems show up now, not after the fix.
                checked_as = closest(block_type, BLOCK_TYPES) or ""
                message_id = "block.unknown-type-checked" if checked_as else "block.unknown-type"
                log.error(path, number, say(message_id, type=shown(block_type), checked=checked_as,
                                            suggestion=did_you_mean(block_type, BLOCK_TYPES),
                                            types=list(BLOCK_TYPES)))
            node = RawNode("block", number, args, block_type=block_type, checked_as=checked_as)
            if len(stack) > MAX_BLOCK_DEPTH:
                log.error(path, number, say("block.too-deep", limit=MAX_BLOCK_DEPTH))
            else:
                current.children.append(node)  # past the limit: parsed for its lines, then left out
            stack.append(node)
            continue
        if stripped.startswith(":::"):
            flush_paragraph()
            log.error(path, number, say("block.malformed-line", types=list(BLOCK_TYPES)),
                      column=line.find(":::") + 1 if ":::" in line else 1)
            continue
        if not stripped:
            flush_paragraph()
            continue
        note = FOOTNOTE_DEFINITION.fullmatch(stripped)
        if note:
            # A definition on the line after a paragraph's last line ends that paragraph.
            flush_paragraph()
            if note.group(2) == "：":
                log.error(path, number, say("note.fullwidth-colon", id=shown(note.group(1))),
                          column=line.index("]：") + 2)
            footnotes.append(RawFootnote(note.group(1), note.group(3).strip(), number))
            continue
        if SECTION_BREAK.fullmatch(stripped):
            flush_paragraph()
            current.children.append(RawNode("break", number))
            continue
        stripped = ascii_heading(stripped, line, number, path, log) if not paragraph else stripped
        heading = HEADING.fullmatch(stripped)
        if heading and not paragraph:
            current.children.append(parse_heading(heading, line, number, path, log))
            continue
        if TABLE_ROW.fullmatch(stripped) and not paragraph:
            if TABLE_RULE.fullmatch(stripped):
                table = current.children[-1] if current.children else None
                if table is None or table.kind != "table" or len(table.rows) != 1:
                    log.error(path, number, say("table.rule-misplaced"))
                continue
            cells = [c.strip() for c in split_table_row(stripped)]
            last = current.children[-1] if current.children else None
            if last is not None and last.kind == "table" and last.line + len(last.rows) + 1 >= number:
                last.rows.append((number, cells))
            else:
                current.children.append(RawNode("table", number, rows=[(number, cells)]))
            continue
        item = LIST_ITEM.fullmatch(stripped)
        if item and not paragraph:
            last = current.children[-1] if current.children else None
            if last is not None and last.kind == "list" and last.items and last.items[-1][0] == number - 1:
                last.items.append((number, item.group(1)))
            else:
                current.children.append(RawNode("list", number, items=[(number, item.group(1))]))
            continue
        paragraph.append((number, line))
        paragraph_length += len(stripped)
    flush_paragraph()
    for node in stack[1:]:
        log.error(path, node.line, say("block.unclosed", type=shown(node.block_type)))
    return root.children, footnotes


def ascii_note_calls(line: str, number: int, path: Path, log: ProblemLog) -> str:
    """`［＾fn-1］`, `[＾fn-1]`, `【^fn-1】` reported as what they are, and read as `[^fn-1]`."""
    if not any(mark in line for mark in "［］【】＾…"):
        return line

    def ascii_call(match: re.Match) -> str:
        opening, caret, note_id, closing, colon = match.groups()
        marks = [m for m in (opening, caret, closing) if not m.isascii()]
        if not marks:
            return match.group(0)  # written right; a full-width colon after it is the definition's to report
        definition = bool(colon) and not line[:match.start()].strip()
        if definition:
            marks.append(colon)  # a definition typed all in full-width: one message names every mark
        log.error(path, number, say("note.fullwidth-marks", written=match.group(0) if definition else
                                    match.group(0)[:len(match.group(0)) - len(colon)], id=note_id,
                                    marks=[say(FULLWIDTH_MARKS[m]) for m in dict.fromkeys(marks)]),
                  column=match.start() + 1)
        return f"[^{note_id}]" + (":" if definition else colon)

    return FULLWIDTH_NOTE_CALL.sub(ascii_call, line)


def ascii_block_line(stripped: str, line: str, number: int, path: Path, log: ProblemLog) -> str:
    """`：：： sidebar` (or `::：`) reported where it is written, and read as `::: sidebar`."""
    opening = FULLWIDTH_BLOCK_LINE.match(stripped)
    if opening is None or "：" not in opening.group():
        return stripped
    rest = stripped[3:]
    written = opening.group() + (rest if len(rest) <= 20 else rest[:19] + "…")
    log.error(path, number, say("block.fullwidth-colons", written=written), column=line.index(stripped[0]) + 1)
    return ":::" + rest


def ascii_heading(stripped: str, line: str, number: int, path: Path, log: ProblemLog) -> str:
    """`＃＃ 标题` reported where it is written, and read as `## 标题`."""
    marks = FULLWIDTH_HEADING.match(stripped)
    if marks is None or "＃" not in marks.group(1):
        return stripped
    log.error(path, number, say("heading.fullwidth-hash", written=shown(stripped, 20)),
              column=line.index(stripped[0]) + 1)
    return "#" * len(marks.group(1)) + stripped[marks.end():]


def parse_heading(match: re.Match, line: str, number: int, path: Path, log: ProblemLog) -> RawNode:
    """`## 标题 {#id}`: the id, when written, ends the line after a space."""
    level, text = len(match.group(1)), match.group(2)
    anchor = ""
    written = HEADING_ID.search(text, max(text.rfind("{#"), 0)) if text.endswith("}") else None
    if written and written.end() == len(text) and (written.start() == 0 or text[written.start() - 1].isspace()):
        anchor, text = written.group(1), text[:written.start()].rstrip()
        if not ANCHOR.fullmatch(anchor):
            log.error(path, number, say("heading.bad-id", anchor=shown(anchor)), column=line.rfind("{#") + 1)
            anchor = ""
    if not text:
        log.error(path, number, say("heading.empty"))
    return RawNode("heading", number, text, level, anchor)


def split_table_row(row: str) -> list[str]:
    """Cells of `| a | b |`; a `\\|` inside a cell is a literal bar."""
    inner = row.strip()[1:-1]
    cells, current, escaped = [], [], False
    for ch in inner:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
    cells.append("".join(current))
    return cells


def join_paragraph_lines(lines: list[str]) -> str:
    """Join a paragraph's source lines. Chinese text has no spaces between lines."""
    pieces: list[str] = []
    for i, text in enumerate(lines):
        text = text.strip()
        if text.endswith("\\") and i < len(lines) - 1:
            text = text[:-1] + LINE_BREAK_MARK
        if pieces and not pieces[-1].endswith(LINE_BREAK_MARK) and needs_space(pieces[-1][-1:], text[:1]):
            pieces.append(" ")
        pieces.append(text)
    return "".join(pieces)


def needs_space(before: str, after: str) -> bool:
    """A wrapped line joins with a space only between two Latin characters."""
    return before.isascii() and after.isascii() and before.isalnum() and after.isalnum()
