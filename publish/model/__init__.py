"""Stage 2: the document model, read-only, that every edition is written from.

Everything an edition needs is resolved here once: footnotes numbered in
reading order, heading ids, the contents tree, which chapter each document
belongs to. Renderers only walk it. Inline content is data too (pandoc's
`Str`, `Emph`, `Link`, `Note`): text, emphasis, strong, code, links, line
breaks and footnote calls are nodes, so each edition decides in its
templates how each looks, and the Chinese treatments of the PDFs (render/cjk.py)
work on the text of the nodes, never on serialized HTML.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union


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


# -- inline content ----------------------------------------------------------------
# Every node has a `kind`, the name templates/blocks.html dispatches on.

@dataclass(frozen=True)
class Text:
    text: str
    kind = "text"


@dataclass(frozen=True)
class Emphasis:
    children: tuple["Inline", ...]
    kind = "emphasis"


@dataclass(frozen=True)
class Strong:
    children: tuple["Inline", ...]
    kind = "strong"


@dataclass(frozen=True)
class Code:
    text: str
    kind = "code"


@dataclass(frozen=True)
class Link:
    """A link the link policy allowed: to `#anchor` (`anchor` set) or to an http(s)/mailto address."""
    url: str
    children: tuple["Inline", ...]
    title: str = ""
    kind = "link"

    @property
    def anchor(self) -> str:
        """The id an internal link points at; "" for an external one."""
        return self.url[1:] if self.url.startswith("#") else ""


@dataclass(frozen=True)
class LineBreak:
    kind = "line_break"


@dataclass(frozen=True)
class FootnoteCall:
    footnote: Footnote
    kind = "note_call"


@dataclass(frozen=True)
class Punctuation:
    """A punctuation mark set half-width (one of a pair, clreq 3.1.4), made by the PDF writer only:
    `trim` is the side whose blank goes ("end" or "start"); `quote` marks a curly quote."""
    text: str
    trim: str
    quote: bool = False
    kind = "punctuation"


Inline = Union[Text, Emphasis, Strong, Code, Link, LineBreak, FootnoteCall, Punctuation]
CONTAINERS = (Emphasis, Strong, Link)


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    source: Source
    id: str = ""  # anchors every paragraph: permalinks, and the EPUB's map to printed pages
    type = "paragraph"

    @property
    def is_lines(self) -> bool:
        """Lines broken by hand (a speech's salutations): each begins flush, none indented."""
        return any(isinstance(node, LineBreak) for node in self.inlines)

    @property
    def is_lead_in(self) -> bool:
        """Bold text alone: the title of what follows inside a box (it stays with it on the page)."""
        return len(self.inlines) == 1 and isinstance(self.inlines[0], Strong)


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
class SectionBreak:
    """A break between two parts of a text that has no headings (`***` on its own line)."""
    source: Source
    type = "break"


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
    image_digest: str = ""  # sha256 of the image file: what every edition showing it is made from
    type = "figure"

    @property
    def has_image(self) -> bool:
        return self.image_path is not None

    @property
    def edition_image_stem(self) -> str:
        """The photo's file name inside the web edition and the EPUB, less its ending (its copy's format
        gives that): readable, safe in any URL and any zip reader, one per image file."""
        import re
        stem = re.sub(r"[^a-z0-9]+", "-", self.image_path.stem.lower()).strip("-")[:40] or "image"
        return f"{stem}-{self.image_digest[:10]}"


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


Block = Union[Paragraph, Heading, ListBlock, SectionBreak, SourceNote, Quote, Figure, Table, Sidebar, Box]


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
    back_cover: tuple[tuple[Inline, ...], ...]  # lines, their web addresses made links
    credits: tuple[Credit, ...]
    source_url: str


@dataclass(frozen=True)
class PressConfig:
    """How print.pdf is made for the printer (publication.yaml: marks, press_profile, …)."""
    marks: str = "crop"  # crop marks outside the bleed, or "none"
    profile: Path | None = None  # the printer's own ICC profile; None: the FOGRA39 profile built at setup
    profile_digest: str = ""  # what print.pdf is made from, with the profile's path
    condition: str = ""  # the registered name of the printer's condition; "" with a profile: a custom one
    ink_limit: int = 0  # percent; 0: the condition's own
    strict: bool = False  # every warning fails the build
    bound: bool = True  # a page count not a multiple of 4 is a warning
    version: int = 1  # of the press file


@dataclass(frozen=True)
class Publication:
    root: Path
    config_path: Path
    meta: Metadata
    layout: str  # "report" | "article"
    trim: str  # CSS page size of the trimmed page
    bleed: str
    press: PressConfig
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


    def link_targets(self) -> set[str]:
        """Every anchor a link can point at: the documents, the contents' targets, every `#anchor` of a text."""
        targets = {doc.id for doc in self.documents}
        entries = list(self.contents)
        while entries:
            entry = entries.pop()
            targets.add(entry.target)
            entries.extend(entry.children)
        for doc in self.documents:
            for inlines in document_inlines(doc):
                targets.update(n.anchor for n in walk_inlines(inlines) if isinstance(n, Link) and n.anchor)
        return targets

    def linked_anchors(self) -> dict[str, str]:
        """Every anchor a link can reach, with the document that holds it (other anchors only matter to
        their own page)."""
        where = self.document_of_anchor()
        return {anchor: where[anchor] for anchor in sorted(self.link_targets()) if anchor in where}


def document_head(doc: Document) -> Document:
    """A document without its text: the fields other pages show (titles, numbers, slug)."""
    from dataclasses import replace
    return replace(doc, blocks=(), footnotes=())


def document_inlines(doc: Document):
    """Every inline sequence of a document: its blocks' and its notes'."""
    for block in walk_blocks(doc.blocks):
        yield from block_inlines(block)
    for note in doc.footnotes:
        yield note.inlines


def walk_blocks(blocks):
    """All blocks depth-first, containers before their children."""
    for block in blocks:
        yield block
        if isinstance(block, (Sidebar, Box)):
            yield from walk_blocks(block.blocks)
        elif isinstance(block, Quote):
            yield from block.paragraphs


def plain_text(inlines) -> str:
    """Inline nodes as plain text (footnote calls and line breaks dropped), for titles, alt text, search."""
    return "".join(node.text if isinstance(node, (Text, Code, Punctuation)) else
                   plain_text(node.children) if isinstance(node, CONTAINERS) else "" for node in inlines)


def walk_inlines(inlines):
    """Every inline node, depth first, containers before their children."""
    for node in inlines:
        yield node
        if isinstance(node, CONTAINERS):
            yield from walk_inlines(node.children)


def block_inlines(block) -> list[tuple]:
    """The inline sequences a block holds directly (a paragraph's text, a table's cells, a caption)."""
    if isinstance(block, (Paragraph, Heading, SourceNote)):
        return [block.inlines]
    if isinstance(block, ListBlock):
        return list(block.items)
    if isinstance(block, Quote):
        return [block.attribution] if block.attribution else []
    if isinstance(block, Figure):
        return [block.caption]
    if isinstance(block, Table):
        return [note.inlines for note in block.notes] + list(block.header) + [c for row in block.rows for c in row]
    return []
