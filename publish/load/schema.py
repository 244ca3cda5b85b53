"""The schema of `publication.yaml` and of chapter front matter.

Each field says what it holds; validation collects every problem with the
line of the offending key (mkdocs-style: expected … but received …).

Values that reach a stylesheet (`trim`, `bleed`) or a document's markup
(`language`, `id`) are held to a pattern, so a value can never carry CSS or
markup of its own into an edition.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ProblemLog, shown
from ..messages import Message, did_you_mean, say
from .yaml_source import LocatedMapping

LENGTH = r"(?:0|\d+(?:\.\d+)?(?:mm|cm|in|pt|pc|px|Q))"
PAGE_SIZE_NAME = r"(?:[ABC](?:10|[0-9])|JIS-B(?:10|[0-9])|letter|legal|ledger)"
ANCHOR = r"[A-Za-z][\w.-]*"
"""An id in the editions: a letter, then letters, digits, `-`, `_` or `.` (an XML name, as EPUB needs)."""


@dataclass(frozen=True)
class Field:
    type: type | tuple
    required: bool = False
    default: Any = None
    choices: tuple = ()
    help: Message | str = ""  # a catalogue message saying what the field holds
    pattern: str = ""  # a text value must match this (fully)
    items: type | None = None  # every item of a list must be of this type


PUBLICATION_FIELDS: dict[str, Field] = {
    "id": Field(str, True, help=say("help.id"), pattern=r"[a-z0-9][a-z0-9-]*"),
    "title": Field(str, True),
    "subtitle": Field(str, default=""),
    "series": Field(str, default="", help=say("help.series")),
    "publisher": Field(str, default=""),
    "date": Field(str, True, help=say("help.date"),
                  pattern=r"\d{4}(-\d{2}(-\d{2})?)?"),
    "date_display": Field(str, default="", help=say("help.date-display")),
    "language": Field(str, default="zh-CN", help=say("help.language"),
                      pattern=r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"),
    "authors": Field(list, default=(), items=str),
    "description": Field(str, default=""),
    "keywords": Field(list, default=(), items=str),
    "identifier": Field(str, True, help=say("help.identifier")),
    "layout": Field(str, default="report", choices=("report", "article")),
    "trim": Field(str, default="A4", help=say("help.trim"),
                  pattern=rf"(?i:{PAGE_SIZE_NAME})(\s+(landscape|portrait))?|{LENGTH}\s+{LENGTH}"),
    "bleed": Field(str, default="3mm", help=say("help.bleed"), pattern=LENGTH),
    "marks": Field(str, default="crop", choices=("crop", "none"), help=say("help.marks")),
    "press_profile": Field(str, default="", help=say("help.press-profile")),
    "press_condition": Field(str, default="", help=say("help.press-condition"), pattern=r"[A-Za-z0-9_. -]{1,64}"),
    "ink_limit": Field(int, default=0, help=say("help.ink-limit")),
    "strict": Field(bool, default=False, help=say("help.strict")),
    "bound": Field(bool, default=None, help=say("help.bound")),
    "print_version": Field(int, default=1, help=say("help.print-version")),
    "contents_depth": Field(int, default=3, choices=(1, 2, 3, 4, 5, 6),
                            help=say("help.contents-depth")),
    "blurb": Field(list, default=(), help=say("help.blurb"), items=str),
    "back_cover": Field(list, default=(), help=say("help.back-cover"), items=str),
    "credits": Field(list, default=(), help=say("help.credits"), items=dict),
    "source_url": Field(str, default="", help=say("help.source-url"),
                        pattern=r"https?://\S+"),
    "spine": Field(list, True, help=say("help.spine"), items=str),
}

FRONT_MATTER_FIELDS: dict[str, Field] = {
    "title": Field(str, True),
    "level": Field(int, default=1, choices=(1, 2, 3)),
    "kind": Field(str, default="chapter", choices=("front", "chapter", "annex", "back")),
    "number": Field(str, default="", help=say("help.number")),
    "label": Field(str, default="", help=say("help.label")),
    "subtitle": Field(str, default=""),
    "dateline": Field(str, default=""),
    "byline": Field(str, default=""),
    "id": Field(str, default="", help=say("help.chapter-id"), pattern=ANCHOR),
    "toc_title": Field(str, default=""),
    "toc_subtitle": Field(str, default="", help=say("help.toc-subtitle")),
    "running_head": Field(str, default=""),
}


TYPE_NAMES = {str: "type.text", int: "type.int", bool: "type.bool", list: "type.list", dict: "type.mapping"}
RECEIVED_KINDS = {str: "type.text", int: "type.int", float: "type.number", bool: "type.bool", list: "type.list",
                  dict: "type.mapping", type(None): "type.nothing"}


def _type_name(t):
    return say(TYPE_NAMES[t]) if t in TYPE_NAMES else getattr(t, "__name__", str(t))


def _received(value) -> Message:
    kind = RECEIVED_KINDS.get(type(value))
    return say("received", kind=say(kind) if kind else type(value).__name__, value=shown(value))


def _about(field: Field):
    return say("schema.about", help=field.help) if field.help else ""


def validate(mapping: LocatedMapping, fields: dict[str, Field], path: Path, log: ProblemLog,
             what) -> dict:
    """Return the values with defaults filled in; log every problem."""
    values = mapping.values
    result: dict[str, Any] = {}
    for key in values:
        if key not in fields:
            log.error(path, mapping.line_of(key), say("schema.unknown-key", key=shown(key), what=what,
                                                      suggestion=did_you_mean(key, fields), keys=list(fields)))
    for key, field in fields.items():
        if key not in values or values[key] is None:
            if field.required:
                log.error(path, mapping.line_of(key), say("schema.missing-key", what=what, key=key,
                                                          about=_about(field)))
            result[key] = field.default
            continue
        value = _as_written(values[key], field, mapping.scalars.get(key))
        problem = _problem(key, value, field)
        if problem:
            log.error(path, mapping.line_of(key), problem)
            result[key] = field.default
            continue
        if field.items is not None:
            _check_items(key, value, field.items, mapping, path, log)
        result[key] = value
    return result


def _as_written(value, field: Field, written: str | None):
    """`number: 01` and `date: 2024-07` are meant as text: take them as written."""
    if field.type is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return written if written is not None else str(value)
    return value


def _problem(key: str, value, field: Field) -> Message | None:
    """What is wrong with a value and how to fix it, or None."""
    if not isinstance(value, field.type) or (isinstance(value, bool) and field.type is not bool):
        return say("schema.wrong-type", key=key, expected=_type_name(field.type), received=_received(value),
                   about=_about(field), quote=say("schema.quote-text") if field.type is str else "")
    if field.choices and value not in field.choices:
        choices = [str(c) for c in field.choices]
        return say("schema.not-a-choice", key=key, choices=choices, value=shown(value),
                   suggestion=did_you_mean(value, choices))
    if isinstance(value, str) and field.required and not value.strip():
        return say("schema.empty", key=key, about=_about(field))
    if isinstance(value, str) and field.pattern and value and not re.fullmatch(field.pattern, value):
        return say("schema.bad-form", key=key, value=shown(value), help=field.help or say("schema.see-docs"))
    return None


def _check_items(key: str, items: list, item_type: type, mapping: LocatedMapping, path: Path,
                 log: ProblemLog) -> None:
    lines = mapping.item_lines.get(key, [])
    for i, item in enumerate(items):
        if not isinstance(item, item_type) or isinstance(item, bool):
            line = lines[i] if i < len(lines) else mapping.line_of(key)
            log.error(path, line, say("schema.bad-item", index=i + 1, key=key, expected=_type_name(item_type),
                                      received=_received(item)))
