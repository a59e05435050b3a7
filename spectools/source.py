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
from pathlib import Path
from typing import Protocol

from spectools.checks.registry import diag
from spectools.model import Diagnostic, Location


class Source(Protocol):
    label: str

    def walk(self, prefix: str) -> tuple[list[str], list[Diagnostic]]:
        """Every file path (relative, with /) under prefix ('' for the root)."""

    def is_file(self, path: str) -> bool: ...

    def link_problem(self, path: str) -> Diagnostic | None:
        """A finding when path is a symlink that must not be followed."""

    def read(self, path: str, limit: int) -> bytes:
        """At most limit + 1 bytes of the file; raises OSError."""


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """`spec/**/*.md` -> a regex over relative paths ('**/' matches zero or more folders)."""
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
    return re.compile("".join(out) + r"\Z")


def static_prefix(pattern: str) -> str:
    parts = []
    for part in pattern.split("/")[:-1]:
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return "/".join(parts)


def glob(source: Source, patterns: tuple[str, ...]) -> tuple[list[str], list[Diagnostic], list[str]]:
    """(matching paths sorted, walk problems, patterns that matched nothing)."""
    found: set[str] = set()
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
        hits = [f for f in walked[prefix] if rx.match(f)]
        if not hits:
            unmatched.append(pattern)
        found.update(hits)
    return sorted(found), sorted(set(problems), key=lambda d: d.sort_key()), unmatched


class WorktreeSource:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)

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
        top = self.root / prefix if prefix else self.root
        files: list[str] = []
        problems: list[Diagnostic] = []
        if top.is_symlink():
            problem = self._link_problem(prefix, True)
            return [], [problem] if problem else []
        for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
            rel_dir = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            keep = []
            for d in sorted(dirnames):
                if d == ".git":
                    continue
                if os.path.islink(os.path.join(dirpath, d)):
                    problem = self._link_problem(rel_dir + d, True)
                    if problem:
                        problems.append(problem)
                    continue
                keep.append(d)
            dirnames[:] = keep
            for name in filenames:
                rel = rel_dir + name
                if os.path.islink(os.path.join(dirpath, name)):
                    problem = self._link_problem(rel, False)
                    if problem:
                        problems.append(problem)
                        continue
                files.append(rel)
        return files, problems

    def is_file(self, path: str) -> bool:
        return os.path.lexists(self.root / path)

    def link_problem(self, path: str) -> Diagnostic | None:
        return self._link_problem(path, False) if os.path.islink(self.root / path) else None

    def read(self, path: str, limit: int) -> bytes:
        full = self.root / path
        mode = os.stat(full).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(full))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "it is not a regular file (a pipe, socket or device)", str(full))
        with open(full, "rb") as fh:
            return fh.read(limit + 1)
