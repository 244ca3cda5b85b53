"""Incremental builds: what each output is made from, and what the last build made.

Every output unit — each PDF, each web file, each EPUB content document, the
cover picture — has a *key*: a digest of everything its bytes depend on (the
part of the document model it shows, its edition's templates and style
sheets, the code, libraries and fonts that render it, SOURCE_DATE_EPOCH). The
manifest `output/.cache/<id>/build.json` records, for every unit the last
build wrote, its key and the digest of the bytes written. A unit whose key is
unchanged and whose bytes on disk still match is reused; anything else is
rendered again. So a build with nothing changed renders nothing, and an edit
in one chapter renders that chapter's web page and EPUB document, and the PDFs.

What a key covers — the rule that keeps an incremental build equal to a clean one:

- a web page or EPUB document: its own document, and the book-wide facts any
  page shows (metadata, contents, every document's heading fields, which
  document holds each anchor a page links to, note and figure numbering),
  never another document's text; an EPUB document also its printed-page
  markers (its slice of the PDF page map), so pages moving in the PDF
  re-render the documents whose markers moved;
- the PDFs: the whole model, the book templates, the paged style sheets, the images;
- templates: templates/<the edition's folder>/ and the shared files at the top
  of templates/; style sheets: the edition's list (render/*.STYLESHEETS) and
  any sheet no edition lists.

The PDFs are laid out several times, until every footnote sits on its call's
page (render/pdf.py). Starting that loop from the last build's result would
save layouts but could end on another, equally valid, layout than a clean
build does (a note kept with its call for an earlier text stays kept). So the
loop starts from a *seed* that depends on the content only: each document is
laid out on its own — documents open on a new page, so a document's pages do
not depend on its neighbours — until its notes stay with their calls, and the
book's layout starts from the union of what the documents learnt. Each
document's result is cached under the digest of everything its lone layout
reads: an edit re-settles only the edited document, and a clean build and an
incremental build start the book's layout from the same seed, so they end on
the same bytes. When the seed is right (the usual case) the book is laid out
once; where a document laid out alone ended otherwise than in the book, the
book's own loop goes on from the seed — more layouts, the same bytes in a
clean and an incremental build.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import subprocess
import zipfile
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from . import model as m
from .paths import PROJECT_ROOT, STYLES, TEMPLATES

MANIFEST_NAME = "build.json"
MANIFEST_FORMAT = 2
SETTLED_KEPT = 400  # settled documents remembered (undoing an edit finds its layout again)
# The folder of templates/ each edition renders from; files at the top of templates/ are shared.
TEMPLATE_FOLDERS = {"pdf": "book", "web": "web", "epub": "epub"}
# Modules that never change an output byte: editing them keeps every cached unit.
NOT_RENDERING = frozenset({"cli.py", "progress.py", "watch.py", "proof.py"})
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "fonttools", "pyphen", "pillow",
             "pikepdf", "jinja2", "markupsafe", "markdown", "pyyaml")


# -- digests -----------------------------------------------------------------

def digest(*parts) -> str:
    """One digest of several parts; bytes as they are, anything else by its repr."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """The code, libraries and fonts that render: when one changes, everything is rendered again."""
    parts: list = []
    package = PROJECT_ROOT / "publish"
    for path in sorted(package.rglob("*.py")):
        if path.name not in NOT_RENDERING or path.parent != package:
            parts += [str(path.relative_to(package)), path.read_bytes()]
    return digest(*parts, _library_versions(), _installed_fonts())


def _library_versions() -> tuple:
    from importlib import metadata
    versions = []
    for name in LIBRARIES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, None))
    return tuple(versions)


def _installed_fonts() -> str:
    """Faces come from the system (fontconfig): installing one changes the PDFs."""
    try:
        listing = subprocess.run(["fc-list", "--format", "%{file}|%{fontversion}\n"],
                                 capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return "\n".join(sorted(listing.splitlines()))


def document_head(doc: m.Document) -> m.Document:
    """A document without its text: the fields other pages show (titles, numbers, slug)."""
    return dataclasses.replace(doc, blocks=(), footnotes=())


LINK_TARGET = re.compile(r'href="#([^"]+)"')


def linked_anchors(pub: m.Publication) -> dict[str, str]:
    """Which document holds each anchor a page can link to: the contents' targets, the documents,
    and every `#anchor` a text links to. Other anchors (a paragraph's) only matter to their own page."""
    where = pub.document_of_anchor()
    targets = {doc.id for doc in pub.documents}
    entries = list(pub.contents)
    while entries:
        entry = entries.pop()
        targets.add(entry.target)
        entries.extend(entry.children)
    for doc in pub.documents:
        for block in m.walk_blocks(doc.blocks):
            for inlines in m.block_inlines(block):
                targets.update(n.anchor for n in m.walk_inlines(inlines) if isinstance(n, m.Link) and n.anchor)
        for note in doc.footnotes:
            targets.update(n.anchor for n in m.walk_inlines(note.inlines) if isinstance(n, m.Link) and n.anchor)
    return {anchor: where[anchor] for anchor in targets if anchor in where}


def strings_in(value):
    """Every string in a part of the model (a Markup run is a string), depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from strings_in(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from strings_in(getattr(value, item.name))


def document_anchors(doc: m.Document) -> list[str]:
    return [doc.id] + [block.id for block in m.walk_blocks(doc.blocks) if getattr(block, "id", "")]


class Inputs:
    """The digests a build's keys are made of, each computed once per build."""

    def __init__(self, pub: m.Publication):
        self.pub = pub
        self._documents: dict[str, str] = {}
        self._templates: dict[str, str] = {}
        self._styles: dict[str, str] = {}

    @cached_property
    def environment(self) -> str:
        return digest(engine_digest(), os.environ.get("SOURCE_DATE_EPOCH", ""))

    @cached_property
    def book(self) -> str:
        """The book-wide facts any page of a multi-file edition may show, apart from its own text."""
        pub = self.pub
        return digest(pub.meta, pub.layout, pub.trim, pub.bleed, pub.crop_marks, pub.contents_depth,
                      pub.contents, tuple(document_head(d) for d in pub.documents),
                      tuple((n.id, n.sequence, n.in_document, n.document_id) for n in pub.footnotes),
                      pub.figures, tuple(sorted(linked_anchors(pub).items())))

    def document(self, doc: m.Document) -> str:
        if doc.id not in self._documents:
            self._documents[doc.id] = digest(doc)
        return self._documents[doc.id]

    def templates(self, edition: str) -> str:
        if edition not in self._templates:
            others = {folder for name, folder in TEMPLATE_FOLDERS.items() if name != edition}
            files = [p for p in sorted(TEMPLATES.rglob("*")) if p.is_file()
                     and p.relative_to(TEMPLATES).parts[0] not in others]
            self._templates[edition] = digest(*[(str(p.relative_to(TEMPLATES)), p.read_bytes()) for p in files])
        return self._templates[edition]

    def styles(self, edition: str) -> str:
        if edition not in self._styles:
            sheets = edition_stylesheets()
            listed = {name for names in sheets.values() for name in names}
            names = list(sheets[edition]) + sorted(p.name for p in STYLES.glob("*") if p.name not in listed)
            self._styles[edition] = digest(*[(n, (STYLES / n).read_bytes()) for n in names if (STYLES / n).is_file()])
        return self._styles[edition]

    def images(self, figures) -> str:
        return digest(*[(f.image, f.image_path.read_bytes() if f.image_path else None) for f in figures])

    # -- keys ----------------------------------------------------------------
    @cached_property
    def pdf(self) -> str:
        return digest("pdf", self.pub, self.templates("pdf"), self.styles("pdf"), self.images(self.pub.figures),
                      self.environment)

    def settle(self, alone: m.Publication) -> str:
        return digest("settle", alone, self.templates("pdf"), self.styles("pdf"), self.images(alone.figures),
                      self.environment)

    @cached_property
    def cover(self) -> str:
        """The cover is the metadata's picture, drawn with the book's cover template."""
        pub = self.pub
        return digest("cover", pub.meta, pub.layout, pub.trim, pub.bleed, self.templates("pdf"),
                      self.styles("pdf"), self.environment)

    def web_page(self, doc: m.Document) -> str:
        return digest("web-page", doc.id, self.document(doc), self.book, self.templates("web"), self.environment)

    def web_book_page(self, name: str) -> str:
        return digest("web-book-page", name, self.book, self.templates("web"), self.environment)

    @cached_property
    def web_search_index(self) -> str:
        return digest("web-search-index", self.book, tuple(self.document(d) for d in self.pub.documents),
                      self.environment)

    def epub_document(self, doc: m.Document, markers: tuple[str, ...]) -> str:
        return digest("epub-document", doc.id, self.document(doc), self.book, markers, self.templates("epub"),
                      self.environment)

    def epub(self, document_keys: dict[str, str], page_list) -> str:
        return digest("epub", self.book, sorted(document_keys.items()), page_list, self.cover,
                      self.templates("epub"), self.styles("epub"), self.images(self.pub.figures), self.environment)


def edition_stylesheets() -> dict[str, tuple[str, ...]]:
    from .render import epub, pdf, web
    return {"pdf": pdf.STYLESHEETS, "web": web.STYLESHEETS, "epub": epub.STYLESHEETS}


# -- what the last build made ------------------------------------------------------

@dataclass
class Manifest:
    """For every unit the last build wrote: the key it was made from and the digest of its bytes."""
    units: dict[str, dict] = field(default_factory=dict)
    settled: dict[str, dict] = field(default_factory=dict)  # settle key → LayoutHints JSON
    page_map: dict | None = None  # the PDF page map, with the PDF key it belongs to
    hints: dict = field(default_factory=dict)  # the book's last layout (LayoutHints JSON), for previews
    seeds: dict[str, str] = field(default_factory=dict)  # document id → settle key of its last seed

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        """The last manifest; an empty one if there is none or it cannot be read (then everything renders)."""
        try:
            data = json.loads((Path(folder) / MANIFEST_NAME).read_text(encoding="utf-8"))
            if data.get("format") != MANIFEST_FORMAT:
                return cls()
            return cls(dict(data["units"]), dict(data["settled"]), data["page_map"], dict(data["hints"]),
                       dict(data["seeds"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def to_bytes(self) -> bytes:
        recent = set(list(self.settled)[-SETTLED_KEPT:]) | set(self.seeds.values())
        settled = {key: hints for key, hints in self.settled.items() if key in recent}
        data = {"format": MANIFEST_FORMAT, "units": self.units, "settled": settled, "page_map": self.page_map,
                "hints": self.hints, "seeds": self.seeds}
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def record(self, unit: str, key: str, data: bytes) -> None:
        self.units[unit] = {"key": key, "digest": bytes_digest(data)}

    def forget(self, prefix: str) -> None:
        for unit in [u for u in self.units if u.startswith(prefix)]:
            del self.units[unit]


class Previous:
    """The last build's outputs, trusted only where their bytes still match the manifest."""

    def __init__(self, manifest: Manifest, paths: dict[str, Path]):
        self.manifest = manifest
        self.paths = paths
        self._epub: dict[str, bytes] | None = None

    def _verified(self, unit: str, data: bytes | None, key: str | None) -> bytes | None:
        entry = self.manifest.units.get(unit)
        if data is None or entry is None or (key is not None and entry.get("key") != key):
            return None
        return data if entry.get("digest") == bytes_digest(data) else None

    def file(self, unit: str, path: Path, key: str | None) -> bytes | None:
        entry = self.manifest.units.get(unit)
        if entry is None or (key is not None and entry.get("key") != key):
            return None
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        return self._verified(unit, data, key)

    def unchanged(self, unit: str, key: str) -> bool:
        """The unit's file on disk is the one the manifest says was made from `key`."""
        return self.file(unit, self.paths[unit], key) is not None

    def web_file(self, name: str, key: str | None) -> bytes | None:
        return self.file(f"web/{name}", self.paths["web"] / name, key)

    def web_intact(self, files: dict[str, bytes]) -> bool:
        """The web folder on disk holds exactly these files, as the manifest recorded them."""
        folder = self.paths["web"]
        recorded = {u[len("web/"):] for u in self.manifest.units if u.startswith("web/")}
        if recorded != set(files) or not folder.is_dir():
            return False
        on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        if on_disk != set(files):
            return False
        return all(self.manifest.units[f"web/{n}"]["digest"] == bytes_digest(data) and
                   self.web_file(n, None) is not None for n, data in files.items())

    def cover(self, key: str) -> bytes | None:
        """The cover picture inside the last EPUB, if it was drawn from `key`."""
        return self._verified("cover", self._archived("EPUB/images/cover.png"), key)

    def epub_member(self, name: str, key: str) -> bytes | None:
        return self._verified(f"epub/{name}", self._archived(name), key)

    def _archived(self, name: str) -> bytes | None:
        """A member of the last EPUB, if that EPUB is still the one the manifest recorded."""
        if self._epub is None:
            self._epub = {}
            archive = self.file("epub", self.paths["epub"], None)
            if archive is not None:
                self._epub = epub_members(archive)
        return self._epub.get(name)


# -- the PDFs: each document settled on its own ----------------------------------

def chapter_alone(pub: m.Publication, doc: m.Document) -> m.Publication:
    """The publication reduced to one document, laid out as in the book.

    The cover and title leaves stay (the page styles and counters of the book
    depend on them); the leaves that only take time (blurb, back cover) go,
    and so do the other documents' contents entries and notes.
    """
    figure_ids = {b.id for b in m.walk_blocks(doc.blocks) if isinstance(b, m.Figure)}
    return dataclasses.replace(
        pub, meta=dataclasses.replace(pub.meta, blurb=(), back_cover=()), documents=(doc,),
        contents=tuple(e for e in pub.contents if e.document_id == doc.id), footnotes=tuple(doc.footnotes),
        figures=tuple(f for f in pub.figures if f.id in figure_ids), input_files=())


@dataclass
class Settled:
    hints: object  # LayoutHints
    document: object  # the last WeasyPrint layout
    pages: dict[str, int]
    layouts: int
    stable: bool  # the last layout was drawn with the marks it ends with


def settle(alone: m.Publication, settings=None, start=None, stable: bool = False,
           max_layouts: int | None = None) -> Settled:
    """Lay one document out until its notes stay on their calls' pages; the marks and policies it ends with.

    The same steps as render_pdfs (marks ①②③ per page from where the notes
    landed; a note away from its call keeps its call's line, then its
    paragraph), without writing a PDF. For a seed it stops as soon as no note
    is away (marks are read from that layout and move nothing, see
    render/pdf.py); `stable=True` goes on until the marks drawn are the marks
    read; `max_layouts=1` is a draft: one layout with the marks given.
    """
    from .render import EDITIONS
    from .render.pdf import MAX_LAYOUTS, LayoutHints, PdfContext, anchor_pages, lay_out, misplaced_notes, \
        per_page_marks
    from .render.sandbox import SandboxedFetcher
    settings = settings or EDITIONS["print"]
    start = start or LayoutHints()
    known = {note.id for note in alone.footnotes}
    marks = {k: v for k, v in start.marks.items() if k in known}
    firsts = frozenset(n for n in start.first_notes if n in known)
    policy = {k: v for k, v in start.note_policy.items() if k in known}
    fetcher = SandboxedFetcher(alone.root)
    layouts = 0
    while True:
        document = lay_out(alone, PdfContext(alone, settings, marks, policy, firsts), fetcher)
        layouts += 1
        pages = anchor_pages(document)
        away = misplaced_notes(alone, pages)
        new_marks, new_firsts = per_page_marks(alone, pages)
        drawn = new_marks == marks and new_firsts == firsts
        marks, firsts = new_marks, new_firsts
        if (not away and (drawn or not stable)) or layouts >= (max_layouts or MAX_LAYOUTS):
            return Settled(LayoutHints(marks, firsts, dict(policy)), document, pages, layouts, drawn and not away)
        for note_id in away:
            policy[note_id] = "block" if policy.get(note_id) == "line" else "line"


def settle_seed(alone: m.Publication) -> dict:
    """What one document's lone layout teaches the book's (LayoutHints as JSON: it crosses processes)."""
    return settle(alone).hints.to_json()


def seed_plan(pub: m.Publication, inputs: Inputs, manifest: Manifest) -> tuple[dict[str, str], list[m.Document]]:
    """Every document's settle key, and the documents whose lone layout is not cached.

    A one-document publication is its own seed (the book's loop does the
    work); documents without notes have nothing to settle.
    """
    if len(pub.documents) < 2:
        return {}, []
    keys = {doc.id: inputs.settle(chapter_alone(pub, doc)) for doc in pub.documents if doc.footnotes}
    missing = [doc for doc in pub.documents if doc.id in keys and keys[doc.id] not in manifest.settled]
    return keys, missing


def last_seed(pub: m.Publication, keys: dict[str, str], manifest: Manifest) -> list[dict] | None:
    """The seed as the last build had it, each document's last settled notes.

    A guess at the seed while the edited documents settle again; None if a
    document has never been settled.
    """
    seeds = []
    for doc in pub.documents:
        if doc.id in keys:
            key = keys[doc.id] if keys[doc.id] in manifest.settled else manifest.seeds.get(doc.id)
            if key not in manifest.settled:
                return None
            seeds.append(manifest.settled[key])
    return seeds


def union_hints(seeds: list[dict]):
    """The book's seed: every document's settled notes together (note ids are unique in a publication)."""
    from .render.pdf import LayoutHints
    marks: dict[str, str] = {}
    firsts: set[str] = set()
    policy: dict[str, str] = {}
    for seed in seeds:
        hints = LayoutHints.from_json(seed)
        marks.update(hints.marks)
        firsts |= hints.first_notes
        policy.update(hints.note_policy)
    return LayoutHints(marks, frozenset(firsts), policy)


def page_map_json(page_map, pdf_key: str) -> dict:
    return {"key": pdf_key, "page_of": page_map.page_of, "folios": page_map.folios,
            "body_start": page_map.body_start}


def current_page_map(manifest: Manifest, pdf_key: str):
    """The page map of the last PDF layout, if it was made from the content as it is now."""
    from .render.pdf import PageMap
    data = manifest.page_map
    if not data or data.get("key") != pdf_key:
        return None
    return PageMap(dict(data["page_of"]), list(data["folios"]), int(data["body_start"]))


# -- the web edition: one page per document ---------------------------------------

def web_keys(pub: m.Publication, inputs: Inputs, context) -> dict[str, str]:
    """The key of every rendered file of the web edition (copied assets need none: their bytes are compared)."""
    keys = {context.page_name(doc): inputs.web_page(doc) for doc in pub.documents}
    if pub.layout == "report":
        keys["index.html"] = inputs.web_book_page("index.html")
        keys["search.html"] = inputs.web_book_page("search.html")
        keys["assets/search-index.js"] = inputs.web_search_index
    return keys


def web_edition(pub: m.Publication, inputs: Inputs, previous: Previous) -> tuple[dict[str, bytes], list[str]]:
    """The web edition's files, rendering again only those whose key changed.

    The same files, made the same way, as render_web (render/web.py); the
    incremental tests compare the two.
    """
    from .render import EDITIONS
    from .render.html import render_template
    from .render.web import LinkedContext, search_index, web_assets
    context = LinkedContext(pub, EDITIONS["web"])
    keys = web_keys(pub, inputs, context)
    docs = list(pub.documents)

    def page(i: int) -> bytes:
        doc = docs[i]
        return render_template("web/page.html", pub=pub, edition=context.at(doc), doc=doc,
                               previous=docs[i - 1] if i > 0 else None,
                               next=docs[i + 1] if i + 1 < len(docs) else None).encode("utf-8")

    renderers = {context.page_name(doc): (lambda i=i: page(i)) for i, doc in enumerate(docs)}
    if pub.layout == "report":
        renderers["index.html"] = lambda: render_template("web/index.html", pub=pub, edition=context).encode("utf-8")
        renderers["search.html"] = lambda: render_template("web/search.html", pub=pub,
                                                           edition=context).encode("utf-8")
        renderers["assets/search-index.js"] = lambda: search_index(pub, context).encode("utf-8")
    files: dict[str, bytes] = {}
    rendered: list[str] = []
    for name, render in renderers.items():
        data = previous.web_file(name, keys[name])
        if data is None:
            data = render()
            rendered.append(name)
        files[name] = data
    files.update(web_assets(pub))
    return files, rendered


# -- the EPUB: one content document per document ------------------------------------

@dataclass
class EpubPlan:
    context: object  # EpubContext with the printed pages placed
    document_keys: dict[str, str]  # member name → key
    key: str  # the whole book's


def epub_plan(pub: m.Publication, page_map, inputs: Inputs) -> EpubPlan:
    from .render import EDITIONS
    from .render.epub import EpubContext
    context = EpubContext(pub, EDITIONS["epub"], page_map=page_map)
    context.plan_page_breaks()
    keys = {}
    for doc in pub.documents:
        markers = tuple(str(context.page_breaks_before(anchor)) for anchor in document_anchors(doc))
        keys[f"EPUB/text/{context.page_name(doc)}"] = inputs.epub_document(doc, markers)
    page_list = tuple(context.page_list)  # every field, as the navigation and the NCX show it
    return EpubPlan(context, keys, inputs.epub(keys, page_list))


def epub_edition(pub: m.Publication, plan: EpubPlan, cover_png: bytes | None,
                 previous: Previous) -> tuple[bytes, list[str]]:
    """The EPUB, rendering again only the content documents whose key changed.

    Packaged the same way as render_epub (render/epub.py): navigation, NCX and
    package document are rebuilt from the model each time (they are the
    package, not documents); the incremental tests compare the two.
    """
    from .render.epub import package_epub
    from .render.html import render_template
    context = plan.context
    files: dict[str, bytes] = {}
    rendered: list[str] = []
    for doc in pub.documents:
        name = f"EPUB/text/{context.page_name(doc)}"
        data = previous.epub_member(name, plan.document_keys[name])
        if data is None:
            data = render_template("epub/document.xhtml", pub=pub, edition=context.at(doc), doc=doc).encode("utf-8")
            rendered.append(name)
        files[name] = data
    return package_epub(pub, context, files, cover_png), rendered


def epub_members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        return {info.filename: zipped.read(info) for info in zipped.infolist()}
