"""Stage 2: the document model, read-only, that every edition is written from.

Everything an edition needs is resolved here once: footnotes numbered in
reading order, heading ids, the contents tree, which chapter each document
belongs to. Renderers only walk it. Inline text is kept as already-escaped
HTML runs (`markupsafe.Markup`) with footnote calls as separate objects, so
each edition decides how a call looks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from markupsafe import Markup


@dataclass(frozen=True)
class Source:
    """Where a thing was written, for messages."""
    path: Path
    line: int


@dataclass(frozen=True)
class Footnote:
    id: str
    sequence: int  # 1-based, in reading order over the whole publication
    in_document: int  # 1-based within its document (web and EPUB number notes per page)
    inlines: tuple["Inline", ...]
    source: Source
    document_id: str = ""


@dataclass(frozen=True)
class FootnoteCall:
    footnote: Footnote
    is_note_call = True


Inline = Union[Markup, FootnoteCall]


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    source: Source
    id: str = ""  # anchors every paragraph: permalinks, and the EPUB's map to printed pages
    type = "paragraph"


@dataclass(frozen=True)
class Heading:
    level: int
    inlines: tuple[Inline, ...]
    id: str
    source: Source
    type = "heading"

    @property
    def plain_text(self) -> str:
        return plain_text(self.inlines)


@dataclass(frozen=True)
class ListBlock:
    items: tuple[tuple[Inline, ...], ...]
    source: Source
    type = "list"


@dataclass(frozen=True)
class SourceNote:
    inlines: tuple[Inline, ...]
    source: Source
    type = "source"


@dataclass(frozen=True)
class Quote:
    variant: str  # "quote" | "pullquote"
    paragraphs: tuple[Paragraph, ...]
    attribution: tuple[Inline, ...] | None
    source: Source
    type = "quote"


@dataclass(frozen=True)
class Figure:
    id: str
    number: int  # 1-based over the publication
    image: str  # path relative to the publication folder, as written
    image_path: Path | None  # resolved file, None when absent (placeholder frame)
    caption: tuple[Inline, ...]
    credit: str
    alt: str
    ratio: tuple[int, int]
    source: Source
    type = "figure"

    @property
    def has_image(self) -> bool:
        return self.image_path is not None


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    notes: tuple[Paragraph, ...]
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    source: Source
    type = "table"


@dataclass(frozen=True)
class Sidebar:
    id: str
    title: str
    blocks: tuple["Block", ...]
    source: Source
    type = "sidebar"


@dataclass(frozen=True)
class Box:
    id: str
    title: str
    blocks: tuple["Block", ...]
    source: Source
    type = "box"


Block = Union[Paragraph, Heading, ListBlock, SourceNote, Quote, Figure, Table, Sidebar, Box]


@dataclass(frozen=True)
class Document:
    """One spine file: a web page, an EPUB content document, a run of PDF pages."""
    id: str
    file: Path
    title: str
    level: int
    kind: str  # front | chapter | annex | back
    number: str
    label: str
    subtitle: str
    dateline: str
    byline: str
    toc_title: str
    toc_subtitle: str
    head_lines: tuple[tuple[str, str], ...]  # (subtitle|dateline|byline, text) in the order written
    running_head: str  # the chapter title shown at the page top
    chapter_id: str  # id of the level-1 document this one belongs to
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...]
    index: int  # position in the spine
    slug: str  # file name stem used for web pages and EPUB documents

    @property
    def is_chapter_opener(self) -> bool:
        return self.level == 1 and bool(self.number)

    def headings(self) -> list[Heading]:
        return [b for b in walk_blocks(self.blocks) if isinstance(b, Heading)]


@dataclass(frozen=True)
class TocEntry:
    level: int
    title: str
    target: str  # heading id
    document_id: str
    number: str = ""
    label: str = ""
    subtitle: str = ""
    children: tuple["TocEntry", ...] = ()


@dataclass(frozen=True)
class Credit:
    label: str
    value: str


@dataclass(frozen=True)
class Metadata:
    id: str
    title: str
    subtitle: str
    series: str
    publisher: str
    date: str  # ISO 8601
    date_display: str
    language: str
    authors: tuple[str, ...]
    description: str
    keywords: tuple[str, ...]
    identifier: str
    blurb: tuple[str, ...]
    back_cover: tuple[str, ...]
    credits: tuple[Credit, ...]
    source_url: str


@dataclass(frozen=True)
class Publication:
    root: Path
    config_path: Path
    meta: Metadata
    layout: str  # "report" | "article"
    trim: str  # CSS page size of the trimmed page
    bleed: str
    crop_marks: str
    contents_depth: int
    documents: tuple[Document, ...]
    contents: tuple[TocEntry, ...]
    footnotes: tuple[Footnote, ...]
    figures: tuple[Figure, ...]
    input_files: tuple[Path, ...] = field(default=())

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def document_of_anchor(self) -> dict[str, str]:
        """Every anchor id → the id of the document that holds it (web and EPUB links)."""
        where: dict[str, str] = {}
        for doc in self.documents:
            where[doc.id] = doc.id
            for block in walk_blocks(doc.blocks):
                block_id = getattr(block, "id", "")
                if block_id:
                    where[block_id] = doc.id
            for note in doc.footnotes:
                where[f"fn-{note.id}"] = doc.id
                where[f"fnref-{note.id}"] = doc.id
        return where


def walk_blocks(blocks):
    """All blocks depth-first, containers before their children."""
    for block in blocks:
        yield block
        if isinstance(block, (Sidebar, Box)):
            yield from walk_blocks(block.blocks)
        elif isinstance(block, Quote):
            yield from block.paragraphs


def plain_text(inlines) -> str:
    """Inline runs as plain text (footnote calls dropped), for titles and alt text."""
    import html
    import re
    text = "".join(run for run in inlines if isinstance(run, str))
    return html.unescape(re.sub(r"<[^>]+>", "", text))
