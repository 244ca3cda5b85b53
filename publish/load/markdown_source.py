"""Chapter files: front matter, then Markdown with `:::` blocks, into raw nodes.

The block structure (containers, headings, paragraphs, tables) is parsed here
by hand so that every node keeps its line number and every structural mistake
(an unclosed block, an unknown block type) is reported where it was made.
Inline Markdown inside a paragraph is left to python-markdown later
(see ``inline.py``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ProblemLog, shown
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
HEADING_ID = re.compile(r"\{#([^{}]*)\}")
FOOTNOTE_DEFINITION = re.compile(r"\[\^([^\[\]\s]+)\]:\s*(.*)")
LIST_ITEM = re.compile(r"[-*]\s+(.*)")
TABLE_ROW = re.compile(r"\|.*\|")
TABLE_RULE = re.compile(r"\|(\s*:?-{3,}:?\s*\|)+")
ANCHOR = re.compile(ANCHOR_PATTERN)


@dataclass
class RawNode:
    kind: str  # paragraph | heading | list | table | block
    line: int
    text: str = ""  # paragraph/heading text; block arguments
    level: int = 0  # heading level
    anchor: str = ""  # heading id
    block_type: str = ""
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
        log.error(path, 1, "the file is empty",
                  "write the front matter (`---`, `title: …`, `level: …`, `---`) and the text, "
                  "or remove the file from the spine")
        return None, [], 1
    if lines[0].strip() != "---":
        log.error(path, 1, "the file does not start with front matter",
                  "begin the file with a `---` line, the `title:` and `level:` keys, and a closing `---` line")
        return None, lines, 1
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            front = parse_yaml_mapping("\n".join(lines[1:end]), path, log, line_offset=1,
                                       what="the front matter")
            return front, lines[end + 1:], end + 2
    log.error(path, 1, "the front matter is not closed", "add a `---` line after the last front-matter key")
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
        log.error(path, line, "a comment `<!--` is never closed: the rest of the file is hidden",
                  "end the comment with `-->`")
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
            log.error(path, paragraph[0][0], f"this paragraph is {paragraph_length:,} characters long; "
                      f"the limit is {MAX_PARAGRAPH_CHARS:,}",
                      "split it with blank lines, or check for text pasted many times")
        elif paragraph:
            text = join_paragraph_lines([t for _, t in paragraph])
            stack[-1].children.append(RawNode("paragraph", paragraph[0][0], text))
        paragraph.clear()
        paragraph_length = 0

    for number, raw in lines:
        if len(raw) > MAX_LINE_CHARS:
            flush_paragraph()
            log.error(path, number, f"this line is {len(raw):,} characters long; the limit is {MAX_LINE_CHARS:,}",
                      "split it into paragraphs with blank lines, or check for text pasted many times")
            continue
        line = raw.rstrip()
        stripped = line.strip()
        current = stack[-1]
        if current.block_type == "figure" and not BLOCK_CLOSE.fullmatch(stripped):
            if BLOCK_OPEN.fullmatch(stripped):
                log.error(path, number, "a figure cannot contain another block",
                          "close the figure with a `:::` line before opening the next block")
            current.body_lines.append((number, line))
            continue
        if BLOCK_CLOSE.fullmatch(stripped):
            flush_paragraph()
            if len(stack) == 1:
                log.error(path, number, "`:::` closes a block, but no block is open here",
                          "remove this line, or open the block it should close (e.g. `::: sidebar 【标题】`)")
            else:
                stack.pop()
            continue
        opened = BLOCK_OPEN.fullmatch(stripped)
        if opened:
            flush_paragraph()
            block_type, args = opened.group(1), opened.group(2)
            if block_type not in BLOCK_TYPES:
                log.error(path, number, f"unknown block type `{shown(block_type)}`",
                          "use one of: " + ", ".join(BLOCK_TYPES) + " (see docs/content-format.md)")
            node = RawNode("block", number, args, block_type=block_type)
            if len(stack) > MAX_BLOCK_DEPTH:
                log.error(path, number, f"blocks are nested more than {MAX_BLOCK_DEPTH} deep here",
                          "close each block with a `:::` line where it ends")
            else:
                current.children.append(node)  # past the limit: parsed for its lines, then left out
            stack.append(node)
            continue
        if stripped.startswith(":::"):
            flush_paragraph()
            log.error(path, number, "a `:::` line must be `:::` alone (closing a block) or `::: type` "
                      "(opening one)", "use one of: " + ", ".join(BLOCK_TYPES), line.find(":::") + 1)
            continue
        if not stripped:
            flush_paragraph()
            continue
        note = FOOTNOTE_DEFINITION.fullmatch(stripped)
        if note and not paragraph:
            footnotes.append(RawFootnote(note.group(1), note.group(2).strip(), number))
            continue
        heading = HEADING.fullmatch(stripped)
        if heading and not paragraph:
            current.children.append(parse_heading(heading, line, number, path, log))
            continue
        if TABLE_ROW.fullmatch(stripped) and not paragraph:
            if TABLE_RULE.fullmatch(stripped):
                table = current.children[-1] if current.children else None
                if table is None or table.kind != "table" or len(table.rows) != 1:
                    log.error(path, number, "a table rule `|---|` must come right after the header row",
                              "put the header row `| 时间 | 文件 |` on the line above")
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
        log.error(path, node.line, f"the `{shown(node.block_type)}` block opened here is never closed",
                  "add a line `:::` where the block ends")
    return root.children, footnotes


def parse_heading(match: re.Match, line: str, number: int, path: Path, log: ProblemLog) -> RawNode:
    """`## 标题 {#id}`: the id, when written, ends the line after a space."""
    level, text = len(match.group(1)), match.group(2)
    anchor = ""
    written = HEADING_ID.search(text, max(text.rfind("{#"), 0)) if text.endswith("}") else None
    if written and written.end() == len(text) and (written.start() == 0 or text[written.start() - 1].isspace()):
        anchor, text = written.group(1), text[:written.start()].rstrip()
        if not ANCHOR.fullmatch(anchor):
            log.error(path, number, f"the heading id `{shown(anchor)}` is not a valid id",
                      "start it with a letter, then use letters, digits, `-`, `_` or `.` (e.g. `{#dir-01}`)",
                      line.rfind("{#") + 1)
            anchor = ""
    if not text:
        log.error(path, number, "this heading has no text", "write the heading after the `#` marks")
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
