"""The build, stage by stage, in a fixed order:

    check     the files a build is made from, against the last build's record: with nothing
              changed and the editions on disk as written, the build stops here
    load      content/X/ → document model (every problem reported at once)
    photos    each photo's copies for the screen, the web and the EPUB (render/images.py), made once
    pdf       the book's parts laid out in the worker processes (render/pdf/), while …
    web       … the web edition's pages are rendered here (render/web.py)
    pdf       the book assembled: screen.pdf, print.pdf for the press and its preflight, the pagination
    epub      the EPUB, its page-list from the pagination (render/epub.py)
    changes   which printed pages, web pages and EPUB documents changed since the last build (changes.py)
    write     the editions that changed and the build record, replaced together (write/)

Each writer declares its units; the cache (cache.py) decides which to render
again. Nothing is written unless every edition asked for rendered: a failed
build leaves the previous editions and their record as they were.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from typing import TYPE_CHECKING

from .cache import Cache, Workers, bytes_digest, digest, engine_digest, start_font_listing
from .errors import ContentError, Problem, ProblemLog
from .messages import say
from .paths import OUTPUT
from .progress import Log
from .render import EDITION_NAMES
from .write import EditionSet, editions_state, files_digests, replaced_since

if TYPE_CHECKING:
    from . import model as m

PDF_EDITIONS = ("print", "screen")
PAGE_TEXTS = "pages.json"  # the last build's page texts (changes.py), in the cache folder
PREVIOUS_SCREEN = "previous-screen.pdf"  # the screen.pdf before the last build's, for `publish proof --changed`


@dataclass
class BuildResult:
    pub_id: str
    outputs: dict[str, Path]
    timings: dict[str, float]
    pages: int = 0
    warnings: int = 0
    rendered: list[str] = field(default_factory=list)  # units rendered, not reused: "web/x.html", "pdf/part/x"
    written: list[str] = field(default_factory=list)  # editions written to output/
    laid_out: dict[str, int] = field(default_factory=dict)  # parts of the book laid out → layouts each took
    decisions: dict[str, dict] = field(default_factory=dict)  # part → its page-level decisions


def load(root: Path, log: Log) -> m.Publication:
    from .load import load_publication
    problems = ProblemLog()
    try:
        pub = load_publication(root, problems)
    finally:
        for warning in problems.warnings:
            log.problem(str(warning))
    return pub


def edition_paths(pub_id: str, output: Path) -> dict[str, Path]:
    folder = output / pub_id
    return {"print": folder / "print.pdf", "screen": folder / "screen.pdf",
            "web": folder / "web", "epub": folder / f"{pub_id}.epub", "preflight": folder / "preflight.txt",
            "changes": folder / "changes.json"}


def cache_folder(pub_id: str, output: Path) -> Path:
    return output / ".cache" / pub_id


def default_jobs() -> int:
    return os.cpu_count() or 1


WARM = (("publish.render.weasyprint_patches", "publish.render.pdf.layout"),
        ("publish.render.pdf.press_file", "publish.render.press", "publish.render.preflight", "publish.render.images",
         "publish.render.pdf.writer"))
"""What the workers import as they start, when the build will lay out pages: the first, what a layout needs (a
quarter of a second for WeasyPrint, which the patches' package imports first: weasyprint_patches.
libraries_found_once); the others, in the background, what the press file needs."""


def build_publication(root: Path, editions=EDITION_NAMES, output: Path = OUTPUT, log: Log | None = None,
                      clean: bool = False, jobs: int | None = None, strict: bool = False,
                      workers: Workers | None = None) -> BuildResult:
    """Build the editions of one publication. `strict` (or `strict: true` in publication.yaml): every
    warning, of the content or of print.pdf's preflight, fails the build. `workers`: processes kept by
    the caller from one build to the next (watch mode), already warm; else the build starts its own."""
    log = log or Log()
    started = time.perf_counter()
    build = Build(Path(root), tuple(editions), Path(output), log, clean, jobs or default_jobs(), strict)
    try:
        if workers is not None:
            if not build.up_to_date():
                build.run(workers)
        else:
            # The PDFs (and the EPUB's page-list) need layouts: the workers start importing WeasyPrint now,
            # while this process reads the files to see whether anything changed (if not, they are stopped).
            with Workers(build.jobs, WARM if {"print", "screen", "epub"} & set(build.editions) else ()) as own:
                if build.up_to_date():
                    own.close(abandon=True)
                else:
                    build.run(own)
    except BaseException as exc:
        # What the command line says of the previous editions is what is on disk now, looked at.
        exc.replaced_editions = build.replaced_editions()
        raise
    build.timings["total"] = time.perf_counter() - started
    return build.result


class Build:
    """One publication's build: what to render, rendering it, writing what changed."""

    def __init__(self, root: Path, editions: tuple[str, ...], output: Path, log: Log, clean: bool, jobs: int,
                 strict: bool = False):
        self.root, self.editions, self.output, self.log, self.clean, self.jobs = root, editions, output, log, clean, jobs
        self.strict = strict
        self.timings: dict[str, float] = {}
        self._inputs: str | None = None
        self._settle_id(_publication_id(root) or "")
        self.records: dict = {}  # what this build leaves for the next one (and for watch mode)
        self.kept: dict[str, bytes] = {}  # files of the cache folder written with the editions (page texts …)
        self.before: dict[str, tuple] | None = None  # the editions on disk when rendering began

    def _settle_id(self, pub_id: str) -> None:
        self.id = pub_id
        self.paths = edition_paths(pub_id, self.output)
        self.folder = self.output / pub_id
        self.cache_folder = cache_folder(pub_id, self.output)
        self.editions_set = EditionSet(self.folder, also=(self.cache_folder,))
        self.result = BuildResult(pub_id, {n: self.paths[n] for n in self.editions}, self.timings)

    # -- check ----------------------------------------------------------------------------
    def inputs(self) -> str:
        """A digest of every file the editions are made from: the publication's folder and the engine."""
        if self._inputs is None:
            start_font_listing()  # fontconfig answers while the files are read
            files = sorted(p for p in self.root.rglob("*") if p.is_file() and not p.name.startswith("."))
            self._inputs = digest(engine_digest(), self.editions, self.strict,
                                  *[(str(p.relative_to(self.root)), p.read_bytes()) for p in files])
        return self._inputs

    def up_to_date(self) -> bool:
        """Nothing changed since the last build and the editions on disk are as it wrote them."""
        if not self.id:
            return False
        self.editions_set.recover()
        if self.clean:
            return False
        from .cache import Manifest
        manifest = Manifest.read(self.cache_folder)
        if not manifest.editions or manifest.records.get("inputs") != self.inputs():
            return False
        names = self._edition_names(self.editions)
        if files_digests(self.folder, names) != {k: v for k, v in manifest.editions.items()
                                                 if k.split("/")[0] in names}:
            return False
        self.log.stage(self.id, "write", "up to date: nothing rendered, nothing written")
        return True

    def replaced_editions(self) -> list[str]:
        """After a failure: the editions this build replaced before it stopped (none, unless it stopped while
        renaming; the next build then finishes the set from its journal)."""
        if self.before is None:  # it stopped before it could write anything
            return []
        return replaced_since(self.folder, self.before)

    def _edition_names(self, editions) -> list[str]:
        return [str(self.paths[e].relative_to(self.folder)) for e in editions]

    # -- the stages ---------------------------------------------------------------------------
    def run(self, workers: Workers) -> None:
        t = time.perf_counter()
        from .load import load_publication  # after the workers have started (they need none of it)
        problems = ProblemLog()
        try:
            pub = load_publication(self.root, problems)
        finally:
            for warning in problems.warnings:
                self.log.problem(str(warning))
        self.strict = self.strict or pub.press.strict
        if self.strict and problems.warnings:
            # For the printer: a placeholder photo, a removed link … each stops the build.
            raise ContentError([replace(w, severity="error") for w in problems.warnings])
        if pub.meta.id != self.id:
            self._settle_id(pub.meta.id)
        self.timings["load"] = time.perf_counter() - t
        self.log.stage(self.id, "load", f"{_count(pub.documents, 'document')}, {_count(pub.footnotes, 'note')}, "
                                        f"{_count(pub.figures, 'figure')} ({self.timings['load']:.1f} s)")
        self.editions_set.recover()
        self.before = editions_state(self.folder)
        cache = Cache(self.cache_folder, self.clean, workers, warn=self.log.problem)
        outputs: dict[str, bytes | dict[str, bytes]] = {}

        photos = self.photos(pub)
        from .render.pdf import PdfWriter
        press = None
        if "print" in self.editions:
            from .render.pdf.press_file import press_spec
            press = press_spec(pub)
        pdf = PdfWriter(pub, cache, photos, press, self.strict)
        needs_pdf = bool(set(PDF_EDITIONS) & set(self.editions)) or "epub" in self.editions
        if needs_pdf:
            pdf.start()
        cover = None
        if "epub" in self.editions and pub.layout != "report":  # a report's cover is its printed cover
            from .render.cover import cover_unit
            cover = cache.start([cover_unit(pub)])["epub/cover.png"]
        if "web" in self.editions:
            from .render.web import web_edition
            t = time.perf_counter()
            outputs["web"] = web_edition(pub, cache, photos)
            self.timings["web"] = time.perf_counter() - t
            self._stage("web", cache, f"{len(outputs['web'])} files")
        pagination = None
        if needs_pdf:
            t = time.perf_counter()
            if cache.rendered and any(n.startswith("pdf/part/") for n in cache.rendered):
                self.log.step(self.id, "pdf", "laying out the parts of the book")
            result = pdf.finish()
            self.timings["pdf"] = time.perf_counter() - t
            pagination = result.pagination
            self.records["page_of"] = {d.id: pagination.page_of[d.id] for d in pub.documents
                                       if d.id in pagination.page_of}
            self.result.pages, self.result.laid_out, self.result.decisions = result.pages, result.layouts, \
                result.decisions
            if "screen" in self.editions:
                outputs["screen"] = result.screen_pdf
            laid_out = ", ".join(f"{name}" + (f" ({n} layouts)" if n > 1 else "") for name, n in result.layouts.items())
            self._stage("pdf", cache, f"{result.pages} pages; parts laid out: {laid_out or 'none'}", prefix="pdf/")
            if cover is None and "epub" in self.editions:
                from .render.cover import cover_unit
                cover = cache.start([cover_unit(pub, result.cover_pdf)])["epub/cover.png"]
        if "epub" in self.editions:
            from .render.epub import epub_edition
            t = time.perf_counter()
            outputs["epub"] = epub_edition(pub, cache, pagination, cover.result(), photos)
            self.timings["epub"] = time.perf_counter() - t
            self._stage("epub", cache, f"{len(outputs['epub']) // 1024} KB")
        if needs_pdf:
            self.page_changes(result)
        if "print" in self.editions:
            from .render.pdf import press_edition_of
            press = press_edition_of(result)
            outputs["print"] = press.pdf
            outputs["preflight"] = press.preflight["text"].encode("utf-8")
            self.log.stage(self.id, "press", press.preflight["summary"])
            if press.preflight["failed"]:
                raise ContentError([Problem(self.root / "publication.yaml", None, say(
                    "press.preflight-failed", problems=press.preflight["problems"]))])
        self.write(cache, outputs)

    def page_changes(self, result) -> None:
        """Which printed pages changed: the book's pages read back and compared with the last build's, here
        once the EPUB is made, while a worker makes print.pdf (a third process beside the two would slow
        print.pdf, which the build waits for, more than the report costs here)."""
        from .changes import pdf_changes
        t = time.perf_counter()
        changes = pdf_changes("print.pdf" if "print" in self.editions else "screen.pdf", result.book_pdf,
                              self.cache_folder / PAGE_TEXTS)
        self.page_report = changes
        self.kept[PAGE_TEXTS] = changes.records_json()
        self.timings["changes"] = time.perf_counter() - t
        self.log.stage(self.id, "pages", f"{changes.summary} ({self.timings['changes']:.2f} s)")

    def photos(self, pub: m.Publication) -> dict:
        """Each photo's copies for the screen PDF, the web edition and the EPUB, by the photo's digest."""
        paths = [f.image_path for f in pub.figures if f.image_path is not None]
        if not paths:
            return {}
        from .render.images import prepare_photos
        t = time.perf_counter()
        cmyk = None
        try:
            from .render.press import load_press_profile
            cmyk = load_press_profile(pub.press.profile).data  # a CMYK photo without a profile is shown with it
        except Exception:  # noqa: BLE001 - only needed for such a photo, which then says so itself
            pass
        prepared = prepare_photos(paths, self.cache_folder / "photos", cmyk_profile=cmyk)
        self.log.stage(self.id, "photos", f"{len(prepared)} photos prepared for each edition "
                                          f"({time.perf_counter() - t:.1f} s)")
        return {photo.photo.sha256: photo for photo in prepared}

    def _stage(self, name: str, cache: Cache, summary: str, prefix: str | None = None) -> None:
        prefix = prefix or f"{name}/"
        rendered = [u for u in cache.rendered if u.startswith(prefix)]
        reused = [u for u in cache.reused if u.startswith(prefix)]
        seconds = self.timings.get(name, 0.0)
        self.log.stage(self.id, name, f"{summary}: {len(rendered)} rendered, {len(reused)} reused ({seconds:.1f} s)")

    # -- write -----------------------------------------------------------------------------
    def write(self, cache: Cache, outputs: dict[str, bytes | dict[str, bytes]]) -> None:
        """The editions that differ from those on disk, and the record, replaced together."""
        t = time.perf_counter()
        self.result.rendered = list(cache.rendered)
        new_digests: dict[str, str] = {}
        for name, data in outputs.items():
            relative = str(self.paths[name].relative_to(self.folder))
            if isinstance(data, dict):
                new_digests.update({f"{relative}/{path}": bytes_digest(content) for path, content in data.items()})
            else:
                new_digests[relative] = bytes_digest(data)
        on_disk = files_digests(self.folder, self._edition_names(outputs))
        changed = [name for name in outputs if not _same(name, outputs[name], self.paths, self.folder, on_disk,
                                                       new_digests)]
        if changed and getattr(self, "page_report", None) is not None:
            outputs["changes"] = self.changes_json(outputs)
            changed.append("changes")
        if "screen" in changed and self.paths["screen"].is_file():
            self.kept[PREVIOUS_SCREEN] = self.paths["screen"].read_bytes()
        # The record keeps what the last builds wrote of the editions not built this time.
        kept = {k: v for k, v in cache.manifest.editions.items()
                if k.split("/")[0] not in self._edition_names(outputs)}
        inputs = self.inputs() if set(self.editions) == set(EDITION_NAMES) else ""
        records = {**cache.manifest.records, **self.records, "inputs": inputs}
        manifest = cache.manifest_bytes({**kept, **new_digests}, records)
        try:
            cache.save()
            for name in changed:
                data = outputs[name]
                if isinstance(data, dict):
                    self.editions_set.stage_tree(self.paths[name], data)
                else:
                    self.editions_set.stage_file(self.paths[name], data)
            for name, data in self.kept.items():
                self.editions_set.stage_file(self.cache_folder / name, data)
            self.editions_set.stage_file(self.cache_folder / "build.json", manifest)
            self.editions_set.commit()
        except BaseException:
            self.editions_set.abort()
            raise
        cache.remove_unused()
        self.timings["write"] = time.perf_counter() - t
        self.result.written = changed
        if not changed and not cache.rendered:
            self.log.stage(self.id, "write", "up to date: nothing rendered, nothing written")
        elif not changed:
            self.log.stage(self.id, "write", "nothing changed in the editions: nothing written")
        else:
            self.log.stage(self.id, "write", ", ".join(_shown(self.paths[n], self.output) for n in changed))


    def changes_json(self, outputs) -> bytes:
        """changes.json: the printed pages that changed, and the web and EPUB documents."""
        from .changes import changes_json, compare_documents, epub_documents, folder_documents
        documents = []
        if "web" in outputs:
            before = folder_documents(self.paths["web"]) if self.paths["web"].is_dir() else None
            documents.append(compare_documents("web", before, outputs["web"]))
        if "epub" in outputs:
            before = epub_documents(self.paths["epub"]) if self.paths["epub"].is_file() else None
            documents.append(compare_documents("epub", before, epub_documents(outputs["epub"])))
        for edition in documents:
            self.log.stage(self.id, "pages", edition.summary())
        return changes_json([self.page_report], documents)


def _same(name, data, paths, folder, on_disk, new_digests) -> bool:
    relative = str(paths[name].relative_to(folder))
    mine = {k: v for k, v in new_digests.items() if k == relative or k.startswith(relative + "/")}
    theirs = {k: v for k, v in on_disk.items() if k == relative or k.startswith(relative + "/")}
    return mine == theirs


def _publication_id(root: Path) -> str | None:
    """The publication's id as publication.yaml gives it, read cheaply (the full load comes later)."""
    import yaml
    try:
        data = yaml.safe_load((root / "publication.yaml").read_text(encoding="utf-8"))
        value = data.get("id") if isinstance(data, dict) else None
        return value if isinstance(value, str) and value else None
    except (OSError, ValueError, yaml.YAMLError):
        return None


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}" + ("" if len(items) == 1 else "s")


def _shown(path: Path, output: Path) -> str:
    return str(path.relative_to(output.parent)) if output.parent in path.parents else str(path)


__all__ = ["build_publication", "ContentError", "Log", "BuildResult", "load", "edition_paths", "cache_folder"]
