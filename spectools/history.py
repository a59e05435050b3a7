"""Which clause ids the history had before: found cheaply, from one `git log -p --unified=0` of the
spec documents. Every line that any version of a document ever held was added by some commit, so
the added lines of the patches hold every clause id the history ever had, at a twentieth of the
bytes of every version in full. Nothing is parsed. The scan can start in the background (`start`)
while the two sides are parsed: it is git's work, and the interpreter is free to do its own.

Ids are permanent: an id that was removed is retired, and must not come back with another meaning.
"""

from __future__ import annotations

import codecs
import re
import threading
from typing import TYPE_CHECKING

from spectools.model import Change, ChangeSet, Spec
from spectools.parse.document import TAG, sentence_at
from spectools.source import glob_regex, static_prefix
from spectools.wording import normalise, similarity

if TYPE_CHECKING:
    from spectools.gitsource import GitRepo

SAME_MEANING = 0.6  # word similarity above which a returning id is taken to mean the same thing
_TAGS = re.compile(r"\[\^([^\]\s]+)\]")
_ADDED_WITH_TAG = re.compile(r"^\+(.*\[\^.*)$", re.M)
# Whatever the user's git configuration says, a plain patch with a/ and b/ prefixes:
_PATCH = ("--no-ext-diff", "--no-textconv", "--no-color", "--src-prefix=a/", "--dst-prefix=b/", "--diff-algorithm=myers")


def _new_path(header: str) -> str | None:
    """The path of a `+++ b/<path>` line (None for `+++ /dev/null`), unquoted as git quotes it."""
    name = header[4:]
    if name.startswith('"'):
        raw = codecs.escape_decode(name[1:-1].encode("utf-8", "surrogateescape"))[0]
        name = bytes(raw).decode("utf-8", "surrogateescape")
    elif name.endswith("\t"):
        name = name[:-1]  # git ends the name with a tab when it holds a space
    return name[2:] if name.startswith("b/") else None


class IdHistory:
    """Every clause id that the spec documents reachable from `tip` ever held, with the commits that added it."""

    def __init__(self, repo: GitRepo, tip: str, documents: tuple[str, ...]) -> None:
        self._repo, self._tip = repo, tip
        self._globs = [glob_regex(repo.prefix + g) for g in documents]
        # Plain path prefixes for git (a :(glob) pathspec is matched on every tree entry, 7x slower);
        # the globs themselves are applied to the paths git lists.
        self._specs = sorted(
            {repo.prefix + (static_prefix(g) or (g if not any(c in g for c in "*?[") else "")) for g in documents} - {""}
        ) or ["."]
        self._index: dict[str, list[tuple[str, str]]] | None = None  # id -> (commit, line), newest first
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._parents: dict[str, list[str]] | None = None
        self._ancestors: dict[str, set[str]] = {}

    def start(self) -> IdHistory:
        """Scan in the background; `find` and `all_ids` wait for it."""
        if self._index is None and self._thread is None:
            self._thread = threading.Thread(target=self._scan_in_background, daemon=True)
            self._thread.start()
        return self

    def _scan_in_background(self) -> None:
        try:
            self._index = self._scan()
        except BaseException as exc:  # raised again in the caller's thread
            self._error = exc

    def _ready(self) -> dict[str, list[tuple[str, str]]]:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            if self._error is not None:
                raise self._error
        if self._index is None:
            self._index = self._scan()
        return self._index

    def _scan(self) -> dict[str, list[tuple[str, str]]]:
        log = self._repo.git(
            "log", "-p", "--unified=0", "--root", "-m", "--full-history", "--no-renames", *_PATCH,
            "--format=%x01%H", self._tip, "--", *self._specs,
        )  # fmt: skip
        # With no context lines every line of a hunk starts with + or -, so a line that starts with
        # \x01 (our commit line), `diff --git ` or `@@ ` is git's own, never the spec's.
        index: dict[str, list[tuple[str, str]]] = {}
        for entry in log.split("\n\x01"):
            commit, _, patch = entry.lstrip("\x01").partition("\n")
            for file_diff in patch.split("\ndiff --git ")[1:]:
                header, _, hunks = file_diff.partition("\n@@ ")
                new_path = header.rpartition("\n+++ ")[2]
                path = _new_path("+++ " + new_path) if header.find("\n+++ ") >= 0 else None
                if path is None or not any(g.match(path) for g in self._globs):
                    continue
                for line in _ADDED_WITH_TAG.findall(hunks):
                    for cid in dict.fromkeys(_TAGS.findall(line)):
                        entries = index.setdefault(cid, [])
                        if not entries or entries[-1][0] != commit:
                            entries.append((commit, line))
        return index

    def ancestors(self, commit: str) -> set[str]:
        """commit and every commit before it, from one `rev-list --parents` of the tip."""
        if self._parents is None:
            self._parents = {}
            for line in self._repo.git("rev-list", "--parents", self._tip).splitlines():
                sha, *parents = line.split()
                self._parents[sha] = parents
        if commit not in self._ancestors:
            seen, todo = set(), [commit]
            while todo:
                c = todo.pop()
                if c not in seen:
                    seen.add(c)
                    todo.extend(self._parents.get(c, ()))
            self._ancestors[commit] = seen
        return self._ancestors[commit]

    def all_ids(self) -> set[str]:
        """Every clause id in any version of the documents reachable from the tip (retired ones included)."""
        return set(self._ready())

    def find(self, ids: set[str], before: str) -> dict[str, str]:
        """{id: the sentence it carried most recently} for the ids found in any version of the documents up to `before`."""
        index, found = self._ready(), {}
        for cid in sorted(ids):
            for commit, line in index.get(cid, ()):
                if before == self._tip or commit in self.ancestors(before):
                    found[cid] = sentence_at(line, line.find(f"[^{cid}]"))
                    break
        return found


def reused_ids(history: IdHistory, old_commit: str | None, old: Spec, new: Spec) -> list[Change]:
    """Ids that the new side adds, that the history up to the old side had, with another meaning.

    The old side may be partial (only its changed files parsed): an id that an unchanged file still
    holds cannot look added, because the comparison is then a full one (see compare.py)."""
    from spectools.changes import change

    before_ids = {c.id for c in old.clauses()}
    added = [c for c in new.clauses() if c.id not in before_ids]
    if not added or old_commit is None:
        return []
    seen = history.find({c.id for c in added}, old_commit)
    out = []
    for clause in added:
        if clause.id in seen and similarity(seen[clause.id], clause.text) < SAME_MEANING:
            was = normalise(TAG.sub("", seen[clause.id]))
            out.append(
                change(
                    "id_reused",
                    clause.id,
                    "",
                    f"clause id [^{clause.id}] was retired and now comes back with another meaning (it was: “{was}”); "
                    "give this clause a new id",
                    None,
                    clause.location,
                    key=was,
                    details={"was": was, "text": clause.text, "section": clause.section},
                )
            )
    return out


def with_reused(cs: ChangeSet, extra: list[Change]) -> ChangeSet:
    from spectools.changes import sort_key

    if not extra:
        return cs
    return cs._replace(changes=tuple(sorted((*cs.changes, *extra), key=sort_key)))
