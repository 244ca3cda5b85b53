"""WeasyPrint's libraries found by one look at the dynamic linker's cache, not by running the compiler.

WeasyPrint 70.0 loads Pango, HarfBuzz, fontconfig and GObject with cffi's
`dlopen`, trying several names for each library, one for each platform
(`weasyprint/text/ffi.py`: `libgobject-2.0-0`, `gobject-2.0-0`, …,
`libgobject-2.0.so.0`). A name that is not a file's is looked for with
`ctypes.util.find_library`, which on Linux runs `ldconfig -p` for each name
and, for a name that is not there, `gcc` and then `ld`; the optional
libraries that are not installed (harfbuzz-vector) go through every name.
Importing WeasyPrint ran 22 lookups and 16 compiler processes: a third of the
import's time (0.15 of 0.37 s), paid by every process that lays out a page —
each build's workers, before their first part.

While `in_force()`, `find_library` answers from the
linker's cache read once (`ldconfig -p`), as its first step does, without the
compiler and linker probes: a library the linker's cache does not list is not
found (cffi then tries WeasyPrint's next name). The package imports WeasyPrint
inside it (`weasyprint_patches/__init__.py`); nothing else changes, and the
libraries loaded are the same files.

Upstream: Kozea/WeasyPrint#1125 ("Why is weasyprint exec'ing gcc?") and #2073
(import time); WeasyPrint could try the platform's own file names first.
"""
from __future__ import annotations

import ctypes.util
import os
import re
import subprocess
from contextlib import contextmanager

UPSTREAM = "https://github.com/Kozea/WeasyPrint/issues/1125"
LDCONFIG = ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")


def _linker_cache() -> str:
    """`ldconfig -p`: each library the dynamic linker knows, with its file."""
    for command in LDCONFIG:
        try:
            return subprocess.run([command, "-p"], capture_output=True, text=True, timeout=30,
                                  env={**os.environ, "LC_ALL": "C", "LANG": "C"}).stdout
        except (OSError, subprocess.SubprocessError):
            continue
    return ""


def _abi() -> str:
    """The linker cache's name for this process's architecture, as ctypes.util reads it."""
    machine = os.uname().machine + ("-64" if ctypes.sizeof(ctypes.c_void_p) == 8 else "-32")
    return {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
            "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")


def _finder(listing: str):
    found: dict[str, str | None] = {}
    abi = _abi()

    def find_library(name: str) -> str | None:
        """ctypes.util.find_library's answer from the linker's cache (its expression, on `ldconfig -p`)."""
        if name not in found:
            match = re.search(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), re.escape(abi)), listing)
            found[name] = match.group(1) if match else None
        return found[name]
    return find_library


@contextmanager
def in_force():
    if os.name != "posix":
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = _finder(_linker_cache())
    try:
        yield
    finally:
        ctypes.util.find_library = original
