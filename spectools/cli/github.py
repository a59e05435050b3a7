"""`spectools github`: the pull-request summary, posted as one sticky comment, with the job summary,
the step's outputs and annotations. The work is github/pullrequest.py's; this says what happened."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from spectools.cli.output import DIR_HELP, cache_flags, commands, quoted, runner_notice, runner_warn

if TYPE_CHECKING:
    from spectools.github.event import Context
    from spectools.github.pullrequest import Checked


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    g = sub.add_parser(
        "github",
        help="the pull-request summary: findings and spec changes, posted as one sticky comment",
        description="Check a pull request (or a push, or --base/--head), compare it with its merge base, and "
        "post one comment that updates in place, plus the job summary, outputs and annotations. It reads the "
        "runner's environment (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, "
        "GITHUB_TOKEN, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT); every file is read through git, so nothing from "
        "the pull request is run. Exit code 1 when --fail-on says so, 2 for a repository or event problem.",
    )
    g.add_argument("--path", default=".", metavar="DIR", help=DIR_HELP)
    cache_flags(g)
    g.add_argument("--base", metavar="REF", help="compare with the merge base of REF and the head (default: from the event)")
    g.add_argument("--head", metavar="REF", help="the commit to check (default: from the event, else HEAD)")
    g.add_argument("--pr", type=int, metavar="N", help="the pull request to comment on, with --base/--head")
    g.add_argument(
        "--fail-on",
        choices=("error", "warning", "breaking", "never"),
        default="error",
        help="exit 1 on errors (default); on errors or warnings; on errors or breaking changes; or never",
    )
    g.add_argument(
        "--comment",
        choices=("update", "recreate", "off"),
        default="update",
        help="edit the comment in place (default), delete and post it again (to bring it to the bottom), or post none",
    )
    g.add_argument(
        "--results",
        action="append",
        default=[],
        metavar="FILE",
        help="eval results (schema/results.schema.json) for the compliance section; repeat for base and head",
    )
    g.add_argument(
        "--dry-run", action="store_true", help="print the comment, then the job summary it refers to, instead of posting it"
    )
    g.add_argument(
        "--save-report",
        metavar="DIR",
        help="write the report for a privileged workflow_run to post (fork pull requests), instead of posting",
    )
    g.add_argument("--report", metavar="PATH", help="post the report saved by --save-report in a pull request's run")
    g.add_argument(
        "--redline",
        metavar="DIR",
        help="write the redline of the pull request (spectools site's pages for its base and head, with every word "
        "it changes marked) into DIR, and say in the comment where it is (the action uploads it as an artifact)",
    )
    g.add_argument(
        "--no-lint",
        action="store_true",
        help="leave out the lint findings about the clauses the pull request adds or changes (they never fail the check)",
    )


def _on_runner() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _check(args: argparse.Namespace, ctx: Context) -> Checked:
    from pathlib import Path

    from spectools.github.pullrequest import check

    redline = Path(args.redline) if args.redline else None
    run_id = os.environ.get("GITHUB_RUN_ID")
    checked = check(args.fail_on, ctx, args.path, args.results, run_id, not args.no_lint, redline)
    if _on_runner():
        commands(checked.annotations)
    return checked


def _from_ticket(args: argparse.Namespace, ctx: Context) -> tuple[Checked, int, object]:
    """A workflow_run: the pull request's saved ticket, verified, and its head reviewed here."""
    from dataclasses import replace
    from pathlib import Path

    from spectools.github import handoff
    from spectools.github.pullrequest import client, verified
    from spectools.model import SpecError

    if not args.report:
        raise SpecError(
            "a workflow_run event posts the report of the pull request's run: download its artifact and give "
            "its folder with --report (the action's `report` input)"
        )
    if args.save_report:
        raise SpecError("--report posts a saved report; --save-report saves one: give one of them")
    ticket = handoff.load(Path(args.report))
    gh = None if args.dry_run else client(ctx, os.environ)
    base_sha = verified(ticket, ctx, gh)
    # nothing else of the artifact is used: the review, the comment and the summary are computed here
    ctx = replace(ctx, base=base_sha, head=ticket.head_sha, number=ticket.pull_request)
    return _check(args, ctx), ticket.pull_request, gh


DRY_RUN_RULE = "\n---\n\n<!-- spectools: the job summary -->\n\n"  # between the comment and the job summary


def _publish(args: argparse.Namespace, ctx: Context, checked: Checked, number: int, gh: object) -> tuple[str, str | None]:
    """Save the ticket, print the comment (--dry-run) or post it: (comment id, warning)."""
    from pathlib import Path

    from spectools.github import handoff
    from spectools.github.pullrequest import client, deliver
    from spectools.model import SpecError
    from spectools.sources.git import toplevel

    report = checked.report
    if args.save_report:
        if not number:
            raise SpecError("--save-report is for a pull request's run: this event names no pull request (give --pr N)")
        saved = handoff.save(Path(args.save_report), report, toplevel(Path(args.path)))
        runner_notice(f"saved the report for the privileged run in {saved}")
    elif args.dry_run:  # on a runner, inside stop-commands: a file name holding `::warning::` stays text
        shown = report.comment + DRY_RUN_RULE + report.summary  # what the comment refers to, readable here
        quoted(shown) if _on_runner() else sys.stdout.write(shown)
    elif args.comment != "off" and number:
        done = deliver(ctx, number, report.comment, args.comment, gh or client(ctx, os.environ))
        if done.said:
            runner_notice(done.said)
        return done.comment_id, done.warning
    return "", None


def run(args: argparse.Namespace) -> int:
    from spectools.github import event
    from spectools.github.pullrequest import write_runner_files
    from spectools.model import EXIT_OK

    ctx = event.context(os.environ, args.base, args.head, args.pr)
    gh: object = None
    if ctx.event == "workflow_run" or args.report:
        checked, number, gh = _from_ticket(args, ctx)
    elif ctx.head is None:
        runner_notice(ctx.note or "nothing to check")
        return EXIT_OK
    else:
        checked, number = _check(args, ctx), ctx.number or 0
    for note in checked.notes:
        runner_notice(note)
    report = checked.report
    comment_id, warning = _publish(args, ctx, checked, number, gh)
    if warning:
        runner_warn(warning)
    summary = report.summary if not warning else f"> [!WARNING]\n> {warning}\n\n" + report.summary  # first: never cut
    write_runner_files(os.environ, report, summary, comment_id)
    if _on_runner() and not args.dry_run:
        quoted(report.comment)  # the log shows what was posted, never obeyed as commands
    counts = [(report.errors, "error"), (report.warnings, "warning"), (report.breaking_changes, "breaking change")]
    said = ", ".join(f"{n} {what}{'s' * (n != 1)}" for n, what in counts)
    sys.stderr.write(f"spectools: {said}; the check {'fails' if report.exit_code else 'passes'} (--fail-on {args.fail_on})\n")
    return report.exit_code
