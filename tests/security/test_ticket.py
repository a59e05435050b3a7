"""Class "The hand-off" (docs/SECURITY.md): in a workflow_run, what is reviewed and posted is checked against the
event, whatever the flags.

The privileged run gets generated --base/--head/--pr combinations (real commits, branch names, the ticket's own
commit) beside a ticket whose commit is or is not the event's. The invariant: nothing is posted unless the
ticket's commit is the event's and the API says it is the pull request's head; a flag never skips a check.
"""

from __future__ import annotations

import json
import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.github.test_pullrequest import Runner, event, make_repo
from tests.github_server import GitHubServer

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(
    base=st.sampled_from([None, "base", "head", "main", "HEAD"]),
    head=st.sampled_from([None, "base", "head", "main", "HEAD"]),
    pr=st.sampled_from([None, 5, 6]),
    forged=st.booleans(),
)
def test_a_workflow_run_checks_the_ticket_against_the_event_whatever_the_flags(
    base, head, pr, forged, cli, tmp_path, monkeypatch
) -> None:
    setup = tmp_path / "setup"
    if not setup.exists():
        repo, b, h = make_repo(tmp_path / "spec")
        repo.git("update-ref", "refs/pull/5/head", h)
        checkout = tmp_path / "checkout"
        subprocess.run(["git", "clone", "-q", "--single-branch", "-b", "main", f"file://{repo.root}", str(checkout)], check=True)
        setup.write_text(json.dumps({"base": b, "head": h, "checkout": str(checkout)}), encoding="utf-8")
    known = json.loads(setup.read_text(encoding="utf-8"))
    shas = {"base": known["base"], "head": known["head"], "main": "main", "HEAD": "HEAD"}
    ticket_sha = known["base"] if forged else known["head"]
    artifact = tmp_path / "artifact"
    artifact.mkdir(exist_ok=True)
    (artifact / "spectools-report.json").write_text(
        json.dumps({"schema_version": 2, "pull_request": 5, "head_sha": ticket_sha}), encoding="utf-8"
    )
    with GitHubServer() as server:
        server.pulls[5] = {"head": known["head"], "base": known["base"]}
        server.pulls[6] = {"head": known["base"], "base": known["base"]}
        Runner(monkeypatch, tmp_path / "privileged", server, "workflow_run",
               event("workflow_run.completed.json", workflow_run__head_sha=known["head"]))  # fmt: skip
        args = ["github", "--path", known["checkout"], "--report", str(artifact)]
        args += [f"--base={shas[base]}"] if base else []
        args += [f"--head={shas[head]}"] if head else []
        args += [f"--pr={pr}"] if pr else []
        result = cli(*args)
        posted = server.on_issue(5) + server.on_issue(6)
    if base or head:
        assert result.code == 2 and "--base and --head are refused" in result.err and posted == []
    elif forged:
        assert result.code == 2 and "not posted" in result.err and posted == []
    else:
        assert result.code in (0, 1), result.err
        assert [c["number"] for c in posted] == [5]
