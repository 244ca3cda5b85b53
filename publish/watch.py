"""`build.py watch`: rebuild on save, serve the editions on 127.0.0.1, reload the page being read.

    watch    the publications' folders, templates/ and styles/ are watched through the file
             system's change events (watchfiles: inotify on Linux, FSEvents, ReadDirectoryChangesW);
             a save that comes as several events (write, rename) is one change
    preview  on a save, the part of the book holding the document that changed is laid out
             (publish/render/pdf/layout.py, the same unit the build then reuses from the cache) and
             its pages of that document shown as a draft, ready before the book is assembled;
             after the build, the preview is that document's pages of the new screen.pdf
    build    then the incremental build (publish/pipeline.py) brings output/ up to date
    serve    http://127.0.0.1:PORT/ lists the publications; /<id>/web/… is the web edition,
             /<id>/print.pdf, /<id>/screen.pdf, /<id>/<id>.epub the files, /<id>/preview the
             chapter preview
    reload   server-sent events at /__events; every HTML page served gets one script tag
             (/__live.js, added while serving: the files on disk are never changed) that
             reloads the page when its own file, a style sheet or an image was rebuilt

Only loopback is served; only files under output/<id>/ are readable. The pages
the server makes itself (the list of publications, the preview) speak the
publications' language.
"""
from __future__ import annotations

import io
import json
import mimetypes
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import watchfiles  # imported here, not by the threads that use them: a fork while a thread imports keeps its lock
from markupsafe import escape

from . import model as m
from .errors import ContentError
from .cache import Cache, Manifest, Workers, digest
from .paths import STYLES, TEMPLATES
from .pipeline import WARM, build_publication, cache_folder, default_jobs, edition_paths, load
from .messages import Message, text
from .progress import Log

HOST = "127.0.0.1"
SETTLE_MS = 50  # the events of one save come together: a change is whole once the files hold still this long
WHOLE_SAVE_MS = 1000  # ... or after this long, whatever still comes
HEARTBEAT_SECONDS = 15.0

LIVE_SCRIPT = b"""// Reloads the page when the build that just ran changed it (publish/watch.py).
(function () {
  var parts = location.pathname.split("/");
  var publication = decodeURIComponent(parts[1] || "");
  var page = decodeURIComponent(parts.slice(3).join("/")) || "index.html";
  var events = new EventSource("/__events");
  function banner(text) {
    var box = document.getElementById("__build-problem");
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "__build-problem";
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;margin:0;padding:1em;max-height:40vh;" +
        "overflow:auto;background:#fff3f3;color:#900;border-top:2px solid #900;z-index:99999;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = text;
  }
  events.addEventListener("rebuilt", function (event) {
    var data = JSON.parse(event.data);
    if (data.publication !== publication) return;
    banner("");
    var mine = data.web.some(function (name) {
      return name === page || name.indexOf("assets/") === 0 || name.indexOf("images/") === 0;
    });
    if (mine && parts[2] === "web") location.reload();
  });
  events.addEventListener("preview", function (event) {
    var data = JSON.parse(event.data);
    var frame = document.getElementById("__preview");
    if (data.publication !== publication || !frame) return;
    frame.src = "/" + encodeURIComponent(publication) + "/preview.pdf?v=" + data.version + "#page=" + data.page;
    document.getElementById("__preview-title").textContent = data.title;
  });
  events.addEventListener("failed", function (event) {
    var data = JSON.parse(event.data);
    if (data.publication === publication) banner(data.problems);
  });
})();
"""


# -- what changed on disk ----------------------------------------------------------

def visible(path: Path) -> bool:
    """Files an editor means: not an editor's swap or backup file, nor anything hidden."""
    return not path.name.startswith(".") and not path.name.endswith(("~", ".swp", ".swx", ".tmp"))


def snapshot(folders) -> dict[Path, tuple[int, int]]:
    """Every visible file under the folders, with its modification time and size.

    Taken once, before the first build: what was saved while that build ran
    (before the events were listened to) is compared against it.
    """
    seen: dict[Path, tuple[int, int]] = {}
    for folder in folders:
        for path in Path(folder).rglob("*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.is_file() and visible(path):
                seen[path] = (stat.st_mtime_ns, stat.st_size)
    return seen


def changed_paths(before: dict, after: dict) -> set:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def page_language(language: str) -> str:
    """The catalogue's language (zh, en) for a publication's language tag (zh-CN, zh-Hans, en-GB)."""
    return "zh" if language.lower().startswith("zh") else "en"


# -- events for the pages being read --------------------------------------------------

class Events:
    """Server-sent events, each sent to every page listening."""

    def __init__(self):
        self._listeners: list[queue.Queue] = []
        self._lock = threading.Lock()

    def listen(self) -> queue.Queue:
        inbox: queue.Queue = queue.Queue()
        with self._lock:
            self._listeners.append(inbox)
        return inbox

    def leave(self, inbox: queue.Queue) -> None:
        with self._lock:
            if inbox in self._listeners:
                self._listeners.remove(inbox)

    def send(self, name: str, data: dict | None) -> None:
        with self._lock:
            for inbox in self._listeners:
                inbox.put((name, data))


# -- one watched publication ----------------------------------------------------------

@dataclass
class Watched:
    root: Path
    id: str = ""
    language: str = "en"  # the catalogue's language for the publication's own language
    documents: dict[str, str] = field(default_factory=dict)  # document id → digest, as last built
    editing: str = ""  # the document last changed: the one previewed
    preview: bytes | None = None
    preview_version: int = 0
    preview_page: int = 1  # the page of the preview the document starts on


class Watcher:
    """Builds, serves and rebuilds: `start()`, then `run()` until `stop()` (or Ctrl-C).

    A thread listens to the file system's events from before the first build;
    each save's events come to `run()` as one set of paths, and `react()`
    rebuilds the publications they affect.
    """

    def __init__(self, roots, editions, output: Path, log: Log, port: int = 8000, jobs: int | None = None,
                 prog: str = "publish"):
        self.prog = prog  # the command's name, for the lines it prints
        self.publications = [Watched(Path(root)) for root in roots]
        self.editions = tuple(editions)
        self.output = Path(output)
        self.log = log
        self.jobs = jobs
        self.events = Events()
        self.server = Server((HOST, port), self)
        self.port = self.server.server_address[1]
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._seen: dict = {}
        self._changes: queue.Queue = queue.Queue()
        self._listening: threading.Thread | None = None
        self._workers: Workers | None = None  # kept from one rebuild to the next: WeasyPrint stays loaded in them
        self._preview_subsets = PreviewSubsets()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def folders(self) -> list[Path]:
        return [w.root for w in self.publications] + [TEMPLATES, STYLES]

    def start(self) -> None:
        self._seen = snapshot(self.folders())
        self._listening = threading.Thread(target=self.listen, name="watch", daemon=True)
        self._listening.start()
        # The first save's preview is laid out here: WeasyPrint is made ready beside the first build when
        # its layouts run in the workers (this thread lays nothing out then), else after it.
        warming = threading.Thread(target=warm_up_layout, name="warm", daemon=True)
        previews = bool({"print", "screen"} & set(self.editions))
        beside = previews and (self.jobs or default_jobs()) >= 2
        if beside:
            self.workers()  # forked first: a fork while the other thread imports would hold its import lock
            warming.start()
        for watched in self.publications:
            self.rebuild(watched, preview=False)
        if beside:
            warming.join()
        elif previews:
            warm_up_layout()
        self._thread = threading.Thread(target=self.server.serve_forever, name="serve", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._workers is not None:
            self._workers.close()
        self.events.send("stop", None)
        if self._thread is not None:  # shutdown() waits for serve_forever(), which must have started
            self.server.shutdown()
        self.server.server_close()

    def listen(self) -> None:
        """The file system's events, a save's worth at a time, into the queue `run()` reads."""
        def wanted(change, path: str) -> bool:
            return visible(Path(path))
        try:
            for changes in watchfiles.watch(*self.folders(), watch_filter=wanted, debounce=WHOLE_SAVE_MS,
                                            step=SETTLE_MS, stop_event=self._stopping, raise_interrupt=False):
                self._changes.put({Path(path) for _, path in changes})
        finally:
            self._changes.put(None)

    def run(self) -> None:
        """Rebuild after every save until stopped; first, what was saved during the first build."""
        self.react(changed_paths(self._seen, snapshot(self.folders())))
        while not self._stopping.is_set():
            try:
                changed = self._changes.get(timeout=0.5)
            except queue.Empty:
                continue
            if changed is None:
                return
            while not self._changes.empty():  # saves that came during the last rebuild: one rebuild
                more = self._changes.get_nowait()
                if more is None:
                    return
                changed |= more
            self.react(changed)

    def react(self, changed: set) -> bool:
        """Rebuild the publications the changed files belong to (all of them for templates and styles)."""
        if not changed:
            return False
        shared = any(TEMPLATES in p.parents or STYLES in p.parents for p in changed)
        for watched in self.publications:
            if shared or any(watched.root.resolve() in p.resolve().parents for p in changed):
                self.rebuild(watched, preview=True)
        return True

    def workers(self) -> Workers:
        """The build's worker processes, started once and kept: WeasyPrint stays loaded in them."""
        if self._workers is None:
            self._workers = Workers(self.jobs or default_jobs(), WARM).__enter__()
        return self._workers

    def rebuild(self, watched: Watched, preview: bool) -> None:
        try:
            pub = load(watched.root, Log(quiet=True, stream=io.StringIO()))  # the build reports warnings
        except ContentError as exc:
            for problem in exc.problems:
                self.log.problem(str(problem))
            self.log.note(f"{self.prog}: " + text("cli.content-problems", root=watched.root, count=len(exc.problems),
                                                  editions=text("cli.editions-unchanged")))
            self.events.send("failed", {"publication": watched.id, "problems": "\n".join(map(str, exc.problems))})
            return
        watched.id = pub.meta.id
        watched.language = page_language(pub.meta.language)
        documents = {doc.id: digest(doc) for doc in pub.documents}
        edited = [d for d, key in documents.items() if watched.documents.get(d) != key]
        if edited and preview:  # the first build changes every document: none is being edited yet
            watched.editing = edited[0]
        if preview and watched.editing in documents and {"print", "screen"} & set(self.editions):
            self.render_preview(watched, pub, pub.document(watched.editing))
        before = web_digests(self.output, watched.id)
        try:
            build_publication(watched.root, self.editions, self.output, self.log, jobs=self.jobs,
                              workers=self.workers())
        except ContentError as exc:  # the files changed again between the two reads
            for problem in exc.problems:
                self.log.problem(str(problem))
            self.events.send("failed", {"publication": watched.id, "problems": "\n".join(map(str, exc.problems))})
            return
        except Exception as exc:  # a rendering failure: say so, keep watching (with workers started afresh)
            self._workers.close(abandon=True)
            self._workers = None
            self.log.problem(f"{self.prog}: " + text("cli.rendering-failed", root=watched.root,
                                                     error=f"{exc.__class__.__name__}: {exc}",
                                                     editions=text("cli.editions-unchanged")))
            self.events.send("failed", {"publication": watched.id, "problems": f"rendering failed: {exc}"})
            return
        watched.documents = documents
        after = web_digests(self.output, watched.id)
        self.events.send("rebuilt", {"publication": watched.id, "web": sorted(changed_paths(before, after))})
        if preview and watched.editing in documents and "screen" in self.editions:
            self.cut_preview(watched, pub, pub.document(watched.editing))

    def render_preview(self, watched: Watched, pub: m.Publication, doc: m.Document) -> None:
        """A draft of the edited document: its part of the book laid out, its pages shown.

        The part is the unit the build lays out (render/pdf/): laid out here,
        in the watching process (WeasyPrint stays loaded), and kept in the
        cache, the build that follows reuses it. The draft has no running
        heads or folios; after the build the preview becomes the document's
        pages cut from the new screen.pdf (`cut_preview`).
        """
        import pikepdf

        from .render.pdf import PdfWriter
        from .render.pdf.fonts import merge_page_fonts
        from .render.pdf.layout import PartLayout
        t = time.perf_counter()
        writer = PdfWriter(pub, Cache(cache_folder(watched.id, self.output)))
        number = next((i for i, part in enumerate(writer.parts) if doc.id in part.documents), None)
        if number is None:
            return
        self.log.step(watched.id, "preview", text("watch.preview-laying-out", part=writer.parts[number].name))
        try:
            layout = PartLayout.from_bytes(writer.cache.make([writer.part_unit(number)])[
                f"pdf/part/{writer.parts[number].name}"])
            writer.cache.save()  # the build that follows finds it
            first = next(i for i, page in enumerate(layout.pages) if doc.id in page.anchors)
            later = [i for i, page in enumerate(layout.pages) if i > first and any(
                d in page.anchors for d in writer.parts[number].documents if d != doc.id)]
            chunks = [pikepdf.open(io.BytesIO(pdf)) for pdf in layout.pdfs]
            pages = [page for chunk in chunks for page in chunk.pages]
            cut = pikepdf.new()
            cut.pages.extend(pages[first:min(later, default=len(pages))])
            # A part embeds stand-ins for its faces: its pages get the faces' glyphs here.
            merge_page_fonts(cut, self._preview_subsets)
            for page in cut.pages:
                page.obj.MediaBox = page.obj.get("/TrimBox", page.obj.MediaBox)
            out = io.BytesIO()
            cut.save(out)
            data = out.getvalue()
        except Exception as exc:
            self.log.problem(f"{self.prog}: " + text("watch.preview-failed", document=doc.id,
                                                     error=f"{exc.__class__.__name__}: {exc}"))
            return
        self.log.stage(watched.id, "preview", text("watch.preview-pages", document=doc.id, count=len(cut.pages),
                                                   seconds=f"{time.perf_counter() - t:.1f}"))
        self.show_preview(watched, doc, data, 1, final=False)

    def cut_preview(self, watched: Watched, pub: m.Publication, doc: m.Document) -> None:
        """The edited document's pages of the screen.pdf just built: the preview as it will print."""
        import pikepdf
        starts = Manifest.read(cache_folder(watched.id, self.output)).records.get("page_of", {})
        screen = edition_paths(watched.id, self.output)["screen"]
        if doc.id not in starts or not screen.exists():
            return
        first = starts[doc.id]
        later = [starts[d.id] for d in pub.documents if d.index > doc.index and d.id in starts]
        try:
            with pikepdf.open(screen) as book:
                last = min(later, default=len(book.pages))
                cut = pikepdf.new()
                cut.pages.extend(book.pages[first:max(last, first + 1)])
                out = io.BytesIO()
                cut.save(out)
        except (OSError, pikepdf.PdfError) as exc:
            self.log.problem(f"{self.prog}: " + text("watch.preview-failed", document=doc.id, error=exc))
            return
        self.show_preview(watched, doc, out.getvalue(), 1, final=True)

    def show_preview(self, watched: Watched, doc: m.Document, data: bytes, page: int, final: bool) -> None:
        watched.preview, watched.preview_page = data, page
        watched.preview_version += 1
        self.events.send("preview", {"publication": watched.id, "document": doc.id, "title": doc.title,
                                     "page": page, "version": watched.preview_version, "final": final})

    def publication(self, pub_id: str) -> Watched | None:
        return next((w for w in self.publications if w.id == pub_id), None)


def warm_up_layout() -> None:
    """WeasyPrint imported, the paged style sheets parsed and the faces loaded in this process, while the
    editor reads: the first save's preview is then laid out at once (the build's layouts ran in workers,
    so this process has none of it yet)."""
    from .render.pdf.layout import parsed_stylesheets
    from .render.weasyprint_patches import weasyprint
    sample = ('<html lang="zh-CN"><body><main><div class="doc__body"><h2>标题</h2><p>正文<strong>加粗</strong>'
              '<span class="note" data-mark="①">注释</span>。</p><blockquote class="quote"><p>引文</p></blockquote>'
              '</div></main></body></html>')
    try:  # WeasyPrint as released: the patches are applied only around a layout (by the thread doing it)
        weasyprint.HTML(string=sample).render(stylesheets=parsed_stylesheets())
    except Exception:  # noqa: BLE001 - only a head start: the preview does the same work if this failed
        pass


def web_digests(output: Path, pub_id: str) -> dict[str, str]:
    editions = Manifest.read(cache_folder(pub_id, output)).editions
    return {name[len("web/"):]: value for name, value in editions.items() if name.startswith("web/")}


# -- the server ---------------------------------------------------------------------

class PreviewSubsets:
    """The faces' subsets the last previews were given, kept while watching: after an edit that brings no
    new character, a document's preview needs the same ones again (render/pdf/fonts.py asks by the face's
    stand-in and the glyphs). In memory only, a few at a time; the build keeps its own."""

    KEPT = 24

    def __init__(self):
        self._subsets: dict[str, bytes] = {}
        self._lock = threading.Lock()  # the faces are subset side by side, in threads

    def key(self, *parts) -> str:
        return digest(*parts)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._subsets.get(key)

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            self._subsets[key] = data
            while len(self._subsets) > self.KEPT:
                del self._subsets[next(iter(self._subsets))]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, watcher: Watcher):
        self.watcher = watcher
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        """Requests are not logged: the terminal is for the build."""

    def do_HEAD(self):
        self.respond(head=True)

    def do_GET(self):
        self.respond(head=False)

    def respond(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        watcher = self.server.watcher
        if path == "/__events":
            return self.stream_events()
        if path == "/__live.js":
            return self.send(200, "text/javascript; charset=utf-8", LIVE_SCRIPT, head)
        if path == "/":
            return self.send(200, "text/html; charset=utf-8", home_page(watcher), head)
        parts = path.strip("/").split("/", 1)
        watched = watcher.publication(parts[0])
        if watched is None:
            return self.send(404, "text/plain; charset=utf-8", b"no such publication\n", head)
        rest = parts[1] if len(parts) > 1 else ""
        if rest in ("", "web"):
            return self.redirect(f"/{watched.id}/web/index.html")
        if rest == "preview":
            return self.send(200, "text/html; charset=utf-8", preview_page(watched), head)
        if rest == "preview.pdf":
            if watched.preview is None:
                words = Message("watch.page.no-preview", {}).text(watched.language)
                return self.send(404, "text/plain; charset=utf-8", f"{words}\n".encode(), head)
            return self.send(200, "application/pdf", watched.preview, head)
        file = served_file(watcher.output, watched.id, rest)
        if file is None:
            return self.send(404, "text/plain; charset=utf-8", b"not found\n", head)
        data = file.read_bytes()
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = with_live_script(data)
            kind = "text/html; charset=utf-8"
        return self.send(200, kind, data, head)

    def send(self, status: int, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream_events(self) -> None:
        events = self.server.watcher.events
        inbox = events.listen()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                try:
                    name, data = inbox.get(timeout=HEARTBEAT_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
                    continue
                if name == "stop":
                    return
                self.wfile.write(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return
        finally:
            events.leave(inbox)


def served_file(output: Path, pub_id: str, rest: str) -> Path | None:
    """A file of the publication's editions, never anything outside output/<id>/ (nor the cache)."""
    folder = (output / pub_id).resolve()
    target = (folder / rest).resolve()
    if folder not in target.parents:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def with_live_script(html: bytes) -> bytes:
    tag = b'<script src="/__live.js"></script>'
    at = html.rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


def home_page(watcher: Watcher) -> bytes:
    """The list of publications with links to their editions, in their language (English when they differ)."""
    languages = {w.language for w in watcher.publications}
    language = languages.pop() if len(languages) == 1 else "en"

    def words(message_id: str) -> str:
        return escape(Message(message_id, {}).text(language))
    rows = []
    for w in watcher.publications:
        pub_id = escape(w.id)
        paths = edition_paths(w.id, watcher.output)
        links = [f'<a href="/{pub_id}/web/index.html">{words("watch.page.web")}</a>'] if paths["web"].exists() else []
        links += [f'<a href="/{pub_id}/{escape(p.name)}">{escape(p.name)}</a>'
                  for name, p in paths.items() if name != "web" and p.exists()]
        links.append(f'<a href="/{pub_id}/preview">{words("watch.page.preview")}</a>')
        rows.append(f"<li><strong>{pub_id}</strong> — {' · '.join(links)}</li>")
    html_lang = "zh-CN" if language == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<title>{words("watch.page.title")}</title></head>'
            f'<body><h1>{words("watch.page.title")}</h1><ul>{"".join(rows)}</ul>'
            f'<p>{words("watch.page.reload")}</p></body></html>').encode()


def preview_page(watched: Watched) -> bytes:
    """The chapter preview: the draft, then the final pages, of the document being edited."""

    def words(message_id: str) -> str:
        return escape(Message(message_id, {}).text(watched.language))
    source = (f"/{escape(watched.id)}/preview.pdf?v={watched.preview_version}#page={watched.preview_page}"
              if watched.preview else "about:blank")
    html_lang = "zh-CN" if watched.language == "zh" else "en"
    separator = "：" if watched.language == "zh" else ": "
    return (f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<title>{words("watch.page.preview-title")} · {escape(watched.id)}</title>'
            '<style>html,body{margin:0;height:100%;display:flex;flex-direction:column;font:14px sans-serif}'
            'header{padding:.4em 1em;background:#eee}iframe{flex:1;border:0;width:100%}</style></head>'
            f'<body><header>{words("watch.page.preview-title")}{separator}<span id="__preview-title">'
            f'{escape(watched.editing) if watched.editing else words("watch.page.preview-waiting")}</span>'
            '</header>'
            f'<iframe id="__preview" title="{words("watch.page.preview-title")}" src="{source}"></iframe>'
            '<script src="/__live.js"></script></body></html>').encode()


def watch(roots, editions, output: Path, log: Log, port: int = 8000, jobs: int | None = None,
          prog: str = "publish") -> int:
    """Build, then serve and rebuild on every save until interrupted (exit 0)."""
    try:
        watcher = Watcher(roots, editions, output, log, port, jobs, prog)
    except OSError as exc:
        print(f"{prog}: " + text("watch.cannot-serve", address=f"{HOST}:{port}", reason=exc.strerror or exc),
              flush=True, file=log.stream)
        return 2
    def stop_on_terminate(signum, frame):
        raise KeyboardInterrupt
    previous_handler = signal.signal(signal.SIGTERM, stop_on_terminate)
    try:
        watcher.start()
        print(f"{prog}: " + text("watch.serving", url=watcher.url, folders=[str(p) for p in watcher.folders()]),
              file=log.stream, flush=True)
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        signal.signal(signal.SIGTERM, previous_handler)
    log.note(f"{prog}: " + text("watch.stopped"))
    return 0
