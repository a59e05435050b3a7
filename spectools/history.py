"""Which clause ids the history had before: found cheaply, by asking git for every version of the spec
documents reachable from a commit (`rev-list --objects`), reading them in one `cat-file --batch`, and
searching the bytes for just the ids in question. Nothing is parsed.

Ids are permanent: an id that was removed is retired, and must not come back with another meaning.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from spectools.model import Change, ChangeSet, Spec
from spectools.parse.document import TAG, sentence_at
from spectools.source import glob_regex, static_prefix
from spectools.wording import normalise, similarity

if TYPE_CHECKING:
    from spectools.gitsource import GitRepo

SAME_MEANING = 0.6  # word similarity above which a returning id is taken to mean the same thing
_TAG_BYTES = re.compile(rb"\[\^([^\]\s]+)\]")


class IdHistory:
    """Every version of the spec documents reachable from `tip`, to search for clause ids."""

    def __init__(self, repo: GitRepo, tip: str, documents: tuple[str, ...]) -> None:
        self._repo, self._tip = repo, tip
        self._globs = [glob_regex(repo.prefix + g) for g in documents]
        # Plain path prefixes for git (a :(glob) pathspec is matched on every tree entry, 7x slower);
        # the globs themselves are applied to the paths git lists.
        self._specs = sorted(
            {repo.prefix + (static_prefix(g) or (g if not any(c in g for c in "*?[") else "")) for g in documents} - {""}
        ) or ["."]
        self._data = b""
        self._starts: list[int] = []  # offset of each blob in _data
        self._shas: list[str] = []
        self._loaded = False
        self._introduced: dict[str, set[str]] | None = None  # blob -> commits that wrote it (for other commits)
        self._parents: dict[str, list[str]] | None = None
        self._ancestors: dict[str, set[str]] = {}
        self._index: dict[bytes, list[int]] = {}  # clause id -> the blobs (by number) that hold it
        self._indexed = False
        self._asked = 0  # ids asked about so far: a few are searched for, many are indexed

    def _load(self) -> None:
        listing = self._repo.git("rev-list", "--objects", "--full-history", self._tip, "--", *self._specs)
        shas = []
        for line in listing.splitlines():
            sha, _, path = line.partition(" ")
            if path and any(g.match(path) for g in self._globs):
                shas.append(sha)
        self._loaded = True
        if not shas:
            return
        from spectools.gitsource import cat_blobs

        self._data, spans = cat_blobs(self._repo, shas)
        self._starts = [start for start, _ in spans]
        self._shas = shas

    def _build_index(self) -> None:
        """id -> the blobs that hold it, in one regex pass over every version (worth it for many queries)."""
        out, blob, next_start = self._data, -1, 0
        for m in _TAG_BYTES.finditer(out):
            while m.start() >= next_start and blob + 1 < len(self._starts):
                blob += 1
                next_start = self._starts[blob + 1] if blob + 1 < len(self._starts) else len(out)
            blobs = self._index.setdefault(m.group(1), [])
            if not blobs or blobs[-1] != blob:
                blobs.append(blob)
        self._indexed = True

    def _blobs_with(self, cid: str) -> list[int]:
        if self._indexed:
            return self._index.get(cid.encode(), [])
        tag, data, out = f"[^{cid}]".encode(), self._data, []
        pos = data.find(tag)
        while pos >= 0:
            i = bisect.bisect_right(self._starts, pos) - 1
            out.append(i)
            pos = data.find(tag, self._starts[i + 1] if i + 1 < len(self._starts) else len(data))
        return out

    def _reachable(self, blob: str, commit: str) -> bool:
        if commit == self._tip:
            return True
        if self._introduced is None:
            self._introduced = {}
            raw = self._repo.git(
                "log",
                "--raw",
                "--no-abbrev",
                "--no-renames",
                "--full-history",
                "-m",
                "--format=%x01%H",
                self._tip,
                "--",
                *self._specs,
            )
            current = ""
            for line in raw.splitlines():
                if line.startswith("\x01"):
                    current = line[1:]
                elif line.startswith(":"):
                    self._introduced.setdefault(line.split()[3], set()).add(current)
        return bool(self._introduced.get(blob, set()) & self.ancestors(commit))

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
        if not self._loaded:
            self._load()
        if not self._indexed:
            self._build_index()
        return {k.decode("utf-8", "replace") for k in self._index}

    def find(self, ids: set[str], before: str, current: frozenset[str] = frozenset()) -> dict[str, str]:
        """{id: a sentence it carried} for the ids found in any version of the documents up to `before`.

        An id found in one of the `current` blobs (the old side's own documents) is still there, not
        retired, and is left out."""
        if not self._loaded:
            self._load()
        found: dict[str, str] = {}
        data = self._data
        self._asked += len(ids)
        if not self._indexed and self._asked > 16:
            self._build_index()
        for cid in sorted(ids):
            blobs = self._blobs_with(cid)
            if any(self._shas[i] in current for i in blobs):
                continue  # present in the old side itself (a duplicate id, which validate reports), not retired
            for i in blobs:
                if self._reachable(self._shas[i], before):
                    end_of_blob = self._starts[i + 1] if i + 1 < len(self._starts) else len(data)
                    pos = data.find(f"[^{cid}]".encode(), self._starts[i], end_of_blob)
                    start = data.rfind(b"\n", 0, pos) + 1
                    end = data.find(b"\n", pos)
                    line = data[start : end if end >= 0 else len(data)].decode("utf-8", "replace")
                    found[cid] = sentence_at(line, line.find(f"[^{cid}]"))
                    break
        return found


def reused_ids(
    history: IdHistory, old_commit: str | None, old: Spec, new: Spec, current: frozenset[str] = frozenset()
) -> list[Change]:
    """Ids that the new side adds, that the history up to the old side had, with another meaning.
    `current`: the blob ids of the old side's documents (its spec may be partial)."""
    from spectools.changes import change

    before_ids = {c.id for c in old.clauses()}
    added = [c for c in new.clauses() if c.id not in before_ids]
    if not added or old_commit is None:
        return []
    seen = history.find({c.id for c in added}, old_commit, current)
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
