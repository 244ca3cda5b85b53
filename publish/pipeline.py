"""The build, stage by stage, in a fixed order:

    load      content/X/ → document model (every problem reported at once)
    pdf       model → print.pdf + screen.pdf (one layout) and the page map
    web       model → web/ (one page per document)
    epub      model (+ page map for the page-list) → X.epub
    write     everything rendered → output/X/, atomically

Nothing is written unless every edition asked for rendered: a failed build
leaves the previous good editions as they were.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import model as m
from .errors import ContentError, ProblemLog
from .load import load_publication
from .paths import OUTPUT
from .render import EDITION_NAMES
from .write import remove_stale_parts, write_file, write_tree


@dataclass
class Log:
    """Plain log lines (stage, publication, what happened) on stderr."""
    quiet: bool = False
    verbose: bool = False
    stream: object = field(default_factory=lambda: sys.stderr)

    def stage(self, pub_id: str, stage: str, message: str) -> None:
        if not self.quiet:
            print(f"[{pub_id}] {stage:<6} {message}", file=self.stream, flush=True)

    def detail(self, pub_id: str, stage: str, message: str) -> None:
        if self.verbose:
            self.stage(pub_id, stage, message)

    def problem(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


@dataclass
class BuildResult:
    pub_id: str
    outputs: dict[str, Path]
    timings: dict[str, float]
    pages: int = 0
    warnings: int = 0


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


def build_publication(root: Path, editions=EDITION_NAMES, output: Path = OUTPUT, log: Log | None = None) -> BuildResult:
    log = log or Log()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    pub = load(root, log)
    pub_id = pub.meta.id
    timings["load"] = time.perf_counter() - started
    log.stage(pub_id, "load", f"{len(pub.documents)} documents, {len(pub.footnotes)} notes, "
                              f"{len(pub.figures)} figures ({timings['load']:.1f} s)")
    paths = edition_paths(pub_id, output)
    cache = output / ".cache" / pub_id
    rendered: dict[str, bytes | dict[str, bytes]] = {}
    page_map = None
    pages = 0

    if "print" in editions or "screen" in editions:
        from .render.pdf import render_pdfs
        t = time.perf_counter()
        result = render_pdfs(pub, read_layout_hints(cache))
        timings["pdf"] = time.perf_counter() - t
        page_map, pages = result.page_map, result.pages
        if "print" in editions:
            rendered["print"] = result.print_pdf
        if "screen" in editions:
            rendered["screen"] = result.screen_pdf
        repaired = f", {len(result.notes_repaired)} notes kept with their calls by moving a line" \
            if result.notes_repaired else ""
        log.stage(pub_id, "pdf", f"{result.pages} pages, {result.layouts} layouts{repaired} ({timings['pdf']:.1f} s)")

    if "web" in editions:
        from .render.web import render_web
        t = time.perf_counter()
        rendered["web"] = render_web(pub)
        timings["web"] = time.perf_counter() - t
        log.stage(pub_id, "web", f"{len(rendered['web'])} files ({timings['web']:.1f} s)")

    if "epub" in editions:
        from .render.cover import render_cover_png
        from .render.epub import render_epub
        t = time.perf_counter()
        if page_map is None:
            page_map = read_page_map(cache)
        rendered["epub"] = render_epub(pub, page_map, render_cover_png(pub))
        timings["epub"] = time.perf_counter() - t
        log.stage(pub_id, "epub", f"{len(rendered['epub']) // 1024} KB ({timings['epub']:.1f} s)")

    t = time.perf_counter()
    remove_stale_parts(output / pub_id)
    for name, data in rendered.items():
        if isinstance(data, dict):
            write_tree(paths[name], data)
        else:
            write_file(paths[name], data)
    if page_map is not None and ("print" in editions or "screen" in editions):
        write_page_map(cache, page_map)
        write_file(cache / "layout.json", json.dumps(result.hints.to_json(), ensure_ascii=False,
                                                     sort_keys=True).encode())
    timings["write"] = time.perf_counter() - t
    log.stage(pub_id, "write", ", ".join(str(paths[n].relative_to(output.parent)) if output.parent in paths[n].parents
                                         else str(paths[n]) for n in rendered))
    return BuildResult(pub_id, {n: paths[n] for n in rendered}, timings, pages)


def write_page_map(cache: Path, page_map) -> None:
    data = {"page_of": page_map.page_of, "folios": page_map.folios, "body_start": page_map.body_start}
    write_file(cache / "pages.json", json.dumps(data, ensure_ascii=False, sort_keys=True).encode())


def read_layout_hints(cache: Path):
    """Note marks learnt by the last PDF build: they save a layout when nothing moved."""
    from .render.pdf import LayoutHints
    try:
        return LayoutHints.from_json(json.loads((cache / "layout.json").read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_page_map(cache: Path):
    """The page map of the last PDF build, so an EPUB built alone still maps to printed pages."""
    from .render.pdf import PageMap
    try:
        data = json.loads((cache / "pages.json").read_text())
        return PageMap(data["page_of"], data["folios"], data["body_start"])
    except (OSError, ValueError, KeyError):
        return None


__all__ = ["build_publication", "ContentError", "Log", "BuildResult", "load", "edition_paths"]
