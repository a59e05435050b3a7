"""`spectools new challenge ID`: the challenge file for a clause, started safely."""

from __future__ import annotations

import argparse

from spectools.cli.output import PATH_HELP, Parser, display, say, warn_retired


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    w = sub.add_parser(
        "new",
        help="create a file for the spec: `spectools new challenge ID`",
        description="Create a new file. `challenge ID` writes <challenges>/ID.md with the header line for "
        "the clause's section and a GOOD/BAD example to fill in; it refuses when the clause does not exist "
        "or the file does.",
    )
    what = w.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
    wc = what.add_parser(
        "challenge",
        help="a challenge file for a clause",
        description="Create the challenge file for clause ID, starting with 'Examples for [^ID] in <section title>:'.",
    )
    wc.add_argument("clause_id", metavar="ID", help="the clause id, as in its tag [^ID]")
    wc.add_argument("--path", default=".", metavar="DIR", help=PATH_HELP)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.authoring.ids import create_challenge
    from spectools.parse.load import load, open_worktree

    root = Path(args.path)
    loaded = load(open_worktree(root))
    warn_retired(root, loaded, args.clause_id)
    created = create_challenge(root, loaded, args.clause_id)
    say(
        f"created {display(args.path)(str(created.relative_to(root)))}; fill in the example"
    )  # the folder's name is the repository's
    return 0
