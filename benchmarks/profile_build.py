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
    ("the parts of the book laid out and drawn (lay_out_part)", "publish/render/pdf/layout.py", "lay_out_part"),
    ("every WeasyPrint layout", "weasyprint/document.py", "_render"),
    ("  HTML parsing", "weasyprint/__init__.py", "__init__"),
    ("  CSS cascade (computed styles)", "weasyprint/css/__init__.py", "get_all_computed_styles"),
    ("  box tree", "weasyprint/formatting_structure/build.py", "build_formatting_structure"),
    ("  pages made, once or again (pages_made_again)", "publish/render/weasyprint_patches/pages_made_again.py",
     "make_all_pages"),
    ("    of which the page editor looking at them", "publish/render/pdf/page_editor.py", "__call__"),
    ("    of which space shared out on the laid-out pages", "publish/render/pdf/page_editor.py", "finish"),
    ("    of which each page's key and state, left for the next layout", "publish/render/pdf/relayout.py", "left"),
    ("    of which what each page made may have read", "publish/render/pdf/relayout.py", "made"),
    ("the parts drawn as tagged PDF (write_pdf)", "weasyprint/document.py", "write_pdf"),
    ("  drawing the pages", "weasyprint/document.py", "paint"),
    ("  PDF/UA tags", "weasyprint/pdf/tags.py", "add_tags"),
    ("  the faces' stand-ins (each face is subset once, by the assembly)", "weasyprint/pdf/fonts.py",
     "_harfbuzz_subset"),
    ("  serialising (pydyf)", "pydyf/__init__.py", "write"),
    ("running heads and folios (furniture)", "publish/render/pdf/furniture.py", "render_furniture"),
    ("the book assembled from its parts (pikepdf)", "publish/render/pdf/writer.py", "assemble"),
    ("print.pdf: PDF/X-4 and its preflight", "publish/render/pdf/press_file.py", "press_edition"),
    ("  of which the preflight", "publish/render/preflight.py", "preflight"),
    ("screen.pdf cut at the trim", "publish/render/pdf/writer.py", "screen_edition"),
    ("EPUB cover picture", "publish/render/cover.py", "cover_png_from_pdf"),
    ("web edition", "publish/render/web.py", "web_edition"),
    ("EPUB", "publish/render/epub.py", "epub_edition"),
    ("which printed pages changed (the change report)", "publish/changes.py", "pdf_changes"),
    ("load and check the content", "publish/load/publication.py", "load_publication"),
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
