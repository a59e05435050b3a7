"""`git log -p --unified=0` of some paths: run in the background, and its patches read back.

git writes to a temporary file, not a pipe, so it runs to the end on another core while this process
parses (a pipe would wait on us). With no context lines every line of a hunk starts with + or -, so a
line that starts with \\x01 (our commit line), `diff --git ` or `@@ ` is git's own, never the spec's.
"""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from spectools.sources.git import GitError, start

# Whatever the user's git configuration says, a plain patch with a/ and b/ prefixes:
_PATCH = ("--no-ext-diff", "--no-textconv", "--no-color", "--src-prefix=a/", "--dst-prefix=b/", "--diff-algorithm=myers")
# --text: a `-diff` or `binary` attribute (.gitattributes is the pull request's) would turn the history of a document
# into "Binary files differ", hiding every id it ever held
_LOG = ("log", "-p", "--text", "--unified=0", "--root", "-m", "--full-history", "--no-renames", *_PATCH, "--format=%x01%H")


class AddedLine(NamedTuple):
    commit: str
    path: str | None  # the file's path after the commit (None when the commit deleted it)
    text: str  # the line, without its +


class PatchLog:
    """The patches of every commit reachable from tip that touch paths, newest first."""

    def __init__(self, cwd: Path, tip: str, paths: list[str]) -> None:
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 - closed in text or close
        self._running: tuple[Any, Any, Any] | None = (start([*_LOG, tip, "--", *paths], cwd, out, err), out, err)
        self._text: str | None = None

    def finished(self) -> bool:
        """Whether the log was read whole."""
        return self._text is not None

    def close(self) -> None:
        """Stop git if nobody read the log."""
        if self._running is not None:
            proc, out, err = self._running
            self._running = None
            proc.kill()
            proc.wait()
            out.close()
            err.close()

    def text(self) -> str:
        """The whole log, once git is done writing it; GitError when git failed."""
        if self._text is None:
            assert self._running is not None
            proc, out, err = self._running
            self._running = None
            with out, err:
                if proc.wait():
                    err.seek(0)
                    raise GitError(_LOG[:2], proc.returncode, err.read().decode("utf-8", "replace"))
                out.seek(0)
                self._text = out.read().decode("utf-8", "surrogateescape")
        return self._text


def new_path(header: str) -> str | None:
    """The path of a `+++ b/<path>` line (None for `+++ /dev/null`), unquoted as git quotes it."""
    name = header[4:]
    if name.startswith('"'):
        raw = codecs.escape_decode(name[1:-1].encode("utf-8", "surrogateescape"))[0]
        name = bytes(raw).decode("utf-8", "surrogateescape")
    elif name.endswith("\t"):
        name = name[:-1]  # git ends the name with a tab when it holds a space
    return name[2:] if name.startswith("b/") else None


def file_patches(log: str) -> Iterator[tuple[str, str | None, str]]:
    """(commit, path after it, its hunks) for each file of each commit in the log."""
    for entry in log.split("\n\x01"):
        commit, _, patch = entry.lstrip("\x01").partition("\n")
        for file_diff in patch.split("\ndiff --git ")[1:]:
            header, _, hunks = file_diff.partition("\n@@ ")
            path = new_path("+++ " + header.rpartition("\n+++ ")[2]) if header.find("\n+++ ") >= 0 else None
            yield commit, path, hunks


def added_line_at(log: str, pos: int) -> tuple[AddedLine | None, int]:
    """(the added line that holds offset pos, or None when pos is on no added line; the offset of that line's end)."""
    start, end = log.rfind("\n", 0, pos) + 1, log.find("\n", pos)
    end = len(log) if end < 0 else end
    file_diff = log.rfind("\ndiff --git ", 0, start) if log.startswith("+", start) else -1
    hunks = log.find("\n@@ ", file_diff, start) if file_diff >= 0 else -1
    if hunks < 0:
        return None, end
    header = log[file_diff:hunks]
    path = new_path("+++ " + header.rpartition("\n+++ ")[2]) if "\n+++ " in header else None
    mark = log.rfind("\n\x01", 0, file_diff)
    commit = log[mark + 2 : log.find("\n", mark + 2)] if mark >= 0 else log[1 : log.find("\n")]
    return AddedLine(commit, path, log[start + 1 : end]), end


def parents(rev_list: str) -> dict[str, list[str]]:
    """`git rev-list --parents` output -> {commit: its parents}."""
    out = {}
    for line in rev_list.splitlines():
        sha, *rest = line.split()
        out[sha] = rest
    return out
