"""Where bytes come from. `WorktreeSource` reads files under a directory.

Symlinks are never followed out of the repository, and symlinked directories
are not descended into (so a loop cannot trap the walk); each is reported.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, Protocol

from spectools.model import Diagnostic, Location, diag
from spectools.sources.patterns import Matcher, compile_pattern

_NOT_UTF8 = re.compile(r"[\udc80-\udcff]")  # a byte that is not UTF-8, as os and git's output decode it (surrogateescape)


def shown_name(path: str) -> str:
    """A path as it is shown: each byte that is not UTF-8 as \\xNN."""
    return _NOT_UTF8.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", path)


class Source(Protocol):
    label: str
    glob_memo: dict[tuple[str, ...], Any] | None  # a source whose files cannot change keeps glob's answers here

    def prefetch(self, paths: list[str], limit: int | None = None) -> None:
        """Fetch these files ahead, in one request, when that is cheaper than one by one (a git tree); not those larger
        than limit bytes."""

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
    memo = source.glob_memo
    if memo is not None:
        if patterns not in memo:
            memo[patterns] = _glob(source, patterns)
        found, problems, unmatched, walked = memo[patterns]
        return list(found), list(problems), list(unmatched), set(walked)
    return _glob(source, patterns)


def _utf8_names(paths: list[str], problems: list[Diagnostic]) -> tuple[list[str], list[Diagnostic]]:
    """The paths whose names are UTF-8; each other one is a SPEC016 finding under its escaped name, and is never read
    (docs/SECURITY.md, "Crashes": nothing downstream meets a name that cannot be encoded)."""
    if all(p.isascii() for p in paths) or not any(_NOT_UTF8.search(p) for p in paths):
        return paths, problems
    bad = [p for p in paths if _NOT_UTF8.search(p)]
    found = [
        diag("SPEC016", Location(shown_name(p)), "the file name is not valid UTF-8, so the file is not read; rename it (git mv)")
        for p in bad
    ]
    return [p for p in paths if not _NOT_UTF8.search(p)], problems + found


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
        hits = [f for f in walked[prefix] if rx.fullmatch(f if f.isascii() else _NOT_UTF8.sub("\ufffd", f))]  # RE2: text
        if not hits:
            unmatched.append(pattern)
        hits, problems = _utf8_names(hits, problems)
        found.update(hits)
        by_walk.update(hits)
    return sorted(found), sorted(set(problems), key=lambda d: d.sort_key()), unmatched, by_walk
