"""Where bytes come from. `WorktreeSource` reads files under a directory.

Symlinks are never followed out of the repository, and symlinked directories
are not descended into (so a loop cannot trap the walk); each is reported.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from spectools.checks.registry import diag
from spectools.model import Diagnostic, Location
from spectools.patterns import Matcher, compile_pattern


class Source(Protocol):
    label: str

    def walk(self, prefix: str) -> tuple[list[str], list[Diagnostic]]:
        """Every file path (relative, with /) under prefix ('' for the root)."""

    def is_file(self, path: str) -> bool: ...

    def link_problem(self, path: str) -> Diagnostic | None:
        """A finding when path is a symlink that must not be followed."""

    def blob_id(self, path: str) -> str | None:
        """The git blob id of the file when the source knows it (then parsing can be cached)."""

    def read(self, path: str, limit: int) -> bytes:
        """At most limit + 1 bytes of the file; raises OSError."""


def outside(path: str) -> bool:
    """Whether a relative path from config, arguments or git could lead out of the repository
    (absolute, a drive, `..`, a backslash or a NUL): such a path is never read or written."""
    if not path or path[0] == "/" or "\\" in path or "\0" in path:
        return True
    if ".." not in path and ":" not in path[:2]:
        return False  # the common case, decided without splitting the path
    parts = PurePosixPath(path).parts
    return ".." in parts or (len(parts[0]) == 2 and parts[0][1] == ":")


DEFAULT_GLOBS = ("spec/**/*.md", "examples/*.md")


def glob_source(pattern: str) -> str:
    """`spec/**/*.md` -> a regex over relative paths ('**/' matches zero or more folders), for fullmatch."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            j = pattern.index("]", i + 1)
            out.append("[" + pattern[i + 1 : j].replace("\\", "\\\\") + "]")
            i = j + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> Matcher:
    """A compiled glob_source. A repository's own glob runs on RE2: `*a*a*a*...` cannot backtrack for
    ever on a long name."""
    return compile_pattern(glob_source(pattern), tuple(glob_source(g) for g in DEFAULT_GLOBS))


def static_prefix(pattern: str) -> str:
    parts = []
    for part in pattern.split("/")[:-1]:
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return "/".join(parts)


def glob(source: Source, patterns: tuple[str, ...]) -> tuple[list[str], list[Diagnostic], list[str], set[str]]:
    """(matching paths sorted, walk problems, patterns that matched nothing, paths found by walking).

    A source whose files cannot change (a git tree) keeps the answers in `glob_memo`."""
    memo: dict[tuple[str, ...], Any] | None = getattr(source, "glob_memo", None)
    if memo is not None:
        if patterns not in memo:
            memo[patterns] = _glob(source, patterns)
        found, problems, unmatched, walked = memo[patterns]
        return list(found), list(problems), list(unmatched), set(walked)
    return _glob(source, patterns)


def _glob(source: Source, patterns: tuple[str, ...]) -> tuple[list[str], list[Diagnostic], list[str], set[str]]:
    found: set[str] = set()
    by_walk: set[str] = set()
    problems: list[Diagnostic] = []
    unmatched: list[str] = []
    walked: dict[str, list[str]] = {}
    for pattern in patterns:
        pattern = pattern.lstrip("./") if pattern.startswith("./") else pattern
        if not any(c in pattern for c in "*?["):
            if source.is_file(pattern):
                found.add(pattern)
            else:
                unmatched.append(pattern)
            continue
        prefix = static_prefix(pattern)
        if prefix not in walked:
            files, walk_problems = source.walk(prefix)
            walked[prefix] = files
            problems.extend(walk_problems)
        rx = glob_regex(pattern)
        hits = [f for f in walked[prefix] if rx.fullmatch(f)]
        if not hits:
            unmatched.append(pattern)
        found.update(hits)
        by_walk.update(hits)
    return sorted(found), sorted(set(problems), key=lambda d: d.sort_key()), unmatched, by_walk


class WorktreeSource:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._root = str(self.root)
        self.label = str(root)
        self._dirs: dict[str, bool] = {}  # folder (relative) -> whether it really is inside the root

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
                    entries = sorted(it, key=lambda e: e.name)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                problems.append(diag("SPEC009", Location(rel_dir or "."), f"cannot list the folder: {exc.strerror}"))
                continue
            base = rel_dir + "/" if rel_dir else ""
            for entry in entries:  # is_symlink/is_dir come from the directory listing: no extra system call
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
        return files, problems

    def is_file(self, path: str) -> bool:
        return self._confined(path) and os.path.lexists(os.path.join(self._root, path))

    def link_problem(self, path: str) -> Diagnostic | None:
        return self._link_problem(path, False) if os.path.islink(os.path.join(self._root, path)) else None

    def blob_id(self, path: str) -> str | None:
        return None

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
