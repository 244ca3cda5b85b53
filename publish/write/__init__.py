"""Stage 4: the editions of a publication replaced all together, or not at all.

A build first writes every new edition beside the old ones under a hidden
name (`.print.pdf.k3j2.part`, a `.web.x81.part/` folder), each file flushed
to disk, and the build record (the cache's manifest) the same way. Only when
all are complete does it write a journal (`.replacing.json`) listing the
renames, then performs them and removes the journal. A build that fails or is
killed before the journal leaves the previous editions and record exactly
as they were (its hidden files are removed by the next build); one killed
while renaming leaves the journal, and the next build finishes the renames
before anything else — so the editions and their record always belong to
one build, never to two.

Files are written 0644 and folders 0755 whatever the umask: an edition is
meant to be copied and served.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

PART_SUFFIX = ".part"
OLD_SUFFIX = ".old"
JOURNAL = ".replacing.json"
FILE_MODE, FOLDER_MODE = 0o644, 0o755


def write_file(path: Path, data: bytes, durable: bool = True) -> None:
    """Write one file whole: to a hidden name in its folder, flushed, then renamed over the old one.
    `durable` False: not flushed to the disk (a file that can tell when it is damaged, a cache's)."""
    path = Path(path)
    _make_folder(path.parent)
    temp = _stage_file(path, data, durable)
    try:
        os.replace(temp, path)
    except BaseException:
        _remove(temp)
        raise
    if durable:
        _sync_folder(path.parent)


class EditionSet:
    """The new editions of one publication, staged, then put in place together (`commit`)."""

    def __init__(self, folder: Path, also: tuple[Path, ...] = ()):
        self.folder = Path(folder)
        self.also = tuple(Path(f) for f in also)  # other folders a build stages into (the cache's record)
        self.staged: list[tuple[Path, Path]] = []  # (hidden new file or folder, where it goes)

    def recover(self) -> None:
        """Finish the renames a build killed while replacing left in its journal; remove its leftovers."""
        journal = self.folder / JOURNAL
        if journal.exists():
            try:
                entries = json.loads(journal.read_text(encoding="utf-8"))
                moves = [(Path(new), Path(final)) for new, final in entries]
            except (OSError, ValueError, TypeError):
                moves = []  # a journal is written whole before any rename: a broken one means none began
            for new, final in moves:
                _move_into_place(new, final)
            journal.unlink(missing_ok=True)
        for folder in (self.folder, *self.also):
            if folder.is_dir():
                for leftover in sorted(folder.glob(f".*{PART_SUFFIX}")) + sorted(folder.glob(f".*{OLD_SUFFIX}")):
                    _remove(leftover)

    def stage_file(self, path: Path, data: bytes) -> None:
        path = Path(path)
        _make_folder(path.parent)
        self.staged.append((_stage_file(path, data), path))

    def stage_tree(self, path: Path, files: dict[str, bytes]) -> None:
        """A folder holding exactly `files` (relative path → bytes), to replace `path`."""
        path = Path(path)
        _make_folder(path.parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent))
        self.staged.append((staging, path))
        os.chmod(staging, FOLDER_MODE)
        for relative, data in sorted(files.items()):
            target = staging / _relative_name(relative)
            _make_folder(target.parent)
            with open(target, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(target, FILE_MODE)

    def commit(self) -> None:
        """Put every staged file in place: journal first, then the renames, then no journal."""
        if not self.staged:
            return
        journal = self.folder / JOURNAL
        entries = [[str(new), str(final)] for new, final in self.staged]
        write_file(journal, json.dumps(entries, ensure_ascii=False).encode("utf-8"))
        # From here the new set is the one: what a failure leaves undone, the journal finishes.
        staged, self.staged = self.staged, []
        for new, final in staged:
            _move_into_place(new, final)
            _sync_folder(final.parent)
        journal.unlink()
        _sync_folder(self.folder)

    def abort(self) -> None:
        """Remove what was staged, if the renames have not begun (after that, the journal owns it)."""
        for new, _ in self.staged:
            _remove(new)
        self.staged = []


def editions_state(folder: Path) -> dict[str, tuple]:
    """What identifies each visible file of `folder` on disk (inode, size, time): a renamed-in file differs.

    Taken before a build and again after it fails, so that what the build says
    of the previous editions ("unchanged", or which were replaced) is what it
    saw, not what it meant to do.
    """
    folder = Path(folder)
    out = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        try:
            info = path.lstat()
        except OSError:
            continue
        out[str(relative)] = (info.st_ino, info.st_size, info.st_mtime_ns, stat.S_IFMT(info.st_mode))
    return out


def replaced_since(folder: Path, before: dict[str, tuple]) -> list[str]:
    """The editions (top-level names in `folder`) whose files differ from the state `before`."""
    after = editions_state(folder)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    return sorted({PurePosixPath(name).parts[0] for name in changed})


def files_digests(folder: Path, names: list[str]) -> dict[str, str]:
    """The digest of each edition file under `folder` that exists (folders: every file inside them)."""
    import hashlib
    out = {}
    for name in names:
        path = Path(folder) / name
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                out[str(file.relative_to(folder))] = hashlib.sha256(file.read_bytes()).hexdigest()
        elif path.is_file():
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _move_into_place(new: Path, final: Path) -> None:
    """Rename `new` to `final`; a folder already there is moved aside and removed."""
    if not new.exists():
        return  # done already (a journal being finished again)
    if new.is_dir() and final.is_dir():
        old = final.with_name(f".{final.name}{OLD_SUFFIX}")
        _remove(old)
        os.replace(final, old)
        os.replace(new, final)
        _remove(old)
    else:
        os.replace(new, final)


def _stage_file(path: Path, data: bytes, durable: bool = True) -> Path:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, FILE_MODE)
    except BaseException:
        _remove(Path(temp))
        raise
    return Path(temp)


def _make_folder(folder: Path) -> None:
    """Create a folder (and its parents) 0755 whatever the umask."""
    missing = []
    current = Path(folder)
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
        os.chmod(path, FOLDER_MODE)


def _relative_name(relative: str) -> PurePosixPath:
    """A name inside the edition's folder: never absolute, never climbing out with `..`."""
    name = PurePosixPath(relative)
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise ValueError(f"refusing to write {relative!r}: not a plain path inside the edition")
    return name


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
    """Remove a file or folder of ours, read-only ones included."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        def writable_then_retry(function, name, _):
            try:
                os.chmod(os.path.dirname(name), FOLDER_MODE)
                os.chmod(name, stat.S_IWUSR | stat.S_IRUSR | (stat.S_IXUSR if os.path.isdir(name) else 0))
                function(name)
            except OSError:
                pass
        try:
            os.chmod(path, FOLDER_MODE)
        except OSError:
            pass
        shutil.rmtree(path, onerror=writable_then_retry)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
