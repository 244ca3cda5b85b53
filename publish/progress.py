"""What a build says while it works: a live line on a terminal, plain lines anywhere else.

On a terminal (the stream is a TTY) the stage at work is one line rewritten in
place — `[gsi-report-2024] pdf    settling notes 3/5 documents (cooperation)` —
and replaced by the stage's summary when the stage ends, so a long build shows
where it is without scrolling. Anywhere else (CI, a file) only the summaries
are printed, one plain `[id] stage message` line each, so logs stay readable
and greppable. `quiet` prints only problems; `verbose` prints every step as a
plain line too.
"""
from __future__ import annotations

import os
import sys
import threading
import unicodedata
import time
from dataclasses import dataclass, field

CLEAR_LINE = "\r\x1b[K"


@dataclass
class Log:
    """Stage summaries, live steps and problems, on stderr by default."""
    quiet: bool = False
    verbose: bool = False
    stream: object = field(default_factory=lambda: sys.stderr)
    live: bool | None = None  # None: live steps exactly when the stream is a terminal

    def __post_init__(self) -> None:
        if self.live is None:
            isatty = getattr(self.stream, "isatty", None)
            self.live = bool(isatty and isatty()) and not self.quiet and not self.verbose
        self._line_open = False
        self._step_started: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def stage(self, pub_id: str, stage: str, message: str) -> None:
        """A stage is done: its summary, on a line of its own."""
        self._step_started.pop((pub_id, stage), None)
        if not self.quiet:
            self._print(_line(pub_id, stage, message))

    def step(self, pub_id: str, stage: str, message: str) -> None:
        """Work in progress inside a stage: the live line on a terminal, a plain line when verbose."""
        if self.quiet:
            return
        started = self._step_started.setdefault((pub_id, stage), time.perf_counter())
        if self.live:
            text = f"{_line(pub_id, stage, message)}  {time.perf_counter() - started:.1f} s"
            with self._lock:
                self.stream.write(CLEAR_LINE + _fit(text, _width(self.stream)))
                self.stream.flush()
                self._line_open = True
        elif self.verbose:
            self._print(_line(pub_id, stage, message))

    def detail(self, pub_id: str, stage: str, message: str) -> None:
        if self.verbose:
            self._print(_line(pub_id, stage, message))

    def problem(self, text: str) -> None:
        self._print(text)

    def note(self, text: str) -> None:
        """A line that is not about one publication (`build.py: done in …`)."""
        if not self.quiet:
            self._print(text)

    def _print(self, text: str) -> None:
        with self._lock:
            if self._line_open:
                self.stream.write(CLEAR_LINE)
                self._line_open = False
            print(text, file=self.stream, flush=True)


def _line(pub_id: str, stage: str, message: str) -> str:
    return f"[{pub_id}] {stage:<6} {message}"


def _fit(text: str, columns: int) -> str:
    """Cut to `columns` terminal cells (a Han character takes two)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > columns:
            return text[:index]
    return text


def _width(stream) -> int:
    """Keep the live line on one terminal row, or `\\r` cannot rewrite it."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, AttributeError, ValueError):
        columns = 0
    return columns - 1 if columns > 20 else 100  # a terminal of unknown size says 0
