"""`spectools diff`: clause-level changes between two git refs (or a ref and the working tree)."""

from __future__ import annotations

import argparse
import sys

from spectools.cli.output import DIR_HELP, cache_flags, reused_ids, warn, warn_unread, write_json


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser(
        "diff",
        help="clause-level changes between two git refs (or a ref and the working tree)",
        description="Compare the spec at two sides, section by section and clause by clause. A side is a "
        "branch, tag or commit, WORKTREE (the files on disk) or, with --staged, the index. `A..B` compares "
        "A with B; `A...B` compares the merge base of A and B with B. Exit code 1 when a retired clause "
        "id comes back with another meaning; 2 for an unknown ref or a repository problem.",
    )
    d.add_argument("old", metavar="A", help="the old side: a ref, `A..B`, or `A...B`")
    d.add_argument("new", metavar="B", nargs="?", help="the new side (default: WORKTREE, or the index with --staged)")
    d.add_argument("--staged", action="store_true", help="compare with the index (what `git commit` would record)")
    d.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text: one change a line (default); markdown: grouped as in the changelog; json: schema/changes.schema.json",
    )
    d.add_argument("--path", default=".", metavar="DIR", help=DIR_HELP)
    cache_flags(d)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.diff.compare import Comparer
    from spectools.render import changes as render
    from spectools.sources.git import GitRepo, side_refs

    repo = GitRepo(Path(args.path), side_refs(args.old, args.new))
    side_a, side_b = repo.sides(args.old, args.new, args.staged)
    with Comparer(repo) as comparer:
        found = comparer.compare(side_a, side_b)
    warn_unread(list(found.sides))
    for side, loaded, other in ((side_a, found.old, "added"), (side_b, found.new, "removed")):
        if loaded is not None and not loaded.doc_paths:
            warn(
                f"{side.label} has no spec documents ({', '.join(loaded.documents)}), so everything at the other side "
                f"is {other}; check the ref, or `documents:` in spectools.yaml"
            )
    cs = found.changes
    if args.format == "json":
        write_json(render.as_json(cs))
    else:
        sys.stdout.write((render.markdown if args.format == "markdown" else render.text)(cs))
    sys.stderr.write(f"spectools: {render.summary_line(cs)}\n")
    reused_ids(cs, f"the change from {side_a.label} to {side_b.label}")
    return 1 if cs.reuses_an_id else 0
