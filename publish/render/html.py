"""The HTML every edition is made of: one Jinja environment, one set of block templates.

Templates autoescape, and content reaches them as data (the model's inline
nodes, plain strings): nothing is escaped by hand, nothing twice, and no
markup is ever rewritten after it is made.
"""
from __future__ import annotations

import datetime
import os
from functools import lru_cache

import jinja2

from .. import model as m
from ..paths import TEMPLATES

CIRCLED = ("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
           "㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿")


def circled(number: int) -> str:
    """①…㊿ as in the printed report; past fifty, the plain number."""
    return CIRCLED[number - 1] if 1 <= number <= len(CIRCLED) else f"({number})"


def source_date() -> datetime.datetime:
    """Every timestamp comes from SOURCE_DATE_EPOCH, so builds are reproducible."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "1704067200"))  # 2024-01-01 by default
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates, compiled once per machine: Jinja keeps each one's compiled code in the user's own
    folder of the temporary directory, under its file's path and checked against its source (compiling
    them all again takes every process of a build a tenth of a second)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True, trim_blocks=False, lstrip_blocks=False,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache())
    env.filters["circled"] = circled
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no private temporary folder to be had: compile as before
        return None


class RenderContext:
    """What a template may ask of the edition it renders for (`edition` in templates)."""

    note_style = "link"
    note_marks: dict = {}
    note_policy: dict = {}
    first_notes: frozenset = frozenset()
    stylesheets: tuple = ()

    def __init__(self, pub: m.Publication, settings):
        self.pub = pub
        self.settings = settings
        self.note_style = settings.note_style
        self.created = source_date().strftime("%Y-%m-%dT%H:%M:%SZ")

    def mark(self, note: m.Footnote) -> str:
        return circled(note.in_document)

    def inlines(self, nodes: tuple, tail: int | None = None) -> tuple:
        """Inline nodes as this edition sets them; `tail`: letters at the end the PDFs keep on one line."""
        return nodes

    def text(self, value: str, tail: int | None = None) -> tuple:
        """A plain string (a title, a caption line) as inline nodes, set as this edition sets them."""
        return self.inlines((m.Text(value),), tail) if value else ()

    def href(self, link: m.Link) -> str:
        """Where a link goes from the document being rendered."""
        return link.url

    def page_breaks_before(self, anchor: str) -> tuple[str, ...]:
        """The printed pages beginning at an anchor; only the EPUB marks them."""
        return ()

    def image_url(self, figure: m.Figure) -> str:
        return figure.image

    def missing_image(self, figure: m.Figure) -> str:
        """The words in a missing photo's frame: readers are told a photo is to come, never a file path
        (the build's warning names the file; the PDFs, which the proof sheets show, name it too)."""
        return "图片待补"

    def opener_entries(self, doc: m.Document) -> list[m.TocEntry]:
        """The parts or annexes listed on a chapter's opener page."""
        for entry in self.pub.contents:
            if entry.target == doc.id:
                return list(entry.children)
        return []


def render_template(name: str, **values) -> str:
    return environment().get_template(name).render(**values)
