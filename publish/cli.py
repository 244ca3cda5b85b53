"""The command line: `publish COMMAND [PUBLICATION ...] [options]`, and `build.py`, the same code.

    publish build [PUBLICATION ...] [--edition NAME ...] [--clean] [--jobs N] [--strict]
    publish check [PUBLICATION ...] [--strict]
    publish watch [PUBLICATION ...] [--edition NAME ...] [--port N] [--jobs N]
    publish proof [PUBLICATION ...] [--jobs N]
    publish new ID [--layout report|article] [--title TEXT]

Each command has its own options (`publish check --port 1` is a usage error)
and its own `--help`; every command takes `--lang zh|en`, and the reading
commands `--content`, `--output`, `--quiet` and `--verbose`. `build.py`
is `publish build` when its first word is not a command, as it always was.

A publication is named by its id or by its folder (in the content folder, or
any path). The publications of one command (every one in the content folder,
and those named) must each have an id, and an identifier, of their own: a
copy that kept the original's would write over the original's editions.

Exit status: 0 done; 1 a content problem (nothing written); 2 a usage error;
3 a rendering failure.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem, ProblemLog, display_path
from .load import CONFIG_NAME, find_publications
from .load.schema import PUBLICATION_FIELDS
from .load.text_file import read_text
from .load.yaml_source import parse_yaml_mapping
from .messages import (LANGUAGES, closest, language_from_environment, say, set_language, text)
from .progress import Log
from .render import EDITION_NAMES

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_RENDER = 0, 1, 2, 3
COMMANDS = ("build", "check", "watch", "proof", "new")
LAYOUTS = ("report", "article")
PUBLICATION_ID = re.compile(PUBLICATION_FIELDS["id"].pattern)


class UsageError(Exception):
    """A command line that cannot be run: said in the language in use, exit 2."""

    def __init__(self, said, command: str | None = None):
        super().__init__(str(said))
        self.said, self.command = said, command


# -- parsing ---------------------------------------------------------------------------------------------

class HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, text("cli.usage-prefix") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse, with its own words replaced by the catalogue's, and errors raised instead of printed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, formatter_class=HelpFormatter, add_help=False, allow_abbrev=False, **kwargs)
        self._positionals.title = text("cli.positionals")
        self._optionals.title = text("cli.options")
        self.add_argument("-h", "--help", action="help", help=text("cli.help"))

    def error(self, message):
        command = self.prog.split()[-1] if " " in self.prog else None  # a subcommand's parser: `publish check`
        raise UsageError(_usage_problem(message), command)


def _usage_problem(message: str):
    """argparse's English (Python 3.11 wording) said from the catalogue; anything else kept as it is."""
    argument = re.fullmatch(r"argument (\S+): (.*)", message, re.S)
    option, detail = (argument.group(1), argument.group(2)) if argument else ("", message)
    if detail == "expected one argument":
        return say("cli.missing-value", option=option)
    invalid = re.fullmatch(r"invalid choice: (.+?) \(choose from (.*)\)", detail)
    if invalid:
        value, choices = invalid.group(1).strip("'"), [c.strip(" '") for c in invalid.group(2).split(",")]
        near = closest(value, choices)
        return say("cli.bad-choice", option=option, value=value, choices=choices,
                   suggestion=say("cli.suggestion", suggestion=say("hint.did-you-mean-alone", name=near)) if near else "")
    unknown = re.fullmatch(r"unrecognized arguments: (.*)", detail)
    if unknown:
        return say("cli.unknown-argument", arguments=unknown.group(1), where="")
    required = re.fullmatch(r"the following arguments are required: (.*)", detail)
    if required:
        return say("cli.missing-argument", arguments=required.group(1))
    return (f"{option}: " if option else "") + detail  # the type functions below raise the catalogue's words


def _jobs(value: str) -> int:
    number = _whole_number(value)
    if number < 1:
        raise argparse.ArgumentTypeError(text("cli.jobs-positive", value=number))
    return number


def _port(value: str) -> int:
    number = _whole_number(value)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(text("cli.port-range", value=number))
    return number


def _whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(text("cli.bad-number", value=value)) from None


def build_parser(prog: str) -> Parser:
    parser = Parser(prog=prog, description=text("cli.description"), epilog=text("cli.epilog"))
    parser.add_argument("--version", action=_Version, nargs=0, help=text("cli.version"))
    parser.add_argument("--lang", choices=LANGUAGES, help=text("cli.lang"))
    commands = parser.add_subparsers(dest="command", title=text("cli.commands"), metavar="COMMAND")

    def command(name: str, *, reading: bool = True) -> Parser:
        sub = commands.add_parser(name, help=text(f"cli.{name}"), description=text(f"cli.{name}.description"),
                                  epilog=text("cli.epilog"))
        sub.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=text("cli.lang"))
        sub.add_argument("--content", type=Path, default=None, metavar="FOLDER", help=text("cli.content"))
        if reading:
            sub.add_argument("publications", nargs="*", metavar="PUBLICATION", help=text("cli.publications"))
            sub.add_argument("--output", type=Path, default=None, metavar="FOLDER", help=text("cli.output"))
            sub.add_argument("--verbose", "-v", action="store_true", help=text("cli.verbose"))
        sub.add_argument("--quiet", "-q", action="store_true", help=text("cli.quiet"))
        return sub

    build = command("build")
    build.add_argument("--edition", action="append", choices=EDITION_NAMES, help=text("cli.edition"))
    build.add_argument("--clean", action="store_true", help=text("cli.clean"))
    build.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help=text("cli.jobs"))
    build.add_argument("--strict", action="store_true", help=text("cli.strict"))
    check = command("check")
    check.add_argument("--strict", action="store_true", help=text("cli.strict"))
    watch = command("watch")
    watch.add_argument("--edition", action="append", choices=EDITION_NAMES, help=text("cli.edition"))
    watch.add_argument("--port", type=_port, default=8000, metavar="N", help=text("cli.port"))
    watch.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help=text("cli.jobs"))
    proof = command("proof")
    proof.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help=text("cli.jobs"))
    proof.add_argument("--changed", action="store_true", help=text("cli.proof-changed"))
    new = command("new", reading=False)
    new.add_argument("id", metavar="ID", help=text("cli.new.id"))
    new.add_argument("--layout", choices=LAYOUTS, default="report", help=text("cli.new.layout"))
    new.add_argument("--title", default=None, help=text("cli.new.title"))
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("publish")
    except PackageNotFoundError:
        return "(source)"


class _Version(argparse.Action):
    """`--version`: the version is looked up when asked for (reading the package metadata takes every
    other command a few hundredths of a second for nothing)."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {_version()}")  # on stdout, as argparse's own version action
        parser.exit()


def requested_language(argv: list[str]) -> str | None:
    """The language `--lang` asks for, read before anything else so that every message is in it."""
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1] if argv[index + 1] in LANGUAGES else None
        if word.startswith("--lang="):
            return word.split("=", 1)[1] if word.split("=", 1)[1] in LANGUAGES else None
    return None


def _command_position(argv: list[str]) -> int:
    """Where the command word is (or would be): after the options that come before any command."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--lang":
            index += 2
        elif word.startswith("--lang="):
            index += 1
        else:
            break
    return index


def parse_args(argv: list[str], prog: str = "publish", implicit_build: bool = False) -> argparse.Namespace:
    """The parsed command line; `implicit_build`: a first word that is not a command means `build` (build.py)."""
    position = _command_position(argv)
    first = argv[position] if position < len(argv) else None
    top_level = ("-h", "--help", "--version")
    if implicit_build and first not in COMMANDS and first not in top_level:
        argv = argv[:position] + ["build"] + argv[position:]
        first = "build"
    parser = build_parser(prog)
    if first is None:
        raise UsageError(say("cli.no-command", commands=list(COMMANDS)))
    if first not in COMMANDS and first not in top_level:
        if first.startswith("-"):
            parser.parse_args(argv[position:position + 1])  # an option of the top level, or an unknown one
        near = closest(first, COMMANDS)
        raise UsageError(say("cli.unknown-command", word=first, commands=list(COMMANDS),
                             suggestion=say("cli.suggestion", suggestion=say("hint.did-you-mean-alone", name=near))
                             if near else ""))
    args, extras = parser.parse_known_args(argv)
    if extras:
        raise UsageError(say("cli.unknown-argument", arguments=" ".join(extras),
                             where=say("cli.unknown-argument-where", command=args.command)), args.command)
    return args


# -- which publications ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    """What tells one publication from another: its folder, its `id:` and `identifier:`, with their lines."""
    root: Path
    id: str | None
    id_line: int
    identifier: str | None
    identifier_line: int

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def key(self) -> Path:
        return self.root.resolve()


def read_identity(root: Path) -> Identity:
    """The id and identifier as written, or None where they cannot be read (the load will say why)."""
    log = ProblemLog()
    config = root / CONFIG_NAME
    content = read_text(config, log)
    located = parse_yaml_mapping(content, config, log, what=CONFIG_NAME) if content is not None else None
    values = located.values if located is not None else {}

    def written(key: str):
        value = values.get(key)
        return (value if isinstance(value, str) and value else None), (located.line_of(key) if located else 1)
    return Identity(root, *written("id"), *written("identifier"))


def select_publications(names: list[str], content: Path) -> tuple[list[Path], dict[Path, list[Problem]]]:
    """The publications asked for (by id or folder; none: all of the content folder), and each one's
    identity problems: an id or identifier that another publication of this command has too."""
    in_content = [read_identity(root) for root in find_publications(content)]
    by_folder = {identity.root.name: identity for identity in in_content}
    chosen: list[Identity] = []
    for name in names:
        path = Path(name)
        if (path / CONFIG_NAME).is_file():
            found = [next((i for i in in_content if i.key == path.resolve()), None) or read_identity(path)]
        elif name in by_folder:
            found = [by_folder[name]]
        else:
            found = [identity for identity in in_content if identity.id == name]
        if not found:
            candidates = sorted(set(by_folder) | {i.id for i in in_content if i.id})
            near = closest(name, candidates)
            raise UsageError(say("cli.no-such-publication", name=name, content=display_path(content),
                                 available=sorted(by_folder) or say("cli.none"),
                                 suggestion=say("cli.suggestion", suggestion=say("hint.did-you-mean-alone", name=near))
                                 if near else ""))
        chosen += [identity for identity in found if identity.key not in {c.key for c in chosen}]
    if not names:
        chosen = in_content
    known = {identity.key: identity for identity in in_content + chosen}
    problems = {identity.root: identity_problems(identity, known.values()) for identity in chosen}
    return [identity.root for identity in chosen], problems


def identity_problems(identity: Identity, known) -> list[Problem]:
    problems = []
    for other in known:
        if other.key == identity.key:
            continue
        if identity.id and other.id == identity.id:
            problems.append(Problem(identity.config, identity.id_line, say(
                "publication.same-id", id=identity.id, other=f"{display_path(other.config)}:{other.id_line}")))
        if identity.identifier and other.identifier == identity.identifier:
            problems.append(Problem(identity.config, identity.identifier_line, say(
                "publication.same-identifier", identifier=identity.identifier,
                other=f"{display_path(other.config)}:{other.identifier_line}", fresh=uuid.uuid4())))
    return problems


# -- the commands --------------------------------------------------------------------------------------------

def publish_command() -> int:
    """The `publish` console script and `python -m publish`: a command word is required."""
    return main(sys.argv[1:], prog="publish", implicit_build=False)


def main(argv=None, project: Path | None = None, prog: str = "publish", implicit_build: bool = True) -> int:
    """Run one command line; `project` holds content/ and output/ (default: the working folder).

    `implicit_build`: a first word that is not a command means `build`, as build.py has always taken it
    (and as `main([...])` did for callers of this function).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(requested_language(argv) or language_from_environment())
    try:
        args = parse_args(argv, prog, implicit_build)
    except UsageError as error:
        print(text("cli.usage-error", prog=prog, problem=error.said), file=sys.stderr)
        print(text("cli.usage-hint", prog=f"{prog} {error.command}" if error.command else prog), file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else EXIT_OK
    project = Path.cwd() if project is None else Path(project)
    args.prog = prog
    args.content = args.content or project / "content"
    if hasattr(args, "output"):
        args.output = args.output or project / "output"
    run = {"build": run_build, "check": run_build, "proof": run_build, "watch": run_watch, "new": run_new}
    try:
        return run[args.command](args)
    except UsageError as error:
        print(text("cli.usage-error", prog=prog, problem=error.said), file=sys.stderr)
        return EXIT_USAGE


def _selected(args):
    roots, identity = select_publications(args.publications, args.content)
    if not roots:
        raise UsageError(say("cli.no-publications", content=display_path(args.content)))
    return roots, identity


def run_watch(args) -> int:
    log = Log(quiet=args.quiet, verbose=args.verbose)
    roots, identity = _selected(args)
    failed = EXIT_OK
    for root in [r for r in roots if identity[r]]:
        _report(args, log, root, identity[root] + _load_problems(root))
        failed = EXIT_CONTENT
    if failed:
        return failed
    from .watch import watch
    return watch(roots, tuple(args.edition or EDITION_NAMES), args.output, log, port=args.port, jobs=args.jobs,
                 prog=args.prog)


class Terminated(KeyboardInterrupt):
    """SIGTERM (what `timeout`, a CI cancel and `docker stop` send), handled as Ctrl-C is: the build stops
    its workers, removes its hidden files and says what it left."""


def _raise_terminated(signum, frame):
    raise Terminated()


def run_build(args) -> int:
    """`build`, `check` and `proof`: each publication in turn; one that fails does not stop the others."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return _run_build(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_build(args) -> int:
    from .pipeline import build_publication, cache_folder, load
    log = Log(quiet=args.quiet, verbose=args.verbose)
    roots, identity = _selected(args)
    editions = tuple(getattr(args, "edition", None) or EDITION_NAMES)
    strict = getattr(args, "strict", False)
    failed = EXIT_OK
    started = time.perf_counter()
    for root in roots:
        try:
            if identity[root]:
                # Another publication has this one's id: report it with the rest of what is wrong, build nothing.
                _report(args, log, root, identity[root] + _load_problems(root))
                failed = failed or EXIT_CONTENT
                continue
            if args.command == "check" or strict:
                from .load import load_publication
                problems = ProblemLog()
                try:
                    pub = load_publication(root, problems)
                finally:
                    for warning in problems.warnings:
                        log.problem(str(warning))
                if strict and problems.warnings:
                    print(text("cli.strict-warnings", root=display_path(root), count=len(problems.warnings)),
                          file=sys.stderr)
                    failed = failed or EXIT_CONTENT
                    continue
                if args.command == "check":
                    log.stage(pub.meta.id, "check", text("cli.check-ok", documents=len(pub.documents),
                                                         notes=len(pub.footnotes), figures=len(pub.figures)))
                    continue
            if args.command == "proof":
                from .proof import changed_pages_sheets, contact_sheets
                pub = load(root, Log(quiet=True))
                folder = args.output / pub.meta.id
                if not all((folder / name).exists() for name in ("print.pdf", "screen.pdf")):
                    build_publication(root, ("print", "screen"), args.output, log, jobs=args.jobs)
                if getattr(args, "changed", False):
                    sheets = changed_pages_sheets(folder / "screen.pdf", cache_folder(pub.meta.id, args.output),
                                                  folder / "proof")
                    if not sheets:
                        log.stage(pub.meta.id, "proof", text("cli.proof-nothing-changed"))
                else:
                    sheets = contact_sheets(folder / "screen.pdf", folder / "proof")
                for sheet in sheets:
                    log.stage(pub.meta.id, "proof", str(sheet))
            else:
                build_publication(root, editions, args.output, log, clean=args.clean, jobs=args.jobs,
                                  strict=strict)
        except ContentError as exc:
            _report(args, log, root, exc.problems, already_shown=True, editions=_editions_after(exc))
            failed = failed or EXIT_CONTENT
        except KeyboardInterrupt as exc:
            print(f"{args.prog}: {text('cli.interrupted', editions=_editions_after(exc))}", file=sys.stderr)
            return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)
        except Exception as exc:  # a rendering failure: say which publication, keep going
            if args.verbose:
                raise
            if isinstance(exc, OSError) and exc.filename:
                message = text("cli.cannot-write", root=display_path(root), path=exc.filename,
                               reason=exc.strerror or exc.__class__.__name__, editions=_editions_after(exc))
            else:
                message = text("cli.rendering-failed", root=display_path(root),
                               error=f"{exc.__class__.__name__}: {exc}", editions=_editions_after(exc))
            print(f"{args.prog}: {message}", file=sys.stderr)
            failed = EXIT_RENDER
    if args.command == "build" and not args.quiet and failed == EXIT_OK:
        print(f"{args.prog}: {text('cli.done', seconds=f'{time.perf_counter() - started:.1f}')}", file=sys.stderr)
    return failed


def _load_problems(root: Path) -> list[Problem]:
    from .load import load_publication
    problems = ProblemLog()
    try:
        load_publication(root, problems)
    except ContentError:
        pass
    return problems.items


def _report(args, log: Log, root: Path, problems: list[Problem], already_shown: bool = False,
            editions: str | None = None) -> None:
    """Every problem (errors; warnings when not already shown by the load), then one line saying what it means."""
    for problem in problems:
        if problem.severity == "error" or not already_shown:
            log.problem(str(problem))
    errors = [p for p in problems if p.severity == "error"]
    print(f"{args.prog}: " + text("cli.content-problems", root=display_path(root), count=len(errors),
                                  editions=editions or text("cli.editions-unchanged")), file=sys.stderr)


def _editions_after(exc: BaseException) -> str:
    """What a failed build left of the previous editions, as the build found it on disk after failing."""
    replaced = getattr(exc, "replaced_editions", [])
    if not replaced:
        return text("cli.editions-unchanged")
    return text("cli.editions-replaced", names=", ".join(replaced))


# -- publish new ---------------------------------------------------------------------------------------------

STARTERS = Path(__file__).resolve().parent / "starters"
"""The starter files of each layout, shipped inside the package."""

CHINESE_DIGITS = "〇一二三四五六七八九"


def run_new(args) -> int:
    from string import Template
    pub_id = args.id
    if not PUBLICATION_ID.fullmatch(pub_id):
        raise UsageError(say("cli.new.bad-id", id=pub_id))
    folder = args.content / pub_id
    if folder.exists():
        raise UsageError(say("cli.new.exists", folder=display_path(folder)))
    for identity in (read_identity(root) for root in find_publications(args.content)):
        if identity.id == pub_id:
            raise UsageError(say("cli.new.id-taken", id=pub_id, other=display_path(identity.config)))
    today = time.gmtime(_now())
    values = {
        "id": pub_id, "identifier": f"urn:uuid:{uuid.uuid4()}",
        "title": args.title or ("报告标题" if args.layout == "report" else "文章标题"),
        "date": f"{today.tm_year:04d}-{today.tm_mon:02d}" if args.layout == "report"
        else f"{today.tm_year:04d}-{today.tm_mon:02d}-{today.tm_mday:02d}",
        "date_display": _chinese_year_month(today) if args.layout == "report"
        else f"{today.tm_year}年{today.tm_mon}月{today.tm_mday}日",
    }
    starter = STARTERS / args.layout
    staging = args.content / f".{pub_id}.new"
    if staging.exists():  # left by an interrupted `publish new`
        import shutil
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for source in sorted(starter.rglob("*")):
        target = staging / source.relative_to(starter)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif source.suffix in (".yaml", ".md"):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
    (staging / "images").mkdir(exist_ok=True)
    staging.rename(folder)  # the folder appears whole, or not at all
    if not args.quiet:
        print(text("cli.new.created", folder=display_path(folder), layout=args.layout, id=pub_id), file=sys.stderr)
    return EXIT_OK


def _now() -> float:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return float(epoch) if epoch.isdigit() else time.time()


def _chinese_year_month(date: time.struct_time) -> str:
    """二〇二五年七月, as the report's title page prints a date."""
    year = "".join(CHINESE_DIGITS[int(d)] for d in str(date.tm_year))
    months = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    return f"{year}年{months[date.tm_mon - 1]}月"
