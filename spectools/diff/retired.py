"""Retired ids in the working tree: a clause id that the history had, that HEAD no longer has, and
that the working tree brings back with another meaning (SPEC207). Ids are permanent.

The common case costs three small git processes: the clause tags of HEAD's documents are read in one
`git cat-file --batch`, and only ids that HEAD lacks are looked up in the history.
"""

from __future__ import annotations

from pathlib import Path

from spectools.model import TAG, Diagnostic, diag
from spectools.parse.load import Loaded


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes | None:
    from spectools.sources.git import GitError, run

    try:
        return run(args, root, data)
    except (OSError, GitError):  # no git, or no history to check
        return None


def _in_git(root: Path) -> bool:
    return any((p / ".git").exists() for p in (root.resolve(), *root.resolve().parents))


def reused(root: Path, loaded: Loaded) -> list[Diagnostic]:
    """SPEC207 for every clause id of the working tree that HEAD lacks and the history had with another meaning."""
    if not _in_git(root) or not loaded.doc_paths:
        return []
    prefix = _git(root, "rev-parse", "--show-prefix")
    head = _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if prefix is None or head is None:
        return []
    names = "".join(f"HEAD:{prefix.decode().strip()}{p}\n" for p in loaded.doc_paths).encode()
    blobs = _git(root, "cat-file", "--batch", data=names) or b""
    at_head = {m.group(1) for m in TAG.finditer(blobs.decode("utf-8", "replace"))}
    new = {c.id: c for c in loaded.spec.clauses() if c.id not in at_head}
    if not new:
        return []
    from spectools.diff.history import SAME_MEANING, IdHistory
    from spectools.diff.wording import normalise, similarity
    from spectools.model import SpecError
    from spectools.sources.git import GitRepo

    try:
        repo = GitRepo(root)
        tip = repo.resolve("HEAD")
        with_history = IdHistory(repo, tip, loaded.documents)
        seen = with_history.find(set(new), tip)
        with_history.close()
    except SpecError:
        return []
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
