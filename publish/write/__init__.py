"""Stage 4: put finished editions into output/ without ever leaving a half-written file.

Every file is written to a temporary name in the same folder, flushed to
disk, then renamed over the old one (atomic on POSIX). A folder edition (the
web edition) is assembled in a temporary folder and swapped in with two
renames, so a reader never sees a mix of old and new pages. A build that
fails or is killed before the rename leaves the previous edition as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_file(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        _remove(Path(temp))
        raise


def write_tree(path: Path, files: dict[str, bytes]) -> None:
    """Replace the folder `path` by one holding exactly `files` (relative path → bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        for relative, data in sorted(files.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        staging.chmod(0o755)
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            _remove(old)
            os.replace(path, old)
        os.replace(staging, path)
        if old is not None:
            _remove(old)
    except BaseException:
        _remove(staging)
        raise


def remove_stale_parts(folder: Path) -> None:
    """Temporary files left by a killed build (never complete editions) are deleted."""
    if not Path(folder).is_dir():
        return
    for leftover in Path(folder).rglob(".*.part"):
        _remove(leftover)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
