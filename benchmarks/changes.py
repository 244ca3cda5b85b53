#!/usr/bin/env python3
"""What the change report costs a build: reading the new print.pdf and comparing it with the last build's pages.

    .venv/bin/python benchmarks/changes.py             one cold build, one edit (about a minute on 2 cores)

On a copy of the report in a temporary folder, with a snapshot of the code
(benchmarks/workload.py): a cold build (`build.py --clean`, its own process,
as `time build.py gsi-report-2024 --clean -q` would time it), the page
records of its print.pdf stored as JSON, then about ten more lines of text in
the first paragraph of the longest chapter (02-2-cooperation.md, 34 of the 78
pages), which push much of the chapter on, built incrementally. Then, in
this process, the work a build adds for the change report, fastest of five:
load the stored records, read the new print.pdf (pages drawn as before are
taken from the records), compare, write the summary line and changes.json;
and the same with every page read (no records kept: the worst case). For
scale, poppler's `pdftotext -bbox-layout` and pdfplumber read the same PDF.

Target: the change report under 0.05 of a cold build, and under 0.25 s.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402

TARGET_RATIO = 0.05
TARGET_SECONDS = 0.25
CHAPTER = "02-2-cooperation.md"
PUSHING_SENTENCE = ("各方在联合国框架内加强沟通协调，推动以对话协商方式化解分歧，共同维护国际和地区和平稳定，"
                    "携手应对各类传统和非传统安全挑战。") * 8
PLUMBER_PAGES = 6  # pdfplumber is timed on the first pages only, and scaled to the book


def timed_process(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, its children included) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def fastest(work, times: int = 5) -> tuple[float, float]:
    """The fastest wall and CPU seconds of `times` runs of `work`."""
    walls, cpus = [], []
    for _ in range(times):
        cpu, wall = time.process_time(), time.perf_counter()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-changes-") as temp:
        temp = Path(temp)
        code = workload.snapshot_code(temp / "code")
        root = workload.copy_report(workload.CONTENT, temp / workload.REPORT_ID)
        output = temp / "output"
        build = [sys.executable, "build.py", str(root), "--output", str(output), "-q"]
        print(f"cold build of {workload.REPORT_ID} ({os.cpu_count()} cores) …", file=sys.stderr)
        cold_wall, cold_cpu = timed_process(build + ["--clean"], code)
        pdf = output / workload.REPORT_ID / "print.pdf"

        from publish.changes import (PdfChanges, changes_json, compare, load_records, pdf_changes, read_pages,
                                     records_to_json)
        stored = temp / "pages-print.json"
        stored.write_bytes(records_to_json(read_pages(pdf)))

        workload.edit_paragraph(root, CHAPTER, "。", PUSHING_SENTENCE)
        print(f"incremental build after ten lines added to {CHAPTER} …", file=sys.stderr)
        edit_wall, edit_cpu = timed_process(build, code)
        new_pdf = pdf.read_bytes()

        def change_report() -> PdfChanges:  # what a build runs after writing print.pdf
            changes = pdf_changes("print.pdf", new_pdf, stored)
            changes_json([changes])
            return changes

        def every_page_read() -> None:  # the same, with nothing taken from the stored records
            records = read_pages(new_pdf)
            changes_json([PdfChanges("print.pdf", compare(load_records(stored), records), records)])

        first = change_report()
        summary, pages = first.summary, len(first.records)
        before = load_records(stored)
        reused = sum(1 for record in read_pages(new_pdf, previous=before) if record.key in {r.key for r in before})
        report_wall, report_cpu = fastest(change_report)
        read_wall, read_cpu = fastest(lambda: read_pages(new_pdf, previous=before))
        every_wall, every_cpu = fastest(every_page_read)
        compare_wall, compare_cpu = fastest(lambda: compare(before, first.records))
        poppler_wall, _ = fastest(lambda: subprocess.run(["pdftotext", "-bbox-layout", str(pdf), os.devnull],
                                                         check=True), times=1)
        plumber_wall = plumber_seconds(pdf)

    print(f"\n{summary}\n")
    rows = [
        ("cold build, all editions (build.py --clean)", f"{cold_wall:.1f} s", f"{cold_cpu:.1f} s"),
        ("incremental build after the edit", f"{edit_wall:.1f} s", f"{edit_cpu:.1f} s"),
        ("change report: records loaded, print.pdf read, compared, changes.json",
         f"{report_wall:.3f} s", f"{report_cpu:.3f} s"),
        (f"  reading print.pdf ({pages - reused} pages read, {reused} drawn as before)", f"{read_wall:.3f} s",
         f"{read_cpu:.3f} s"),
        ("  comparing", f"{compare_wall:.3f} s", f"{compare_cpu:.3f} s"),
        (f"change report with all {pages} pages read (no stored records to take pages from)", f"{every_wall:.3f} s",
         f"{every_cpu:.3f} s"),
        ("pdftotext -bbox-layout, the same PDF", f"{poppler_wall:.2f} s", ""),
        (f"pdfplumber, the same PDF (first {PLUMBER_PAGES} pages, scaled to {pages})", f"{plumber_wall:.1f} s", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'wall':>9}  {'CPU':>9}")
    for what, wall, cpu in rows:
        print(f"{what:<{width}}  {wall:>9}  {cpu:>9}")
    for label, seconds in (("change report", report_wall), ("with every page read", every_wall)):
        ratio = seconds / cold_wall
        met = "met" if ratio < TARGET_RATIO else "missed"
        print(f"{label} ÷ cold build: {ratio:.4f} (target {TARGET_RATIO}: {met}); "
              f"{seconds:.3f} s (target {TARGET_SECONDS} s: {'met' if seconds < TARGET_SECONDS else 'missed'})")
    return 0


def plumber_seconds(pdf: Path) -> float:
    import pdfplumber
    started = time.perf_counter()
    with pdfplumber.open(pdf) as document:
        for page in document.pages[:PLUMBER_PAGES]:
            page.extract_words()
        count = len(document.pages)
    return (time.perf_counter() - started) * count / PLUMBER_PAGES


if __name__ == "__main__":
    sys.exit(main())
