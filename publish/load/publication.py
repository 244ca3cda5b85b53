"""Read one publication folder into a `model.Publication`.

Order of work: the configuration, then every spine file, then the checks that
need the whole book (footnotes, ids, links). Problems are collected across all
files and raised together, so `build.py check` reports everything at once.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from markupsafe import Markup

from .. import model as m
from ..errors import ProblemLog
from .inline import render_inline
from .markdown_source import RawChapter, RawNode, parse_chapter, read_text
from .schema import FRONT_MATTER_FIELDS, PUBLICATION_FIELDS, validate
from .yaml_source import parse_yaml_mapping

CONFIG_NAME = "publication.yaml"
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF")


def find_publications(content_dir: Path) -> list[Path]:
    return sorted(p.parent for p in Path(content_dir).glob(f"*/{CONFIG_NAME}"))


def load_publication(root: Path, log: ProblemLog | None = None) -> m.Publication:
    """Load and validate; raises `ContentError` listing every problem found."""
    own_log = log is None
    log = log or ProblemLog()
    root = Path(root)
    config_path = root / CONFIG_NAME
    text = read_text(config_path, log)
    if text is None:
        log.raise_if_errors()
    located = parse_yaml_mapping(text, config_path, log, what=CONFIG_NAME)
    if located is None:
        log.raise_if_errors()
    config = validate(located, PUBLICATION_FIELDS, config_path, log, CONFIG_NAME)
    meta = _metadata(config, located, config_path, log)

    builder = _ModelBuilder(root, log)
    raw_chapters: list[tuple[int, RawChapter]] = []
    spine_lines = located.item_lines.get("spine", [])
    for index, entry in enumerate(config["spine"] or ()):
        line = spine_lines[index] if index < len(spine_lines) else located.line_of("spine")
        if not isinstance(entry, str):
            log.error(config_path, line, f"spine entry must be a file name, but received `{entry}`")
            continue
        path = _inside(root, entry)
        if path is None:
            log.error(config_path, line, f"spine entry `{entry}` points outside the publication folder",
                      "name a file inside the folder, without `..` or an absolute path")
            continue
        if not path.is_file():
            log.error(config_path, line, f"spine entry `{entry}` names a file that does not exist",
                      f"create {path.name} in {root}, or correct the name in the spine")
            continue
        raw = parse_chapter(path, log)
        if raw is not None:
            raw_chapters.append((line, raw))
    documents = [builder.document(raw, i) for i, (_, raw) in enumerate(raw_chapters)]
    documents = [d for d in documents if d is not None]
    builder.check_book(documents)
    if own_log:
        log.raise_if_errors()
    else:
        log.raise_if_errors()
    contents = _contents(documents, config["contents_depth"])
    inputs = [config_path] + [raw.path for _, raw in raw_chapters] + [
        f.image_path for f in builder.figures if f.image_path is not None]
    return m.Publication(
        root=root, config_path=config_path, meta=meta, layout=config["layout"],
        trim=config["trim"], bleed=config["bleed"], crop_marks=config["crop_marks"],
        contents_depth=config["contents_depth"], documents=tuple(documents),
        contents=tuple(contents), footnotes=tuple(builder.footnotes_in_order),
        figures=tuple(builder.figures), input_files=tuple(inputs))


def _metadata(config: dict, located, path: Path, log: ProblemLog) -> m.Metadata:
    credits = []
    for i, item in enumerate(config["credits"] or ()):
        if not (isinstance(item, dict) and set(item) == {"label", "value"}):
            line = located.item_lines.get("credits", [located.line])[min(i, len(located.item_lines.get("credits", [0])) - 1)]
            log.error(path, line, "each credit must be `{label: …, value: …}`")
            continue
        credits.append(m.Credit(str(item["label"]), str(item["value"])))
    for key in ("authors", "keywords", "blurb", "back_cover"):
        for i, item in enumerate(config[key] or ()):
            if not isinstance(item, str):
                log.error(path, located.line_of(key), f"every item of `{key}` must be text, item {i + 1} is not")
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", config["date"] or "0000"):
        log.error(path, located.line_of("date"), f"`date` must be an ISO date like 2024-07 or 2024-07-19, "
                  f"but received `{config['date']}`")
    if config["id"] and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", config["id"]):
        log.error(path, located.line_of("id"), f"`id` must be lower-case letters, digits and hyphens "
                  f"(it names the output folder), but received `{config['id']}`")
    return m.Metadata(
        id=config["id"] or "", title=config["title"] or "", subtitle=config["subtitle"],
        series=config["series"], publisher=config["publisher"], date=config["date"] or "",
        date_display=config["date_display"], language=config["language"],
        authors=tuple(config["authors"] or ()), description=config["description"],
        keywords=tuple(config["keywords"] or ()), identifier=config["identifier"] or "",
        blurb=tuple(config["blurb"] or ()), back_cover=tuple(config["back_cover"] or ()),
        credits=tuple(credits), source_url=config["source_url"])


def _inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names, if it stays inside `root` (no `..`, no symlink out)."""
    candidate = (root / relative)
    try:
        resolved = candidate.resolve()
        resolved.relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    if Path(relative).is_absolute():
        return None
    return candidate


def _contents(documents: list[m.Document], depth: int) -> list[m.TocEntry]:
    """The contents tree: documents and their body headings down to `depth`."""
    flat: list[m.TocEntry] = []
    for doc in documents:
        if doc.kind in ("front", "back"):
            continue
        flat.append(m.TocEntry(doc.level, doc.toc_title or doc.title, doc.id, doc.id,
                               doc.number, doc.label, doc.toc_subtitle))
        if doc.kind != "chapter":
            continue  # as in print: an annex is listed by its title only
        for heading in doc.headings():
            if heading.level <= depth:
                flat.append(m.TocEntry(heading.level, heading.plain_text, heading.id, doc.id))
    return _nest(flat, 0, 1)[0]


def _nest(flat, start, level):
    entries = []
    i = start
    while i < len(flat) and flat[i].level >= level:
        entry = flat[i]
        children, i = _nest(flat, i + 1, entry.level + 1)
        entries.append(m.TocEntry(**{**entry.__dict__, "children": tuple(children)}))
    return entries, i


class _ModelBuilder:
    """Turns raw chapters into model documents, numbering notes and figures as it goes."""

    def __init__(self, root: Path, log: ProblemLog):
        self.root = root
        self.log = log
        self.figures: list[m.Figure] = []
        self.footnotes_in_order: list[m.Footnote] = []
        self.calls: dict[str, m.Source] = {}
        self.ids: dict[str, m.Source] = {}
        self.links: list[tuple[str, m.Source]] = []
        self.counters: dict[str, int] = {}
        self.chapter_title = ""
        self.chapter_id = ""

    # -- documents -------------------------------------------------------
    def document(self, raw: RawChapter, index: int) -> m.Document | None:
        if raw.front is None:
            return None
        front = validate(raw.front, FRONT_MATTER_FIELDS, raw.path, self.log, "the front matter")
        if not front["title"]:
            return None
        doc_id = front["id"] or _slug(raw.path.stem)
        self._claim_id(doc_id, m.Source(raw.path, raw.front.line_of("id")))
        if front["level"] == 1 or not self.chapter_id:
            self.chapter_title = front["running_head"] or front["title"]
            self.chapter_id = doc_id
        self.path = raw.path
        self.doc_id = doc_id
        self.definitions = {}
        for note in raw.footnotes:
            if note.id in self.definitions:
                self.log.error(raw.path, note.line, f"footnote `[^{note.id}]` is defined twice "
                               f"(first on line {self.definitions[note.id].line})",
                               "give each footnote its own id")
            self.definitions[note.id] = note
        self.doc_notes: list[m.Footnote] = []
        blocks = tuple(self._blocks(raw.nodes, front["level"]))
        for note in raw.footnotes:
            if note.id not in self.calls and note.id in self.definitions:
                self.log.error(raw.path, note.line, f"footnote `[^{note.id}]` is defined but never called",
                               f"put `[^{note.id}]` where the note mark belongs, or delete the definition")
        if not blocks and not front["number"] and not front["label"]:
            self.log.warning(raw.path, raw.front.line, "this chapter has no text",
                             "write its paragraphs below the front matter, or remove it from the spine")
        return m.Document(
            id=doc_id, file=raw.path, title=front["title"], level=front["level"], kind=front["kind"],
            number=front["number"], label=front["label"], subtitle=front["subtitle"],
            dateline=front["dateline"], byline=front["byline"], toc_title=front["toc_title"],
            toc_subtitle=front["toc_subtitle"],
            head_lines=tuple((k, front[k]) for k in raw.front.values if k in ("subtitle", "dateline", "byline")
                             and front[k]),
            running_head=self.chapter_title, chapter_id=self.chapter_id, blocks=blocks,
            footnotes=tuple(self.doc_notes), index=index, slug=_slug(raw.path.stem))

    def check_book(self, documents: list[m.Document]) -> None:
        for target, source in self.links:
            if target not in self.ids:
                self.log.error(source.path, source.line, f"link to `#{target}`, but no heading or block has that id",
                               "use the id written after a heading as `{#id}` (see docs/content-format.md)")

    # -- blocks ----------------------------------------------------------
    def _blocks(self, nodes: list[RawNode], doc_level: int, inside: str = ""):
        for node in nodes:
            source = m.Source(self.path, node.line)
            if node.kind == "paragraph":
                yield m.Paragraph(self._inlines(node.text, source), source,
                                  f"{self.doc_id}-p{self._count('p:' + self.doc_id)}")
            elif node.kind == "heading":
                if node.level <= doc_level:
                    self.log.error(self.path, node.line,
                                   f"a level-{node.level} heading inside a level-{doc_level} file",
                                   f"use {'#' * (doc_level + 1)} or deeper; the file's own heading comes "
                                   "from `title:` in its front matter")
                if inside:
                    self.log.error(self.path, node.line, f"a heading inside a {inside} block",
                                   "give the block a title on its opening line instead")
                heading_id = node.anchor or f"{self.doc_id}-{self._count('h:' + self.doc_id)}"
                self._claim_id(heading_id, source)
                yield m.Heading(node.level, self._inlines(node.text, source), heading_id, source)
            elif node.kind == "list":
                yield m.ListBlock(tuple(self._inlines(t, m.Source(self.path, ln)) for ln, t in node.items),
                                  source)
            elif node.kind == "table":
                self.log.error(self.path, node.line, "a table outside a `::: table` block",
                               "wrap it in `::: table 表题` … `:::` so it has a caption")
            elif node.kind == "block":
                block = self._block(node, doc_level, source)
                if block is not None:
                    yield block

    def _block(self, node: RawNode, doc_level: int, source: m.Source):
        kind = node.block_type
        if kind == "figure":
            return self._figure(node, source)
        if kind == "source":
            paragraphs = [c for c in node.children if c.kind == "paragraph"]
            if len(paragraphs) != 1 or len(node.children) != 1:
                self.log.error(self.path, node.line, "a `source` block holds exactly one paragraph",
                               "put the whole `整理自…` note in one paragraph")
                if not paragraphs:
                    return None
            return m.SourceNote(self._inlines(paragraphs[0].text, source), source)
        if kind in ("quote", "pullquote"):
            children = list(self._blocks(node.children, doc_level, kind))
            paragraphs = [c for c in children if isinstance(c, m.Paragraph)]
            if len(paragraphs) != len(children) or not paragraphs:
                self.log.error(self.path, node.line, f"a `{kind}` block holds only paragraphs",
                               "close the quote before the next block")
                return None
            attribution = None
            last = node.children[-1]
            if len(paragraphs) > 1 and last.text.startswith("——"):
                attribution = paragraphs.pop().inlines
            return m.Quote(kind, tuple(paragraphs), attribution, source)
        if kind == "table":
            return self._table(node, source)
        if kind in ("sidebar", "box"):
            if kind == "sidebar" and not node.text:
                self.log.error(self.path, node.line, "a sidebar needs a title",
                               "write it on the opening line: `::: sidebar 【标题】`")
            blocks = tuple(self._blocks(node.children, doc_level, kind))
            block_id = f"{kind}-{self._count(kind)}"
            self._claim_id(block_id, source)
            cls = m.Sidebar if kind == "sidebar" else m.Box
            return cls(block_id, node.text, blocks, source)
        return None  # unknown type: already reported by the parser

    def _figure(self, node: RawNode, source: m.Source) -> m.Figure | None:
        body = "\n".join(text for _, text in node.body_lines)
        try:
            # BaseLoader keeps every value as text: `ratio: 3:2` must not become 182.
            values = yaml.load(body, Loader=yaml.BaseLoader) or {}
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = node.body_lines[mark.line][0] if mark and mark.line < len(node.body_lines) else node.line
            self.log.error(self.path, line, f"broken YAML in a figure: {exc.problem}",
                           "write `key: value` lines; put a value containing `: ` in double quotes")
            return None
        if not isinstance(values, dict):
            self.log.error(self.path, node.line, "a figure's body must be `key: value` lines")
            return None
        allowed = {"image", "caption", "credit", "alt", "ratio"}
        for key in values:
            if key not in allowed:
                self.log.error(self.path, node.line, f"unknown key `{key}` in a figure",
                               "expected: " + ", ".join(sorted(allowed)))
        for key in ("image", "caption"):
            if not values.get(key):
                self.log.error(self.path, node.line, f"a figure needs `{key}:`")
                return None
        ratio = (3, 2)
        if values.get("ratio"):
            match = re.fullmatch(r"\s*(\d+)\s*[:/]\s*(\d+)\s*", str(values["ratio"]))
            if not match or not int(match.group(1)) or not int(match.group(2)):
                self.log.error(self.path, node.line, f"`ratio` must look like 3:2, but received `{values['ratio']}`")
            else:
                ratio = (int(match.group(1)), int(match.group(2)))
        image = values["image"]
        image_line = next((n for n, text in node.body_lines if text.strip().startswith("image:")), node.line)
        image_path = _inside(self.root, image)
        if image_path is None:
            self.log.error(self.path, image_line, f"image `{image}` is outside the publication folder",
                           "put the image in the publication's images/ folder")
        elif not image_path.is_file():
            self.log.warning(self.path, image_line, f"image `{image}` is missing: a placeholder frame is shown",
                             f"put the photo at {image_path}")
            image_path = None
        else:
            problem = _image_problem(image_path)
            if problem:
                self.log.error(self.path, image_line, f"image `{image}` {problem}",
                               "replace it with a JPEG or PNG file")
                image_path = None
        number = self._count("figure")
        caption = self._inlines(values["caption"], source)
        figure = m.Figure(f"figure-{number}", number, image, image_path, caption,
                          values.get("credit", ""), values.get("alt") or m.plain_text(caption), ratio, source)
        self._claim_id(figure.id, source)
        self.figures.append(figure)
        return figure

    def _table(self, node: RawNode, source: m.Source) -> m.Table | None:
        tables = [c for c in node.children if c.kind == "table"]
        notes = [m.Paragraph(self._inlines(c.text, m.Source(self.path, c.line)), m.Source(self.path, c.line))
                 for c in node.children if c.kind == "paragraph"]
        others = [c for c in node.children if c.kind not in ("table", "paragraph")]
        if len(tables) != 1 or others:
            self.log.error(self.path, node.line, "a `table` block holds notes and exactly one pipe table",
                           "check for a blank line inside the table, or a block inside it")
            if not tables:
                return None
        rows = tables[0].rows
        width = len(rows[0][1])
        for line, cells in rows:
            if len(cells) != width:
                self.log.error(self.path, line, f"this table row has {len(cells)} cells, the header has {width}",
                               "give every row the same number of `|`-separated cells")
        header = tuple(self._inlines(c, source) for c in rows[0][1])
        body = tuple(tuple(self._inlines(c, m.Source(self.path, line)) for c in cells) for line, cells in rows[1:])
        table_id = f"table-{self._count('table')}"
        self._claim_id(table_id, source)
        return m.Table(table_id, node.text, tuple(notes), header, body, source)

    # -- inline ----------------------------------------------------------
    def _inlines(self, text: str, source: m.Source) -> tuple:
        runs, links = render_inline(text)
        self.links.extend((target, source) for target in links)
        out = []
        for run in runs:
            if isinstance(run, Markup):
                out.append(run)
                continue
            note = self._footnote(run, source)
            if note is not None:
                out.append(m.FootnoteCall(note))
        return tuple(out)

    def _footnote(self, note_id: str, source: m.Source) -> m.Footnote | None:
        if note_id in self.calls:
            first = self.calls[note_id]
            self.log.error(source.path, source.line, f"footnote `[^{note_id}]` is called twice "
                           f"(first at {first.path.name}:{first.line})",
                           "a note is called once; give the second call its own footnote")
            return None
        self.calls[note_id] = source
        definition = self.definitions.get(note_id)
        if definition is None:
            self.log.error(source.path, source.line, f"footnote `[^{note_id}]` has no definition",
                           f"add a line `[^{note_id}]: 注释文字` in the same file")
            return None
        note_source = m.Source(self.path, definition.line)
        runs, links = render_inline(definition.text)
        if any(not isinstance(r, Markup) for r in runs):
            self.log.error(self.path, definition.line, "a footnote cannot call another footnote")
            runs = [r for r in runs if isinstance(r, Markup)]
        self.links.extend((target, note_source) for target in links)
        note = m.Footnote(note_id, len(self.footnotes_in_order) + 1, len(self.doc_notes) + 1, tuple(runs),
                          note_source, self.doc_id)
        self.footnotes_in_order.append(note)
        self.doc_notes.append(note)
        return note

    # -- ids -------------------------------------------------------------
    def _claim_id(self, anchor: str, source: m.Source) -> None:
        if anchor in self.ids:
            first = self.ids[anchor]
            self.log.error(source.path, source.line, f"the id `{anchor}` is used twice "
                           f"(first at {first.path.name}:{first.line})", "give each heading and chapter its own id")
        else:
            self.ids[anchor] = source

    def _count(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]


def _slug(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "chapter"


def _image_problem(path: Path) -> str:
    """Why an image file can't be used, or '' if it can."""
    head = path.read_bytes()[:16]
    if path.suffix.lower() == ".svg":
        return ""
    if not head.startswith(IMAGE_SIGNATURES):
        return "is not an image (not JPEG, PNG, GIF or WebP)"
    try:
        from PIL import Image
        with Image.open(path) as image:
            image.load()
    except Exception as exc:  # Pillow raises many types for a damaged file
        return f"is damaged and cannot be decoded ({exc.__class__.__name__})"
    return ""
