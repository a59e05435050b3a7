"""`spectools validate`: check a spec repository and report each finding with its place."""

from __future__ import annotations

import argparse

from spectools.cli.output import PATH_HELP, cache_flags, display, format_flag, report, say


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    v = sub.add_parser(
        "validate",
        help="check a spec repository: schema, ids, references, coverage, examples",
        description="Check every document and challenge file of a spec repository and report each "
        "finding with its file, line and column. Exit codes: 0 clean, 1 findings at or above "
        "--fail-on, 2 usage or configuration error, 3 internal error, 130 interrupted.",
    )
    v.add_argument("path", nargs="?", default=".", metavar="PATH", help=PATH_HELP)
    cache_flags(v)
    format_flag(v)
    v.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    v.add_argument(
        "--lint",
        action="store_true",
        help="also run the lint checks (SPEC610-SPEC651: what the clauses say; see `spectools lint`)",
    )
    v.add_argument(
        "--fix",
        action="store_true",
        help="rewrite stale 'Examples for [^id] in <title>:' header lines of challenge files "
        "(atomically, nothing else is touched), then report what is left",
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.checks.run import run as check
    from spectools.diff.retired import reused
    from spectools.model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, SEVERITIES, fails, severity_counts
    from spectools.parse.load import load, open_worktree

    root = Path(args.path)
    loaded = load(open_worktree(root))
    if args.fix:
        from spectools.authoring.fix import fix_headers

        changed = fix_headers(loaded, root)
        for rel in changed:
            say(f"fixed the header line of {display(args.path)(rel)}")
        if changed:
            loaded = load(open_worktree(root))
    found = check(loaded, reused(root, loaded))
    if args.lint:
        from spectools.checks.lint import diagnostics, lint
        from spectools.model import Diagnostic

        found = sorted(found + diagnostics(lint(loaded)), key=Diagnostic.sort_key)
    report(found, args.format, args.path, len(loaded.read) + (1 if loaded.source.is_file("spectools.yaml") else 0))
    if not loaded.config_ok:
        say("spectools.yaml has errors, so the keys that hold them were ignored; fix it (exit code 2)")
        return EXIT_USAGE
    count = severity_counts(found, SEVERITIES)
    return EXIT_FINDINGS if fails(args.fail_on, count["error"], count["warning"]) else EXIT_OK
