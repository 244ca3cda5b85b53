"""YAML that remembers where each key was written.

Editors need a line number for "unknown key" or "wrong type"; PyYAML's
constructed dicts forget it, so the mapping is composed first and each key's
line kept beside the value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ProblemLog


@dataclass
class LocatedMapping:
    """A YAML mapping's values plus the 1-based line of each key (and of nested keys)."""

    values: dict
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    children: dict[str, "LocatedMapping"] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


def _locate(node: yaml.Node, line_offset: int) -> LocatedMapping | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    located = LocatedMapping({}, node.start_mark.line + 1 + line_offset)
    for key_node, value_node in node.value:
        key = key_node.value
        located.key_lines[key] = key_node.start_mark.line + 1 + line_offset
        child = _locate(value_node, line_offset)
        if child is not None:
            located.children[key] = child
        if isinstance(value_node, yaml.SequenceNode):
            located.item_lines[key] = [n.start_mark.line + 1 + line_offset for n in value_node.value]
            for i, item in enumerate(value_node.value):
                sub = _locate(item, line_offset)
                if sub is not None:
                    located.children[f"{key}[{i}]"] = sub
    return located


def parse_yaml_mapping(text: str, path: Path, log: ProblemLog, line_offset: int = 0,
                       what: str = "this file") -> LocatedMapping | None:
    """Parse YAML that must be a mapping; on failure log where and why and return None."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        values = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        log.error(path, line, f"broken YAML in {what}: {exc.problem or exc}",
                  "check the indentation and quoting on this line; a value containing ': ' or "
                  "starting with a quote or bracket must be put in double quotes", column)
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        log.error(path, 1 + line_offset, f"broken YAML in {what}: {exc}")
        return None
    if values is None:
        values = {}
        node = yaml.MappingNode("tag:yaml.org,2002:map", [])
        node.start_mark = yaml.Mark("", 0, 0, 0, None, None)
    if not isinstance(values, dict):
        log.error(path, 1 + line_offset, f"{what} must be a mapping of `key: value` lines, "
                  f"found a {type(values).__name__}", "write one `key: value` per line")
        return None
    located = _locate(node, line_offset)
    located.values = values
    return located
