"""The parts a book is laid out in: runs of pages that each start on a page of their own.

A chapter opener starts on a right-hand page, and so does each annex, the
title page and the contents; the cover is the first page and the back cover
the last, a left-hand one. So the book falls into parts whose pages depend
only on their own content: each part is laid out on its own (in parallel,
and again only when it changes) and the parts' pages are assembled
(assemble.py), with a blank page where a part must start on a right-hand page
after one that ended on a right-hand page. A chapter's sections (level-2
documents that are not annexes) are in its part: they flow on from the
chapter, as they do in print.

The contents is a part of its own because it shows the other parts' page
numbers: it is laid out once they are known.
"""
from __future__ import annotations

from dataclasses import dataclass

from ... import model as m


@dataclass(frozen=True)
class Part:
    name: str  # unique in the book: "cover", "title", "contents", "back", or its first document's id
    kind: str  # cover | title | contents | documents | back
    documents: tuple[str, ...] = ()  # ids of the documents it holds, in order
    first_side: str = "right"  # the side of its first page

    @property
    def needs_page_numbers(self) -> bool:
        return self.kind == "contents"


def book_parts(pub: m.Publication) -> list[Part]:
    """The publication's parts, in reading order."""
    if pub.layout != "report":
        # A short-form article is one run of pages: its documents and its colophon.
        return [Part("article", "documents", tuple(d.id for d in pub.documents))]
    parts = [Part("cover", "cover"), Part("title", "title"), Part("contents", "contents")]
    runs: list[list[str]] = []
    for doc in pub.documents:
        starts_a_page = doc.level == 1 or doc.kind == "annex" or not runs
        if starts_a_page:
            runs.append([])
        runs[-1].append(doc.id)
    parts += [Part(run[0], "documents", tuple(run)) for run in runs]
    if pub.meta.back_cover:
        parts.append(Part("back", "back", first_side="left"))
    return parts
