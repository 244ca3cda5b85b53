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

from ..errors import ProblemLog
from .yaml_source import LocatedMapping, parse_yaml_mapping

BLOCK_TYPES = ("sidebar", "figure", "quote", "pullquote", "box", "source", "table")
"""The block types of the content format (docs/content-format.md)."""

BLOCK_OPEN = re.compile(r"^:::\s*([A-Za-z][\w-]*)\s*(.*?)\s*$")
BLOCK_CLOSE = re.compile(r"^:::\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+\{#([A-Za-z][\w.:-]*)\})?\s*$")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
LIST_ITEM = re.compile(r"^[-*]\s+(.*)$")
TABLE_ROW = re.compile(r"^\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.S)


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


def read_text(path: Path, log: ProblemLog) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.error(path, None, f"cannot read the file: {exc.strerror}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        log.error(path, line, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                  "save the file as UTF-8 (in most editors: Save with encoding → UTF-8)")
        return None


def blank_out_comments(text: str) -> str:
    """Remove editors' comments but keep the line count, so line numbers stay true."""
    return COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def split_front_matter(text: str, path: Path, log: ProblemLog) -> tuple[LocatedMapping | None, list[str], int]:
    """Return the front matter, the body lines, and the 1-based line the body starts on."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
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
    body_text = blank_out_comments("\n".join(body))
    if "<!--" in body_text:
        line = first_line + body_text[: body_text.index("<!--")].count("\n")
        log.error(path, line, "a comment `<!--` is never closed", "end the comment with `-->`")
        body_text = body_text.replace("<!--", "")
    lines = list(enumerate(body_text.split("\n"), start=first_line))
    nodes, footnotes = parse_body(lines, path, log)
    return RawChapter(path, front, nodes, footnotes)


def parse_body(lines: list[tuple[int, str]], path: Path, log: ProblemLog):
    root = RawNode("block", 0, block_type="(file)")
    stack = [root]
    footnotes: list[RawFootnote] = []
    paragraph: list[tuple[int, str]] = []

    def flush_paragraph():
        if paragraph:
            text = join_paragraph_lines([t for _, t in paragraph])
            stack[-1].children.append(RawNode("paragraph", paragraph[0][0], text))
            paragraph.clear()

    for number, raw in lines:
        line = raw.rstrip()
        stripped = line.strip()
        current = stack[-1]
        if current.block_type == "figure" and not BLOCK_CLOSE.match(stripped):
            if BLOCK_OPEN.match(stripped):
                log.error(path, number, "a figure cannot contain another block",
                          "close the figure with a `:::` line before opening the next block")
            current.body_lines.append((number, line))
            continue
        if BLOCK_CLOSE.match(stripped):
            flush_paragraph()
            if len(stack) == 1:
                log.error(path, number, "`:::` closes a block, but no block is open here",
                          "remove this line, or open the block it should close (e.g. `::: sidebar 【标题】`)")
            else:
                stack.pop()
            continue
        opened = BLOCK_OPEN.match(stripped)
        if opened:
            flush_paragraph()
            block_type, args = opened.group(1), opened.group(2)
            if block_type not in BLOCK_TYPES:
                log.error(path, number, f"unknown block type `{block_type}`",
                          "use one of: " + ", ".join(BLOCK_TYPES) + " (see docs/content-format.md)")
            node = RawNode("block", number, args, block_type=block_type)
            current.children.append(node)
            stack.append(node)
            continue
        if not stripped:
            flush_paragraph()
            continue
        note = FOOTNOTE_DEFINITION.match(stripped)
        if note and not paragraph:
            footnotes.append(RawFootnote(note.group(1), note.group(2).strip(), number))
            continue
        heading = HEADING.match(stripped)
        if heading and not paragraph:
            level = len(heading.group(1))
            current.children.append(RawNode("heading", number, heading.group(2).strip(), level,
                                            heading.group(3) or ""))
            continue
        if TABLE_ROW.match(stripped) and not paragraph:
            if TABLE_RULE.match(stripped):
                table = current.children[-1] if current.children else None
                if table is None or table.kind != "table" or len(table.rows) != 1:
                    log.error(path, number, "a table rule `|---|` must come right after the header row",
                              "put the header row `| 时间 | 文件 |` on the line above")
                continue
            cells = [c.strip() for c in split_table_row(stripped)]
            last = current.children[-1] if current.children else None
            if last is not None and last.kind == "table" and last.line + len(last.rows) + 1 >= number - 0:
                last.rows.append((number, cells))
            else:
                current.children.append(RawNode("table", number, rows=[(number, cells)]))
            continue
        item = LIST_ITEM.match(stripped)
        if item and not paragraph:
            last = current.children[-1] if current.children else None
            if last is not None and last.kind == "list" and last.items and last.items[-1][0] == number - 1:
                last.items.append((number, item.group(1)))
            else:
                current.children.append(RawNode("list", number, items=[(number, item.group(1))]))
            continue
        paragraph.append((number, line))
    flush_paragraph()
    for node in stack[1:]:
        log.error(path, node.line, f"the `{node.block_type}` block opened here is never closed",
                  "add a line `:::` where the block ends")
    return root.children, footnotes


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


LINE_BREAK_MARK = "\ue002"
"""Stands for a hard line break (`\\` at a line end) until inline rendering."""


def join_paragraph_lines(lines: list[str]) -> str:
    """Join a paragraph's source lines. Chinese text has no spaces between lines."""
    out = []
    for i, text in enumerate(lines):
        text = text.strip()
        if text.endswith("\\") and i < len(lines) - 1:
            out.append(text[:-1] + LINE_BREAK_MARK)
        else:
            out.append(text)
    joined = ""
    for piece in out:
        if joined and not joined.endswith(LINE_BREAK_MARK) and needs_space(joined[-1], piece[:1]):
            joined += " "
        joined += piece
    return joined


def needs_space(before: str, after: str) -> bool:
    """A wrapped line joins with a space only between two Latin characters."""
    return before.isascii() and after.isascii() and before.isalnum() and after.isalnum()
