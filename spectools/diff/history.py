"""Which clause ids the history had before: found cheaply, from one `git log -p --unified=0` of the
spec documents. Every line that any version of a document ever held was added by some commit, so
the added lines of the patches hold every clause id the history ever had, at a twentieth of the
bytes of every version in full. Nothing is parsed. The scan can start in the background (`start`)
while the two sides are parsed: it is git's work, and the interpreter is free to do its own.

Ids are permanent: an id that was removed is retired, and must not come back with another meaning.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from spectools.diff.changes import Change, ChangeSet, Kind
from spectools.diff.wording import normalise, similarity
from spectools.model import TAG, Spec, SpecError
from spectools.parse.document import sentence_at
from spectools.sources.base import glob_regex, static_prefix
from spectools.sources.git import GitError
from spectools.sources.gitlog import PatchLog, added_line_at, file_patches, parents

if TYPE_CHECKING:
    from spectools.sources.git import GitRepo

SAME_MEANING = 0.6  # word similarity above which a returning id is taken to mean the same thing
_ADDED_WITH_TAG = re.compile(r"^\+(.*\[\^.*)$", re.M)


class IdHistory:
    """Every clause id that the spec documents reachable from `tip` ever held, with the commits that added it."""

    def __init__(self, repo: GitRepo, tip: str, documents: tuple[str, ...]) -> None:
        documents = tuple(sorted({posixpath.normpath(g) for g in documents}))  # `./spec.md` is `spec.md`, as the loader reads it
        self._repo, self._tip = repo, tip
        self._globs = [glob_regex(repo.prefix + g) for g in documents]
        # Plain path prefixes for git (a :(glob) pathspec is matched on every tree entry, 7x slower);
        # the globs themselves are applied to the paths git lists.
        self._specs = sorted(
            {repo.prefix + (static_prefix(g) or (g if not any(c in g for c in "*?[") else "")) for g in documents} - {""}
        ) or ["."]
        self._index: dict[str, list[tuple[str, str]]] | None = None  # id -> (commit, line), newest first
        self._log: PatchLog | None = None
        # the scan of a commit never changes: its index is kept in the parse cache (unless history is rewritten here)
        self._key = "\0".join([tip, repo.prefix, *self._specs, "", *documents])
        self._store = _store(repo)
        self._asked = 0  # ids asked about so far: a few are searched for, many are indexed
        self._parents: dict[str, list[str]] | None = None
        self._ancestors: dict[str, set[str]] = {}

    def start(self) -> IdHistory:
        """Start git on the scan, in the background (unless the cache holds its index); `find` and `all_ids` collect it."""
        kept = self._store is not None and self._store.has_value("history", self._key)  # read when it is needed
        if self._index is None and self._log is None and not kept:
            self._log = PatchLog(self._repo.cwd, self._tip, self._specs)
        return self

    def _cached(self) -> bool:
        """Take the index from the parse cache, when a run kept this commit's scan."""
        got = self._store.get_value("history", self._key) if self._store is not None else None
        if not isinstance(got, dict):
            return False
        index: dict[str, list[tuple[str, str]]] = {}
        for cid, entries in got.items():
            if not isinstance(entries, list) or not all(
                isinstance(e, list) and len(e) == 2 and isinstance(e[0], str) and isinstance(e[1], str) for e in entries
            ):
                return False
            index[cid] = [(commit, line) for commit, line in entries]
        self._index = index
        return True

    def close(self) -> None:
        """Stop a scan that nobody collected (no id was added after all)."""
        if self._log is not None and not self._log.finished():
            self._log.close()
            self._log = None

    def _text(self) -> str:
        """The log, once git is done writing it."""
        if self._log is None:  # not started, or started not: its kept index was unreadable
            self._log = PatchLog(self._repo.cwd, self._tip, self._specs)
        log = self._log
        try:
            return log.text()
        except GitError as exc:
            raise SpecError(f"cannot read the history of the spec documents (git log: {exc.stderr.strip()})") from None

    def _ready(self) -> dict[str, list[tuple[str, str]]]:
        if self._index is None and (self._log is not None or not self._cached()):  # a scan running was a miss
            self._index = self._scan(self._text())
            if self._store is not None:
                self._store.put_value("history", self._key, self._index)
        assert self._index is not None
        return self._index

    def _ours(self, path: str | None) -> bool:
        return path is not None and any(g.fullmatch(path) for g in self._globs)

    def _entries(self, cid: str) -> list[tuple[str, str]]:
        """What the index holds for one id, found by searching the log for its tag alone (a few ids
        cost less this way than indexing every id)."""
        log, tag = self._text(), f"[^{cid}]"
        out: list[tuple[str, str]] = []
        pos = log.find(tag)
        while pos >= 0:
            line, end = added_line_at(log, pos)
            if line is not None and self._ours(line.path) and (not out or out[-1][0] != line.commit):
                out.append((line.commit, line.text))
            pos = log.find(tag, end)
        return out

    def _scan(self, log: str) -> dict[str, list[tuple[str, str]]]:
        index: dict[str, list[tuple[str, str]]] = {}
        for commit, path, hunks in file_patches(log):
            if not self._ours(path):
                continue
            for line in _ADDED_WITH_TAG.findall(hunks):
                for cid in dict.fromkeys(TAG.findall(line)):
                    entries = index.setdefault(cid, [])
                    if not entries or entries[-1][0] != commit:
                        entries.append((commit, line))
        return index

    def ancestors(self, commit: str) -> set[str]:
        """commit and every commit before it, from one `rev-list --parents` of the tip."""
        if self._parents is None:
            self._parents = parents(self._repo.git("rev-list", "--parents", self._tip))
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
        self._asked += len(ids)
        many = self._index is not None or self._asked > 16 or self._store is not None  # an index kept is worth making
        found = {}
        for cid in sorted(ids):
            for commit, line in self._ready().get(cid, []) if many else self._entries(cid):
                if before == self._tip or commit in self.ancestors(before):
                    sentence = sentence_at(line, line.find(f"[^{cid}]"))  # git's bytes: not UTF-8 ones shown as U+FFFD
                    found[cid] = sentence.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    break
        return found


def _store(repo: GitRepo) -> Any:
    """The run's parse cache, when a commit's history here is the commit's own: not in a shallow clone (cut), nor
    where grafts or replace refs rewrite it (local to this repository, they would not be in the key)."""
    from spectools.parse import load

    if load.PARSE_CACHE is None or _rewritten(repo.git_dir):
        return None
    return load.PARSE_CACHE


def _rewritten(git_dir: str) -> bool:
    """Whether this repository's history may not be its commits' own (found in its common git folder, as git does:
    a worktree's folder names it in `commondir`)."""
    from pathlib import Path

    folder = Path(git_dir)
    try:
        pointer = folder / "commondir"
        common = (folder / pointer.read_text(encoding="utf-8").strip()).resolve() if pointer.is_file() else folder
        if (common / "shallow").exists() or (common / "info" / "grafts").exists():
            return True
        replace = common / "refs" / "replace"
        if replace.is_dir() and any(replace.rglob("*")):
            return True
        packed = common / "packed-refs"
        return packed.is_file() and b" refs/replace/" in packed.read_bytes()
    except (OSError, UnicodeDecodeError):
        return True  # cannot tell: do not keep it


def reused_ids(history: IdHistory, old_commit: str | None, old: Spec, new: Spec) -> list[Change]:
    """Ids that the new side adds, that the history up to the old side had, with another meaning.

    The old side may be partial (only its changed files parsed): an id that an unchanged file still
    holds cannot look added, because the comparison is then a full one (see compare.py)."""
    from spectools.diff.changes import Kind, change

    before_ids = {c.id for c in old.clauses()}
    added = [c for c in new.clauses() if c.id not in before_ids]
    if not added or old_commit is None:
        return []
    seen = history.find({c.id for c in added}, old_commit)
    titles = {s.anchor: s.title for s in new.sections()}
    out = []
    for clause in added:
        if clause.id in seen and similarity(seen[clause.id], clause.text) < SAME_MEANING:
            was = normalise(TAG.sub("", seen[clause.id]))
            out.append(
                change(
                    Kind.ID_REUSED,
                    clause.id,
                    titles.get(clause.section or "", ""),
                    f"clause id [^{clause.id}] was retired and now comes back with another meaning (it was: “{was}”); "
                    "give this clause a new id",
                    None,
                    clause.location,
                    key=was,
                    details={"was": was, "text": clause.text, "section": clause.section},
                )
            )
    return out


def with_reused(cs: ChangeSet, extra: list[Change], accepted: frozenset[str] = frozenset()) -> ChangeSet:
    """cs with the reused ids found; those in `accepted` (ids.accepted_reuse) are listed still, as accepted."""
    from spectools.diff.changes import changeset

    marked = [_accepted(c) if c.subject in accepted else c for c in extra]
    reused = {c.subject for c in extra}
    kept = [c for c in cs.changes if not (c.kind is Kind.CLAUSE_ADDED and c.subject in reused)]  # one entry per edit
    return cs._replace(changes=changeset(cs.old, cs.new, (*kept, *marked)).changes) if extra else cs


def _accepted(c: Change) -> Change:
    """A reuse that ids.accepted_reuse accepts: listed, notable, not an error."""
    summary = f"clause id [^{c.subject}] was retired and comes back with another meaning (it was: “{c.details['was']}”), "
    return c._replace(
        severity="notable", summary=summary + "accepted in ids.accepted_reuse", details={**c.details, "accepted": True}
    )
