"""The working tree as a Source: files under a directory, read without following a symlink out of it.

Symlinks are never followed out of the repository, and symlinked directories are not descended into
(so a loop cannot trap the walk); each is reported.
"""

from __future__ import annotations

import errno
import os
import stat
from operator import attrgetter
from pathlib import Path
from typing import Any

from spectools.model import Diagnostic, Location, diag
from spectools.sources.base import outside

_NAME = attrgetter("name")  # a directory entry's name (sorting 10,000 by a lambda cost 3 ms)


class WorktreeSource:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._root = str(self.root)
        self.label = str(root)
        self._dirs: dict[str, bool] = {}  # folder (relative) -> whether it really is inside the root
        self.glob_memo: dict[tuple[str, ...], Any] | None = None  # files on disk can change: nothing is kept

    def prefetch(self, paths: list[str], limit: int | None = None) -> None:
        """Nothing to fetch ahead: each file is read when it is needed."""

    def _confined(self, rel: str) -> bool:
        """Whether rel names a place inside the repository: no `..` or absolute path, and no folder on
        the way that is a symlink out of it (the file itself is judged by link_problem)."""
        if outside(rel):
            return False
        folder = rel.rpartition("/")[0]
        if folder not in self._dirs:
            real = os.path.realpath(os.path.join(self._root, folder)) if folder else self._root
            self._dirs[folder] = real == self._root or real.startswith(self._root.rstrip("/") + "/")
        return self._dirs[folder]

    def _inside(self, target: Path) -> bool:
        return target == self.root or self.root in target.parents

    def _link_problem(self, rel: str, is_dir: bool) -> Diagnostic | None:
        """None when the symlink at rel can be read as a file inside the repository."""
        full = self.root / rel
        try:
            target = full.resolve(strict=True)
        except RuntimeError:
            return diag("SPEC007", Location(rel), "symlink loop; not followed (point the link at a real file)")
        except OSError as exc:
            if getattr(exc, "errno", None) == 40:  # ELOOP
                return diag("SPEC007", Location(rel), "symlink loop; not followed (point the link at a real file)")
            return diag("SPEC007", Location(rel), f"symlink to '{os.readlink(full)}', which does not exist; not followed")
        if not self._inside(target):
            return diag(
                "SPEC008",
                Location(rel),
                f"symlink points outside the repository (to {target}); not followed. Copy the file into the repository instead",
            )
        if is_dir or target.is_dir():
            return diag(
                "SPEC007", Location(rel), "symlinked directory is not followed; list its real path in `documents` instead"
            )
        return None

    def walk(self, prefix: str) -> tuple[list[str], list[Diagnostic]]:
        files: list[str] = []
        problems: list[Diagnostic] = []
        if prefix and not self._confined(prefix + "/x"):
            return [], [diag("SPEC008", Location(prefix), "folder is outside the repository; not read")]
        if prefix and os.path.islink(os.path.join(self._root, prefix)):
            problem = self._link_problem(prefix, True)
            return [], [problem] if problem else []
        pending = [prefix]
        while pending:
            rel_dir = pending.pop()
            try:
                with os.scandir(os.path.join(self._root, rel_dir) if rel_dir else self._root) as it:
                    entries = sorted(it, key=_NAME)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                problems.append(diag("SPEC009", Location(rel_dir or "."), f"cannot list the folder: {exc.strerror}"))
                continue
            self._sort(rel_dir + "/" if rel_dir else "", entries, (files, pending, problems))
        return files, problems

    def _sort(self, base: str, entries: list[os.DirEntry[str]], into: tuple[list[str], list[str], list[Diagnostic]]) -> None:
        """A folder's entries into files, folders to walk and problems (a symlink that must not be followed).
        is_symlink and is_dir come from the directory listing: no extra system call."""
        files, pending, problems = into
        for entry in entries:
            rel = base + entry.name
            if entry.is_symlink():
                problem = self._link_problem(rel, False)
                if problem:
                    problems.append(problem)
                else:
                    files.append(rel)
            elif entry.is_dir(follow_symlinks=False):
                if entry.name != ".git":
                    pending.append(rel)
            else:
                files.append(rel)

    def is_file(self, path: str) -> bool:
        return self._confined(path) and os.path.lexists(os.path.join(self._root, path))

    def link_problem(self, path: str) -> Diagnostic | None:
        return self._link_problem(path, False) if os.path.islink(os.path.join(self._root, path)) else None

    def blob_id(self, path: str) -> str | None:
        return None

    def stat_key(self, path: str) -> tuple[int, int, int, int, int] | None:
        """(size, mtime, inode, ctime, device) of a regular file that is no link, for the stat index (as git's index:
        the ctime is what no `touch` or archive can set back); None otherwise."""
        return self.stat_keys([path])[0]

    def stat_keys(self, paths: list[str]) -> list[tuple[int, int, int, int, int] | None]:
        """stat_key of each path, in one loop (a warm run asks it of every file of the spec)."""
        confined, join, root, lstat, regular = self._confined, os.path.join, self._root, os.lstat, stat.S_ISREG
        keys: list[tuple[int, int, int, int, int] | None] = []
        for path in paths:
            try:
                info = lstat(join(root, path)) if confined(path) else None
            except OSError:
                info = None
            if info is not None and regular(info.st_mode):
                keys.append((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, info.st_dev))
            else:
                keys.append(None)
        return keys

    def read(self, path: str, limit: int) -> bytes:
        if not self._confined(path):
            raise PermissionError(errno.EACCES, "it is outside the repository; not read", path)
        full = os.path.join(self._root, path)
        # O_NONBLOCK: a FIFO opens at once (and is then refused) instead of blocking the run.
        # O_NOFOLLOW: a symlink is followed only once link_problem has found it harmless.
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            if exc.errno != errno.ELOOP or self._link_problem(path, False) is not None:
                raise
            fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK)
        try:
            info = os.fstat(fd)
            mode = info.st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", path)
            if not stat.S_ISREG(mode):
                raise OSError(errno.EINVAL, "it is not a regular file (a pipe, socket or device)", path)
            chunks, want = [], limit + 1
            while want > 0:  # os.read straight away: a buffered file object costs more than the read
                chunk = os.read(fd, min(want, max(info.st_size + 1, 65536)))
                if not chunk:
                    break
                chunks.append(chunk)
                want -= len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
