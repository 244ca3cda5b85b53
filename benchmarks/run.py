#!/usr/bin/env python3
"""Benchmarks of the build, side by side in one run, printed as figures and ratios against their targets.

    .venv/bin/python benchmarks/run.py                 everything (`make bench`; about 13 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --sizes 1,2     fewer scaling sizes
    .venv/bin/python benchmarks/run.py --skip-scaling  the rest only

Every build runs in a process of its own, as `build.py`, on a copy of the
report in a temporary folder (content/ is only read), with a snapshot of the
code taken at the start (publish/, templates/, styles/, build.py: an edit in
the working tree during the run changes nothing). Times are wall-clock
seconds, with the CPU time (user + system, workers included) beside them:
on a machine shared with other work the wall clock wanders, the CPU time
much less. Every ratio is a median of pairs that see the machine at the same
moment: the overhead of five pairs, each a cold build and then the bare
render; nothing changed of five, each that build and a build after it; an
edit's of three, each the incremental build and the clean build of the same
content; the watch's medians of three saves divide by the median clean build
of the run. Peak memory is the largest resident
set among a build's processes (getrusage of the waited child: its workers
included, not summed).

What is compared:
  overhead     cold build of all editions (`build.py --clean`, empty output/) ÷ a bare
               `weasyprint` render of the same print HTML (the floor for a WeasyPrint pipeline)
  incremental  build after a one-paragraph edit ÷ a cold build of the same content
  preview      watch mode: saving a one-paragraph edit → the chapter preview served, ÷ cold build
  scaling      the report repeated 1×, 2×, 4×, 8×: cold build time and peak memory; 8× ÷ 1× (linear is 8)
  peer         Pandoc's EPUB writer over the same Markdown ÷ our EPUB edition
Each incremental build is also compared with the clean build of the same content, file by file.
"""
from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402  (benchmarks/ is not a package)
from workload import CONTENT, snapshot_code  # noqa: E402

PYTHON = sys.executable
WEASYPRINT = str(Path(sys.executable).with_name("weasyprint"))
PANDOC = "/usr/bin/pandoc"
TARGETS = {"overhead": 1.25, "incremental short": 0.25, "incremental longest": 0.55, "preview short": 0.1,
           "preview longest": 0.35, "nothing changed": 0.04, "scaling": 8.5}
EVENT_SECONDS = 600
# Builds run as on an editor's machine, where Python keeps the compiled modules (__pycache__) after the first
# run: a shell that sets PYTHONDONTWRITEBYTECODE would have every build compile the code again (~0.06 s).
BUILD_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system seconds of the process and its waited children
    peak_mb: float
    returncode: int
    stderr: str

    def __str__(self) -> str:
        return f"{self.seconds:.1f} s ({self.cpu:.1f} s CPU)"


def run(command: list[str], timeout: float = 3600) -> Run:
    """One process, timed; its peak memory from wait4 (its waited children included)."""
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=code_root(), stdout=subprocess.DEVNULL, stderr=err, text=True,
                                   env=BUILD_ENVIRONMENT)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                raise TimeoutError(" ".join(command))
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        result = Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode,
                     err.read())
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result


def code_root() -> Path:
    import publish.paths
    return publish.paths.PROJECT_ROOT


def build(root: Path, output: Path, *options: str) -> Run:
    return run([PYTHON, "build.py", str(root), "--content", str(root.parent), "--output", str(output), *options])


def edition_files(output: Path, pub_id: str) -> dict[str, bytes]:
    folder = output / pub_id
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pdf_line(log: str) -> str:
    """What the build said about its PDFs (`[id] pdf    …`)."""
    return next((line.split(" pdf ", 1)[1].strip() for line in log.splitlines() if "] pdf " in line), "")


def differing_files(a: Path, b: Path, pub_id: str) -> list[str]:
    """The edition files that differ. changes.json is not an edition: it says what this build changed
    against the last one (a clean build has none, and says "first build")."""
    left, right = edition_files(a, pub_id), edition_files(b, pub_id)
    return sorted(n for n in left.keys() | right.keys() if left.get(n) != right.get(n) and n != "changes.json")


# -- the measurements ---------------------------------------------------------------

def bare_render(root: Path, output: Path, work: Path) -> tuple[Run, int]:
    """`weasyprint` on the whole book as one HTML document (workload.bare_book_html), same PDF options."""
    html = work / "print.html"
    html.write_text(workload.bare_book_html(root, output), encoding="utf-8")
    pdf = work / "bare.pdf"
    command = [WEASYPRINT, "--pdf-variant", "pdf/ua-1", "--pdf-tags", "--base-url", code_root().as_uri() + "/",
               str(html), str(pdf)]
    return run(command), pdf_pages(pdf)


OVERHEAD_PAIRS = 5



def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


class Watching:
    """`build.py watch` in a process of its own, and its server-sent events."""

    def __init__(self, root: Path, output: Path):
        self.process = subprocess.Popen([PYTHON, "build.py", "watch", str(root), "--output", str(output),
                                         "--port", "0", "--quiet"], cwd=code_root(), env=BUILD_ENVIRONMENT,
                                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.port = self._port()
        self.events: queue.Queue = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=EVENT_SECONDS)
        self.connection.request("GET", "/__events")
        response = self.connection.getresponse()
        threading.Thread(target=self._read, args=(response,), daemon=True).start()

    def _port(self) -> int:
        deadline = time.monotonic() + EVENT_SECONDS
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            if "serving http://127.0.0.1:" in line:
                return int(line.split("127.0.0.1:")[1].split("/")[0])
        raise RuntimeError("build.py watch did not start serving")

    def _read(self, response) -> None:
        name = None
        try:
            for raw in response.fp:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: ") and name:
                    self.events.put((name, json.loads(line[6:]), time.perf_counter()))
        except (OSError, ValueError):
            pass

    def until(self, name: str, **fields) -> tuple[dict, float]:
        """The next event `name` whose data has these fields, and when it arrived."""
        deadline = time.monotonic() + EVENT_SECONDS
        while time.monotonic() < deadline:
            got, data, when = self.events.get(timeout=EVENT_SECONDS)
            if got == name and all(data.get(k) == v for k, v in fields.items()):
                return data, when
            if got == "failed":
                raise RuntimeError(f"the watched build failed: {data}")
        raise TimeoutError(name)

    def stop(self) -> None:
        self.connection.close()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "cores": str(os.cpu_count()), "cpu": cpu, "ram": f"{memory_kb / 1024 / 1024:.1f} GiB",
            "python": platform.python_version(), "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


# -- the whole run --------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,2,4,8", help="scaling sizes (default 1,2,4,8)")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(tempfile.mkdtemp(prefix="publish-bench-"))
    info = machine()
    print(f"# publish benchmarks — {info['date']}\n{info['cores']} cores, {info['cpu']}, {info['ram']} RAM, "
          f"Python {info['python']}, load average at start {info['load']}\n", flush=True)
    figures: list[tuple[str, str]] = []
    ratios: list[tuple[str, float, float | None, str]] = []  # name, wall-clock ratio, CPU-time ratio, target

    def figure(name: str, value: str) -> None:
        figures.append((name, value))
        print(f"  {name:<66} {value}", flush=True)

    try:
        snapshot_code(work / "code")
        root = workload.copy_report(CONTENT, work / "content" / workload.REPORT_ID)
        out = work / "out"

        # Cold builds and bare WeasyPrint renders of the HTML they laid out, one after the other in pairs:
        # the machine's speed wanders (other work on it), a pair sees the same moment; the median pair counts.
        # After each cold build, a build with nothing changed: its ratio to that cold build, the median of five.
        pairs, unchanged_pairs = [], []
        for _ in range(OVERHEAD_PAIRS):
            cold_run = build(root, out, "--clean", "--quiet")
            unchanged_pairs.append((build(root, out), cold_run))
            bare_run, bare_pages = bare_render(root, out, work)
            pairs.append((cold_run, bare_run))
        pairs.sort(key=lambda pair: pair[0].seconds / pair[1].seconds)
        first_cold, bare = pairs[len(pairs) // 2]
        figure("cold build, all editions (the median pair's)", f"{first_cold}  peak {first_cold.peak_mb:.0f} MB")
        figure("bare `weasyprint` render of the same print HTML (the median pair's)",
               f"{bare}  {bare_pages} pages (ours {pdf_pages(out / workload.REPORT_ID / 'print.pdf')})")
        figure(f"cold ÷ bare, {OVERHEAD_PAIRS} pairs", "  ".join(f"{c.seconds / b.seconds:.2f}" for c, b in pairs))

        unchanged_pairs.sort(key=lambda pair: pair[0].seconds / pair[1].seconds)
        unchanged, unchanged_cold = unchanged_pairs[len(unchanged_pairs) // 2]
        said = "says so" if all("up to date: nothing rendered" in u.stderr for u, _ in unchanged_pairs) \
            else "DID NOT SAY SO"
        figure("build with nothing changed (the median pair's)", f"{unchanged}  renders nothing, {said}")

        # One-paragraph edits, each built incrementally, then cleanly into another folder and compared:
        # REPEATS pairs per chapter (another sentence each time), the median pair's ratio counts.
        colds, incrementals = [cold_run for cold_run, _ in pairs], {}
        for label, (name, after, sentence, *which) in workload.EDITS.items():
            edit_pairs = []
            for sentence in (sentence, *workload.MORE_SENTENCES)[:workload.REPEATS]:
                workload.edit_paragraph(root, name, after, sentence, *which)
                incremental = build(root, out)
                clean = build(root, work / "out-clean", "--clean", "--quiet")
                differ = differing_files(out, work / "out-clean", workload.REPORT_ID)
                edit_pairs.append((incremental, clean, differ))
                colds.append(clean)
            differ = sorted({name for _, _, names in edit_pairs for name in names})
            same = "identical to the clean build" if not differ else f"DIFFERS from the clean build: {differ}"
            edit_pairs.sort(key=lambda pair: pair[0].seconds / pair[1].seconds)
            incremental, clean, _ = edit_pairs[len(edit_pairs) // 2]
            figure(f"edit in the {label}: incremental build (the median pair's)", f"{incremental}  {same}")
            figure("  its PDF stage", pdf_line(incremental.stderr))
            figure("  clean build of the same content", f"{clean}")
            figure(f"  incremental ÷ clean, {len(edit_pairs)} pairs",
                   "  ".join(f"{i.seconds / c.seconds:.2f}" for i, c, _ in edit_pairs))
            incrementals[label] = (incremental, clean)
        cold = min(colds, key=lambda r: r.seconds)
        typical = sorted(colds, key=lambda r: r.seconds)[len(colds) // 2]
        figure("cold build: fastest of the clean builds above", f"{cold}")
        figure("cold build: the median of the clean builds above", f"{typical}  (the watch's denominator)")
        serial = build(root, work / "out-serial", "--clean", "--quiet", "--jobs", "1")
        figure("cold build in one process (--jobs 1)", f"{serial}  two processes save "
               f"{serial.seconds - cold.seconds:.1f} s")
        ratios.append((f"overhead: cold build ÷ bare weasyprint (median of {OVERHEAD_PAIRS} pairs)",
                       first_cold.seconds / bare.seconds, first_cold.cpu / bare.cpu, "overhead"))
        ratios.append((f"nothing changed ÷ cold (median of {OVERHEAD_PAIRS} pairs)",
                       unchanged.seconds / unchanged_cold.seconds, unchanged.cpu / unchanged_cold.cpu,
                       "nothing changed"))
        for label, (incremental, clean) in incrementals.items():
            ratios.append((f"incremental ÷ cold, edit in the {label} (median of {workload.REPEATS} pairs)",
                           incremental.seconds / clean.seconds, incremental.cpu / clean.cpu,
                           f"incremental {label.split()[0]}"))

        # Watch mode: save → chapter preview served; save → every edition rebuilt. REPEATS saves per chapter,
        # the median of each, divided by the median cold build of the run.
        watching = Watching(root, out)
        try:
            for label, (name, after, _, *which) in workload.EDITS.items():
                previews, rebuilds = [], []
                for sentence in (workload.WATCH_EDIT_SENTENCE, *workload.MORE_SENTENCES)[:workload.REPEATS]:
                    workload.edit_paragraph(root, name, after, sentence, *which)
                    saved = time.perf_counter()
                    _, previewed = watching.until("preview", final=False)
                    _, rebuilt = watching.until("rebuilt")
                    watching.until("preview", final=True)  # the document's pages of the new screen.pdf
                    previews.append(previewed - saved)
                    rebuilds.append(rebuilt - saved)
                preview, rebuild = sorted(previews)[len(previews) // 2], sorted(rebuilds)[len(rebuilds) // 2]
                figure(f"watch, edit in the {label}: save → preview", f"{preview:.2f} s  "
                       f"(all editions rebuilt after {rebuild:.2f} s; medians of {len(previews)} saves: "
                       f"{' '.join(f'{p:.2f}' for p in previews)} / {' '.join(f'{r:.2f}' for r in rebuilds)})")
                ratios.append((f"watch: save → preview ÷ cold, edit in the {label}", preview / typical.seconds,
                               None, f"preview {label.split()[0]}"))
                ratios.append((f"watch: save → every edition ÷ cold, edit in the {label}",
                               rebuild / typical.seconds, None, f"incremental {label.split()[0]}"))
        finally:
            watching.stop()

        # The peer: Pandoc's EPUB writer over the same Markdown.
        if Path(PANDOC).exists():
            files = [str(root / name) for name in workload.spine(root)]
            pandoc = run([PANDOC, "--from", "markdown", "--to", "epub3", "--resource-path", str(root),
                          "--output", str(work / "pandoc.epub"), *files])
            (out / workload.REPORT_ID / f"{workload.REPORT_ID}.epub").unlink()
            epub_writer = build(root, out, "--edition", "epub", "--quiet")
            epub_cold = build(root, work / "out-epub", "--edition", "epub", "--clean", "--quiet")
            figure("Pandoc 2 EPUB writer, same Markdown", f"{pandoc}")
            figure("our EPUB, page map current (EPUB writer only)", f"{epub_writer}")
            figure("our EPUB alone from nothing (lays out the PDF for its page-list)", f"{epub_cold}")
            ratios.append(("peer: Pandoc ÷ our EPUB writer", pandoc.seconds / epub_writer.seconds,
                           pandoc.cpu / epub_writer.cpu, ""))
            ratios.append(("peer: Pandoc ÷ our EPUB alone from nothing", pandoc.seconds / epub_cold.seconds,
                           pandoc.cpu / epub_cold.cpu, ""))

        # Scaling: the report repeated.
        if not args.skip_scaling:
            times: dict[int, Run] = {}
            for n in sizes:
                scaled = workload.repeated_report(CONTENT, work / f"x{n}" / workload.REPORT_ID, n)
                times[n] = build(scaled, work / f"x{n}-out", "--clean", "--quiet")
                pages = pdf_pages(work / f"x{n}-out" / workload.REPORT_ID / "print.pdf")
                memory = "" if n != 8 else ("  (target ≤ 1024 MB: met)" if times[n].peak_mb <= 1024 else
                                            "  (target ≤ 1024 MB: MISSED)")
                figure(f"scaling {n}×: cold build", f"{times[n]}  {pages} pages, peak {times[n].peak_mb:.0f} MB{memory}")
            if 1 in times and max(times) > 1:
                top = max(times)
                ratios.append((f"scaling: {top}× ÷ 1× (linear is {top})", times[top].seconds / times[1].seconds,
                               times[top].cpu / times[1].cpu, "scaling" if top == 8 else ""))
    finally:
        if args.keep:
            print(f"\n(kept {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n  {'ratios':<66} {'wall':>6} {'CPU':>6}")
    for name, value, cpu, target in ratios:
        limit = TARGETS.get(target)
        verdict = "" if limit is None else (f"target ≤ {limit:g}: " + ("met" if value <= limit else "MISSED"))
        print(f"  {name:<66} {value:6.2f} {'' if cpu is None else f'{cpu:6.2f}':>6}   {verdict}")
    print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
