"""Reading a content file as text, refusing what no edition could show.

A file must be UTF-8 and of a sane size, and may not hold control characters
(they are not allowed in XHTML, so the EPUB would be broken) or Unicode
noncharacters (the loader uses a few of those as private marks while it
renders inline Markdown; see the *_MARK constants below). Each refusal names
the file, the line and the column, so the editor finds the character.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ProblemLog
from ..messages import say

MAX_FILE_BYTES = 20_000_000
"""A chapter of a long report is about 100 KB; 20 MB can only be a wrong file."""

NOTE_CALL_OPEN = "\ufdd0"
NOTE_CALL_CLOSE = "\ufdd1"
LINE_BREAK_MARK = "\ufdd2"
"""Private marks (Unicode noncharacters, meant for a program's internal use):
a footnote call between the first two, a hard line break (`\\` at a line end)
as the third, until inline rendering turns them into what they stand for."""

FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufdd0-\ufdef\ufffe\uffff]")
"""C0 controls other than tab, line feed and carriage return; noncharacters."""

SHOWN_CHARACTER_PROBLEMS = 5


def read_text(path: Path, log: ProblemLog) -> str | None:
    """The file's text, or None after logging why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            log.error(path, None, say("file.too-large", size=f"{size / 1_000_000:.1f}",
                                      limit=MAX_FILE_BYTES // 1_000_000))
            return None
        data = path.read_bytes()
    except OSError as exc:
        log.error(path, None, say("file.unreadable", reason=exc.strerror or exc))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
        log.error(path, line, say("file.not-utf8", byte=f"{data[exc.start]:02x}", offset=exc.start),
                  column=column)
        return None
    if not report_forbidden_characters(text, path, log):
        return None
    return text


def report_forbidden_characters(text: str, path: Path, log: ProblemLog) -> bool:
    """Log the first few forbidden characters with line and column; True if there are none."""
    found = 0
    for match in FORBIDDEN_CHARACTER.finditer(text):
        found += 1
        if found > SHOWN_CHARACTER_PROBLEMS:
            continue
        line, column = line_and_column(text, match.start())
        log.error(path, line, say("file.forbidden-character", code=f"{ord(match.group()):04X}"), column=column)
    if found > SHOWN_CHARACTER_PROBLEMS:
        log.error(path, None, say("file.more-forbidden-characters", count=found - SHOWN_CHARACTER_PROBLEMS))
    return found == 0


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
