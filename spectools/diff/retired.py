"""Retired ids in the working tree: a clause id that the history had, that HEAD no longer has, and
that the working tree brings back with another meaning (SPEC207). Ids are permanent.

The common case costs three small git processes: one `rev-parse` that finds the repository and HEAD, HEAD's
tree (`ls-tree`), and the run's one `git cat-file` for its documents' bytes, whose clause tags are read; only
ids that HEAD lacks are looked up in the history.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from spectools.model import TAG, Diagnostic, diag
from spectools.parse.load import Loaded

if TYPE_CHECKING:
    from spectools.sources.git import GitRepo


def _in_git(root: Path) -> bool:
    return any((p / ".git").exists() for p in (root.resolve(), *root.resolve().parents))


def _ids_at_head(repo: GitRepo, tip: str, loaded: Loaded) -> set[str]:
    """The clause ids HEAD's versions of the documents tag (each read to the file limit at most: a blob over it is
    no spec document, and memory stays bounded)."""
    from spectools.sources.git import Side
    from spectools.sources.tree import TreeSource

    head, limit = TreeSource(repo, Side("HEAD", tip)), loaded.config.max_file_bytes
    paths = [p for p in loaded.doc_paths if head.is_file(p)]
    head.prefetch(paths, limit)
    blobs = b"\n".join(data for data in (head.read(p, limit) for p in paths) if len(data) <= limit)
    return {m.group(1) for m in TAG.finditer(blobs.decode("utf-8", "replace"))}


def reused(root: Path, loaded: Loaded) -> list[Diagnostic]:
    """SPEC207 for every clause id of the working tree that HEAD lacks and the history had with another meaning."""
    if not _in_git(root) or not loaded.doc_paths:
        return []
    from spectools.diff.history import SAME_MEANING, IdHistory
    from spectools.diff.wording import normalise, similarity
    from spectools.model import SpecError
    from spectools.sources.git import GitError, GitRepo

    repo = None
    try:
        repo = GitRepo(root, ["HEAD"])
        tip = repo.resolve("HEAD")  # found with the repository; no commit yet: nothing to check
        at_head = _ids_at_head(repo, tip, loaded)
        new = {c.id: c for c in loaded.spec.clauses() if c.id not in at_head}
        if not new:
            return []
        with_history = IdHistory(repo, tip, loaded.documents)
        seen = with_history.find(set(new), tip)
        with_history.close()
    except (SpecError, GitError, OSError):  # no git, or no history to check
        return []
    finally:
        if repo is not None:
            repo.close()
    out = []
    for cid, clause in sorted(new.items()):
        if cid in seen and similarity(seen[cid], clause.text) < SAME_MEANING:
            was = normalise(TAG.sub("", seen[cid]))
            out.append(
                diag(
                    "SPEC207",
                    clause.location,
                    f"clause id '{cid}' was retired and comes back with another meaning (it was: “{was}”); "
                    "ids are permanent: give this clause a new one (`spectools new-id`)",
                )
            )
    return out
