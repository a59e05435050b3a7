"""Compare the spec at two sides of a repository, reading no more than the comparison needs.

Between two trees (commits or the index), a file whose blob is the same on both sides cannot
change anything, so only the changed files are parsed, plus any unchanged document that holds a
clause whose challenge file changed (for its section's title). A section cannot move, split or
merge into or out of an unchanged file, so the result is the one a full comparison would give.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from spectools.diff.changes import ChangeSet
from spectools.diff.engine import diff
from spectools.diff.history import IdHistory, reused_ids, with_reused
from spectools.model import CLAUSE_TAG, TAG, Spec
from spectools.parse.load import Cache, Loaded, document_patterns, load
from spectools.sources.config import Config
from spectools.sources.git import GitRepo, Side
from spectools.sources.tree import TreeSource

_TAGS = re.compile(CLAUSE_TAG.encode())
_ANCHORS = re.compile(r"\{#([^\s{}#]+)")  # over-approximates: a match only makes the comparison a full one


class Comparison(NamedTuple):
    changes: ChangeSet
    old: Loaded | None  # None for a first release
    new: Loaded
    sides: tuple[tuple[str, Loaded], ...]  # (label, loaded) of each side read, to say which files were left out


class Comparer:
    def __init__(self, repo: GitRepo, history_tip: str | None = None) -> None:
        self.repo = repo
        self.cache: Cache = {}
        self._history_tip = history_tip
        self._histories: dict[tuple[str, tuple[str, ...]], IdHistory] = {}
        self._sources: dict[str, object] = {}
        self._blobs: dict[str, bytes] = {}
        self._tags: dict[str, set[bytes]] = {}  # blob id -> the clause tags in it
        self._ids: dict[str, set[str]] = {}  # blob id -> the anchors and clause ids in it
        self._diffs: dict[tuple[str, str], str] = {}

    def __enter__(self) -> Comparer:
        return self

    def __exit__(self, *exc: object) -> None:
        for history in self._histories.values():
            history.close()
        self.repo.close()

    def prepare(self, pairs: list[tuple[Side | None, Side]]) -> None:
        """Fetch the tree differences of all these comparisons in one git process (for changelog --all)."""
        commits = [(a.commit, b.commit) for a, b in pairs if a is not None and a.commit and b.commit]
        self._diffs.update(self.repo.diff_trees([(a, b) for a, b in commits if a and b]))

    def source(self, side: Side, after: Side | None = None) -> Any:
        """One listing per side: a release is the new side of one comparison and the old of the next.
        A commit `after` another that is listed already is derived from it with `git diff-tree`."""
        key = side.commit or side.label
        if key not in self._sources:
            base = self._sources.get(after.commit or "") if after is not None and after.commit else None
            if isinstance(base, TreeSource) and side.commit is not None and after is not None and after.commit:
                self._sources[key] = base.then(side, self._diffs.get((after.commit, side.commit)))
            else:
                self._sources[key] = self.repo.source(side)
        return self._sources[key]

    def full(self, side: Side) -> Loaded:
        return load(self.source(side), self.cache)

    def compare(
        self, old: Side | None, new: Side, aliases: dict[str, str] | None = None, accepted: frozenset[str] | None = None
    ) -> Comparison:
        """The changes from old to new. aliases: the authority vocabulary to read both with (changelog --all
        gives the newest release's), else each side's own. accepted: the clause ids whose reuse is accepted, else
        the old side's ids.accepted_reuse (never the new side's: a pull request cannot accept its own reuse)."""
        if old is None:  # a first release: everything in it is new
            lb = self.full(new)
            return Comparison(
                diff(Spec((), ()), lb.spec, Config(), lb.config, "", new.label, aliases), None, lb, ((new.label, lb),)
            )
        src_a, src_b = self.source(old), self.source(new, after=old)
        # the retired-id scan looks where either side keeps its documents (a change that moves them, or spells the
        # glob another way, cannot hide the history), in the background while the sides are parsed
        globs = tuple(sorted({*document_patterns(src_a), *document_patterns(src_b)}))
        if old.commit is not None:
            self.history(old.commit, globs).start()
        if isinstance(src_a, TreeSource) and isinstance(src_b, TreeSource):
            la, lb = self._partial(src_a, src_b)
        else:
            la, lb = load(src_a, self.cache), load(src_b, self.cache)
        cs = diff(la.spec, lb.spec, la.config, lb.config, old.label, new.label, aliases)
        if old.commit is not None:
            before = {c.id for c in la.spec.clauses()}
            if any(c.id not in before for c in lb.spec.clauses()):
                found = reused_ids(self.history(old.commit, globs), old.commit, la.spec, lb.spec)
                cs = with_reused(cs, found, la.config.accepted_reuse if accepted is None else accepted)
        return Comparison(cs, la, lb, ((old.label, la), (new.label, lb)))

    def history(self, tip: str, documents: tuple[str, ...]) -> IdHistory:
        """One scan per tip and document globs (changelog --all scans once, from the newest release)."""
        key = (self._history_tip or tip, documents)
        if key not in self._histories:
            self._histories[key] = IdHistory(self.repo, *key)
        return self._histories[key]

    def _bytes(self, src: TreeSource, path: str, limit: int) -> bytes:
        """A blob's bytes, read from git once however many refs hold it."""
        blob = src.blob_id(path) or ""
        if blob not in self._blobs:
            self._blobs[blob] = src.read(path, limit)
        return self._blobs[blob]

    def _shadowed(self, src: TreeSource, loaded: Loaded, changed: set[str]) -> bool:
        """Whether an anchor or clause id of a changed file is also in an unchanged one (a duplicate):
        then only a full comparison gives the answer a full comparison gives."""
        ours = {s.anchor for s in loaded.spec.sections()} | {c.id for c in loaded.spec.clauses()}
        if not ours:
            return False
        unparsed = [p for p in loaded.doc_paths if p not in changed and ("doc", p, src.blob_id(p) or "") not in self.cache]
        self._fetch(src, unparsed, self._ids, loaded.config.max_file_bytes)
        for path in loaded.doc_paths:
            if path not in changed and ours & self._ids_in(src, path, loaded.config.max_file_bytes):
                return True
        return False

    def _fetch(self, src: TreeSource, paths: list[str], known: dict[str, Any], limit: int) -> None:
        """Fetch, in one git process, the blobs of these files that neither `known` nor an earlier read has."""
        wanted = [p for p in paths if (src.blob_id(p) or "") not in known and (src.blob_id(p) or "") not in self._blobs]
        src.prefetch(wanted, limit)

    def _ids_in(self, src: TreeSource, path: str, limit: int) -> set[str]:
        """The anchors and clause ids of an unchanged file: from its parse when it was parsed before, else its bytes."""
        blob = src.blob_id(path) or ""
        if blob not in self._ids:
            parsed = self.cache.get(("doc", path, blob))
            if parsed is not None and parsed[0] is not None:
                doc = parsed[0]
                self._ids[blob] = {s.anchor for s in doc.sections} | {c.id for c in doc.clauses}
            else:
                data = self._bytes(src, path, limit).decode("utf-8", "replace")
                self._ids[blob] = set(_ANCHORS.findall(data)) | set(TAG.findall(data))
        return self._ids[blob]

    def _tags_in(self, src: TreeSource, path: str, limit: int) -> set[bytes]:
        """The ids of the clause tags in a file (as bytes), found once per blob."""
        blob = src.blob_id(path) or ""
        if blob not in self._tags:
            self._tags[blob] = set(_TAGS.findall(self._bytes(src, path, limit)))
        return self._tags[blob]

    def _partial(self, src_a: TreeSource, src_b: TreeSource) -> tuple[Loaded, Loaded]:
        changed = src_a.changed(src_b)
        la, lb = load(src_a, self.cache, changed.__contains__), load(src_b, self.cache, changed.__contains__)
        if self._shadowed(src_a, la, changed) or self._shadowed(src_b, lb, changed):
            return load(src_a, self.cache), load(src_b, self.cache)  # a duplicate id: compare everything
        known = {c.id for c in (*la.spec.clauses(), *lb.spec.clauses())}
        need = {ch.clause_id for ch in (*la.spec.challenges, *lb.spec.challenges)} - known
        if not need:
            return la, lb
        wanted_tags = {cid.encode("utf-8", "surrogateescape") for cid in need}
        extra = set()
        for src, loaded in ((src_a, la), (src_b, lb)):
            self._fetch(src, [p for p in loaded.doc_paths if p not in changed], self._tags, loaded.config.max_file_bytes)
            for path in loaded.doc_paths:
                if path not in changed and wanted_tags & self._tags_in(src, path, loaded.config.max_file_bytes):
                    extra.add(path)
        wanted = changed | extra
        return load(src_a, self.cache, wanted.__contains__), load(src_b, self.cache, wanted.__contains__)
