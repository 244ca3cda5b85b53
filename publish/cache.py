"""The one cache of the pipeline: it decides what each build renders again, and records it.

Every writer (render/web.py, render/epub.py, render/pdf/) describes its work
as units: a name, the function that renders it and the arguments it renders
from. A unit's *key* is a digest of its name, the function, its arguments
and the engine (the code, templates, styles, libraries and fonts that
render: `engine_digest`), so a unit's output depends on its key only, by
construction: the function is given nothing but its arguments. The cache
keeps each output under its key; a unit whose key was rendered before is
not rendered again. So a build with nothing changed renders nothing, an edit
re-renders the units it reaches, and an incremental build ends on the same
bytes as a clean one.

Outputs are kept in `output/.cache/<id>/units/`, one file per key holding a
digest of its bytes: a damaged file is a miss (rendered again and written
anew, with a warning), never a wrong output; so the files are not flushed to
the disk as the editions are. The manifest (`build.json`, format
MANIFEST_FORMAT) records the keys of the last builds — to remove outputs no
build uses any more — and the digests of the editions written; it is written
with the editions, in the same step (write/), so that it never disagrees with
them. A manifest of another format or shape is ignored with a warning.

A unit that is rendered again may still reuse pieces of its last rendering
(`Unit.keeps`: a face's subset, a press stream's conversion, what the
preflight found on a page): it keeps them under keys of their own, made of
what each piece is made from (`Kept.key`), so that a piece is right for its
key by the same construction. A clean build finds none and makes all.

A unit rendered again may also take up its own last output (`Unit.continues`:
a part of the book takes the pages an edit left as they were from its last
layout, render/pdf/relayout.py). Such a unit renders its output and a trail,
what its next rendering may begin from that the output does not say (the
state its layout was in at each page): the trail is kept beside the output,
as long as it is. The manifest says which key each unit had in the last build
and which engine made it; a unit is given its last output and trail only from
the same engine, never in a clean build, and must render the same output as
without them (tested for each such unit); its trail may differ.

Heavy units (a part of the book laid out by WeasyPrint) are rendered by the
worker processes (`Workers`), the rest in this process while they run; a
heavy unit's new pieces come back with its output (`KeptInWorker`).
"""
from __future__ import annotations

import ctypes
import importlib
import hashlib
import json
import multiprocessing
import os
import signal
import struct
import subprocess
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .paths import PROJECT_ROOT, STYLES, TEMPLATES

MANIFEST_NAME = "build.json"
MANIFEST_FORMAT = 3
KEPT_BUILDS = 3
"""Outputs of the last builds kept, so that undoing an edit (in watch mode) finds its pages again."""
NOT_RENDERING = frozenset({"cli.py", "progress.py", "watch.py", "proof.py", "cache.py", "pipeline.py", "messages.py",
                           "__main__.py"})
"""Modules of publish/ that never change an output byte: editing them keeps every cached unit."""
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "fonttools", "pyphen", "pillow",
             "pikepdf", "jinja2", "markupsafe", "markdown", "pyyaml")


@dataclass(frozen=True)
class Unit:
    """One piece of a writer's work."""
    name: str  # unique in the build: "web/01-foreword.html", "pdf/part/progress"
    render: Callable[..., bytes]  # a module-level function (heavy units cross to a worker process)
    args: tuple = ()  # what it renders from: render(*args)
    heavy: bool = False  # worth a worker process
    keeps: bool = False  # render(*args, kept=the cache): it keeps pieces of its work that later builds reuse
    continues: bool = False  # render(*args, last=(its last output, trail) or None) → (output, trail)

    def key(self, engine: str) -> str:
        return digest(self.name, f"{self.render.__module__}.{self.render.__qualname__}", engine,
                      *[_argument(a) for a in self.args])


def digest(*parts) -> str:
    """One digest of several parts; bytes as they are, anything else by its repr."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def _argument(value):
    """An argument as digested: bytes (a part's PDF) by their digest, anything else by its repr
    (which must not hold a set: a set's order changes from one process to the next)."""
    return bytes_digest(value).encode() if isinstance(value, bytes) else value


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def engine_digest() -> str:
    """The code, templates, styles, libraries and fonts that render, and SOURCE_DATE_EPOCH.

    Read afresh by every build (a watched template may have changed); only the
    libraries' versions and the fonts' list are read once per process.
    """
    start_font_listing()
    parts: list = []
    package = PROJECT_ROOT / "publish"
    for path in sorted(package.rglob("*.py")):
        if path.name not in NOT_RENDERING or path.parent != package:
            parts += [str(path.relative_to(package)), path.read_bytes()]
    for folder in (TEMPLATES, STYLES):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts += [str(path.relative_to(folder.parent)), path.read_bytes()]
    return digest(*parts, _library_versions(), _installed_fonts(), os.environ.get("SOURCE_DATE_EPOCH", ""))


@lru_cache(maxsize=1)
def _library_versions() -> tuple:
    """Each library's installed version, as its `name-version.dist-info` folder says: read from the
    folder names on the import path (what importlib.metadata looks through too, without importing it
    and reading each package's metadata: a build with nothing changed is a fifth quicker)."""
    installed: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            stem = entry[:-len(".dist-info")]
            if entry.endswith(".dist-info") and stem.count("-") == 1:
                name, version = stem.split("-")
                installed.setdefault(name.lower().replace("_", "-"), version)
    return tuple((name, installed.get(name)) for name in LIBRARIES)


_FONT_LISTING: dict = {}


def start_font_listing() -> None:
    """Ask fontconfig for the installed faces now, in its own process, and read the answer when the
    engine's digest needs it (`_installed_fonts`): the build reads its files meanwhile."""
    if not _FONT_LISTING:
        try:
            _FONT_LISTING["process"] = subprocess.Popen(["fc-list", "--format", "%{file}|%{fontversion}\n"],
                                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                                        text=True)
        except OSError:
            _FONT_LISTING["process"] = None


@lru_cache(maxsize=1)
def _installed_fonts() -> str:
    """Faces come from the system (fontconfig): installing one changes the PDFs."""
    start_font_listing()
    process = _FONT_LISTING["process"]
    if process is None:
        return ""
    try:
        listing, _ = process.communicate(timeout=30)
    except subprocess.SubprocessError:
        process.kill()
        return ""
    return "\n".join(sorted(listing.splitlines()))


# -- what the last builds left ------------------------------------------------------------

@dataclass
class Manifest:
    """The keys of the last builds, and the digest of every edition file the last one wrote."""
    builds: list[list[str]] = field(default_factory=list)  # the unit keys of each of the last builds, newest last
    editions: dict[str, str] = field(default_factory=dict)  # edition file (relative to output/<id>/) → digest
    records: dict = field(default_factory=dict)  # what writers keep for the next build (e.g. page texts)
    units: dict[str, str] = field(default_factory=dict)  # unit name → its key in the last build that made it
    engine: str = ""  # the engine of the last build (a unit's last output is taken up only by the same)

    @classmethod
    def read(cls, folder: Path, warn=None) -> "Manifest":
        """The last manifest; an empty one if there is none, or with a warning if it cannot be used."""
        path = Path(folder) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            _warn(warn, f"{path}: the build record cannot be read ({exc.__class__.__name__}); everything is rendered again")
            return cls()
        try:
            if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
                raise ValueError(f"format {data.get('format') if isinstance(data, dict) else '?'}, "
                                 f"expected {MANIFEST_FORMAT}")
            builds = [[str(k) for k in _list(b)] for b in _list(data["builds"])]
            editions = {str(k): str(v) for k, v in _dict(data["editions"]).items()}
            records = _dict(data.get("records", {}))
            units = {str(k): str(v) for k, v in _dict(data.get("units", {})).items()}
            return cls(builds, editions, records, units, str(data.get("engine", "")))
        except (KeyError, TypeError, ValueError) as exc:
            _warn(warn, f"{path}: the build record is not one this version writes ({exc}); "
                        "it is ignored and everything is rendered again")
            return cls()

    def to_bytes(self) -> bytes:
        data = {"format": MANIFEST_FORMAT, "builds": self.builds[-KEPT_BUILDS:], "editions": self.editions,
                "records": self.records, "units": self.units, "engine": self.engine}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")


def _list(value) -> list:
    if not isinstance(value, list):
        raise TypeError(f"a list was expected, not {type(value).__name__}")
    return value


def _dict(value) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"a mapping was expected, not {type(value).__name__}")
    return value


def _warn(warn, message: str) -> None:
    if warn is not None:
        warn(message)


# -- the store ------------------------------------------------------------------------------

class Kept:
    """What a unit that keeps pieces of its work is given (`Unit.keeps`): the cache's get and put, with
    nothing found in a clean build, which makes everything afresh (and keeps it for the next)."""

    def __init__(self, cache: "Cache"):
        self.cache = cache
        self.engine = cache.engine

    def key(self, *parts) -> str:
        """The key of a kept piece made from `parts` by this engine (a new font or new code makes it anew)."""
        return digest(self.engine, *parts)

    def get(self, key: str) -> bytes | None:
        found = None if self.cache.clean else self.cache.get(key)
        if found is not None:
            self.cache.keys.add(key)  # used by this build: kept as long as its outputs
        return found

    def put(self, key: str, data: bytes) -> None:
        self.cache.put(key, data)


class KeptInWorker(Kept):
    """Kept for a heavy unit, in a worker process: pieces are read from the cache's folder as the last
    builds left it; the new ones go back with the unit's output, and the building process keeps them."""

    def __init__(self, folder: str, clean: bool, engine: str):
        self.folder, self.clean, self.engine = Path(folder), clean, engine
        self.new: dict[str, bytes] = {}
        self.used: list[str] = []

    def get(self, key: str) -> bytes | None:
        if self.clean:
            return None
        found = self.new.get(key)
        if found is None:
            found = read_unit(self.folder / key[:2] / key)
            if found is not None:
                self.used.append(key)
        return found

    def put(self, key: str, data: bytes) -> None:
        self.new[key] = data


def _render_in_worker(render, given: tuple, *args) -> tuple:
    """render(*args, …) in a worker, with what a unit is given besides its arguments (`given`: the cache's
    folder, whether the build is clean, the engine, whether it keeps pieces, where its last output and
    trail are): its output, the pieces it kept and the keys of those it reused."""
    folder, clean, engine, keeps, last = given
    kept = KeptInWorker(folder, clean, engine) if keeps else None
    output = render(*args, **({"kept": kept} if kept else {}), **_last_of(last))
    return output, (kept.new if kept else {}), (kept.used if kept else [])


def _last_of(last: tuple | None) -> dict:
    """A continuing unit's `last` argument, read from where the cache said its last output and trail are
    (None: the unit does not continue; paths "": it has nothing to continue from)."""
    if last is None:
        return {}
    output, trail = (read_unit(Path(path)) if path else None for path in last)
    return {"last": (output, trail) if output is not None else None}


def trail_key(key: str) -> str:
    """Where a continuing unit's trail is kept, beside its output under `key`."""
    return digest("trail", key)


def read_unit(path: Path, warn=None) -> bytes | None:
    """A stored output, if it is whole (its first line is the digest of the rest). A damaged one is
    removed: the build that renders it again writes it anew."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, _, body = data.partition(b"\n")
    if head != bytes_digest(body).encode():
        _warn(warn, f"{path}: a damaged cache file is ignored and its unit rendered again")
        path.unlink(missing_ok=True)
        return None
    return body


class Cache:
    """Decides, for each unit, whether to render it or reuse what a build made from the same key."""

    def __init__(self, folder: Path, clean: bool = False, workers: "Workers | None" = None, warn=None):
        self.folder = Path(folder)
        self.units_folder = self.folder / "units"
        self.clean = clean
        self.workers = workers or Workers(1)
        self.warn = warn
        self.engine = engine_digest()
        self.manifest = Manifest.read(self.folder, warn)
        self.rendered: list[str] = []  # names of the units rendered by this build
        self.reused: list[str] = []
        self.keys: set[str] = set()  # every key this build used
        self.started: dict[str, str] = {}  # unit name → its key in this build
        self._stored: dict[str, bytes] = {}  # outputs rendered by this build, not yet on disk
        self.writable = True

    def make(self, units: list[Unit]) -> dict[str, bytes]:
        """Every unit's output: reused where its key is known, rendered otherwise (heavy ones in the workers)."""
        return {name: pending.result() for name, pending in self.start(units).items()}

    def start(self, units: list[Unit]) -> dict[str, "Pending"]:
        """Like make, without waiting: each unit's output when asked for (heavy units start now, in the workers)."""
        out: dict[str, Pending] = {}
        for unit in units:
            key = unit.key(self.engine)
            self.keys.add(key)
            self.started[unit.name] = key
            found = None if self.clean else self.get(key)
            if found is not None:
                self.reused.append(unit.name)
                if unit.continues:
                    self.keys.add(trail_key(key))  # kept as long as its output
                out[unit.name] = Pending(value=found)
                continue
            self.rendered.append(unit.name)
            done = (lambda data, key=key: self.put(key, data)) if not unit.continues else \
                (lambda data, key=key: self.put_continued(key, *data))
            last = self.last_output(unit) if unit.continues else None
            if unit.heavy:
                given = (str(self.units_folder), self.clean, self.engine, unit.keeps, last)
                out[unit.name] = Pending(future=self.workers.submit(_render_in_worker, unit.render, given,
                                                                    *unit.args), done=done, keeping=self)
            else:
                kept = {"kept": Kept(self)} if unit.keeps else {}
                out[unit.name] = Pending(call=lambda unit=unit, kept=kept, last=last: unit.render(
                    *unit.args, **kept, **_last_of(last)), done=done)
        return out

    def last_output(self, unit: Unit) -> tuple[str, str]:
        """Where the unit's output of the last build that made it is, and its trail, if the same engine
        made them and this build is not a clean one; ("", "") otherwise (the unit renders from nothing)."""
        key = self.manifest.units.get(unit.name)
        if self.clean or not key or self.manifest.engine != self.engine:
            return "", ""
        return str(self._path(key)), str(self._path(trail_key(key)))

    # -- keyed outputs ---------------------------------------------------------------------
    def get(self, key: str) -> bytes | None:
        """The output stored under `key`, if it is whole."""
        if key in self._stored:
            return self._stored[key]
        return read_unit(self._path(key), self.warn)

    def put_continued(self, key: str, output: bytes, trail: bytes) -> None:
        """A continuing unit's output, and its trail beside it."""
        self.put(key, output)
        self.put(trail_key(key), trail)

    def put(self, key: str, data: bytes) -> None:
        """Keep an output under its key: in memory now, on disk when the build is written (`save`)."""
        self.keys.add(key)
        self._stored[key] = data

    def save(self) -> None:
        """Write the outputs rendered by this build (each file written whole, then renamed; not flushed to
        the disk, which the editions are: a cache file cut short by a power cut reads as missing)."""
        from .write import write_file
        for key, data in self._stored.items():
            path = self._path(key)
            if not path.exists():
                write_file(path, bytes_digest(data).encode() + b"\n" + data, durable=False)

    def manifest_bytes(self, editions: dict[str, str], records: dict) -> bytes:
        units = {**(self.manifest.units if self.manifest.engine == self.engine else {}), **self.started}
        manifest = Manifest(self.manifest.builds + [sorted(self.keys)], editions, records, units, self.engine)
        return manifest.to_bytes()

    def remove_unused(self) -> None:
        """Outputs no build of the last KEPT_BUILDS uses are deleted."""
        kept = {key for build in (self.manifest.builds + [sorted(self.keys)])[-KEPT_BUILDS:] for key in build}
        if not self.units_folder.is_dir():
            return
        for path in self.units_folder.glob("*/*"):
            if path.name not in kept and not path.name.startswith("."):
                try:
                    path.unlink()
                except OSError:
                    pass

    def _path(self, key: str) -> Path:
        return self.units_folder / key[:2] / key


@dataclass
class Pending:
    """A unit's output: known, being rendered in a worker, or to be rendered here when asked for."""
    value: bytes | None = None
    future: Future | None = None
    call: Callable | None = None
    done: Callable | None = None
    keeping: "Cache | None" = None  # a heavy unit's worker sends (output, pieces kept, pieces reused)

    def result(self) -> bytes:
        """The unit's output (a continuing unit's output without its trail, which `done` keeps)."""
        if self.value is None:
            value = self.future.result() if self.future is not None else self.call()
            if self.keeping is not None:
                value, pieces, used = value
                for key, data in pieces.items():
                    self.keeping.put(key, data)
                self.keeping.keys.update(used)
            if self.done is not None:
                self.done(value)
            self.value = value[0] if isinstance(value, tuple) else value
        return self.value

    def ready(self) -> bool:
        return self.value is not None or self.future is None or self.future.done()


# -- the worker processes -----------------------------------------------------------------------

PR_SET_PDEATHSIG = 1
_PROCESSES = [os.cpu_count() or 1]  # what this build may use (Workers sets it; forked workers inherit it)


def processes_allowed() -> int:
    return _PROCESSES[0]


class Workers:
    """Up to `jobs` forked processes for heavy units; with one job, heavy units run here, when asked for.

    A worker dies with the build: it asks the kernel to be killed when its
    parent dies (prctl PR_SET_PDEATHSIG), so a build killed by SIGKILL, SIGTERM
    or Ctrl-C leaves no process behind, and the workers of a build that fails
    are stopped when it stops.
    """

    def __init__(self, jobs: int, warm: tuple[tuple[str, ...], ...] = ()):
        self.jobs = jobs
        self.warm = warm  # modules the first worker imports as it starts (warm[0]), and the others (the rest)
        _PROCESSES[0] = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Workers":
        """With modules to warm: the workers start now and import them (WeasyPrint takes most of a second)
        while this process loads the content, instead of when the first layout reaches them."""
        if self.warm and self.jobs >= 2:
            self._start_pool().submit(os.getpid)  # with fork, the first task starts every worker
        return self

    def __exit__(self, kind, error, trace) -> None:
        self.close(abandon=kind is not None)

    def close(self, abandon: bool = False) -> None:
        if self._pool is None:
            return
        if abandon:  # interrupted or failed: the layouts still running are of no use
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def submit(self, fn, *args) -> Future:
        if self.jobs < 2:
            future: Future = Future()
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - raised where the result is asked for
                future.set_exception(exc)
            return future
        return self._start_pool().submit(fn, *args)

    def _start_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_worker_start,
                                             initargs=(self.warm, context.Value("i", 0)))
        return self._pool


def _worker_start(warm: tuple[tuple[str, ...], ...], warmed) -> None:
    """In each worker: die with the parent; Ctrl-C is for the build to handle, not each worker; then
    import what the work ahead will need while the build loads the content. The first worker to start
    imports what a layout needs (`warm[0]`: WeasyPrint) while the others wait; then the others import
    the rest (`warm[1:]`: what the press file needs), at the lowest priority (then
    at the build's again, where the system allows), on the cores the first and the build leave idle.
    After an edit that lays out one part, the first worker lays it out while the others are ready first
    for the press file (a worker takes the next task in the order it became free); in a cold build, the
    other parts come to them as the first lays out, and they import WeasyPrint with their first."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not warm:
        return
    with warmed.get_lock():
        first = not warmed.value
        warmed.value += 1
        if first:  # the others wait for the first to be ready
            for module in warm[0]:
                importlib.import_module(module)
    if first:
        return
    before = os.nice(0)
    raised = os.nice(19) - before
    for module in [name for group in warm[1:] for name in group]:
        importlib.import_module(module)
    try:
        os.nice(-raised)
    except OSError:  # not allowed to raise a priority again: this worker stays a background one
        pass


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies, however the parent dies."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


class ForkedChild:
    """function(*args) in a forked process that shares this one's memory (a part's layout, a press file
    being read), for the other core; its bytes come back by a pipe. Used where a worker's one unit has
    two halves worth doing at once."""

    def __init__(self, what: str, function, *args):
        self.what = what  # for the error if it fails: "drawing chunks of a part"
        self._reader, writer = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: work, send, leave without running anything of the parent's
            os.close(self._reader)
            code = 1
            try:
                die_with_parent()
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                data = function(*args)
                with os.fdopen(writer, "wb") as out:
                    out.write(struct.pack(">Q", len(data)) + data)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)

    def result(self) -> bytes:
        try:
            with os.fdopen(self._reader, "rb") as received:
                data = received.read()
        finally:
            _, status = os.waitpid(self._pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or len(data) < 8:
            raise RuntimeError(f"{self.what} in a second process failed")
        (size,) = struct.unpack(">Q", data[:8])
        return data[8:8 + size]

    def cancel(self) -> None:
        """The child is of no use any more (the other half failed): stopped, never left blocked on its pipe."""
        os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        os.close(self._reader)
