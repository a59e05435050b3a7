"""Every clause id the history has seen, found cheaply: one `git log --raw` for the blobs that ever held a
spec document, then each distinct blob read once and scanned for tags (no markdown parse).

Ids are permanent: an id that was removed is retired, and must not come back with another meaning.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spectools.model import Change, ChangeSet, Spec
from spectools.parse.document import TAG, sentence_at
from spectools.source import glob_regex
from spectools.wording import normalise, similarity

if TYPE_CHECKING:
    from spectools.gitsource import GitRepo

SAME_MEANING = 0.6  # word similarity above which a returning id is taken to mean the same thing
_LINE_TAG = re.compile(r"\[\^([^\]\s]+)\]")


class IdHistory:
    """The clause ids in every version of the spec documents reachable from `tip`."""

    def __init__(self, repo: GitRepo, tip: str, documents: tuple[str, ...]) -> None:
        self._repo = repo
        self._globs = [glob_regex(repo.prefix + g) for g in documents]
        self._blob_commits: dict[str, set[str]] = {}  # blob sha -> commits that wrote it
        self._ids: dict[str, dict[str, str]] = {}  # blob sha -> {clause id: sentence}
        self._ancestors: dict[str, set[str]] = {}
        raw = repo.git("log", "--raw", "--no-abbrev", "--no-renames", "-z", "--format=%x01%H", tip)
        commit = ""
        fields = raw.split("\0")
        i = 0
        while i < len(fields):
            field = fields[i]
            if field.startswith("\x01") or field.startswith("\n\x01"):
                commit = field.strip("\n\x01")
                i += 1
                continue
            if field.startswith(":") or field.startswith("\n:"):
                meta = field.lstrip("\n")[1:].split()
                path = fields[i + 1] if i + 1 < len(fields) else ""
                i += 2
                if len(meta) >= 4 and any(g.match(path) for g in self._globs):
                    for sha in (meta[2], meta[3]):
                        if set(sha) != {"0"}:
                            self._blob_commits.setdefault(sha, set()).add(commit)
                continue
            i += 1

    def _blob_ids(self, sha: str) -> dict[str, str]:
        if sha not in self._ids:
            data = self._repo.repo.odb.stream(bytes.fromhex(sha)).read()
            text = data.decode("utf-8", "replace")
            found: dict[str, str] = {}
            for line in text.split("\n"):
                if "[^" not in line:
                    continue
                for m in _LINE_TAG.finditer(line):
                    found.setdefault(m.group(1), sentence_at(line, m.start()))
            self._ids[sha] = found
        return self._ids[sha]

    def ancestors(self, commit: str) -> set[str]:
        if commit not in self._ancestors:
            self._ancestors[commit] = set(self._repo.git("rev-list", commit).split())
        return self._ancestors[commit]

    def ids_before(self, commit: str | None) -> dict[str, str]:
        """Every id (with a sentence it had) in any version of the documents up to commit (all, for None)."""
        reach = self.ancestors(commit) if commit else None
        out: dict[str, str] = {}
        for sha, commits in sorted(self._blob_commits.items()):
            if reach is None or commits & reach:
                for cid, sentence in self._blob_ids(sha).items():
                    out.setdefault(cid, sentence)
        return out


def reused_ids(history: IdHistory, old_commit: str | None, old: Spec, new: Spec) -> list[Change]:
    """Ids that the new side adds, that the history up to the old side had, with another meaning."""
    from spectools.diff import change

    before_ids = {c.id for c in old.clauses()}
    added = [c for c in new.clauses() if c.id not in before_ids]
    if not added or old_commit is None:
        return []
    seen = history.ids_before(old_commit)
    out = []
    for clause in added:
        if clause.id in seen and similarity(seen[clause.id], clause.text) < SAME_MEANING:
            was = normalise(TAG.sub("", seen[clause.id]))
            out.append(
                change(
                    "id_reused",
                    clause.id,
                    "",
                    f"clause id [^{clause.id}] was retired and now comes back with "
                    f"another meaning (it was: “{was}”); give this clause a new id",
                    None,
                    clause.location,
                    key=was,
                    details={"was": was, "text": clause.text, "section": clause.section},
                )
            )
    return out


def with_reused(cs: ChangeSet, extra: list[Change]) -> ChangeSet:
    from spectools.diff import sort_key

    if not extra:
        return cs
    changes = sorted((*cs.changes, *extra), key=sort_key)
    return cs._replace(changes=tuple(changes))
