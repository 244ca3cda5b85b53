"""Read one publication folder into a `model.Publication`.

Order of work: the configuration, then every spine file, then the checks that
need the whole book (footnotes, ids, links). Problems are collected across all
files and raised together, so `build.py check` reports everything at once.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path

from .. import model as m
from . import CONFIG_NAME
from ..errors import ProblemLog, display_path, shown
from ..messages import closest, did_you_mean, say
from .inline import LINK_SCHEMES, NoteMark, render_inline, without_note_marks
from .markdown_source import RawChapter, RawFootnote, RawNode, parse_chapter
from .schema import FRONT_MATTER_FIELDS, PUBLICATION_FIELDS, validate
from .text_file import read_text
from .yaml_source import parse_yaml_mapping

IMAGE_TYPES = {
    # type: (how the file starts, the file name endings that type may have)
    "JPEG": ((b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    "PNG": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
    "GIF": ((b"GIF87a", b"GIF89a"), (".gif",)),
    "WebP": ((b"RIFF",), (".webp",)),
}
IMAGE_ENDINGS = tuple(ending for _, endings in IMAGE_TYPES.values() for ending in endings)
NEAR_IMAGE_CUTOFF = 0.8
"""How alike a missing image's path and an existing file's must be to call the path a typo
(`images/potho.jpg` for `images/photo.jpg`, `image/photo.jpg`, `images/photo.jpeg`), rather than
a photo still to come: then it is an error with a did-you-mean, not a placeholder."""

MAX_IMAGE_PIXELS = 60_000_000
"""A full-bleed A4 photo at 300 dpi is 9 million pixels; far more is a wrong
file, and decoding it could exhaust the memory of the build."""

FIGURE_KEYS = ("image", "caption", "credit", "alt", "ratio")
FOOTNOTE_ID = re.compile(r"[\w.-]+")
"""Footnote ids become parts of element ids (`fn-<id>`): letters, digits, `-`, `_`, `.`."""

RESERVED_PAGE_NAMES = ("index", "search", "cover")
"""Web pages and EPUB documents the editions make themselves; a spine file named so would replace one."""

RESERVED_IDS = ("main", "contents", "toc", "title", "contents-title", "toc-title", "search-status", "search-results", "q",
                "page-list", "landmarks", "book-title", "book-id")
RESERVED_ID_PREFIXES = ("fn-", "fnref-", "page-", "nav-", "creator")
"""Ids the templates give their own elements (tests/test_errors_catalogue.py checks the templates)."""


def load_publication(root: Path, log: ProblemLog | None = None) -> m.Publication:
    """Load and validate; raises `ContentError` listing every problem found."""
    log = log or ProblemLog()
    root = Path(root)
    config_path = root / CONFIG_NAME
    text = read_text(config_path, log)
    located = parse_yaml_mapping(text, config_path, log, what=CONFIG_NAME) if text is not None else None
    if located is None:
        log.raise_if_errors()
    config = validate(located, PUBLICATION_FIELDS, config_path, log, CONFIG_NAME)
    meta = _metadata(config, located, config_path, log)

    raw_chapters = _read_spine(root, config, located, config_path, log)
    builder = _ModelBuilder(root, log)
    documents = [builder.document(raw, i) for i, raw in enumerate(raw_chapters)]
    documents = [d for d in documents if d is not None]
    builder.check_book(documents)
    log.raise_if_errors()
    contents = _contents(documents, config["contents_depth"])
    inputs = [config_path] + [raw.path for raw in raw_chapters] + [
        f.image_path for f in builder.figures if f.image_path is not None]
    return m.Publication(
        root=root, config_path=config_path, meta=meta, layout=config["layout"],
        trim=config["trim"], bleed=config["bleed"], press=_press(root, config, located, config_path, log),
        contents_depth=config["contents_depth"], documents=tuple(documents),
        contents=tuple(contents), footnotes=tuple(builder.footnotes_in_order),
        figures=tuple(builder.figures), input_files=tuple(inputs))


def _read_spine(root: Path, config: dict, located, config_path: Path, log: ProblemLog) -> list[RawChapter]:
    """Every spine file parsed, in order; each bad entry reported on its own line."""
    spine = config["spine"] or []
    if located.values.get("spine") == []:
        log.error(config_path, located.line_of("spine"), say("spine.empty"))
    spine_lines = located.item_lines.get("spine", [])
    seen: dict[Path, int] = {}
    pages: dict[str, tuple[str, int]] = {}
    chapters = []
    for index, entry in enumerate(spine):
        line = spine_lines[index] if index < len(spine_lines) else located.line_of("spine")
        if not isinstance(entry, str):
            continue  # reported by the schema
        path = _inside(root, entry)
        if path is None:
            log.error(config_path, line, say("spine.outside", entry=shown(entry)))
            continue
        if not path.is_file():
            if path.exists():
                log.error(config_path, line, say("spine.not-a-file", entry=shown(entry), folder=display_path(root)))
            else:
                near = _near_files(root, entry, (".md",), exclude=spine)
                log.error(config_path, line, say("spine.missing-file", entry=shown(entry), name=path.name,
                                                 folder=display_path(root), suggestion=did_you_mean(entry, near)))
            continue
        key = path.resolve()
        if key in seen:
            log.error(config_path, line, say("spine.twice", entry=shown(entry), first=seen[key]))
            continue
        seen[key] = line
        page = _slug(path.stem)
        if page in RESERVED_PAGE_NAMES:
            log.error(config_path, line, say("spine.reserved-page", entry=shown(entry), page=page))
        elif page in pages:
            log.error(config_path, line, say("spine.same-page", entry=shown(entry), page=page,
                                             other=pages[page][0], line=pages[page][1]))
        pages.setdefault(page, (entry, line))
        raw = parse_chapter(path, log)
        if raw is not None:
            chapters.append(raw)
    return chapters


def _metadata(config: dict, located, path: Path, log: ProblemLog) -> m.Metadata:
    credits = []
    credit_lines = located.item_lines.get("credits", [])
    for i, item in enumerate(config["credits"] or ()):
        if not isinstance(item, dict):
            continue  # reported by the schema
        if set(item) != {"label", "value"} or not all(isinstance(v, str) for v in item.values()):
            line = credit_lines[i] if i < len(credit_lines) else located.line_of("credits")
            log.error(path, line, say("credits.bad-item"))
            continue
        credits.append(m.Credit(item["label"], item["value"]))
    return m.Metadata(
        id=config["id"] or "", title=config["title"] or "", subtitle=config["subtitle"],
        series=config["series"], publisher=config["publisher"], date=config["date"] or "",
        date_display=config["date_display"], language=config["language"],
        authors=tuple(config["authors"] or ()), description=config["description"],
        keywords=tuple(config["keywords"] or ()), identifier=config["identifier"] or "",
        blurb=tuple(config["blurb"] or ()),
        back_cover=tuple(without_note_marks(render_inline(line).nodes) for line in config["back_cover"] or ()
                         if isinstance(line, str)),
        credits=tuple(credits), source_url=config["source_url"])


def _press(root: Path, config: dict, located, path: Path, log: ProblemLog) -> m.PressConfig:
    profile = None
    if config["press_profile"]:
        profile = _inside(root, config["press_profile"])
        if profile is None or not profile.is_file():
            log.error(path, located.line_of("press_profile"), say("press.profile-missing",
                                                                   profile=shown(config["press_profile"])))
            profile = None
    limit = config["ink_limit"]
    if limit and not 100 <= limit <= 400:
        log.error(path, located.line_of("ink_limit"), say("press.ink-limit", value=limit))
        limit = 0
    if config["print_version"] < 1:
        log.error(path, located.line_of("print_version"), say("press.version", value=config["print_version"]))
    bound = config["bound"] if config["bound"] is not None else config["layout"] == "report"
    return m.PressConfig(config["marks"], profile, hashlib.sha256(profile.read_bytes()).hexdigest() if profile else "",
                         config["press_condition"], limit, config["strict"], bound, max(1, config["print_version"]))


def _inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names, if it stays inside `root` (no `..`, no symlink out, no absolute path)."""
    if not relative or "\0" in relative or Path(relative).is_absolute():
        return None
    candidate = root / relative
    try:
        candidate.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return None
    return candidate


def _near_files(root: Path, written: str, endings: tuple[str, ...], exclude=(), cutoff: float = 0.6) -> list[str]:
    """Files of the publication with these endings whose path is close to `written`, closest first."""
    try:
        files = [p.relative_to(root).as_posix() for p in sorted(root.rglob("*"))
                 if p.suffix.lower() in endings and p.is_file()
                 and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    except OSError:
        return []
    files = [f for f in files if f not in exclude]
    # Case slips (`Photo.JPG`) count as the same letters.
    by_case = {f.lower(): f for f in files}
    return [by_case[f] for f in difflib.get_close_matches(written.lower(), list(by_case), n=3, cutoff=cutoff)]


def _contents(documents: list[m.Document], depth: int) -> list[m.TocEntry]:
    """The contents tree: documents and their body headings down to `depth`."""
    flat: list[m.TocEntry] = []
    for doc in documents:
        if doc.kind in ("front", "back"):
            continue
        flat.append(m.TocEntry(doc.level, doc.toc_title or doc.title, doc.id, doc.id,
                               doc.number, doc.label, _two_em_dash(doc.toc_subtitle)))
        if doc.kind != "chapter":
            continue  # as in print: an annex is listed by its title only
        for heading in doc.headings():
            if heading.level <= depth:
                flat.append(m.TocEntry(heading.level, heading.plain_text, heading.id, doc.id))
    return _nest(flat, 0, 1)[0]


def _two_em_dash(subtitle: str) -> str:
    """A subtitle opening with one dash shown with the dash of two ems (——, clreq 3.1.2): the printed
    contents set one, which before a name reads as the numeral 一; the annex's own page sets two."""
    if subtitle.startswith("—") and not subtitle.startswith("——"):
        return "—" + subtitle
    return subtitle


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
        self.ids: dict[str, tuple[m.Source, str]] = {}
        self.links: list[tuple[str, m.Source]] = []
        self.counters: dict[str, int] = {}
        self.uncalled_ids: list[str] = []  # ids called in the text that have no definition
        self.missing_images: list[tuple[str, Path, m.Source]] = []
        self.chapter_title = ""
        self.chapter_id = ""

    # -- documents -------------------------------------------------------
    def document(self, raw: RawChapter, index: int) -> m.Document | None:
        if raw.front is None:
            return None
        front = validate(raw.front, FRONT_MATTER_FIELDS, raw.path, self.log, say("what.front-matter"))
        if not front["title"]:
            return None
        doc_id = front["id"] or _slug(raw.path.stem)
        self._claim_id(doc_id, m.Source(raw.path, raw.front.line_of("id")), "thing.chapter",
                       written=bool(front["id"]))
        if front["level"] == 1 or not self.chapter_id:
            self.chapter_title = front["running_head"] or front["title"]
            self.chapter_id = doc_id
        self.path = raw.path
        self.doc_id = doc_id
        self.definitions = self._definitions(raw)
        self.uncalled_ids = []
        self.doc_notes: list[m.Footnote] = []
        blocks = tuple(self._blocks(raw.nodes, front["level"]))
        for note in raw.footnotes:
            if note.id not in self.calls and self.definitions.get(note.id) is note:
                # A call that found no definition is most likely this note's id mistyped.
                undefined = [c for c in self.uncalled_ids if c not in self.definitions]
                self.log.error(raw.path, note.line, say("note.defined-never-called", id=note.id,
                                                        suggestion=did_you_mean(note.id, undefined)))
        if not blocks and not front["number"] and not front["label"]:
            self.log.warning(raw.path, raw.front.line, say("chapter.no-text"))
        return m.Document(
            id=doc_id, file=raw.path, title=front["title"], level=front["level"], kind=front["kind"],
            number=front["number"], label=front["label"], subtitle=front["subtitle"],
            dateline=front["dateline"], byline=front["byline"], toc_title=front["toc_title"],
            toc_subtitle=front["toc_subtitle"],
            head_lines=tuple((k, front[k]) for k in raw.front.values if k in ("subtitle", "dateline", "byline")
                             and front[k]),
            running_head=self.chapter_title, chapter_id=self.chapter_id, blocks=blocks,
            footnotes=tuple(self.doc_notes), index=index, slug=_slug(raw.path.stem))

    def _definitions(self, raw: RawChapter) -> dict[str, RawFootnote]:
        definitions: dict[str, RawFootnote] = {}
        for note in raw.footnotes:
            if note.id in definitions:
                self.log.error(raw.path, note.line, say("note.defined-twice", id=shown(note.id),
                                                        first=definitions[note.id].line))
                continue
            if not FOOTNOTE_ID.fullmatch(note.id):
                self.log.error(raw.path, note.line, say("note.bad-id", id=shown(note.id)))
            if not note.text:
                self.log.error(raw.path, note.line, say("note.empty", id=shown(note.id)))
            definitions[note.id] = note
        return definitions

    def _near_definition(self, note_id: str):
        """`did you mean [^fn-1]?` for a call whose id is a slip of the id of a note defined here and not called."""
        uncalled = [i for i in self.definitions if i not in self.calls]
        near = closest(note_id, uncalled)
        return say("hint.did-you-mean", name=f"[^{near}]") if near else ""

    def check_book(self, documents: list[m.Document]) -> None:
        self._check_missing_images()
        for target, source in self.links:
            if target not in self.ids:
                near = closest(target, self.ids)
                self.log.error(source.path, source.line, say("link.unknown-anchor", target=shown(target),
                                                             suggestion=say("hint.did-you-mean", name="#" + near)
                                                             if near else ""))

    def _check_missing_images(self) -> None:
        """A missing image is a typo when a file of nearly that name is in the folder and no figure shows it.

        A typo is an error with a did-you-mean (a placeholder would go to the printer); a photo still
        to come is a warning, and the editions show a placeholder frame. Files other figures show are
        not taken for the one meant, so `photo-2.jpg` still to come is not `photo-1.jpg` mistyped.
        """
        shown_files = {f.image_path.relative_to(self.root).as_posix() for f in self.figures
                       if f.image_path is not None}
        for image, image_path, source in self.missing_images:
            near = _near_files(self.root, image, IMAGE_ENDINGS, exclude=shown_files, cutoff=NEAR_IMAGE_CUTOFF)
            if near:
                self.log.error(source.path, source.line, say("image.mistyped", image=shown(image), near=near[0]))
            else:
                self.log.warning(source.path, source.line, say("image.missing", image=shown(image),
                                                               path=display_path(image_path)))

    # -- blocks ----------------------------------------------------------
    def _blocks(self, nodes: list[RawNode], doc_level: int, inside: str = ""):
        for node in nodes:
            source = m.Source(self.path, node.line)
            if node.kind == "paragraph":
                paragraph_id = f"{self.doc_id}-p{self._count('p:' + self.doc_id)}"
                self._claim_id(paragraph_id, source, "thing.paragraph")
                yield m.Paragraph(self._inlines(node.text, source), source, paragraph_id)
            elif node.kind == "heading":
                if node.level <= doc_level:
                    self.log.error(self.path, node.line, say("heading.too-shallow", level=node.level,
                                                             file_level=doc_level, marks="#" * (doc_level + 1)))
                if inside:
                    self.log.error(self.path, node.line, say("heading.inside-block", kind=inside))
                heading_id = node.anchor or f"{self.doc_id}-{self._count('h:' + self.doc_id)}"
                self._claim_id(heading_id, source, "thing.heading", written=bool(node.anchor))
                yield m.Heading(node.level, self._inlines(node.text, source), heading_id, source)
            elif node.kind == "list":
                yield m.ListBlock(tuple(self._inlines(t, m.Source(self.path, ln)) for ln, t in node.items),
                                  source)
            elif node.kind == "break":
                yield m.SectionBreak(source)
            elif node.kind == "table":
                self.log.error(self.path, node.line, say("table.outside-block"))
            elif node.kind == "block":
                block = self._block(node, doc_level, source)
                if block is not None:
                    yield block

    def _block(self, node: RawNode, doc_level: int, source: m.Source):
        if node.block_type != node.checked_as:
            # A misspelled type (reported by the parser): its contents are checked all the same, as the
            # type it was most likely meant to be, and the block is left out.
            if node.checked_as:
                self._block(RawNode(**{**node.__dict__, "block_type": node.checked_as}), doc_level, source)
            else:
                list(self._blocks(node.children, doc_level, node.block_type))
            return None
        kind = node.block_type
        if kind == "figure":
            return self._figure(node, source)
        if kind == "source":
            paragraphs = [c for c in node.children if c.kind == "paragraph"]
            if len(paragraphs) != 1 or len(node.children) != 1:
                self.log.error(self.path, node.line, say("source.one-paragraph"))
                if not paragraphs:
                    return None
            return m.SourceNote(self._inlines(paragraphs[0].text, source), source)
        if kind in ("quote", "pullquote"):
            children = list(self._blocks(node.children, doc_level, kind))
            paragraphs = [c for c in children if isinstance(c, m.Paragraph)]
            if len(paragraphs) != len(children) or not paragraphs:
                self.log.error(self.path, node.line, say("quote.only-paragraphs", kind=kind))
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
                self.log.error(self.path, node.line, say("sidebar.no-title"))
            blocks = tuple(self._blocks(node.children, doc_level, kind))
            block_id = f"{kind}-{self._count(kind)}"
            self._claim_id(block_id, source, f"thing.{kind}")
            cls = m.Sidebar if kind == "sidebar" else m.Box
            return cls(block_id, node.text, blocks, source)
        return None  # unknown type: already reported by the parser

    def _figure(self, node: RawNode, source: m.Source) -> m.Figure | None:
        first_line = node.body_lines[0][0] if node.body_lines else node.line + 1
        located = parse_yaml_mapping("\n".join(text for _, text in node.body_lines), self.path, self.log,
                                     line_offset=first_line - 1, what=say("what.figure"), all_text=True)
        if located is None:
            return None
        values = located.values
        for key, value in values.items():
            if key not in FIGURE_KEYS:
                self.log.error(self.path, located.line_of(key), say("figure.unknown-key", key=shown(key),
                                                                    suggestion=did_you_mean(key, FIGURE_KEYS),
                                                                    keys=list(FIGURE_KEYS)))
            elif not isinstance(value, str):
                self.log.error(self.path, located.line_of(key), say("figure.not-text", key=key,
                                                                    value=shown(value)))
        if any(not isinstance(values.get(key, ""), str) for key in FIGURE_KEYS):
            return None
        misspelled = {closest(key, FIGURE_KEYS) for key in values if key not in FIGURE_KEYS}
        for key in ("image", "caption"):
            if not values.get(key):
                if key not in misspelled:  # else the unknown key's did-you-mean has said it
                    self.log.error(self.path, node.line, say("figure.missing-key", key=key))
                return None
        ratio = (3, 2)
        if values.get("ratio"):
            match = re.fullmatch(r"\s*(\d{1,4})\s*[:/]\s*(\d{1,4})\s*", values["ratio"])
            if not match or not int(match.group(1)) or not int(match.group(2)):
                self.log.error(self.path, located.line_of("ratio"), say("figure.bad-ratio",
                                                                        value=shown(values["ratio"])))
            else:
                ratio = (int(match.group(1)), int(match.group(2)))
        image = values["image"]
        image_path = self._image(image, m.Source(self.path, located.line_of("image")))
        number = self._count("figure")
        caption = self._inlines(values["caption"], m.Source(self.path, located.line_of("caption")))
        figure = m.Figure(f"figure-{number}", number, image, image_path, caption,
                          values.get("credit", ""), values.get("alt") or m.plain_text(caption), ratio, source,
                          hashlib.sha256(image_path.read_bytes()).hexdigest() if image_path else "")
        self._claim_id(figure.id, source, "thing.figure")
        self.figures.append(figure)
        return figure

    def _image(self, image: str, source: m.Source) -> Path | None:
        """The image file a figure shows, or None (a placeholder frame) after saying why."""
        line = source.line
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]+:", image):
            self.log.error(self.path, line, say("image.web-address", image=shown(image)))
            return None
        image_path = _inside(self.root, image)
        if image_path is None:
            self.log.error(self.path, line, say("image.outside", image=shown(image)))
            return None
        if not image_path.exists():
            self.missing_images.append((image, image_path, source))  # a typo or a photo to come: see check_book
            return None
        if not image_path.is_file():
            self.log.error(self.path, line, say("image.not-a-file", image=shown(image)))
            return None
        problem = _image_problem(image_path)
        if problem:
            self.log.error(self.path, line, say(problem[0], image=shown(image), **problem[1]))
            return None
        return image_path

    def _table(self, node: RawNode, source: m.Source) -> m.Table | None:
        tables = [c for c in node.children if c.kind == "table"]
        notes = [m.Paragraph(self._inlines(c.text, m.Source(self.path, c.line)), m.Source(self.path, c.line))
                 for c in node.children if c.kind == "paragraph"]
        others = [c for c in node.children if c.kind not in ("table", "paragraph")]
        if len(tables) != 1 or others:
            self.log.error(self.path, node.line, say("table.bad-structure"))
            if not tables:
                return None
        rows = tables[0].rows
        width = len(rows[0][1])
        for line, cells in rows:
            if len(cells) != width:
                self.log.error(self.path, line, say("table.row-width", cells=len(cells), width=width))
        header = tuple(self._inlines(c, source) for c in rows[0][1])
        body = tuple(tuple(self._inlines(c, m.Source(self.path, line)) for c in cells) for line, cells in rows[1:])
        table_id = f"table-{self._count('table')}"
        self._claim_id(table_id, source, "thing.table")
        return m.Table(table_id, node.text, tuple(notes), header, body, source)

    # -- inline ----------------------------------------------------------
    def _inlines(self, text: str, source: m.Source) -> tuple:
        rendered = render_inline(text)
        self.links.extend((target, source) for target in rendered.anchors)
        for target in rendered.refused_links:
            self.log.warning(source.path, source.line,
                             say("link.removed", target=shown(target), schemes=[f"{s}:" for s in LINK_SCHEMES])
                             if target else say("link.removed-empty", schemes=[f"{s}:" for s in LINK_SCHEMES]))
        return self._calls(rendered.nodes, source)

    def _calls(self, nodes: tuple, source: m.Source) -> tuple:
        """The nodes with each note mark replaced by its footnote's call (or dropped, after saying why)."""
        out = []
        for node in nodes:
            if isinstance(node, NoteMark):
                note = self._footnote(node.id, source)
                if note is not None:
                    out.append(m.FootnoteCall(note))
            elif isinstance(node, (m.Emphasis, m.Strong)):
                out.append(type(node)(self._calls(node.children, source)))
            else:
                out.append(node)
        return tuple(out)

    def _footnote(self, note_id: str, source: m.Source) -> m.Footnote | None:
        if note_id in self.calls:
            first = self.calls[note_id]
            self.log.error(source.path, source.line, say("note.called-twice", id=shown(note_id),
                                                         first=_where(first, self.root)))
            return None
        self.calls[note_id] = source
        definition = self.definitions.get(note_id)
        if definition is None:
            self.uncalled_ids.append(note_id)
            self.log.error(source.path, source.line, say("note.no-definition", id=shown(note_id),
                                                         suggestion=self._near_definition(note_id)))
            return None
        note_source = m.Source(self.path, definition.line)
        rendered = render_inline(definition.text)
        runs = rendered.nodes
        if any(isinstance(n, NoteMark) for n in m.walk_inlines(runs)):
            self.log.error(self.path, definition.line, say("note.calls-note"))
            runs = without_note_marks(runs)
        self.links.extend((target, note_source) for target in rendered.anchors)
        for target in rendered.refused_links:
            self.log.warning(self.path, definition.line, say("note.link-removed", target=shown(target),
                                                             schemes=[f"{s}:" for s in LINK_SCHEMES]))
        note = m.Footnote(note_id, len(self.footnotes_in_order) + 1, len(self.doc_notes) + 1, tuple(runs),
                          note_source, self.doc_id)
        self.footnotes_in_order.append(note)
        self.doc_notes.append(note)
        return note

    # -- ids -------------------------------------------------------------
    def _claim_id(self, anchor: str, source: m.Source, what: str, written: bool = False) -> None:
        """Every id is unique in the publication; an id written by the editor may not be one the editions use.

        `what` is the catalogue id of the kind of thing the id is for (`thing.heading`).
        """
        if written and (anchor in RESERVED_IDS or anchor.startswith(RESERVED_ID_PREFIXES)):
            self.log.error(source.path, source.line, say("id.reserved", anchor=shown(anchor),
                                                         prefixes=[f"`{p}`" for p in RESERVED_ID_PREFIXES]))
            return
        if anchor in self.ids:
            first, first_what = self.ids[anchor]
            self.log.error(source.path, source.line, say("id.twice", anchor=shown(anchor), what=say(what),
                                                         first_what=say(first_what),
                                                         first=_where(first, self.root)))
        else:
            self.ids[anchor] = (source, what)

    def _count(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]


def _slug(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "chapter"


def _where(source: m.Source, root: Path) -> str:
    """`chapter.md:12`, the file named from the publication folder."""
    try:
        name = str(source.path.relative_to(root))
    except ValueError:
        name = source.path.name
    return f"{name}:{source.line}"


def _image_problem(path: Path) -> tuple[str, dict] | None:
    """Why an image file can't be used (a message id and its values), or None if it can."""
    if path.suffix.lower() == ".svg":
        return "image.svg", {}
    with path.open("rb") as handle:
        head = handle.read(16)
    kind = next((name for name, (signatures, _) in IMAGE_TYPES.items()
                 if head.startswith(signatures) and (name != "WebP" or head[8:12] == b"WEBP")), None)
    if kind is None:
        return "image.not-an-image", {}
    endings = IMAGE_TYPES[kind][1]
    if path.suffix.lower() not in endings:
        return "image.wrong-ending", {"kind": kind, "ending": path.suffix, "name": path.stem + endings[0]}
    from PIL import Image
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return "image.too-many-pixels", {"width": width, "height": height,
                                                 "limit": MAX_IMAGE_PIXELS // 1_000_000}
            image.load()
    except Image.DecompressionBombError:
        return "image.pixel-bomb", {"limit": MAX_IMAGE_PIXELS // 1_000_000}
    except Exception as exc:  # Pillow raises many types for a damaged file
        return "image.damaged", {"detail": exc.__class__.__name__}
    return None
