"""Sentence-level comparison of the source text with the text of a built edition.

The source is the text extracted from the printed PDF
(tests/fixtures/source/002_…txt). Its extraction artifacts are removed here by rules
written for this test, never by reading the structured content:

- the cover and the printed contents page (everything before the first `01 前言`)
  and the back cover (from `使用再循环纸张印刷`);
- running heads (`全球安全倡议落实进展报告（2024）`), chapter tags (`01 前言`,
  `02`, `03 结束语`, `04 附件`, `附件 1` …) and the chapter openers' lists;
- footnote definitions (`^① …`) and photo captions (`…（图源：…）`), which the
  print placed at page feet or beside photos: they are compared as their own
  group (present, in any order), not inside the running text.

What remains is the running text, cut into units: sentences (at 。！？；), and
also at every line end and table cell, since a line end in the extracted
text is a paragraph end or a printed page break, and the content rejoins
split paragraphs by hand. Every unit must appear in the edition, in order;
a unit found only earlier than expected is reported "out of order" (a
sidebar or photo that the print set in the middle of a split paragraph,
and the content places after it). Comparison keys keep only Han
characters, Latin letters and digits, so punctuation width and spacing (which
the content normalises by one documented rule) do not count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "fixtures" / "source" / "002_4d022e5cd4e2c0e6.txt"  # README there
ARTICLE_SOURCE = SOURCE.with_name("000_a74f3330985a759d.txt")

RUNNING_HEAD = "全球安全倡议落实进展报告（2024）"
CHAPTER_TAG = re.compile(r"^(0[1-4])(\s+\S+)?$|^附件(\s*\d)?$|^全球安全倡议落实进展$|^结束语$")
OPENER_LIST = re.compile(r"^\s*-\s")
NOTE_DEFINITION = re.compile(r"^\^[①-⑳]")
NOTE_CALL = re.compile(r"\^[①-⑳]")
CAPTION = re.compile(r"[（(]图源[：:]")
SENTENCE_END = re.compile(r"(?<=[。！？；])")
PLACEHOLDER = re.compile(r"图片待补images[A-Za-z0-9]+?(jpg|jpeg|png|gif|webp)")
KEY_CHARS = re.compile(r"[^\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]")


def key(text: str) -> str:
    return KEY_CHARS.sub("", text)


@dataclass
class SourceText:
    running: list[str]  # units of the running text, in order
    notes: list[str]  # footnote definitions
    captions: list[str]  # photo captions with credits


def report_source(path: Path = SOURCE) -> SourceText:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "01 前言")
    end = next(i for i, line in enumerate(lines) if line.strip() == "使用再循环纸张印刷")
    running, notes, captions = [], [], []
    for raw in lines[start:end]:
        line = raw.strip()
        if not line or line == RUNNING_HEAD or CHAPTER_TAG.match(line) or OPENER_LIST.match(raw):
            continue
        if NOTE_DEFINITION.match(line):
            notes.append(NOTE_CALL.sub("", line))
        elif CAPTION.match(line) and running:
            captions.append(running.pop() + line)  # a caption whose credit wrapped to its own line
        elif CAPTION.search(line):
            captions.append(line)
        else:
            running.append(NOTE_CALL.sub("", line))
    units = [unit for line in running for cell in line.split("\t")
             for unit in SENTENCE_END.split(cell) if key(unit)]
    return SourceText(units, notes, captions)


def article_source(path: Path = ARTICLE_SOURCE) -> list[str]:
    """The web article's sentences, without the page's chrome (ticker, breadcrumb, share, editors)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    byline = next(i for i, line in enumerate(lines) if line.startswith("杨守征"))
    end = next(i for i, line in enumerate(lines) if line.startswith("审核"))
    return [unit for line in lines[byline + 1:end] for unit in SENTENCE_END.split(line) if key(unit)]


@dataclass
class Coverage:
    total: int
    found_in_order: int
    found_out_of_order: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return (self.found_in_order + len(self.found_out_of_order)) / self.total if self.total else 1.0

    def summary(self, name: str) -> str:
        return (f"{name}: {self.found_in_order + len(self.found_out_of_order)}/{self.total} units "
                f"({100 * self.ratio:.2f}%), {len(self.found_out_of_order)} out of order, "
                f"{len(self.missing)} missing")


def coverage(units: list[str], edition_text: str, ordered: bool = True) -> Coverage:
    """Which units the edition holds, and how few of them must count as moved to explain its order.

    Each unit is matched at its first occurrence after the previous unit's
    match (or, failing that, anywhere); the longest run of matches in
    increasing order is "in order", the rest were moved (e.g. with a sidebar).
    """
    # The editions' own placeholder labels for absent photos are not text of the report.
    haystack = PLACEHOLDER.sub("", key(edition_text))
    result = Coverage(len(units), 0)
    positions: list[tuple[int, str]] = []
    cursor = 0
    for unit in units:
        needle = key(unit)
        at = haystack.find(needle, cursor)
        if at == -1:
            at = haystack.find(needle)
        if at == -1:
            result.missing.append(unit)
            continue
        positions.append((at, unit))
        cursor = at + len(needle)
    if not ordered:
        result.found_in_order = len(positions)
        return result
    in_order = _longest_increasing(positions)
    result.found_in_order = len(in_order)
    result.found_out_of_order = [unit for i, (_, unit) in enumerate(positions) if i not in in_order]
    return result


def _longest_increasing(positions: list[tuple[int, str]]) -> set[int]:
    """Indexes of a longest strictly increasing subsequence of positions (patience sorting)."""
    import bisect
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(positions)
    for i, (at, _) in enumerate(positions):
        k = bisect.bisect_left(tails, at)
        if k == len(tails):
            tails.append(at)
            tail_index.append(i)
        else:
            tails[k] = at
            tail_index[k] = i
        previous[i] = tail_index[k - 1] if k else -1
    chosen, i = set(), tail_index[-1] if tail_index else -1
    while i != -1:
        chosen.add(i)
        i = previous[i]
    return chosen
