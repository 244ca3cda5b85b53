#!/usr/bin/env python3
"""Where a build's time goes: one cold build of the report (or an incremental one) under cProfile.

    .venv/bin/python benchmarks/profile_build.py          cold build, all editions
    .venv/bin/python benchmarks/profile_build.py --edit   a one-paragraph edit, built incrementally

One process and one job, so the profile sees every layout; on a copy of the
report and a snapshot of the code in a temporary folder. Prints the build's
own stage timings, then the time spent in each phase (inclusive time of the
functions that do it; the profiler's overhead inflates the seconds, the
shares hold), then the functions with the most cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402

# What to show: (label, where the function lives, its name); times are inclusive (callees counted).
PHASES = (
    ("whole build", "publish/pipeline.py", "run"),
    ("documents laid out alone, to settle their notes", "publish/incremental.py", "settle_seed"),
    ("the book: layout and both PDFs (render_pdfs)", "publish/render/pdf.py", "render_pdfs"),
    ("every WeasyPrint layout (lone documents and book)", "weasyprint/document.py", "_render"),
    ("  HTML parsing", "weasyprint/__init__.py", "__init__"),
    ("  CSS cascade (computed styles)", "weasyprint/css/__init__.py", "get_all_computed_styles"),
    ("  box tree", "weasyprint/formatting_structure/build.py", "build_formatting_structure"),
    ("  pagination and line breaking", "weasyprint/layout/__init__.py", "layout_document"),
    ("writing the print PDF (WeasyPrint)", "weasyprint/document.py", "write_pdf"),
    ("  drawing the pages", "weasyprint/document.py", "paint"),
    ("    of which crop marks (an SVG per page)", "weasyprint/svg/__init__.py", "draw"),
    ("  PDF/UA tags", "weasyprint/pdf/tags.py", "add_tags"),
    ("  font subsetting", "weasyprint/pdf/fonts.py", "_harfbuzz_subset"),
    ("  serialising (pydyf)", "pydyf/__init__.py", "write"),
    ("page labels, screen crop (pikepdf)", "publish/render/pdf.py", "_finish"),
    ("EPUB cover picture", "publish/render/cover.py", "render_cover_png"),
    ("web edition", "publish/render/web.py", "render_web"),
    ("EPUB", "publish/render/epub.py", "render_epub"),
    ("load", "publish/pipeline.py", "load"),
    ("keys and plan (digests, fc-list)", "publish/incremental.py", "seed_plan"),
)


def phases_table(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    """Each phase's inclusive seconds and number of calls."""
    rows = []
    for label, place, name in PHASES:
        seconds, calls = 0.0, 0
        for (filename, _, function), (_, primitive_calls, _, cumulative, _) in stats.stats.items():
            if function == name and place in filename:
                seconds += cumulative
                calls += primitive_calls
        rows.append((label, seconds, calls))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edit", action="store_true", help="profile an incremental build after an edit")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="publish-profile-"))
    workload.snapshot_code(work / "code")
    from publish.pipeline import Log, build_publication
    try:
        root = workload.copy_report(workload.CONTENT, work / workload.REPORT_ID)
        output = work / "out"
        if args.edit:
            build_publication(root, output=output, log=Log(quiet=True), jobs=1)
            name, after, sentence = next(iter(workload.EDITS.values()))
            workload.edit_paragraph(root, name, after, sentence)
        profiler = cProfile.Profile()
        profiler.enable()
        result = build_publication(root, output=output, log=Log(quiet=True), jobs=1, clean=not args.edit)
        profiler.disable()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stats = pstats.Stats(profiler)
    print("stages (s, under the profiler):", ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items()))
    print(f"parts laid out: {', '.join(f'{k} ({v})' for k, v in result.laid_out.items()) or 'none'}\n")
    rows = phases_table(stats)
    total = rows[0][1]
    print(f"{'where the time goes (inclusive; the profiler inflates seconds, shares hold)':<74} {'s':>6} "
          f"{'share':>6} {'calls':>6}")
    for label, seconds, calls in rows:
        print(f"{label:<74} {seconds:6.1f} {seconds / total:6.0%} {calls:6d}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print("\n" + out.getvalue().split("\n", 4)[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
