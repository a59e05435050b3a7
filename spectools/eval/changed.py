"""`--changed-since REF`: the clauses whose text or challenges changed between REF and the working tree."""

from __future__ import annotations

from pathlib import Path

from spectools.diff.changes import ChangeSet, Kind, clause_ids


def clauses_changed(cs: ChangeSet) -> set[str]:
    """Clause ids that were added, reworded, moved or brought back, or whose challenge file or its examples changed."""
    touched = {c.subject for c in cs.changes if c.kind.about in ("clause", "challenge") or c.details.get("in") == "challenge"}
    touched |= clause_ids(cs.changes, Kind.CLAUSE_ADDED, Kind.CLAUSE_REWORDED)  # those named in their section's entry
    return touched - clause_ids(cs.changes, Kind.CLAUSE_REMOVED)  # a removed clause has nothing to run


def changed_since(path: Path, ref: str) -> set[str]:
    from spectools.diff.compare import Comparer
    from spectools.sources.git import GitRepo

    repo = GitRepo(path)
    old, new = repo.sides(ref, None, False)
    with Comparer(repo) as comparer:
        return clauses_changed(comparer.compare(old, new).changes)
