"""`spectools lint`: read what the clauses say (ambiguity, modals, undefined terms, conflicts) and report each finding
with its place; `--model` adds a model's second opinion beside the findings (never a verdict)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from spectools.cli.output import PATH_HELP, cache_flags, format_flag, report, say, warn

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from spectools.checks.lint import Finding
    from spectools.model import Diagnostic
    from spectools.parse.load import Loaded


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "lint",
        help="read what the clauses say: ambiguity, modals, undefined terms, conflicts",
        description="Lint the spec's clauses (the SPEC6xx checks from SPEC610, docs/checks.md): vague or unmeasurable "
        "words, open lists, passive obligations, several obligations in one clause, pronouns that lean on another "
        "sentence, double negatives, clauses with no word of obligation, undefined terms, links to sections that do "
        "not speak of their text, and pairs of clauses that conflict. A comment `<!-- spectools: allow SPEC611 -->` "
        "right after a clause's sentence allows a code for that clause (docs/checks.md says where else); severities "
        "are set under `checks` in spectools.yaml.",
    )
    p.add_argument("path", nargs="?", default=".", metavar="PATH", help=PATH_HELP)
    cache_flags(p)
    format_flag(p)
    p.add_argument(
        "--select",
        metavar="CODES",
        help="only these checks: codes or prefixes, comma-separated (e.g. SPEC640,SPEC61 for conflicts and ambiguity)",
    )
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="warning",
        help="lowest severity that makes the exit code 1 (default: warning; notices and hints never fail)",
    )
    m = p.add_argument_group("a model's second opinion (optional; never changes a finding or the exit code)")
    m.add_argument("--model", help="ask this model to confirm or dismiss each conflict and to reword each ambiguous clause")
    m.add_argument("--base-url", metavar="URL", help="the endpoint (default: $OPENAI_BASE_URL, else OpenAI's)")
    m.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="NAME", help="the variable that holds the key")
    m.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="the most one request may take (default: 60)")
    m.add_argument("--max-tokens", type=int, default=512, metavar="N", help="max_tokens of every request (default: 512)")
    m.add_argument("--max-requests", type=int, default=200, metavar="N", help="send at most N requests (default: 200)")
    m.add_argument("--concurrency", type=int, default=8, metavar="N", help="requests at once (default: 8)")


def selected(text: str | None) -> frozenset[str]:
    """The lint codes --select names (codes or prefixes); a SpecError for a name that selects none."""
    from spectools.checks.lint import CODES
    from spectools.model import SpecError

    if not text:
        return frozenset(CODES)
    chosen: set[str] = set()
    for name in (n.strip().upper() for n in text.split(",")):
        hit = {code for code in CODES if code.startswith(name)} if name else set()
        if not hit:
            raise SpecError(f"--select: '{name}' names no lint check; the lint checks are {', '.join(CODES)} (docs/checks.md)")
        chosen |= hit
    return frozenset(chosen)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.checks.lint import diagnostics, lint
    from spectools.model import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, SEVERITIES, fails, severity_counts
    from spectools.parse.load import load, open_worktree

    chosen = selected(args.select)
    root = Path(args.path)
    loaded = load(open_worktree(root))
    found = lint(loaded, chosen)
    interrupted = False
    if args.model:
        found, interrupted = _advised(args, root, found)
    shown = sorted(_unreadable(loaded) + diagnostics(found), key=lambda d: d.sort_key())
    report(shown, args.format, args.path, len(loaded.read))
    if not loaded.config_ok:
        say("spectools.yaml has errors (above), so the keys that hold them were ignored; fix it (exit code 2)")
        return EXIT_USAGE
    if interrupted:
        return EXIT_INTERRUPTED
    count = severity_counts(shown, SEVERITIES)
    return EXIT_FINDINGS if fails(args.fail_on, count["error"], count["warning"]) else EXIT_OK


def _unreadable(loaded: Loaded) -> list[Diagnostic]:
    """What kept files from being read (SPEC0xx: no documents, not UTF-8, too large...): lint reads nothing of them,
    so a run that passed over them would pass a spec it never saw."""
    from spectools.model import CHECKS

    overrides = loaded.config.checks
    out = []
    for d in loaded.problems:
        severity = overrides.get(d.code, d.severity)
        if CHECKS[d.code].family == "input" and severity != "off":
            out.append(d._replace(severity=severity))  # type: ignore[arg-type]
    return out


def _advised(args: argparse.Namespace, root: Path, found: Sequence[Finding]) -> tuple[list[Finding], bool]:
    import os
    from pathlib import Path

    from spectools.cli.eval_endpoints import cache
    from spectools.eval.advice import ASKED, advise, annotated
    from spectools.eval.endpoint import OPENAI_URL, Budget, Endpoint
    from spectools.model import SpecError

    for flag in ("max_tokens", "max_requests", "concurrency"):
        if getattr(args, flag) < 1:
            raise SpecError(f"--{flag.replace('_', '-')} must be at least 1")
    if args.timeout <= 0:
        raise SpecError("--timeout must be more than 0 seconds")
    base = (args.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL).rstrip("/")
    from argparse import Namespace

    answers = Namespace(no_cache=args.no_cache, cache_dir=str(Path(args.caches) / "eval") if args.caches else None)
    endpoint = Endpoint(base, os.environ.get(args.api_key_env, ""), timeout=args.timeout, cache=cache(answers, root),
                        max_tokens=args.max_tokens)  # fmt: skip
    advice, complete, interrupted = advise(found, endpoint, args.model, args.concurrency, Budget(args.max_requests))
    asked = sum(f.diagnostic.code in ASKED for f in found)
    if not complete and not interrupted:
        warn(f"--max-requests {args.max_requests} reached: {asked - len(advice)} of {asked} findings have no model opinion")
    if interrupted:
        warn("interrupted: the findings the model had not answered are shown without its opinion")
    say(f"model {args.model}: {endpoint.sent} requests sent, {endpoint.hits} replies from the cache")
    return [annotated(f, advice[n]) if n in advice else f for n, f in enumerate(found)], interrupted
