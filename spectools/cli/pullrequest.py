"""`spectools github`: the pull-request summary, posted as one sticky comment, with the job summary,
the step's outputs and annotations. With cli/__init__.py and commands.py, the only code that prints.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spectools.model import EXIT_FINDINGS, EXIT_OK, SpecError

if TYPE_CHECKING:
    from collections.abc import Callable

    from spectools.github.event import Context
    from spectools.github.handoff import Handoff, Ticket

SUMMARY_FILE = "spectools-summary.md"


def _failed(fail_on: str, errors: int, warnings: int, breaking: int) -> bool:
    if fail_on == "never":
        return False
    if fail_on == "warning":
        return bool(errors or warnings)
    if fail_on == "breaking":
        return bool(errors or breaking)
    return bool(errors)


def _warn(message: str) -> None:
    from spectools.render.escape import term
    from spectools.render.escape import workflow_data as escape_data

    if os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stdout.write(f"::warning title=spectools::{escape_data(message)}\n")
    sys.stderr.write(f"spectools: warning: {term(message)}\n")


def _notice(message: str) -> None:
    from spectools.render.escape import term
    from spectools.render.escape import workflow_data as escape_data

    if os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stdout.write(f"::notice title=spectools::{escape_data(message)}\n")
    sys.stderr.write(f"spectools: {term(message)}\n")


def _run_link(ctx: Context) -> str:
    run_id = os.environ.get("GITHUB_RUN_ID")
    if ctx.repository and run_id:
        return f"[the job summary]({ctx.server_url.rstrip('/')}/{ctx.repository}/actions/runs/{run_id})"
    return "the job summary"


def _check(fail_on: str, ctx: Context, path: str, results: list[str]) -> tuple[Handoff, list[str]]:
    """Review the pull request (or push) and render both bodies; (the report, notes on how it was made)."""
    from dataclasses import replace

    from spectools.github.handoff import Handoff
    from spectools.github.review import review, split_results
    from spectools.github.runner import SUMMARY_LIMIT, annotate
    from spectools.github.summary import Inputs, render, split_findings
    from spectools.sources.git import GitRepo

    repo = GitRepo(Path(path))
    rv = review(repo, ctx)
    files = []
    for name in results:
        try:
            files.append((name, Path(name).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"{name}: cannot read the results file ({getattr(exc, 'strerror', None) or 'not UTF-8'})") from None
    head_results, base_results = split_results(files, rv.base, rv.head)
    introduced, _ = split_findings(rv.head_findings, rv.base_findings)  # what was there before fails nothing
    new_errors = sum(1 for d in introduced if d.severity == "error")
    failed = _failed(fail_on, new_errors, sum(1 for d in introduced if d.severity == "warning"), rv.breaking)
    prefix = repo.prefix  # annotations name files from the repository's root, as the runner's checkout does
    commands, left = annotate([d._replace(location=d.location._replace(path=prefix + d.location.path)) for d in rv.head_findings])
    if os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stdout.write(commands)
    notes = list(rv.notes)
    if left:
        notes.append(
            "annotations show the first 10 findings of each severity; not annotated: "
            + ", ".join(f"{n} more {severity}{'s' * (n != 1)}" for severity, n in sorted(left.items()))
        )
    at_head = replace(ctx, head=rv.head)
    inputs = Inputs(
        head=rv.head_findings,
        base=rv.base_findings,
        changes=rv.changes,
        spec=rv.spec,
        results=head_results,
        base_results=base_results,
        link=lambda p, line: at_head.link(prefix + p, line),
        blob_url=at_head.blob_url() + prefix if at_head.blob_url() else "",
        base_blob_url=ctx.blob_url(rv.base) + prefix if rv.base and ctx.blob_url(rv.base) else "",
        full_report=_run_link(ctx),
        failed=failed,
        notes=notes,
    )
    comment = render(inputs)
    summary = render(
        replace(inputs, full_report="the output of `spectools validate`", list_limit=2000, line_limit=None), SUMMARY_LIMIT // 2
    )
    report = Handoff(
        ctx.number or 0, rv.head, rv.base, rv.errors, rv.warnings, rv.breaking, EXIT_FINDINGS if failed else EXIT_OK,
        comment, summary,
    )  # fmt: skip
    return report, list(rv.notes)


def _verified(report: Ticket, ctx: Context, gh: Any) -> str | None:
    """The ticket is untrusted: review only the pull request whose head it names, as the event and the
    API say. Returns the pull request's base commit, as the API gives it (None without the API)."""
    if ctx.workflow_run_sha and report.head_sha != ctx.workflow_run_sha:
        raise SpecError(
            f"the report checked commit {report.head_sha[:12]}, but the run that made it was for "
            f"{ctx.workflow_run_sha[:12]}; not posted"
        )
    if ctx.workflow_run_prs and report.pull_request not in ctx.workflow_run_prs:
        raise SpecError(f"the report names pull request #{report.pull_request}, which is not the run's; not posted")
    if gh is not None and ctx.repository:
        pull = gh.get_repo(ctx.repository).get_pull(report.pull_request)
        if pull.head.sha != report.head_sha:
            raise SpecError(
                f"the report names pull request #{report.pull_request}, whose head is {pull.head.sha[:12]}, "
                f"not the commit it checked ({report.head_sha[:12]}); not posted"
            )
        return str(pull.base.sha)
    return None


def _post(ctx: Context, number: int, body: str, mode: str, gh: Any) -> tuple[str, str | None]:
    """(comment id or "", a warning for the job summary or None). Refusals and outages are warnings."""
    from github import GithubException

    from spectools.github.api import CommentRefused, post

    try:
        posted = post(gh, ctx.repository or "", number, body, mode)
    except CommentRefused as exc:
        return "", f"{exc}. A pull request from a fork gets a read-only token: see the README for the two-workflow setup"
    except GithubException as exc:
        if exc.status == 401:
            return (
                "",
                "GitHub did not accept the token (401: Bad credentials), so the comment was not posted; check `github-token`",
            )
        return "", f"could not post the comment: GitHub answered {exc.status} after retries"
    except OSError as exc:
        return "", f"could not reach GitHub at {ctx.api_url}: {type(exc).__name__}"
    _notice(f"comment {posted.action} on pull request #{number}")
    return str(posted.comment_id or ""), None


def _write(target: str | Path, what: str, write: Callable[[], None]) -> None:
    """A file of the runner's: a failure to write it is the user's to fix, said with the path."""
    try:
        write()
    except OSError as exc:
        raise SpecError(f"{target}: cannot write {what}: {exc.strerror or type(exc).__name__}") from None


def _write_summary_file(path: Path, text: str) -> None:
    from spectools.io import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))


def _client(ctx: Context) -> Any:
    from spectools.github.api import client

    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        return None
    return client(token, ctx.api_url)


def cmd_github(
    path: str,
    base: str | None,
    head: str | None,
    pr: int | None,
    fail_on: str,
    comment: str,
    results: list[str],
    dry_run: bool,
    save_report: str | None,
    report_path: str | None,
) -> int:
    from spectools.github import event, handoff
    from spectools.github import runner as actions

    ctx = event.context(os.environ, base, head, pr)
    if ctx.event == "workflow_run" or report_path:
        if not report_path:
            raise SpecError(
                "a workflow_run event posts the report of the pull request's run: download its artifact and give "
                "its folder with --report (the action's `report` input)"
            )
        if save_report:
            raise SpecError("--report posts a saved report; --save-report saves one: give one of them")
        from dataclasses import replace

        ticket = handoff.load(Path(report_path))
        gh = None if dry_run else _client(ctx)
        base_sha = _verified(ticket, ctx, gh)
        # nothing else of the artifact is used: the review, the comment and the summary are computed here
        ctx = replace(ctx, base=base_sha, head=ticket.head_sha, number=ticket.pull_request)
        report, notes = _check(fail_on, ctx, path, results)
        number, exit_code = ticket.pull_request, report.exit_code
    else:
        if ctx.head is None:
            _notice(ctx.note or "nothing to check")
            return EXIT_OK
        report, notes = _check(fail_on, ctx, path, results)
        number = ctx.number or 0
        exit_code = report.exit_code
        gh = None
    for note in notes:
        _notice(note)
    warning = None
    comment_id = ""
    if save_report:
        if not number:
            raise SpecError("--save-report is for a pull request's run: this event names no pull request (give --pr N)")
        saved = handoff.save(Path(save_report), report)
        _notice(f"saved the report for the privileged run in {saved}")
    elif dry_run:  # on a runner, inside stop-commands: a file name holding `::warning::` stays text
        sys.stdout.write(actions.quoted(report.comment) if os.environ.get("GITHUB_ACTIONS") == "true" else report.comment)
    elif comment != "off" and number:
        gh = gh or _client(ctx)
        if gh is None:
            warning = "no GITHUB_TOKEN, so the comment was not posted (the action passes `github-token`)"
        elif not ctx.repository:
            warning = "no GITHUB_REPOSITORY, so the comment was not posted"
        else:
            comment_id, warning = _post(ctx, number, report.comment, comment, gh)
    if warning:
        _warn(warning)
    summary = report.summary if not warning else report.summary + f"\n> [!WARNING]\n> {warning}\n"
    runner_temp = os.environ.get("RUNNER_TEMP")  # only on a runner: a local run leaves no file behind
    summary_file = Path(runner_temp) / SUMMARY_FILE if runner_temp else None
    outputs = {
        "errors": str(report.errors),
        "warnings": str(report.warnings),
        "breaking-changes": str(report.breaking_changes),
        "comment-id": comment_id,
        "summary-path": str(summary_file or ""),
    }
    if summary_file is not None:
        _write(summary_file, "the summary file", lambda: _write_summary_file(summary_file, actions.fit_summary(summary)))
    step_summary, step_output = os.environ.get("GITHUB_STEP_SUMMARY"), os.environ.get("GITHUB_OUTPUT")
    if step_summary:
        _write(step_summary, "the job summary (GITHUB_STEP_SUMMARY)", lambda: actions.append_summary(Path(step_summary), summary))
    if step_output:
        _write(step_output, "the step's outputs (GITHUB_OUTPUT)", lambda: actions.write_outputs(Path(step_output), outputs))
    if os.environ.get("GITHUB_ACTIONS") == "true" and not dry_run:
        sys.stdout.write(actions.quoted(report.comment))  # the log shows what was posted, never obeyed as commands
    counts = [(report.errors, "error"), (report.warnings, "warning"), (report.breaking_changes, "breaking change")]
    said = ", ".join(f"{n} {what}{'s' * (n != 1)}" for n, what in counts)
    sys.stderr.write(f"spectools: {said}; the check {'fails' if exit_code else 'passes'} (--fail-on {fail_on})\n")
    return exit_code
