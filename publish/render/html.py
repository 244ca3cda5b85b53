"""The HTML every edition is made of: one Jinja environment, one set of block templates.

Templates autoescape; content text reaches them already escaped (`Markup` runs
from the loader), so nothing is escaped by hand and nothing twice.
"""
from __future__ import annotations

import datetime
import os
import re
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

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


URL_IN_TEXT = re.compile(r"https?://[^\s<>，。；）]+")


def urlize_plain(text: str) -> Markup:
    """Plain configuration text with its URLs made links."""
    escaped = str(escape(text))
    return Markup(URL_IN_TEXT.sub(lambda mm: f'<a href="{mm.group(0)}">{mm.group(0)}</a>', escaped))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True, trim_blocks=False, lstrip_blocks=False,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["inline_html"] = lambda run, edition: edition.inline_html(run)
    env.filters["inline_text"] = lambda text, edition: edition.inline_html(escape(text))
    env.filters["urlize_plain"] = urlize_plain
    env.filters["circled"] = circled
    return env


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

    def inline_html(self, run: Markup) -> Markup:
        """A run of inline HTML as this edition sets it."""
        return self.rewrite_links(run)

    def rewrite_links(self, run: Markup) -> Markup:
        return run

    def page_breaks_before(self, anchor: str) -> str:
        """Printed-page markers; only the EPUB has them."""
        return ""

    def image_url(self, figure: m.Figure) -> str:
        return figure.image

    def opener_entries(self, doc: m.Document) -> list[m.TocEntry]:
        """The parts or annexes listed on a chapter's opener page."""
        for entry in self.pub.contents:
            if entry.target == doc.id:
                return list(entry.children)
        return []


def render_template(name: str, **values) -> str:
    return environment().get_template(name).render(**values)
