"""Retired ids in the working tree: a clause id that the history had, that HEAD no longer has, and
that the working tree brings back with another meaning (SPEC207). Ids are permanent.

The common case costs three small git processes: one `rev-parse` for the spec's folder and HEAD, then the
sizes and the bytes of HEAD's documents (`git cat-file --batch-check`, `--batch`), whose clause tags are read;
only ids that HEAD lacks are looked up in the history.
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


def _ids_at_head(root: Path, loaded: Loaded) -> set[str] | None:
    """The clause ids HEAD's versions of the documents tag, or None when there is no history to check."""
    if not _in_git(root) or not loaded.doc_paths:
        return None
    found = _git(root, "rev-parse", "--show-prefix", "--verify", "-q", "HEAD^{commit}")  # "<prefix>\n<commit>\n"
    lines = found.decode("utf-8", "surrogateescape").split("\n") if found is not None else []
    if len(lines) != 3:
        return None  # no commit yet, or no git
    from spectools.sources.git import GitError, cat_blobs

    try:  # at most the file limit of each (a blob over it is no spec document): memory stays bounded
        names = [f"HEAD:{lines[0]}{p}" for p in loaded.doc_paths]
        raw, spans = cat_blobs(root, names, loaded.config.max_file_bytes)
    except (OSError, GitError):
        return None
    blobs = b"\n".join(raw[start:end] for start, end in spans)
    return {m.group(1) for m in TAG.finditer(blobs.decode("utf-8", "replace"))}


def reused(root: Path, loaded: Loaded) -> list[Diagnostic]:
    """SPEC207 for every clause id of the working tree that HEAD lacks and the history had with another meaning."""
    at_head = _ids_at_head(root, loaded)
    if at_head is None:
        return []
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
