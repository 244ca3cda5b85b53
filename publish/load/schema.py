"""The schema of `publication.yaml` and of chapter front matter.

Each field says what it holds; validation collects every problem with the
line of the offending key (mkdocs-style: expected … but received …).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ProblemLog
from .yaml_source import LocatedMapping


@dataclass(frozen=True)
class Field:
    type: type | tuple
    required: bool = False
    default: Any = None
    choices: tuple = ()
    help: str = ""


PUBLICATION_FIELDS: dict[str, Field] = {
    "id": Field(str, True, help="the output folder name, e.g. gsi-report-2024"),
    "title": Field(str, True),
    "subtitle": Field(str, default=""),
    "series": Field(str, default="", help="e.g. 国研院专题研究报告"),
    "publisher": Field(str, default=""),
    "date": Field(str, True, help="ISO date of publication, e.g. 2024-07"),
    "date_display": Field(str, default="", help="the date as printed, e.g. 二〇二四年七月"),
    "language": Field(str, default="zh-CN"),
    "authors": Field(list, default=()),
    "description": Field(str, default=""),
    "keywords": Field(list, default=()),
    "identifier": Field(str, True, help="a stable unique id, e.g. urn:uuid:…"),
    "layout": Field(str, default="report", choices=("report", "article")),
    "trim": Field(str, default="A4", help="the trimmed page size: A4, A5, B5 or `170mm 240mm`"),
    "bleed": Field(str, default="3mm"),
    "crop_marks": Field(str, default="crop cross", choices=("crop", "cross", "crop cross", "none")),
    "contents_depth": Field(int, default=3, help="heading levels listed in the contents"),
    "blurb": Field(list, default=(), help="paragraphs printed on the title page's back"),
    "back_cover": Field(list, default=(), help="lines printed on the back cover"),
    "credits": Field(list, default=(), help="`- {label: 责任编辑, value: …}` lines of a colophon"),
    "source_url": Field(str, default=""),
    "spine": Field(list, True, help="the chapter files in reading order"),
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
    "id": Field(str, default=""),
    "toc_title": Field(str, default=""),
    "toc_subtitle": Field(str, default="", help="a line under the title in the contents and on the opener"),
    "running_head": Field(str, default=""),
}


def _type_name(t) -> str:
    names = {str: "text", int: "a whole number", list: "a list", dict: "a mapping"}
    return names.get(t, getattr(t, "__name__", str(t)))


def validate(mapping: LocatedMapping, fields: dict[str, Field], path: Path, log: ProblemLog,
             what: str) -> dict:
    """Return the values with defaults filled in; log every problem."""
    values = mapping.values
    result: dict[str, Any] = {}
    for key in values:
        if key not in fields:
            close = [k for k in fields if k.startswith(str(key)[:3])]
            log.error(path, mapping.line_of(key), f"unknown key `{key}` in {what}",
                      "expected one of: " + ", ".join(fields)
                      + (f" (did you mean `{close[0]}`?)" if close else ""))
    for key, field in fields.items():
        if key not in values or values[key] is None:
            if field.required:
                log.error(path, mapping.line, f"{what} has no `{key}`",
                          f"add a line `{key}: …`" + (f" ({field.help})" if field.help else ""))
            result[key] = field.default
            continue
        value = values[key]
        if field.type is str and isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool):
            value = str(value)  # `number: 01` and `date: 2024-07-01` are meant as text
        if not isinstance(value, field.type) or isinstance(value, bool):
            log.error(path, mapping.line_of(key),
                      f"`{key}` must be {_type_name(field.type)}, but received {type(value).__name__} `{value}`",
                      field.help)
            result[key] = field.default
            continue
        if field.choices and value not in field.choices:
            log.error(path, mapping.line_of(key),
                      f"`{key}` must be one of {', '.join(map(str, field.choices))}, but received `{value}`")
            result[key] = field.default
            continue
        result[key] = value
    return result
