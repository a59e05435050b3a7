"""A pull request's review: its base and head commits (fetched when a shallow clone lacks them),
the findings at both, the spec changes between them, and the summary that says it all.

Everything is read from git's object database, never from a checkout, so nothing the pull
request contains is ever run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spectools.diff.changes import CHANGE_SEVERITIES, ChangeSet
from spectools.github.event import Context
from spectools.model import SEVERITIES, Diagnostic, Spec, SpecError, severity_counts
from spectools.sources.git import GitError, GitRepo, Side, is_sha

DEEPEN_ROUNDS = 6  # 50, 100, 200, ... 1,600 more commits: 3,150 at most before giving up
FIRST_DEPTH = 50
FETCH_DEPTH_HINT = "set `fetch-depth: 0` on actions/checkout (or run `git fetch --unshallow`)"


@dataclass(frozen=True)
class Review:
    base: str | None  # the merge base compared against, or None (everything is new)
    head: str
    head_findings: Sequence[Diagnostic]
    base_findings: Sequence[Diagnostic] | None
    changes: ChangeSet
    spec: Spec  # the head spec
    notes: tuple[str, ...]  # said in the summary and as notices
    lint: tuple[Diagnostic, ...] = ()  # lint findings about the clauses the change adds or changes (never a verdict)

    @property
    def errors(self) -> int:
        return severity_counts(self.head_findings, SEVERITIES)["error"]

    @property
    def warnings(self) -> int:
        return severity_counts(self.head_findings, SEVERITIES)["warning"]

    @property
    def breaking(self) -> int:
        return severity_counts(self.changes.changes, CHANGE_SEVERITIES)["breaking"]


def _has_commit(repo: GitRepo, sha: str) -> bool:
    try:
        repo.git("cat-file", "-e", "--end-of-options", f"{sha}^{{commit}}")
        return True
    except GitError:
        return False


def _fetch(repo: GitRepo, options: list[str], *what: str) -> bool:
    """Fetch `what` (commits or refspecs) from origin; options are spectools' own, and what comes after them."""
    if "origin" not in repo.remotes():
        return False
    try:
        repo.git("fetch", "--quiet", "--no-tags", "--no-recurse-submodules", *options, "--end-of-options", "origin", *what)
        return True
    except GitError:
        return False


def ensure_commit(repo: GitRepo, sha: str, what: str, required: bool = True, pull: int | None = None) -> bool:
    """Whether the commit is here, fetching it from origin (shallowly) when it is not: by its id, or as the
    head of pull request `pull` (a fork's commit is reachable from the base repository's refs/pull/N/head).
    It is only ever read as data."""
    if not is_sha(sha):
        raise SpecError(f"{what} '{sha[:80]}' is not a commit id (40 or 64 hex digits)")
    if _has_commit(repo, sha):
        return True
    shallow = ["--depth", str(FIRST_DEPTH)] if repo.shallow() else []
    if _fetch(repo, shallow, sha) and _has_commit(repo, sha):
        return True
    ref = f"+refs/pull/{int(pull or 0)}/head:refs/remotes/origin/pull/{int(pull or 0)}/head"
    if pull and _fetch(repo, shallow, ref) and _has_commit(repo, sha):
        return True
    if required:
        raise SpecError(f"{what} {sha} is not in this clone and could not be fetched from origin; {FETCH_DEPTH_HINT}")
    return False


def merge_base(repo: GitRepo, a: str, b: str) -> str:
    """The merge base of a and b. In a shallow clone, deepen (a bounded number of times) until it is found."""
    for round_ in range(DEEPEN_ROUNDS + 1):
        try:
            return repo.git("merge-base", "--end-of-options", a, b).strip()
        except GitError:
            pass
        if round_ == DEEPEN_ROUNDS or not repo.shallow() or not _fetch(repo, [f"--deepen={FIRST_DEPTH << round_}"], a, b):
            break
    if repo.shallow():
        deepest = sum(FIRST_DEPTH << r for r in range(DEEPEN_ROUNDS))
        raise SpecError(
            f"{a[:12]} and {b[:12]} have no common ancestor within {deepest} more commits of history; {FETCH_DEPTH_HINT}"
        )
    raise SpecError(f"{a[:12]} and {b[:12]} have no common ancestor; give a base on the head's history (--base)")


def _default_branch(repo: GitRepo, name: str | None) -> str | None:
    """The default branch's commit (origin's, fetched if need be), or None when there is none."""
    if not name:
        return None
    for attempt in range(2):
        for ref in (f"refs/remotes/origin/{name}", f"refs/heads/{name}"):
            if _has_commit(repo, ref):
                return repo.git("rev-parse", "--verify", "--end-of-options", ref + "^{commit}").strip()
        depth = ["--depth", str(FIRST_DEPTH)] if repo.shallow() else []
        if attempt or not _fetch(repo, depth, f"+refs/heads/{name}:refs/remotes/origin/{name}"):
            break
    return None


def _parent(repo: GitRepo, sha: str) -> str | None:
    line = repo.git("rev-list", "--parents", "-n", "1", "--end-of-options", sha).split()
    return line[1] if len(line) > 1 else None


def sides(repo: GitRepo, ctx: Context) -> tuple[str | None, str, list[str]]:
    """(base commit or None, head commit, notes): the merge base of the context's base and head."""
    notes = [ctx.note] if ctx.note else []
    if ctx.head is None:
        raise SpecError("nothing to compare: this event names no head commit")
    head = (
        ctx.head
        if is_sha(ctx.head) and ensure_commit(repo, ctx.head, "the head commit", pull=ctx.number)
        else repo.resolve(ctx.head)
    )
    base = _given_base(repo, ctx, notes)
    if base is None:
        base = _default_branch(repo, ctx.default_branch)
    if base is None:
        base = _parent(repo, head)
        if base is not None:
            notes.append("compared with the parent commit")
    if base is None:
        notes.append("the first commit: everything in it is new")
        return None, head, notes
    found = merge_base(repo, base, head)
    if found == head and ctx.base is None:  # the default branch itself: its last commit is what is new
        parent = _parent(repo, head)
        if parent is None:
            notes.append("the first commit: everything in it is new")
        return parent, head, notes
    return found, head, notes


def _given_base(repo: GitRepo, ctx: Context, notes: list[str]) -> str | None:
    """The event's (or --base's) base commit, or None when there is none or a force-push took it."""
    if ctx.base is None:
        return None
    if is_sha(ctx.base) and not ensure_commit(repo, ctx.base, "the base commit", required=not ctx.base_may_be_gone):
        notes.append(f"the push's previous commit {ctx.base[:12]} is gone (a force-push): compared with the default branch")
        return None
    return ctx.base if is_sha(ctx.base) else repo.resolve(ctx.base)


def review(repo: GitRepo, ctx: Context, with_lint: bool = True) -> Review:
    from spectools.checks.run import run
    from spectools.diff.compare import Comparer

    base, head, notes = sides(repo, ctx)
    old = Side(base[:12], base) if base else None
    new = Side(head[:12], head)
    with Comparer(repo) as comparer:
        changes = comparer.compare(old, new).changes
        # the comparison read only what changed; the findings need every file of both sides
        head_loaded = comparer.full(new)
        base_findings = run(comparer.full(old)) if old is not None else None
    linted = changed_lint(head_loaded, changes) if with_lint else ()
    return Review(base, head, run(head_loaded), base_findings, changes, head_loaded.spec, tuple(notes), linted)


def changed_lint(loaded: Any, changes: ChangeSet) -> tuple[Diagnostic, ...]:
    """The lint findings about the clauses a change adds, rewords or moves (a conflict when either side is one of
    them): a pull request hears about its own clauses, never the whole backlog."""
    from spectools.checks.lint import lint
    from spectools.diff.changes import Kind, clause_ids

    touched = clause_ids(changes.changes, Kind.CLAUSE_ADDED, Kind.CLAUSE_REWORDED, Kind.CLAUSE_MOVED)
    if not touched:
        return ()
    return tuple(f.diagnostic for f in lint(loaded) if touched.intersection(f.ids) or touched.intersection(f.other))


def split_results(
    files: Sequence[tuple[str, bytes | str]], base: str | None, head: str
) -> tuple[list[Any] | None, list[Any] | None]:
    """(head results, base results) from results files (name, text): a row belongs to the base when its
    spec commit is the base's (and not the head's), to the head otherwise."""
    from spectools.io.results import load as load_results

    if not files:
        return None, None
    from spectools.github.summary import setup_of
    from spectools.model import SpecError

    head_rows: list[Any] = []
    base_rows: list[Any] = []
    seen: dict[tuple[bool, str, str], int] = {}  # (at the base?, clause, setup) -> the file that gave it (by place)
    for n, (name, text) in enumerate(files):
        for row in load_results(text, name):
            commit = row["spec_commit"]
            at_base = bool(commit) and base is not None and base.startswith(commit) and not head.startswith(commit)
            key = (at_base, row["clause"], setup_of(row))
            if seen.setdefault(key, n) != n:
                first = files[seen[key]][0]
                said = f"{name} is given twice" if first == name else f"{first} and {name} both hold results of one setup"
                raise SpecError(
                    f"{said} for clause {row['clause']}: they would be counted twice; give one results file per setup "
                    "(rerun with more --samples to measure more)"
                )
            (base_rows if at_base else head_rows).append(row)
    return head_rows, base_rows or None
