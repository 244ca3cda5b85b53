"""The command line: `build.py [check|proof|watch] [PUBLICATION ...] [--edition NAME ...] [--clean]`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import ContentError
from .load import find_publications
from .paths import CONTENT, OUTPUT
from .pipeline import Log, build_publication, load
from .render import EDITION_NAMES

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_RENDER = 0, 1, 2, 3
COMMANDS = ("build", "check", "proof", "watch")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="build.py", description="Build the editions of the publications in content/.")
    parser.add_argument("words", nargs="*", metavar="[COMMAND] PUBLICATION",
                        help="an optional command (" + ", ".join(COMMANDS) + "; default build), then publication "
                             "ids or folders (default: every folder in content/)")
    parser.add_argument("--edition", action="append", choices=EDITION_NAMES,
                        help="build only this edition (repeatable); default: all four")
    parser.add_argument("--content", type=Path, default=CONTENT, help="the content folder (default: content/)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the output folder (default: output/)")
    parser.add_argument("--clean", action="store_true",
                        help="ignore what earlier builds left and render everything again (the result is the same)")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="processes for rendering (default: one per core)")
    parser.add_argument("--port", type=int, default=8000,
                        help="watch: the local port to serve on (default 8000; 0 picks a free one)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every step")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    # `build.py gsi-report-2024` reads naturally: a first word that is not a command is a publication.
    words = args.words
    args.command = words[0] if words and words[0] in COMMANDS else "build"
    args.publications = words[1:] if words and words[0] in COMMANDS else words
    return args


def resolve_publications(names, content: Path) -> list[Path]:
    available = {p.name: p for p in find_publications(content)}
    if not names:
        return list(available.values())
    roots = []
    for name in names:
        path = Path(name)
        if (path / "publication.yaml").is_file():
            roots.append(path)
        elif name in available:
            roots.append(available[name])
        else:
            raise SystemExit(f"build.py: no publication `{name}` in {content} "
                             f"(available: {', '.join(sorted(available)) or 'none'})")
    return roots


def main(argv=None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    log = Log(quiet=args.quiet, verbose=args.verbose)
    try:
        roots = resolve_publications(args.publications, args.content)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    if not roots:
        print(f"build.py: no publication found in {args.content} (a folder with a publication.yaml)", file=sys.stderr)
        return EXIT_USAGE
    editions = tuple(args.edition or EDITION_NAMES)
    if args.command == "watch":
        from .watch import watch
        return watch(roots, editions, args.output, log, port=args.port, jobs=args.jobs)
    failed = EXIT_OK
    started = time.perf_counter()
    for root in roots:
        try:
            if args.command == "proof":
                from .proof import contact_sheets
                pub = load(root, Log(quiet=True))
                folder = args.output / pub.meta.id
                for name in ("print.pdf", "screen.pdf"):
                    if not (folder / name).exists():
                        build_publication(root, ("print", "screen"), args.output, log, jobs=args.jobs)
                for sheet in contact_sheets(folder / "print.pdf", folder / "proof"):
                    log.stage(pub.meta.id, "proof", str(sheet))
            elif args.command == "check":
                pub = load(root, log)
                log.stage(pub.meta.id, "check", f"ok: {len(pub.documents)} documents, {len(pub.footnotes)} notes, "
                                                f"{len(pub.figures)} figures")
            else:
                build_publication(root, editions, args.output, log, clean=args.clean, jobs=args.jobs)
        except ContentError as exc:
            for problem in exc.problems:
                log.problem(str(problem))
            print(f"build.py: {root}: {len(exc.problems)} problem(s); nothing was written, "
                  f"the previous editions are unchanged", file=sys.stderr)
            failed = failed or EXIT_CONTENT
        except KeyboardInterrupt:
            print("build.py: interrupted; the previous editions are unchanged", file=sys.stderr)
            return 130
        except Exception as exc:  # a rendering failure: say which publication, keep going
            if args.verbose:
                raise
            print(f"build.py: {root}: rendering failed: {exc.__class__.__name__}: {exc}\n"
                  f"    (run with --verbose for the full trace); the previous editions are unchanged",
                  file=sys.stderr)
            failed = EXIT_RENDER
    if args.command == "build" and not args.quiet and failed == EXIT_OK:
        print(f"build.py: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return failed
