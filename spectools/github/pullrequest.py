"""`spectools github`'s work, without the printing: check a pull request (or push), verify a saved
ticket, post the comment, and write the runner's files. cli/github.py wires it and says what happened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from spectools.model import EXIT_FINDINGS, EXIT_OK, SEVERITIES, SpecError, fails, severity_counts
from spectools.sources.git import is_sha

if TYPE_CHECKING:
    from collections.abc import Callable

    from spectools.github.event import Context
    from spectools.github.handoff import Handoff, Ticket
    from spectools.github.review import Review
    from spectools.sources.git import GitRepo

SUMMARY_FILE = "spectools-summary.md"


class Checked(NamedTuple):
    report: Handoff
    notes: list[str]  # how the review was made: said as notices
    annotations: str  # workflow commands for the head's findings (the first of each severity)


def _run_link(ctx: Context, run_id: str | None) -> str:
    if ctx.repository and run_id:
        return f"[the job summary]({ctx.server_url.rstrip('/')}/{ctx.repository}/actions/runs/{run_id})"
    return "the job summary"


def _read_results(results: list[str]) -> list[tuple[str, bytes]]:
    from spectools.io.external import read_capped

    return [(name, read_capped(Path(name), "a results file")) for name in results]


def _inputs(rv: Review, ctx: Context, repo: GitRepo, results: list[str], run_id: str | None) -> Any:
    """The summary's inputs for this review, with links to the head's files on GitHub."""
    from spectools.github.review import split_results
    from spectools.github.summary import Inputs

    head_results, base_results = split_results(_read_results(results), rv.base, rv.head)
    prefix = repo.prefix
    at_head = replace(ctx, head=rv.head)
    return Inputs(
        head=rv.head_findings,
        base=rv.base_findings,
        lint=rv.lint,
        changes=rv.changes,
        spec=rv.spec,
        results=head_results,
        base_results=base_results,
        link=lambda p, line: at_head.link(prefix + p, line),
        blob_url=at_head.blob_url() + prefix if at_head.blob_url() else "",
        base_blob_url=ctx.blob_url(rv.base) + prefix if rv.base and ctx.blob_url(rv.base) else "",
        full_report=_run_link(ctx, run_id),
    )


def check(
    fail_on: str,
    ctx: Context,
    path: str,
    results: list[str],
    run_id: str | None = None,
    with_lint: bool = True,
    redline: Path | None = None,
) -> Checked:
    """Review the pull request (or push) and render the comment and the job summary. redline: a folder to write the
    pull request's redline into (spectools site, between the two sides reviewed), named in the comment."""
    from spectools.github.handoff import Handoff
    from spectools.github.review import review
    from spectools.github.runner import SUMMARY_LIMIT, annotate
    from spectools.github.summary import render, split_findings
    from spectools.sources.git import GitRepo

    repo = GitRepo(Path(path))
    rv = review(repo, ctx, with_lint)
    introduced, _ = split_findings(rv.head_findings, rv.base_findings)  # what was there before fails nothing
    new = severity_counts(introduced, SEVERITIES)
    failed = fails(fail_on, new["error"], new["warning"], rv.breaking)
    prefix = repo.prefix  # annotations name files from the repository's root, as the runner's checkout does
    commands, left = annotate([d._replace(location=d.location._replace(path=prefix + d.location.path)) for d in rv.head_findings])
    notes = list(rv.notes)
    if left:
        notes.append(
            "annotations show the first 10 findings of each severity; not annotated: "
            + ", ".join(f"{n} more {severity}{'s' * (n != 1)}" for severity, n in sorted(left.items()))
        )
    inputs = _inputs(rv, ctx, repo, results, run_id)
    stale = sorted(
        {str(r["spec_commit"]) for r in inputs.results or () if r["spec_commit"] and not rv.head.startswith(r["spec_commit"])}
    )
    if stale:  # made on another commit: shown, and said so
        shown = ", ".join(c[:12] for c in stale[:3])
        notes.append(
            f"results of commit {shown}, neither this head nor its base, are shown as the head's; rerun eval on the head"
        )
    if redline is not None and rv.base is not None:
        notes.append(_redline(repo, rv.base, rv.head, redline, ctx, run_id))
    inputs = replace(inputs, failed=failed, notes=notes)
    comment = render(inputs)
    summary = render(
        replace(inputs, full_report="the output of `spectools validate`", list_limit=2000, line_limit=None, existing=True),
        SUMMARY_LIMIT // 3 - 4096,  # render counts UTF-16 units, GitHub bytes: a unit is at most 3 bytes; room for a warning
    )
    report = Handoff(
        ctx.number or 0, rv.head, rv.errors, rv.warnings, rv.breaking, EXIT_FINDINGS if failed else EXIT_OK,
        comment, summary,
    )  # fmt: skip
    return Checked(report, list(rv.notes), commands)


REDLINE_ARTIFACT = "spectools-redline"  # the action uploads --redline's folder under this name


def _redline(repo: GitRepo, base: str, head: str, out: Path, ctx: Context, run_id: str | None) -> str:
    """Write the redline between base and head (both pages, the redline and an index) into out; the note that says
    where it is: the run's artifact on a runner, else the folder."""
    from spectools import io
    from spectools.render.escape import md
    from spectools.site.build import Options, build, publish
    from spectools.sources.git import Side

    pair = (Side(f"base {base[:7]}", base), Side(f"head {head[:7]}", head))
    try:
        publish(out, build(repo, Options(between=pair)), io.root_for(out, repo.top()))
    except SpecError as e:  # the verdict stands without it
        return f"The redline of this pull request could not be written: {md(e.message)}"
    if ctx.repository and run_id:
        run = f"{ctx.server_url.rstrip('/')}/{ctx.repository}/actions/runs/{run_id}"
        return (
            "The redline of this pull request (its sections with every word it changes marked)"
            f" is the {REDLINE_ARTIFACT} artifact of [this run]({run})."
        )
    return f"The redline of this pull request is in {md(str(out / 'index.html'))}."


def verified(ticket: Ticket, ctx: Context, gh: Any) -> str | None:
    """The ticket is untrusted: review only the pull request whose head it names, as the event and the
    API say. Returns the pull request's base commit, as the API gives it (None without the API)."""
    if ctx.workflow_run_sha and ticket.head_sha != ctx.workflow_run_sha:
        raise SpecError(
            f"the report checked commit {ticket.head_sha[:12]}, but the run that made it was for "
            f"{ctx.workflow_run_sha[:12]}; not posted"
        )
    if ctx.workflow_run_prs and ticket.pull_request not in ctx.workflow_run_prs:
        raise SpecError(f"the report names pull request #{ticket.pull_request}, which is not the run's; not posted")
    if gh is not None and ctx.repository:
        head, base = _pull_commits(gh, ctx.repository, ticket.pull_request)
        if head != ticket.head_sha:
            raise SpecError(
                f"the report names pull request #{ticket.pull_request}, whose head is {head[:12]}, "
                f"not the commit it checked ({ticket.head_sha[:12]}); not posted"
            )
        return base
    return None


def _pull_commits(gh: Any, repository: str, number: int) -> tuple[str, str]:
    """(head, base) commits of a pull request as the API gives them; SpecError for any reply that does not give two
    commit ids (the API's answer is read as data too: a null, a number, an error)."""
    from github import BadAttributeException, GithubException

    try:
        pull = gh.get_repo(repository).get_pull(number)
        head, base = pull.head.sha, pull.base.sha
    except GithubException as exc:
        raise SpecError(
            f"the report names pull request #{number}, which GitHub does not give ({exc.status}); not posted"
        ) from None
    except (BadAttributeException, AttributeError, TypeError):
        head = base = None
    if not (isinstance(head, str) and is_sha(head) and isinstance(base, str) and is_sha(base)):
        raise SpecError(f"GitHub's reply for pull request #{number} gives no head and base commit; not posted")
    return head, base


class Delivered(NamedTuple):
    comment_id: str  # "" when no comment was posted
    said: str | None  # what happened, for a notice
    warning: str | None  # why it was not posted, for a warning and the job summary


def deliver(ctx: Context, number: int, body: str, mode: str, gh: Any) -> Delivered:
    """Post (or edit, or recreate) the sticky comment. Refusals, outages and odd replies are warnings, not failures."""
    from github import BadAttributeException, GithubException

    from spectools.github.api import CommentRefused, post

    if gh is None:
        return Delivered("", None, "no GITHUB_TOKEN, so the comment was not posted (the action passes `github-token`)")
    if not ctx.repository:
        return Delivered("", None, "no GITHUB_REPOSITORY, so the comment was not posted")
    try:
        posted = post(gh, ctx.repository, number, body, mode)
    except CommentRefused as exc:
        why = f"{exc}. A pull request from a fork gets a read-only token: see the README for the two-workflow setup"
        return Delivered("", None, why)
    except GithubException as exc:
        if exc.status == 401:
            return Delivered(
                "",
                None,
                "GitHub did not accept the token (401: Bad credentials), so the comment was not posted; check `github-token`",
            )
        return Delivered("", None, f"could not post the comment: GitHub answered {exc.status} after retries")
    except OSError as exc:
        return Delivered("", None, f"could not reach GitHub at {ctx.api_url}: {type(exc).__name__}")
    except (BadAttributeException, AttributeError, TypeError, ValueError):
        return Delivered("", None, "could not post the comment: GitHub's reply was not what its API gives")
    return Delivered(str(posted.comment_id or ""), f"comment {posted.action} on pull request #{number}", None)


def client(ctx: Context, env: Mapping[str, str]) -> Any:
    """A GitHub client with the runner's token, or None without one."""
    from spectools.github.api import client as make

    token = env.get("GITHUB_TOKEN", "")
    return make(token, ctx.api_url) if token else None


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


def write_runner_files(env: Mapping[str, str], report: Handoff, summary: str, comment_id: str) -> None:
    """The summary file (in RUNNER_TEMP, only on a runner), the job summary and the step's outputs."""
    from spectools.github import runner

    runner_temp = env.get("RUNNER_TEMP")  # only on a runner: a local run leaves no file behind
    summary_file = Path(runner_temp) / SUMMARY_FILE if runner_temp else None
    outputs = {
        "errors": str(report.errors),
        "warnings": str(report.warnings),
        "breaking-changes": str(report.breaking_changes),
        "comment-id": comment_id,
        "summary-path": str(summary_file or ""),
    }
    if summary_file is not None:
        _write(summary_file, "the summary file", lambda: _write_summary_file(summary_file, runner.fit_summary(summary)))
    step_summary, step_output = env.get("GITHUB_STEP_SUMMARY"), env.get("GITHUB_OUTPUT")
    if step_summary:
        _write(step_summary, "the job summary (GITHUB_STEP_SUMMARY)", lambda: runner.append_summary(Path(step_summary), summary))
    if step_output:
        _write(step_output, "the step's outputs (GITHUB_OUTPUT)", lambda: runner.write_outputs(Path(step_output), outputs))
