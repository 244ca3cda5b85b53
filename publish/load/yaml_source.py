"""YAML that remembers where each key was written.

Editors need a line number for "unknown key" or "wrong type"; PyYAML's
constructed dicts forget it, so the mapping is composed first and each key's
line kept beside the value.

Only the plain part of YAML is accepted: no aliases (`*name`, which can
multiply a few lines into gigabytes), no explicit tags (`!!int`, `!foo`),
no dates turned into objects (`2024-07-01` stays text), and a size and depth
that a configuration never needs. Whatever PyYAML raises becomes a problem
with a line, never a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ProblemLog
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


class PlainYamlComposer:
    """Refuses aliases and explicit tags where they are met, with their line and column."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"an alias `*{event.anchor}` is not supported here",
                                              event.start_mark)
        event = self.peek_event()
        tag = getattr(event, "tag", None)  # None unless a tag was written
        if tag not in (None, "!"):
            shown_tag = tag.replace("tag:yaml.org,2002:", "!!")
            raise yaml.composer.ComposerError(None, None, f"a tag `{shown_tag}` is not supported here",
                                              event.start_mark)
        return super().compose_node(parent, index)


class ContentYamlLoader(PlainYamlComposer, yaml.SafeLoader):
    """Text, numbers, true/false, lists and mappings; dates stay text."""


ContentYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


class TextYamlLoader(PlainYamlComposer, yaml.BaseLoader):
    """Every scalar is text: in a figure, `ratio: 3:2` must not become the number 182."""


FIXES = {
    "alias": "write the value out in full instead of `*name`",
    "tag": "remove the `!…` tag; write the value plainly (put text in double quotes)",
}
DEFAULT_FIX = ("check the indentation and quoting on this line; a value containing ': ' or "
               "starting with a quote or bracket must be put in double quotes")


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
                       what: str = "this file", all_text: bool = False) -> LocatedMapping | None:
    """Parse YAML that must be a mapping; on failure log where and why and return None."""
    if len(text) > MAX_YAML_CHARS:
        log.error(path, 1 + line_offset, f"{what} is {len(text)} characters long; the limit is {MAX_YAML_CHARS}",
                  "a configuration is a few hundred lines: check that the closing `---` is in place")
        return None
    try:
        node, values = _compose_and_construct(text, TextYamlLoader if all_text else ContentYamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else 1 + line_offset
        column = mark.column + 1 if mark else None
        problem = exc.problem or str(exc)
        fix = next((hint for word, hint in FIXES.items() if f"{word} `" in problem), DEFAULT_FIX)
        opened = _unclosed(exc)
        if opened is not None:
            # PyYAML notices a missing `]`, `}` or quote where it runs into the next thing:
            # the mistake is where the bracket or quote was opened.
            problem = f"{opened[0]} opened here is never closed ({problem} on line {line})"
            line, column = opened[1] + 1 + line_offset, opened[2] + 1
            fix = "close it on the same line, or put the whole value in double quotes"
        log.error(path, line, f"broken YAML in {what}: {problem}", fix, column)
        return None
    except yaml.reader.ReaderError as exc:
        line, column = line_and_column(text, exc.position)
        log.error(path, line + line_offset, f"broken YAML in {what}: character U+{exc.character:04X} "
                  "cannot be used in YAML", "delete it, or write the value in double quotes with an escape",
                  column)
        return None
    except RecursionError:
        log.error(path, 1 + line_offset, f"broken YAML in {what}: lists or mappings nested too deeply",
                  "check for a run of `[` or `{` that is never closed")
        return None
    except (yaml.YAMLError, ValueError, TypeError, KeyError, OverflowError) as exc:
        log.error(path, 1 + line_offset, f"broken YAML in {what}: a value cannot be read ({exc.__class__.__name__}: "
                  f"{str(exc)[:80]})", "write each value plainly, as text, a number or a list")
        return None
    if values is None:  # an empty file or front matter: every key is missing, reported by the schema
        values = {}
        node = yaml.MappingNode("tag:yaml.org,2002:map", [])
        node.start_mark = yaml.Mark("", 0, 0, 0, None, None)
    if not isinstance(values, dict):
        log.error(path, node.start_mark.line + 1 + line_offset, f"{what} must be a mapping of `key: value` lines, "
                  f"found {_kind(values)}", "write one `key: value` per line")
        return None
    duplicates: list[tuple[str, int, int, int]] = []
    located = _locate(node, line_offset, duplicates)
    for key, first, line, column in duplicates:
        log.error(path, line, f"the key `{key}` is written twice in {what} (first on line {first})",
                  "keep one of the two lines; YAML would silently use the last", column)
    if duplicates:
        return None
    located.values = values
    return located


UNCLOSED = {"flow sequence": "the list `[`", "flow mapping": "the mapping `{`", "quoted scalar": "the quote"}


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


def _compose_and_construct(text: str, loader_class):
    """The node tree (for lines) and the Python values, from one parse."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        values = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, values


def _kind(value) -> str:
    return {str: "text", list: "a list", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__)
