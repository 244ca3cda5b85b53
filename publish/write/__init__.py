"""Stage 4: put finished editions into output/ without ever leaving a half-written file.

Every file is written to a hidden temporary name in the same folder
(`.print.pdf.k3j2.part`), flushed to disk, then renamed over the old one
(atomic on POSIX). A folder edition (the web edition) is assembled in a
hidden temporary folder and swapped with the old one in one atomic exchange
(Linux `renameat2`), or where that is missing with two renames, which the
next build repairs if a kill falls between them. A build that fails or is
killed before the rename leaves the previous edition as it was; its hidden
leftovers are removed by the next build (`remove_stale_parts`).
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

PART_SUFFIX = ".part"
OLD_SUFFIX = ".old"


def write_file(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent)
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
    _sync_folder(path.parent)


def write_tree(path: Path, files: dict[str, bytes]) -> None:
    """Replace the folder `path` by one holding exactly `files` (relative path → bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent))
    try:
        for relative, data in sorted(files.items()):
            target = staging / _relative_name(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        staging.chmod(0o755)
        if not path.exists():
            os.replace(staging, path)
        elif _exchange(staging, path):
            _remove(staging)  # it now holds the previous edition
        else:
            old = path.with_name(f".{path.name}{OLD_SUFFIX}")
            _remove(old)
            os.replace(path, old)
            os.replace(staging, path)
            _remove(old)
    except BaseException:
        _remove(staging)
        raise
    _sync_folder(path.parent)


def remove_stale_parts(folder: Path) -> None:
    """Clean up after a killed build: delete temporary files, put back a folder caught mid-swap.

    Temporary files are never complete editions. A `.web.old` folder is the
    previous web edition, left only if a build was killed between the two
    renames of a swap: if `web` is missing it is restored, otherwise deleted.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return
    for leftover in sorted(folder.rglob(f".*{PART_SUFFIX}")):
        _remove(leftover)
    for old in sorted(folder.rglob(f".*{OLD_SUFFIX}")):
        live = old.with_name(old.name[1:-len(OLD_SUFFIX)])
        if live.exists():
            _remove(old)
        else:
            os.replace(old, live)


def _relative_name(relative: str) -> PurePosixPath:
    """A name inside the edition's folder: never absolute, never climbing out with `..`."""
    name = PurePosixPath(relative)
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise ValueError(f"refusing to write {relative!r}: not a plain path inside the edition")
    return name


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _sync_folder(folder: Path) -> None:
    """Make a rename durable: without this, a power cut can undo it on some file systems."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
