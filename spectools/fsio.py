"""The one safe writer: every file spectools writes goes through here.

- atomic: a temporary file in the target's folder, fsynced, then renamed over the target, so a
  reader (or a crash, or `kill -9`) sees the old bytes or the new ones, never a truncated file;
- through symlinks: a link is kept and its target is written, but only when that target is inside
  the allowed root (the repository); a link out of it is refused;
- serialised: writers of one folder hold an exclusive lock on it while they read, change and
  replace a file, so two runs at once cannot lose each other's edits;
- clean: a temporary file is removed on every exit path; one left by a killed run is removed by
  the next writer of the same file (under the lock, no other writer can own it);
- byte-preserving: callers change bytes, never decode and re-encode a whole file.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from spectools.errors import SpecError

_TMP_TAG = ".spectools-"  # temporary files are .<name>.spectools-<pid>.tmp in the target's folder


def inside(path: Path, root: Path) -> bool:
    """Whether path (resolved, symlinks followed) lies in root (resolved)."""
    target, top = path.resolve(), root.resolve()
    return target == top or top in target.parents


def target_of(path: Path, root: Path | None) -> Path:
    """Where writing `path` really writes: symlinks followed. SpecError when that is outside root."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):
        raise SpecError(f"{path}: a symlink loop; point the link at a real file, or remove it") from None
    if root is not None and not inside(target, root):
        shown = f" (it leads to {target})" if target != path.absolute() else ""
        raise SpecError(
            f"{path}: outside the repository {root}{shown}; spectools writes only inside the repository. Give a path inside it"
        )
    if target.is_dir():
        raise SpecError(f"{path}: is a folder; give a file name")
    return target


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on folder: writers of its files take turns (released on every exit path)."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform: atomic replace still protects each file
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _leftovers(target: Path) -> None:
    """Remove temporary files that a killed writer of target left behind (call under the lock)."""
    prefix = f".{target.name}{_TMP_TAG}"
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.name.endswith(".tmp") and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _replace(target: Path, data: bytes, exclusive: bool) -> None:
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
    tmp = target.parent / f".{target.name}{_TMP_TAG}{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if exclusive:
            os.link(tmp, target)  # never replaces a file that appeared meanwhile
        else:
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def update(path: Path, change: Callable[[bytes | None], bytes | None], root: Path | None = None) -> bool:
    """Read path (None when it does not exist), and write what `change` returns, under the folder's lock.

    `change` returning None or the same bytes writes nothing. Returns whether the file was written.
    Raises SpecError for a target outside root; OSError for what the file system refuses."""
    target = target_of(path, root)
    with locked(target.parent):
        _leftovers(target)
        try:
            old: bytes | None = target.read_bytes()
        except FileNotFoundError:
            old = None
        new = change(old)
        if new is None or new == old:
            return False
        _replace(target, new, exclusive=False)
        return True


def write_atomic(path: Path, data: bytes, root: Path | None = None) -> None:
    """Replace path with data atomically; keeps the file's mode (0644 for a new file)."""
    update(path, lambda _: data, root)


def create(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write a new file; FileExistsError when one is there already (it is never replaced)."""
    if path.is_symlink() or path.exists():
        raise FileExistsError(errno.EEXIST, "exists", str(path))
    target = target_of(path, root)
    with locked(target.parent):
        _leftovers(target)
        _replace(target, data, exclusive=True)
