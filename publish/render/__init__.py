"""Stage 3: one module per edition, each a small writer over the document model.

An edition is mostly settings (Sphinx-style): what differs between print and
screen, web and EPUB is said here once, with the reason beside each value.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EditionSettings:
    name: str
    note_style: str  # how footnotes are shown: "float" (page foot), "link" (web), "epub" (asides)
    bleed: bool = False
    crop_marks: bool = False
    scripts: bool = False
    page_list: bool = False


EDITIONS: dict[str, EditionSettings] = {
    # For the printer: bleed and crop marks around the trimmed page.
    "print": EditionSettings("print", "float", bleed=True, crop_marks=True),
    # For reading on a screen: the same pages cut at the trim, with links and an outline.
    "screen": EditionSettings("screen", "float"),
    # Offline HTML: notes as anchored notes with back-links; a small search script.
    "web": EditionSettings("web", "link", scripts=True),
    # EPUB 3: notes as footnote asides; a page-list that maps to the printed pages.
    "epub": EditionSettings("epub", "epub", page_list=True),
}

EDITION_NAMES = tuple(EDITIONS)
