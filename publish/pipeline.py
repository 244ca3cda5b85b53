"""The build, stage by stage, in a fixed order:

    load      content/X/ → document model (every problem reported at once)
    plan      the key of every output (publish/incremental.py): what changed since the last build
    web       model → web/ (one page per document; pages whose key is unchanged are reused)
    pdf       model → print.pdf + screen.pdf (one layout, seeded by each document's notes
              settled on its own) and the page map
    epub      model (+ page map for the page-list) → X.epub (unchanged documents reused)
    write     what changed → output/X/, atomically; then the manifest

Nothing is written unless every edition asked for rendered: a failed build
leaves the previous good editions as they were. A build with nothing changed
renders nothing and writes nothing, and says so. `clean=True` ignores what
earlier builds left and renders every edition with its own writer
(render_web, render_epub); an incremental build ends on the same bytes
(tests/test_incremental.py).

On two cores the documents' lone layouts run in parallel processes, with the
EPUB's cover picture beside them; when an edit sends one document back to be
settled, the book is laid out meanwhile from the seed as it was, and that
layout is kept if the document's notes did not move. Everything else is
cheap next to a layout.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import model as m
from .errors import ContentError, ProblemLog
from .incremental import (Inputs, Manifest, Previous, chapter_alone, current_page_map, epub_edition, epub_members,
                          epub_plan, last_seed, page_map_json, seed_plan, settle_seed, union_hints, web_edition,
                          web_keys)
from .load import load_publication
from .paths import OUTPUT
from .progress import Log
from .render import EDITION_NAMES
from .write import remove_stale_parts, write_file, write_tree

PDF_EDITIONS = ("print", "screen")


@dataclass
class BuildResult:
    pub_id: str
    outputs: dict[str, Path]
    timings: dict[str, float]
    pages: int = 0
    warnings: int = 0
    # What was rendered, not reused: "print.pdf", "web/x.html", "epub/EPUB/text/x.xhtml", "cover.png".
    rendered: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # editions written to output/
    layouts: int = 0  # layouts of the whole book
    settled: list[str] = field(default_factory=list)  # documents laid out on their own for the seed
    speculated: bool = False  # the book's layout, begun before the seed was known, was the right one


def load(root: Path, log: Log) -> m.Publication:
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
            "web": folder / "web", "epub": folder / f"{pub_id}.epub"}


def cache_folder(pub_id: str, output: Path) -> Path:
    return output / ".cache" / pub_id


def default_jobs() -> int:
    return os.cpu_count() or 1


def build_publication(root: Path, editions=EDITION_NAMES, output: Path = OUTPUT, log: Log | None = None,
                      clean: bool = False, jobs: int | None = None) -> BuildResult:
    log = log or Log()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    pub = load(root, log)
    pub_id = pub.meta.id
    timings["load"] = time.perf_counter() - started
    log.stage(pub_id, "load", f"{len(pub.documents)} documents, {len(pub.footnotes)} notes, "
                              f"{len(pub.figures)} figures ({timings['load']:.1f} s)")
    build = Build(pub, tuple(editions), output, log, clean, jobs or default_jobs(), timings)
    return build.run()


class Build:
    """One publication's build: what to render, rendering it, writing what changed."""

    def __init__(self, pub: m.Publication, editions: tuple[str, ...], output: Path, log: Log, clean: bool,
                 jobs: int, timings: dict[str, float]):
        self.pub, self.editions, self.output, self.log, self.clean = pub, editions, output, log, clean
        self.jobs, self.timings = jobs, timings
        self.id = pub.meta.id
        self.paths = edition_paths(self.id, output)
        self.cache = cache_folder(self.id, output)
        old = Manifest.read(self.cache)
        # A clean build trusts nothing from earlier builds, but keeps the record of editions it does not build.
        self.previous = Previous(Manifest() if clean else old, self.paths)
        self.manifest = Manifest(dict(old.units), {} if clean else dict(old.settled), old.page_map, old.hints,
                                 dict(old.seeds))
        self.old_manifest = old.to_bytes()
        self.inputs = Inputs(pub)
        self.result = BuildResult(self.id, {n: self.paths[n] for n in editions}, timings)
        self.to_write: dict[str, bytes | dict[str, bytes]] = {}

    def run(self) -> BuildResult:
        t = time.perf_counter()
        wanted_pdfs = [e for e in PDF_EDITIONS if e in self.editions]
        pdf_current = not self.clean and all(self.previous.unchanged(e, self.inputs.pdf) for e in wanted_pdfs)
        page_map = None if self.clean else current_page_map(self.manifest, self.inputs.pdf)
        render_pdf = bool(wanted_pdfs and not pdf_current) or ("epub" in self.editions and page_map is None)
        keys, missing = seed_plan(self.pub, self.inputs, self.manifest) if render_pdf else ({}, [])
        cover = None if "epub" not in self.editions or self.clean else self.previous.cover(self.inputs.cover)
        draw_cover = "epub" in self.editions and cover is None
        self.timings["plan"] = time.perf_counter() - t
        parallel = self.jobs >= 2 and len(missing) + draw_cover >= 2
        with Workers(self.jobs if parallel else 1) as workers, self.speculate(keys, missing) as speculation:
            # Largest first, so the longest lone layout does not start last.
            settling = {workers.submit(settle_seed, chapter_alone(self.pub, doc)): doc
                        for doc in sorted(missing, key=lambda d: len(repr(d.blocks)), reverse=True)}
            cover_task = None
            if draw_cover:
                from .render.cover import render_cover_png
                cover_task = workers.submit(render_cover_png, self.pub)
            if "web" in self.editions:
                self.web()
            if render_pdf:
                page_map = self.pdf(workers, settling, keys, wanted_pdfs, speculation)
            elif wanted_pdfs:
                self.log.stage(self.id, "pdf", f"unchanged: {', '.join(e + '.pdf' for e in wanted_pdfs)} kept")
            if page_map is not None:
                self.result.pages = len(page_map.folios)
            if "epub" in self.editions:
                self.epub(page_map, cover, cover_task)
        self.write()
        return self.result

    # -- stages ----------------------------------------------------------------
    def web(self) -> None:
        from .render import EDITIONS
        from .render.web import LinkedContext, render_web
        t = time.perf_counter()
        keys = web_keys(self.pub, self.inputs, LinkedContext(self.pub, EDITIONS["web"]))
        if self.clean or not any(u.startswith("web/") for u in self.previous.manifest.units):
            files, rendered = render_web(self.pub), list(keys)
        else:
            files, rendered = web_edition(self.pub, self.inputs, self.previous)
        changed = self.clean or not self.previous.web_intact(files)
        self.manifest.forget("web/")
        for name, data in files.items():
            self.manifest.record(f"web/{name}", keys.get(name, ""), data)
        self.result.rendered += [f"web/{name}" for name in rendered]
        self.timings["web"] = time.perf_counter() - t
        if changed:
            self.to_write["web"] = files
            self.log.stage(self.id, "web", f"{len(files)} files: {len(rendered)} rendered, "
                                           f"{len(keys) - len(rendered)} reused, {len(files) - len(keys)} copied "
                                           f"({self.timings['web']:.1f} s)")
        else:
            self.log.stage(self.id, "web", f"unchanged: {len(files)} files kept")

    def speculate(self, keys: dict[str, str], missing: list[m.Document]) -> "Speculation":
        """While edited documents settle again, lay the book out from the seed as it was, on the other core.

        Most edits leave a document's notes where they were: when the settled
        seed turns out equal to the guess, the book's layout is already done
        (the same function of the same seed, so the same bytes); otherwise
        it is thrown away.
        """
        if not missing or len(missing) >= self.jobs or self.clean:  # a core must be free for it
            return Speculation(None)
        last = last_seed(self.pub, keys, self.previous.manifest)
        if last is None:
            return Speculation(None)
        from .render.pdf import render_pdfs
        guess = union_hints(last)
        return Speculation(guess, render_pdfs, self.pub, guess)

    def pdf(self, workers: "Workers", settling: dict, keys: dict[str, str], wanted: list[str],
            speculation: "Speculation"):
        from .render.pdf import render_pdfs
        t = time.perf_counter()
        if settling:
            self.log.step(self.id, "pdf", f"laying out {len(settling)} documents alone to settle their notes")
        for done, (doc, seed) in enumerate(workers.completed(settling), start=1):
            self.manifest.settled[keys[doc.id]] = seed
            self.result.settled.append(doc.id)
            self.log.step(self.id, "pdf", f"notes settled in {done} of {len(settling)} documents laid out alone "
                                          f"(last: {doc.id})")
        seed = union_hints([self.manifest.settled[keys[d.id]] for d in self.pub.documents if d.id in keys])
        self.manifest.seeds = dict(keys)
        self.timings["settle"] = time.perf_counter() - t
        if speculation.guess is not None and speculation.guess == seed:
            self.log.step(self.id, "pdf", "laying out the book (begun while the edited documents settled)")
            result = speculation.result()
            how = "laid out while the edited documents settled (their notes stayed put)"
        else:
            speculation.cancel()
            self.log.step(self.id, "pdf", f"laying out the book ({len(self.pub.documents)} documents)")
            result = render_pdfs(self.pub, seed)
            how = f"{len(settling)} of {len(keys)} documents with notes settled alone" if keys else ""
        self.timings["pdf"] = time.perf_counter() - t
        for name in wanted:
            data = result.print_pdf if name == "print" else result.screen_pdf
            self.to_write[name] = data
            self.manifest.record(name, self.inputs.pdf, data)
            self.result.rendered.append(f"{name}.pdf")
        self.manifest.page_map = page_map_json(result.page_map, self.inputs.pdf)
        self.manifest.hints = result.hints.to_json()
        self.result.layouts = result.layouts
        self.result.speculated = speculation.guess is not None and speculation.guess == seed
        repaired = f", {len(result.notes_repaired)} notes kept with their calls by moving a line" \
            if result.notes_repaired else ""
        written = ", ".join(n + ".pdf" for n in wanted) or "page map only"
        self.log.stage(self.id, "pdf", f"{written}: {result.pages} pages, {result.layouts} "
                                       f"layout{'s' if result.layouts != 1 else ''}{'; ' + how if how else ''}"
                                       f"{repaired} ({self.timings['pdf']:.1f} s)")
        return result.page_map

    def epub(self, page_map, cover: bytes | None, cover_task) -> None:
        from .render.epub import render_epub
        t = time.perf_counter()
        plan = epub_plan(self.pub, page_map, self.inputs)
        if not self.clean and self.previous.unchanged("epub", plan.key):
            self.log.stage(self.id, "epub", f"unchanged: {self.paths['epub'].name} kept")
            return
        if cover_task is not None:
            cover = cover_task.result()
            self.result.rendered.append("cover.png")
        if self.clean or "epub" not in self.previous.manifest.units:
            data, rendered = render_epub(self.pub, page_map, cover), list(plan.document_keys)
        else:
            data, rendered = epub_edition(self.pub, plan, cover, self.previous)
        members = epub_members(data)
        self.manifest.forget("epub/")
        for name, key in plan.document_keys.items():
            self.manifest.record(f"epub/{name}", key, members[name])
        if cover:
            self.manifest.record("cover", self.inputs.cover, cover)
        self.manifest.record("epub", plan.key, data)
        self.to_write["epub"] = data
        self.result.rendered += [f"epub/{name}" for name in rendered]
        self.timings["epub"] = time.perf_counter() - t
        self.log.stage(self.id, "epub", f"{len(rendered)} of {len(plan.document_keys)} documents rendered, "
                                        f"{len(data) // 1024} KB ({self.timings['epub']:.1f} s)")

    def write(self) -> None:
        t = time.perf_counter()
        remove_stale_parts(self.output / self.id)
        for name, data in self.to_write.items():
            if isinstance(data, dict):
                write_tree(self.paths[name], data)
            else:
                write_file(self.paths[name], data)
        manifest = self.manifest.to_bytes()
        if manifest != self.old_manifest:
            write_file(self.cache / "build.json", manifest)
        self.timings["write"] = time.perf_counter() - t
        self.result.written = list(self.to_write)
        if not self.to_write and not self.result.rendered:
            self.log.stage(self.id, "write", "up to date: nothing rendered, nothing written")
        elif not self.to_write:
            self.log.stage(self.id, "write", "nothing changed in the editions: nothing written")
        else:
            self.log.stage(self.id, "write", ", ".join(_shown(self.paths[n], self.output) for n in self.to_write))


def _shown(path: Path, output: Path) -> str:
    return str(path.relative_to(output.parent)) if output.parent in path.parents else str(path)


class Workers:
    """Up to `jobs` processes for rendering, started on first use; with one job, work runs here, when asked for.

    Processes are forked: a child starts with the fonts and the WeasyPrint
    already loaded here instead of loading them again.
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if self._pool is None:
            return
        if kind is not None:  # interrupted or failed: the layouts still running are of no use
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, fn, *args):
        if self.jobs < 2:
            return Deferred(fn, args)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_worker_signals)
        return self._pool.submit(fn, *args)

    def completed(self, tasks: dict):
        """(what each task was for, its result), as the tasks finish."""
        if self._pool is None:
            for task, what in tasks.items():
                yield what, task.result()
            return
        for task in as_completed(tasks):
            yield tasks[task], task.result()


class Speculation:
    """Work begun in a forked process before it is known to be needed: its result, or nothing."""

    def __init__(self, guess, fn=None, *args):
        self.guess = guess
        self._process = None
        if fn is None:
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_speculate, args=(send, fn, args), daemon=True)
        self._process.start()
        send.close()

    def __enter__(self) -> "Speculation":
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()

    def result(self):
        try:
            succeeded, value = self._receive.recv()
        except EOFError:
            raise RuntimeError("the layout begun in advance stopped without a result") from None
        self._process.join()
        if not succeeded:
            raise value
        return value

    def cancel(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
        if self._process is not None:
            self._process.join()


def _speculate(send, fn, args) -> None:
    _worker_signals()
    try:
        outcome = (True, fn(*args))
    except Exception as exc:  # the same failure the build would meet: raised there
        outcome = (False, exc)
    send.send(outcome)
    send.close()


def _worker_signals() -> None:
    """Ctrl-C is for the build to handle (it stops the workers), not for each worker to report."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Deferred:
    """Work for one process: done when its result is first asked for."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args
        self._done, self._value = False, None

    def result(self):
        if not self._done:
            self._value = self.fn(*self.args)
            self._done = True
        return self._value


__all__ = ["build_publication", "ContentError", "Log", "BuildResult", "load", "edition_paths", "cache_folder"]
