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
numbers: it is laid out once they are known. Leaves too small to be worth a
layout of their own go with their neighbours: the title page with the cover,
an opener without text with the document it opens, the back cover with the
last part (each still starts on its own side: its style sheet says which).
"""
from __future__ import annotations

from dataclasses import dataclass

from ... import model as m


@dataclass(frozen=True)
class Part:
    name: str  # unique in the book: "cover", "contents", "back", or its first document's id
    kind: str  # cover (the cover, its verso and the title page) | contents | documents
    documents: tuple[str, ...] = ()  # ids of the documents it holds, in order
    back_cover: bool = False  # the book's back cover ends it
    first_side: str = "right"  # the side of its first page

    @property
    def needs_page_numbers(self) -> bool:
        return self.kind == "contents"


def book_parts(pub: m.Publication) -> list[Part]:
    """The publication's parts, in reading order."""
    if pub.layout != "report":
        # A short-form article is one run of pages: its documents and its colophon.
        return [Part("article", "documents", tuple(d.id for d in pub.documents))]
    parts = [Part("cover", "cover"), Part("contents", "contents")]
    runs: list[list[m.Document]] = []
    for doc in pub.documents:
        starts_a_page = doc.level == 1 or doc.kind == "annex" or not runs
        alone = runs and len(runs[-1]) == 1 and not runs[-1][0].blocks  # an opener and nothing else
        if starts_a_page and not alone:
            runs.append([])
        runs[-1].append(doc)
    parts += [Part(run[0].id, "documents", tuple(d.id for d in run)) for run in runs]
    if pub.meta.back_cover and parts[-1].kind == "documents":
        parts[-1] = Part(parts[-1].name, "documents", parts[-1].documents, back_cover=True)
    elif pub.meta.back_cover:
        parts.append(Part("back", "documents", back_cover=True))
    return parts
