"""YAML that remembers where each key was written.

Editors need a line number for "unknown key" or "wrong type"; PyYAML's
constructed dicts forget it, so the mapping is composed first and each key's
line kept beside the value.

Only the plain part of YAML is accepted: no aliases (`*name`, which can
multiply a few lines into gigabytes), no explicit tags (`!!int`, `!foo`),
no dates turned into objects (`2024-07-01` stays text), and a size and depth
that a configuration never needs. Whatever PyYAML raises becomes a problem
with a line, never a traceback, said in the editor's terms rather than
PyYAML's. What a Chinese input method types instead of YAML's own marks (a
full-width colon after a key) and tabs are reported where they are, then read
as meant, so the rest of the text is still checked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ProblemLog
from ..messages import say
from .text_file import line_and_column

MAX_YAML_CHARS = 200_000
"""publication.yaml and front matter are a few hundred lines at most."""

MAX_LOCATED_DEPTH = 8
"""Line numbers are kept this many mappings deep; deeper keys report their parent's line."""


@dataclass
class LocatedMapping:
    """A YAML mapping's values plus the 1-based line of each key (and of nested keys)."""

    values: dict
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    children: dict[str, "LocatedMapping"] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)
    scalars: dict[str, str] = field(default_factory=dict)  # each plain value as written: `number: 01` → "01"

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.key_lines.get(str(key), self.line))


class RefusedYaml(yaml.composer.ComposerError):
    """YAML that parses but is not accepted here (an alias, a tag), with the message saying why."""

    def __init__(self, said_id: str, mark, **values):
        super().__init__(None, None, said_id, mark)
        self.said_id, self.values = said_id, values


class PlainYamlComposer:
    """Refuses aliases and explicit tags where they are met, with their line and column."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise RefusedYaml("yaml.alias", event.start_mark, name=event.anchor)
        event = self.peek_event()
        tag = getattr(event, "tag", None)  # None unless a tag was written
        if tag not in (None, "!"):
            raise RefusedYaml("yaml.tag", event.start_mark, tag=tag.replace("tag:yaml.org,2002:", "!!"))
        return super().compose_node(parent, index)


class ContentYamlLoader(PlainYamlComposer, yaml.SafeLoader):
    """Text, numbers, true/false, lists and mappings; dates stay text."""


ContentYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


class TextYamlLoader(PlainYamlComposer, yaml.BaseLoader):
    """Every scalar is text: in a figure, `ratio: 3:2` must not become the number 182."""


TAB_READINGS = ("  ", "")
"""What a tab in an indentation may have meant, tried in turn once it has been reported, so the rest of
the text is still checked: a list item's indentation, or no indentation at all (a key typed after a tab)."""

TAB_IN_SEPARATION = re.compile(r"^[ \t]*\t(?=[ \t]*\S)|(?<=:)\t")
"""A tab in the indentation of a line that holds something, or right after a key's colon: where PyYAML
refuses one (a tab on a blank line is only whitespace, and is dropped)."""

FULLWIDTH_KEY_COLON = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_-]*)[ \u3000]*：[ \u3000]*")
"""`title：测试`, typed with a Chinese input method: to PyYAML, text that continues the value above."""

PYYAML_PROBLEMS = (
    # (the start of PyYAML's problem text, the message that explains it)
    ("mapping values are not allowed", "yaml.colon-in-value"),
    ("could not find expected ':'", "yaml.not-key-value"),
    ("expected <block end>", "yaml.indentation"),
    ("did not find expected key", "yaml.indentation"),
    ("did not find expected '-' indicator", "yaml.indentation"),
    ("expected <block mapping start>", "yaml.indentation"),
    ("found unknown escape character", "yaml.bad-escape"),
)


def replace_tabs_and_fullwidth_colons(text: str, path: Path, log: ProblemLog | None, line_offset: int,
                                      what, tab: str = TAB_READINGS[0]) -> str:
    """Report tabs and full-width key colons at their line and column (unless `log` is None);
    return the text as meant, each tab of an indentation read as `tab`."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        number = index + 1 + line_offset
        if "\t" in line and not line.strip():
            line = ""
        if "\t" in line:
            tabs = [m for m in TAB_IN_SEPARATION.finditer(line)]
            if tabs:
                if log is not None:
                    log.error(path, number, say("yaml.tab", what=what), column=line.index("\t", tabs[0].start()) + 1)
                indent = len(line) - len(line.lstrip(" \t"))
                line = line[:indent].replace("\t", tab) + line[indent:].replace(":\t", ": ")
        colon = FULLWIDTH_KEY_COLON.match(line)
        if colon:
            if log is not None:
                log.error(path, number, say("yaml.fullwidth-colon", key=colon.group(2), what=what),
                          column=line.index("：") + 1)
            line = f"{colon.group(1)}{colon.group(2)}: {line[colon.end():]}"
        lines[index] = line
    return "\n".join(lines)


def _locate(node: yaml.Node, line_offset: int, duplicates: list, depth: int = 0) -> LocatedMapping | None:
    """Lines of the keys of a mapping node; keys written twice are added to `duplicates`."""
    if not isinstance(node, yaml.MappingNode):
        return None
    located = LocatedMapping({}, node.start_mark.line + 1 + line_offset)
    if depth > MAX_LOCATED_DEPTH:
        return located
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue  # a list or mapping as a key: refused when the values are constructed
        key = key_node.value
        line = key_node.start_mark.line + 1 + line_offset
        if key in located.key_lines:
            duplicates.append((key, located.key_lines[key], line, key_node.start_mark.column + 1))
        located.key_lines[key] = line
        if isinstance(value_node, yaml.ScalarNode) and value_node.style is None:
            located.scalars[key] = value_node.value
        child = _locate(value_node, line_offset, duplicates, depth + 1)
        if child is not None:
            located.children[key] = child
        if isinstance(value_node, yaml.SequenceNode):
            located.item_lines[key] = [n.start_mark.line + 1 + line_offset for n in value_node.value]
            for i, item in enumerate(value_node.value):
                sub = _locate(item, line_offset, duplicates, depth + 1)
                if sub is not None:
                    located.children[f"{key}[{i}]"] = sub
    return located


def parse_yaml_mapping(text: str, path: Path, log: ProblemLog, line_offset: int = 0,
                       what="this file", all_text: bool = False) -> LocatedMapping | None:
    """Parse YAML that must be a mapping; on failure log where and why and return None.

    `what` names the text in messages (a catalogue message, or a file name).
    """
    what = say("what.file") if what == "this file" else what
    if len(text) > MAX_YAML_CHARS:
        log.error(path, 1 + line_offset, say("yaml.too-long", what=what, length=len(text), limit=MAX_YAML_CHARS))
        return None
    loader = TextYamlLoader if all_text else ContentYamlLoader
    meant = replace_tabs_and_fullwidth_colons(text, path, log, line_offset, what)
    if "\t" in text:
        for tab in TAB_READINGS[1:]:  # the first reading does not parse: try the others before saying why
            if _parses(meant, loader):
                break
            other = replace_tabs_and_fullwidth_colons(text, path, None, line_offset, what, tab)
            meant = other if _parses(other, loader) else meant
    text = meant
    try:
        node, values = _compose_and_construct(text, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else 1 + line_offset
        column = mark.column + 1 if mark else None
        log.error(path, *_explained(exc, what, line, column, line_offset))
        return None
    except yaml.reader.ReaderError as exc:
        line, column = line_and_column(text, exc.position)
        log.error(path, line + line_offset, say("yaml.bad-character", what=what, code=f"{exc.character:04X}"),
                  column=column)
        return None
    except RecursionError:
        log.error(path, 1 + line_offset, say("yaml.too-deep", what=what))
        return None
    except (yaml.YAMLError, ValueError, TypeError, KeyError, OverflowError) as exc:
        log.error(path, 1 + line_offset, say("yaml.unreadable-value", what=what,
                                             detail=f"{exc.__class__.__name__}: {str(exc)[:80]}"))
        return None
    if values is None:  # an empty file or front matter: every key is missing, reported by the schema
        values = {}
        node = yaml.MappingNode("tag:yaml.org,2002:map", [])
        node.start_mark = yaml.Mark("", 0, 0, 0, None, None)
    if not isinstance(values, dict):
        log.error(path, node.start_mark.line + 1 + line_offset,
                  say("yaml.not-a-mapping", what=what, found=_kind(values)))
        return None
    duplicates: list[tuple[str, int, int, int]] = []
    located = _locate(node, line_offset, duplicates)
    for key, first, line, column in duplicates:
        log.error(path, line, say("yaml.duplicate-key", key=key, what=what, first=first), column=column)
    if duplicates:
        return None
    located.values = values
    return located


def _explained(exc: yaml.MarkedYAMLError, what, line: int, column: int | None, line_offset: int):
    """(line, message, column=…) for what PyYAML raised, in the editor's terms."""
    if isinstance(exc, RefusedYaml):
        return line, say(exc.said_id, what=what, **exc.values), "", column
    problem = exc.problem or str(exc)
    opened = _unclosed(exc)
    if opened is not None:
        # PyYAML notices a missing `]`, `}` or quote where it runs into the next thing:
        # the mistake is where the bracket or quote was opened.
        thing, opened_line, opened_column = opened
        return (opened_line + 1 + line_offset, say("yaml.unclosed", what=what, thing=say(thing), detail=problem,
                                                   line=line), "", opened_column + 1)
    if exc.context and ("alias" in exc.context or "anchor" in exc.context):
        character = "*" if "alias" in exc.context else "&"
        return line, say("yaml.reserved-start", what=what, character=character), "", column
    if problem.startswith("found character") and "cannot start any token" in problem:
        character = problem.split("'")[1] if problem.count("'") >= 2 else "?"
        return line, say("yaml.reserved-start", what=what, character=character), "", column
    for start, message_id in PYYAML_PROBLEMS:
        if problem.startswith(start):
            if message_id == "yaml.bad-escape":
                return line, say(message_id, what=what, character=problem.rsplit(" ", 1)[-1].strip("'")), "", column
            return line, say(message_id, what=what), "", column
    return line, say("yaml.broken", what=what, detail=problem), "", column


UNCLOSED = {"flow sequence": "yaml.unclosed.list", "flow mapping": "yaml.unclosed.mapping",
            "quoted scalar": "yaml.unclosed.quote"}


def _unclosed(exc: yaml.MarkedYAMLError) -> tuple[str, int, int] | None:
    """What was left open, and its 0-based line and column, when an error is about that."""
    if not (exc.context and exc.context_mark and exc.problem_mark):
        return None
    if exc.context_mark.line == exc.problem_mark.line:
        return None
    thing = next((name for key, name in UNCLOSED.items() if exc.context.endswith(key)), None)
    if thing is None:
        return None
    return thing, exc.context_mark.line, exc.context_mark.column


def _parses(text: str, loader_class) -> bool:
    try:
        _compose_and_construct(text, loader_class)
    except (yaml.YAMLError, ValueError, TypeError, KeyError, OverflowError, RecursionError):
        return False
    return True


def _compose_and_construct(text: str, loader_class):
    """The node tree (for lines) and the Python values, from one parse."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        values = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, values


def _kind(value):
    kinds = {str: "type.text", list: "type.list", int: "type.number", float: "type.number", bool: "type.bool"}
    return say(kinds[type(value)]) if type(value) in kinds else type(value).__name__
