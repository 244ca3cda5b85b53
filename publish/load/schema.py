"""The schema of `publication.yaml` and of chapter front matter.

Each field says what it holds; validation collects every problem with the
line of the offending key (mkdocs-style: expected … but received …).

Values that reach a stylesheet (`trim`, `bleed`) or a document's markup
(`language`, `id`) are held to a pattern, so a value can never carry CSS or
markup of its own into an edition.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ProblemLog, shown
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
    help: str = ""
    pattern: str = ""  # a text value must match this (fully)
    items: type | None = None  # every item of a list must be of this type


PUBLICATION_FIELDS: dict[str, Field] = {
    "id": Field(str, True, help="the output folder name: lower-case letters, digits and hyphens, "
                                "e.g. gsi-report-2024", pattern=r"[a-z0-9][a-z0-9-]*"),
    "title": Field(str, True),
    "subtitle": Field(str, default=""),
    "series": Field(str, default="", help="e.g. 国研院专题研究报告"),
    "publisher": Field(str, default=""),
    "date": Field(str, True, help="ISO date of publication, e.g. 2024-07 or 2024-07-19",
                  pattern=r"\d{4}(-\d{2}(-\d{2})?)?"),
    "date_display": Field(str, default="", help="the date as printed, e.g. 二〇二四年七月"),
    "language": Field(str, default="zh-CN", help="a language tag, e.g. zh-CN",
                      pattern=r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"),
    "authors": Field(list, default=(), items=str),
    "description": Field(str, default=""),
    "keywords": Field(list, default=(), items=str),
    "identifier": Field(str, True, help="a stable unique id, e.g. urn:uuid:…"),
    "layout": Field(str, default="report", choices=("report", "article")),
    "trim": Field(str, default="A4", help="the trimmed page size: A4, A5, B5 or two lengths like `170mm 240mm`",
                  pattern=rf"(?i:{PAGE_SIZE_NAME})(\s+(landscape|portrait))?|{LENGTH}\s+{LENGTH}"),
    "bleed": Field(str, default="3mm", help="a length, e.g. 3mm", pattern=LENGTH),
    "crop_marks": Field(str, default="crop cross", choices=("crop", "cross", "crop cross", "none")),
    "contents_depth": Field(int, default=3, choices=(1, 2, 3, 4, 5, 6),
                            help="heading levels listed in the contents"),
    "blurb": Field(list, default=(), help="paragraphs printed on the title page's back", items=str),
    "back_cover": Field(list, default=(), help="lines printed on the back cover", items=str),
    "credits": Field(list, default=(), help="`- {label: 责任编辑, value: …}` lines of a colophon", items=dict),
    "source_url": Field(str, default="", help="the web address of the source, starting with https://",
                        pattern=r"https?://\S+"),
    "spine": Field(list, True, help="the chapter files in reading order", items=str),
}

FRONT_MATTER_FIELDS: dict[str, Field] = {
    "title": Field(str, True),
    "level": Field(int, default=1, choices=(1, 2, 3)),
    "kind": Field(str, default="chapter", choices=("front", "chapter", "annex", "back")),
    "number": Field(str, default="", help='the chapter number of an opener, e.g. "01"'),
    "label": Field(str, default="", help="e.g. 附件 1"),
    "subtitle": Field(str, default=""),
    "dateline": Field(str, default=""),
    "byline": Field(str, default=""),
    "id": Field(str, default="", help="the chapter's id, e.g. foreword: a letter, then letters, digits, "
                                      "`-`, `_` or `.`", pattern=ANCHOR),
    "toc_title": Field(str, default=""),
    "toc_subtitle": Field(str, default="", help="a line under the title in the contents and on the opener"),
    "running_head": Field(str, default=""),
}


def _type_name(t) -> str:
    names = {str: "text", int: "a whole number", list: "a list", dict: "a mapping"}
    return names.get(t, getattr(t, "__name__", str(t)))


def _received(value) -> str:
    kind = {str: "text", int: "a whole number", float: "a number", bool: "true/false", list: "a list",
            dict: "a mapping", type(None): "nothing"}.get(type(value), type(value).__name__)
    return f"{kind} `{shown(value)}`"


def validate(mapping: LocatedMapping, fields: dict[str, Field], path: Path, log: ProblemLog,
             what: str) -> dict:
    """Return the values with defaults filled in; log every problem."""
    values = mapping.values
    result: dict[str, Any] = {}
    for key in values:
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            log.error(path, mapping.line_of(key), f"unknown key `{shown(key)}` in {what}",
                      (f"did you mean `{close[0]}`? " if close else "") + "expected one of: " + ", ".join(fields))
    for key, field in fields.items():
        if key not in values or values[key] is None:
            if field.required:
                log.error(path, mapping.line_of(key), f"{what} has no `{key}`",
                          f"add a line `{key}: …`" + (f" ({field.help})" if field.help else ""))
            result[key] = field.default
            continue
        value = _as_written(values[key], field, mapping.scalars.get(key))
        problem = _problem(key, value, field)
        if problem:
            log.error(path, mapping.line_of(key), f"`{key}` {problem[0]}", problem[1])
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


def _problem(key: str, value, field: Field) -> tuple[str, str] | None:
    """What is wrong with a value and how to fix it, or None."""
    about = f" ({field.help})" if field.help else ""
    if not isinstance(value, field.type) or isinstance(value, bool):
        return (f"must be {_type_name(field.type)}, but received {_received(value)}",
                f"write `{key}:` followed by {_type_name(field.type)}{about}"
                + ("; put text in double quotes" if field.type is str else ""))
    if field.choices and value not in field.choices:
        return (f"must be one of {', '.join(map(str, field.choices))}, but received `{shown(value)}`",
                f"write one of: {', '.join(map(str, field.choices))}")
    if isinstance(value, str) and field.required and not value.strip():
        return "is empty", f"write the {key} after `{key}: `{about}"
    if isinstance(value, str) and field.pattern and value and not re.fullmatch(field.pattern, value):
        return (f"does not have the expected form: received `{shown(value)}`",
                field.help or "see docs/content-format.md")
    return None


def _check_items(key: str, items: list, item_type: type, mapping: LocatedMapping, path: Path,
                 log: ProblemLog) -> None:
    lines = mapping.item_lines.get(key, [])
    for i, item in enumerate(items):
        if not isinstance(item, item_type) or isinstance(item, bool):
            line = lines[i] if i < len(lines) else mapping.line_of(key)
            log.error(path, line, f"item {i + 1} of `{key}` must be {_type_name(item_type)}, "
                      f"but received {_received(item)}", "quote it if it is text: `- \"…\"`")
