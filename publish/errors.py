"""One error type for everything an editor can get wrong.

A build collects every problem it can find before it stops, so that an editor
fixes a file in one pass instead of one error per run. Each problem names the
file and line (and column where known), says what is wrong and how to fix it.
The words come from the message catalogue (publish/messages.py), in the
language in use when the problem is shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .messages import Literal, Message, current_language, say

MAX_PROBLEMS_PER_FILE = 100
"""A broken file (a binary file, a paste gone wrong) can hold a million mistakes;
past this many, one line says how many more there are."""


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    said: Message | Literal  # what is wrong and how to fix it, in every language
    column: int | None = None
    severity: str = "error"  # "error" stops the build; "warning" does not

    @classmethod
    def plain(cls, path, line, message: str, hint: str = "", severity: str = "error") -> "Problem":
        """A problem in words the catalogue does not hold (the same in every language)."""
        return cls(Path(path), line, Literal(message, hint), None, severity)

    @property
    def message(self) -> str:
        return self.said.text()

    @property
    def hint(self) -> str:
        return self.said.fix()

    @property
    def message_id(self) -> str | None:
        return getattr(self.said, "id", None)

    def render(self, language: str | None = None) -> str:
        """`file:line:column: error: what is wrong` and, on the next line, `fix: how to fix it`."""
        language = language or current_language()
        where = display_path(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        separator = say("label.separator").text(language)
        label = say(f"label.{self.severity}").text(language)
        # Chinese puts its full-width colon straight after the label; the location keeps ASCII `: ` so that
        # editors and terminals still recognise `file:line:`.
        text = f"{where}: {label}{separator}{self.said.text(language)}"
        fix = self.said.fix(language)
        if fix:
            text += f"\n    {say('label.fix').text(language)}{separator}{fix}"
        return text

    def __str__(self) -> str:
        return self.render()


class ContentError(Exception):
    """Raised with every problem found; the build exits non-zero and writes nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        super().__init__("\n".join(str(p) for p in self.problems))


def _said(message, hint) -> Message | Literal:
    return message if isinstance(message, (Message, Literal)) else Literal(str(message), str(hint or ""))


class ProblemLog:
    """Collects problems while a stage runs; raises them together at its end.

    `message` is a catalogue message (`say(...)`, which carries its own fix);
    plain words with a `hint` are accepted too and shown as written.
    """

    def __init__(self) -> None:
        self._listed: list[Problem] = []
        self._per_file: dict[Path, int] = {}
        self._unlisted: dict[tuple[Path, str], int] = {}

    def error(self, path, line, message, hint="", column=None) -> None:
        self._add(Problem(Path(path), line, _said(message, hint), column))

    def warning(self, path, line, message, hint="", column=None) -> None:
        self._add(Problem(Path(path), line, _said(message, hint), column, "warning"))

    def _add(self, problem: Problem) -> None:
        count = self._per_file.get(problem.path, 0) + 1
        self._per_file[problem.path] = count
        if count <= MAX_PROBLEMS_PER_FILE:
            self._listed.append(problem)
        else:
            key = (problem.path, problem.severity)
            self._unlisted[key] = self._unlisted.get(key, 0) + 1

    @property
    def items(self) -> list[Problem]:
        """Every problem in the order found, then one line per file for those not listed."""
        summaries = [Problem(path, None, say(f"problems.more-{severity}s", count=count), severity=severity)
                     for (path, severity), count in self._unlisted.items()]
        return self._listed + summaries

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity != "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ContentError(self.items)


def display_path(path: Path) -> str:
    """Paths relative to the working directory read better in messages."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def shown(value, limit: int = 60) -> str:
    """A value as quoted in a message: on one line, and cut short if it is long."""
    text = " ".join(str(value).split()) if not isinstance(value, str) else value.replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"
