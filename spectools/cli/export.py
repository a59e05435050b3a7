"""`spectools export`: the parsed spec as JSON (schema/spec.schema.json)."""

from __future__ import annotations

import argparse
import sys

from spectools.cli.output import PATH_HELP, UNREAD, cache_flags, display, say, write_json


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    e = sub.add_parser(
        "export",
        help="print the parsed spec as JSON (schema/spec.schema.json)",
        description="Print the parsed spec (documents, sections, clauses, examples, challenge files) "
        "as JSON that conforms to schema/spec.schema.json.",
    )
    e.add_argument("path", nargs="?", default=".", metavar="PATH", help=PATH_HELP)
    cache_flags(e)
    e.add_argument("--format", choices=("json",), default="json", help="output format (default: json)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.model import EXIT_FINDINGS, EXIT_OK
    from spectools.parse.load import load, open_worktree
    from spectools.render.diagnostics import text
    from spectools.render.export import to_json

    loaded = load(open_worktree(Path(args.path)))
    unread = [d for d in loaded.problems if d.code in UNREAD or d.code == "SPEC014"]
    write_json(to_json(loaded.spec))
    if unread:  # the JSON would be silently incomplete: say what is missing, and fail
        sys.stderr.write(text(sorted(unread, key=lambda d: d.sort_key()), display(args.path)))
        say("the export leaves out the files above; fix them (see `spectools validate`)")
        return EXIT_FINDINGS
    return EXIT_OK
