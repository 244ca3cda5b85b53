"""One error type for everything an editor can get wrong.

A build collects every problem it can find before it stops, so that an editor
fixes a file in one pass instead of one error per run. Each problem names the
file and line (and column where known), says what is wrong and how to fix it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_PROBLEMS_PER_FILE = 100
"""A broken file (a binary file, a paste gone wrong) can hold a million mistakes;
past this many, one line says how many more there are."""


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str
    hint: str = ""
    column: int | None = None
    severity: str = "error"  # "error" stops the build; "warning" does not

    def __str__(self) -> str:
        where = display_path(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


class ContentError(Exception):
    """Raised with every problem found; the build exits non-zero and writes nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        super().__init__("\n".join(str(p) for p in self.problems))


class ProblemLog:
    """Collects problems while a stage runs; raises them together at its end."""

    def __init__(self) -> None:
        self._listed: list[Problem] = []
        self._per_file: dict[Path, int] = {}
        self._unlisted: dict[tuple[Path, str], int] = {}

    def error(self, path, line, message, hint="", column=None) -> None:
        self._add(Problem(Path(path), line, message, hint, column))

    def warning(self, path, line, message, hint="", column=None) -> None:
        self._add(Problem(Path(path), line, message, hint, column, "warning"))

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
        summaries = [Problem(path, None, f"{count} more {severity}s in this file are not listed",
                             "fix the ones above, then run `build.py check` again", severity=severity)
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
