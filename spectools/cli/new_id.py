"""`spectools new-id`: fresh clause ids that were never used."""

from __future__ import annotations

import argparse
import sys

from spectools.cli.output import PATH_HELP, warn, warn_retired


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    n = sub.add_parser(
        "new-id",
        help="print fresh clause ids that were never used",
        description="Print clause ids that match ids.clause (default ^[a-z0-9]{4}$) and are unique: "
        "against every clause and challenge file of the spec, and, in a git repository, against every id "
        "that any commit ever had (retired ids are never reused).",
    )
    n.add_argument("--count", type=int, default=1, metavar="N", help="how many ids (default: 1)")
    n.add_argument("--path", default=".", metavar="DIR", help=PATH_HELP)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.authoring.ids import new_ids, taken_ids
    from spectools.diff.history import IdHistory
    from spectools.model import SpecError
    from spectools.parse.load import load, open_worktree
    from spectools.sources.git import GitRepo

    if args.count < 1 or args.count > 10000:
        raise SpecError("--count takes a whole number from 1 to 10000")
    root = Path(args.path)
    loaded = load(open_worktree(root))
    history: set[str] = set()
    try:
        repo = GitRepo(root)
        if repo.has_commits():
            history = IdHistory(repo, repo.resolve("HEAD"), loaded.documents).all_ids()
    except SpecError as exc:
        warn(f"{exc.message}; so only the current spec was checked for used ids")
    warn_retired(root, loaded)
    for cid in new_ids(args.count, loaded.config.clause_id, taken_ids(loaded, history)):
        sys.stdout.write(cid + "\n")
    return 0
