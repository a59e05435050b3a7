"""`spectools github` in a simulated runner: real git repositories, GitHub's recorded event payloads
rewritten to point at them, and a GitHub API server on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from spectools.github.api import MARKER
from tests.conftest import DATA
from tests.github_server import Failure, GitHubServer
from tests.gitrepo import GitRepo, challenge, example, section

EVENTS = DATA / "github-events"
REPO = "acme/spec"
SPEC = section("privacy", "Protect privacy", "The assistant must not reveal personal data[^pv01].", authority="developer")
SPEC += section("tone", "Keep a kind tone", "The assistant should be kind[^tn01].", authority="guideline")
CHALLENGES = {
    "examples/pv01.md": challenge("pv01", "Protect privacy", example("a request")),
    "examples/tn01.md": challenge("tn01", "Keep a kind tone", example("a request")),
}
FEATURE = SPEC.replace("authority=developer", "authority=guideline").replace(
    "should be kind[^tn01].", "should be kind[^tn01]. It must answer briefly[^tn02]."
)


def make_repo(root: Path) -> tuple[GitRepo, str, str]:
    """main with a clean spec; `feature` demotes a section (breaking) and adds a clause with no challenge file (an error)."""
    repo = GitRepo(root)
    base = repo.commit("spec", {"model_spec.md": SPEC, **CHALLENGES})
    repo.git("checkout", "-q", "-b", "feature")
    head = repo.commit("demote privacy, add tn02", {"model_spec.md": FEATURE})
    repo.git("checkout", "-q", "main")
    return repo, base, head


def event(name: str, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = payload
        *path, last = dotted.split("__")
        for key in path:
            node = node[key]
        node[last] = value
    return payload


def counts(outputs: dict[str, str]) -> dict[str, str]:
    return {k: outputs[k] for k in ("errors", "warnings", "breaking-changes", "comment-id")}


class Runner:
    """The environment GitHub's runner gives a step: event payload, output and summary files."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp: Path, server: GitHubServer | None, name: str, payload: Any) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.event_path, self.output, self.summary = tmp / "event.json", tmp / "output", tmp / "summary.md"
        self.event_path.write_text(json.dumps(payload), encoding="utf-8")
        self.output.write_text("", encoding="utf-8")
        self.summary.write_text("", encoding="utf-8")
        self.env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": name,
            "GITHUB_EVENT_PATH": str(self.event_path),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_API_URL": server.url if server else "http://127.0.0.1:9",
            "GITHUB_TOKEN": server.token if server else "",
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_RUN_ID": "4242",
            "RUNNER_TEMP": str(tmp),
        }
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)

    def outputs(self) -> dict[str, str]:
        out, lines = {}, iter(self.output.read_text(encoding="utf-8").splitlines())
        for line in lines:
            if "<<" in line and "=" not in line.split("<<")[0]:
                name, delimiter = line.split("<<", 1)
                value = []
                for more in lines:
                    if more == delimiter:
                        break
                    value.append(more)
                out[name] = "\n".join(value)
            else:
                name, _, value = line.partition("=")
                out[name] = value
        return out


def test_a_pull_request_gets_one_comment_the_summary_outputs_and_annotations(cli, tmp_path, monkeypatch) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    payload = event(
        "pull_request.opened.json",
        number=7,
        pull_request__number=7,
        pull_request__base__sha=base,
        pull_request__head__sha=head,
    )
    with GitHubServer() as server:
        run = Runner(monkeypatch, tmp_path / "runner", server, "pull_request", payload)
        result = cli("github", "--path", str(repo.root))
        (comment,) = server.on_issue(7)
        # the same run again (a new push to the branch, say) edits nothing when nothing changed
        again = cli("github", "--path", str(repo.root))
        assert [c["id"] for c in server.on_issue(7)] == [comment["id"]] and again.code == 1
    assert result.code == 1  # an error at head: SPEC102, tn02 has no challenge file
    blob = f"https://github.example/{REPO}/blob/{head}/model_spec.md?plain=1"
    assert comment["body"] == (
        "## ❌ fail · spectools: 1 new error, 0 new warnings; 2 spec changes (1 breaking)\n"
        "\n"
        "_Spec changes are counted one per edit of a section, clause, example or challenge file._\n"
        "\n"
        "### Findings this pull request introduces (1)\n"
        "\n"
        f"- **error** SPEC102 [model_spec.md:7]({blob}#L7): clause 'tn02' has no challenge file examples/tn02.md; "
        "create it with \\`spectools new challenge tn02\\`\n"
        "\n"
        "### Highlights\n"  # issue 18 (1): the demotion (5 x2); the guideline clause added (2) is no highlight
        "\n"
        f"- **breaking**: [Protect privacy]({blob}#L1) (guideline): authority developer → guideline (demoted)\n"
        "\n"
        "### Breaking changes (1)\n"
        "\n"
        f"- **breaking**: [Protect privacy]({blob}#L1): authority developer → guideline (demoted)\n"
        "\n"
        "### Spec changes (1)\n"
        "\n"
        f"- [Keep a kind tone]({blob}#L7): clause [^tn02] added: It must answer briefly.\n"
        "\n"
        "### Review risks\n"
        "\n"
        "- New clauses with no challenge file: [^tn02]\n"
        "\n"
        "### Lint: the clauses this changes (1)\n"  # issue 22: lint reads the clause it adds, and fails nothing
        "\n"
        f"- **warning** SPEC616 [model_spec.md:7]({blob}#L7): clause [^tn02] leans on another sentence: 'It must'; "
        "name what it refers to, so the clause reads alone (a grader sees only it)\n"
        "\n"
        "_What `spectools lint` reads in them: worth a look, never a failure._\n"
        "\n"
        f"{MARKER}\n"
    )
    outputs = run.outputs()
    assert counts(outputs) == {"errors": "1", "warnings": "0", "breaking-changes": "1", "comment-id": str(comment["id"])}
    summary = run.summary.read_text(encoding="utf-8")
    full = Path(outputs["summary-path"]).read_text(encoding="utf-8")
    assert summary == full + full  # each run appends its job summary, as a step does
    assert full.startswith(comment["body"].removesuffix(f"{MARKER}\n"))
    annotation = (
        "::error file=model_spec.md,line=7,col=60,title=SPEC102::clause 'tn02' has no challenge file examples/tn02.md; "
        "create it with `spectools new challenge tn02`\n"
    )
    assert annotation in result.out
    assert re.search(r"::stop-commands::([0-9a-f]{32})\n## ❌ fail.*\n::\1::\n", result.out, re.S)  # the echoed comment
    assert server.token not in result.out + result.err + summary + run.output.read_text(encoding="utf-8")


def test_fail_on_decides_the_exit_code_and_the_status_line(cli, tmp_path, monkeypatch) -> None:
    repo, _base, _head = make_repo(tmp_path / "spec")
    repo.git("checkout", "-q", "feature")
    repo.commit("add the challenge", {"examples/tn02.md": challenge("tn02", "Keep a kind tone", example("brief"))})
    for fail_on, code in (("error", 0), ("breaking", 1), ("never", 0), ("warning", 0)):
        result = cli("github", "--path", str(repo.root), "--base", "main", "--head", "feature", "--dry-run", "--fail-on", fail_on)
        assert result.code == code, fail_on
        assert result.out.startswith("## ❌ fail" if code else "## ✅ pass")


def test_a_refusal_is_a_warning_with_the_job_summary_and_the_exit_code_stays(cli, tmp_path, monkeypatch) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    payload = event(
        "pull_request.synchronize.json", pull_request__number=3, pull_request__base__sha=base, pull_request__head__sha=head
    )
    with GitHubServer() as server:
        server.failures.append(
            Failure("POST", r"/repos/.*/issues/3/comments", 403, message="Resource not accessible by integration")
        )
        run = Runner(monkeypatch, tmp_path / "runner", server, "pull_request", payload)
        result = cli("github", "--path", str(repo.root))
        assert server.on_issue(3) == []
    assert result.code == 1  # what validation decided, not what GitHub did
    assert (
        "::warning title=spectools::GitHub refused to write the comment (403: Resource not accessible by integration)"
        in result.out
    )
    summary = run.summary.read_text(encoding="utf-8")
    assert summary.startswith("> [!WARNING]\n> GitHub refused to write the comment") and "## ❌ fail" in summary
    assert run.outputs()["comment-id"] == ""


def test_github_enterprise_api_url_with_a_path(cli, tmp_path, monkeypatch) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    payload = event(
        "pull_request.opened.json", pull_request__number=9, pull_request__base__sha=base, pull_request__head__sha=head
    )
    with GitHubServer(prefix="/api/v3") as server:
        Runner(monkeypatch, tmp_path / "runner", server, "pull_request_target", payload)
        assert cli("github", "--path", str(repo.root), "--fail-on", "never").code == 0
        assert len(server.on_issue(9)) == 1
        assert server.requests and not any(path.startswith("(outside the API)") for _, path in server.requests)


def shallow_clone(tmp_path: Path, repo: GitRepo, branch: str) -> Path:
    """What actions/checkout leaves: one commit, no history, `origin` able to serve more."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(origin)], check=True)
    subprocess.run(["git", "-C", str(origin), "config", "uploadpack.allowAnySHA1InWant", "true"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", branch, f"file://{origin}", str(clone)], check=True)
    return clone


def test_a_shallow_clone_fetches_the_base_and_deepens_to_the_merge_base(cli, tmp_path, monkeypatch) -> None:
    repo, base, _ = make_repo(tmp_path / "spec")
    repo.commit("main moves on", {"README.md": "x\n"})
    repo.git("checkout", "-q", "feature")
    for i in range(60):  # more than the first fetch's depth of 50
        repo.commit(f"work {i}", {"notes.txt": f"{i}\n"})
    head = repo.git("rev-parse", "HEAD").strip()
    main = repo.git("rev-parse", "main").strip()
    clone = shallow_clone(tmp_path, repo, "feature")
    assert subprocess.run(["git", "-C", str(clone), "cat-file", "-e", main], capture_output=True).returncode != 0
    result = cli("github", "--path", str(clone), "--base", main, "--head", head, "--dry-run")
    assert result.code == 1 and "demoted" in result.out  # compared with the merge base, the main commit `base`
    assert (
        subprocess.run(["git", "-C", str(clone), "merge-base", main, head], capture_output=True, text=True).stdout.strip() == base
    )


def test_a_shallow_clone_without_the_history_says_how_to_fix_it(cli, tmp_path) -> None:
    repo, _, head = make_repo(tmp_path / "spec")
    clone = shallow_clone(tmp_path, repo, "feature")
    subprocess.run(["git", "-C", str(clone), "remote", "remove", "origin"], check=True)
    result = cli("github", "--path", str(clone), "--base", "0" * 39 + "1", "--head", head, "--dry-run")
    assert result.code == 2
    assert result.err == (
        f"spectools: error: the base commit {'0' * 39}1 is not in this clone and could not be fetched from origin; "
        "set `fetch-depth: 0` on actions/checkout (or run `git fetch --unshallow`)\n"
    )


def test_push_events_new_branch_force_push_and_deletion(cli, tmp_path, monkeypatch) -> None:
    repo, _base, head = make_repo(tmp_path / "spec")
    new_branch = event("push.with-new-branch.json", after=head, ref="refs/heads/feature", repository__default_branch="main")
    Runner(monkeypatch, tmp_path / "r1", None, "push", new_branch)
    result = cli("github", "--path", str(repo.root), "--fail-on", "never")
    assert "::notice title=spectools::a new branch: compared with the default branch" in result.out
    assert "demoted" in result.out and result.code == 0  # the branch's changes against main
    forced = event("push.with-new-branch.json", before="1" * 40, after=head, repository__default_branch="main")
    Runner(monkeypatch, tmp_path / "r2", None, "push", forced)
    result = cli("github", "--path", str(repo.root), "--fail-on", "never")
    assert f"the push's previous commit {'1' * 12} is gone (a force-push): compared with the default branch" in result.out
    assert "demoted" in result.out
    deleted = event("push.json")  # a tag deleted: `after` is all zeros
    Runner(monkeypatch, tmp_path / "r3", None, "push", deleted)
    result = cli("github", "--path", str(repo.root))
    assert (result.code, result.err) == (0, "spectools: the push deleted a branch or tag: nothing to check\n")


def test_workflow_dispatch_checks_the_commit_against_the_default_branch(cli, tmp_path, monkeypatch) -> None:
    repo, _base, head = make_repo(tmp_path / "spec")
    run = Runner(monkeypatch, tmp_path / "r", None, "workflow_dispatch", {"repository": {"default_branch": "main"}})
    monkeypatch.setenv("GITHUB_SHA", head)
    result = cli("github", "--path", str(repo.root), "--fail-on", "never")
    assert result.code == 0 and run.outputs()["breaking-changes"] == "1"


def test_the_two_workflow_pattern_for_forks(cli, tmp_path, monkeypatch) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    pr = event("pull_request.opened.json", pull_request__number=5, pull_request__base__sha=base, pull_request__head__sha=head)
    # the unprivileged run: no token that can write; it saves a ticket (number and commit) as an artifact
    Runner(monkeypatch, tmp_path / "untrusted", None, "pull_request", pr)
    saved = cli("github", "--path", str(repo.root), "--save-report", str(tmp_path / "artifact"))
    assert saved.code == 1 and "saved the report for the privileged run" in saved.err
    ticket = json.loads((tmp_path / "artifact" / "spectools-report.json").read_text(encoding="utf-8"))
    assert ticket == {"schema_version": 2, "pull_request": 5, "head_sha": head}
    # the privileged run checks out the base repository's main only; the fork's commit is its refs/pull/5/head
    repo.git("update-ref", "refs/pull/5/head", head)
    repo.git("branch", "-D", "feature")
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", "--single-branch", "-b", "main", f"file://{repo.root}", str(checkout)], check=True)
    run_event = event("workflow_run.completed.json", workflow_run__head_sha=head)
    with GitHubServer() as server:
        server.pulls[5] = {"head": head, "base": base}
        run = Runner(monkeypatch, tmp_path / "privileged", server, "workflow_run", run_event)
        posted = cli("github", "--path", str(checkout), "--report", str(tmp_path / "artifact"))
        (comment,) = server.on_issue(5)
        assert posted.code == 1 and comment["body"].startswith("## ❌ fail · spectools: 1 new error, 0 new warnings; ")
        assert run.outputs()["comment-id"] == str(comment["id"]) and run.outputs()["breaking-changes"] == "1"

        # whatever else a forged artifact holds is refused: a comment, counts, a verdict of its own
        for text, message in (
            (
                "{",
                "forged.json:1: not valid JSON (Expecting property name enclosed in double quotes), so not a report spectools wrote",
            ),
            (
                json.dumps({**ticket, "comment": "## ✅ pass @org/team"}),
                "forged.json: (top level): Additional properties are not allowed",
            ),
            (json.dumps({**ticket, "schema_version": 1, "errors": 0}), "a report from an older spectools (schema_version 1)"),
            ("[" * 100000, "nested too deeply, or a number out of range, to be a report spectools wrote"),
        ):
            (tmp_path / "forged.json").write_text(text, encoding="utf-8")
            bad = cli("github", "--path", str(checkout), "--report", str(tmp_path / "forged.json"))
            assert bad.code == 2 and message in bad.err, bad.err
        # a ticket that names another pull request (one whose head it did not check) is never used
        server.pulls[6] = {"head": base, "base": base}
        (tmp_path / "forged.json").write_text(json.dumps({**ticket, "pull_request": 6}), encoding="utf-8")
        forged = cli("github", "--path", str(checkout), "--report", str(tmp_path / "forged.json"))
        assert forged.code == 2 and server.on_issue(6) == []
        assert forged.err == (
            f"spectools: error: the report names pull request #6, whose head is {base[:12]}, not the commit it checked "
            f"({head[:12]}); not posted\n"
        )
        # the run's own list of pull requests, when GitHub gives one, must hold the ticket's
        listed = event("workflow_run.completed.with-pull-requests.json", workflow_run__head_sha=head)
        Runner(monkeypatch, tmp_path / "listed", server, "workflow_run", listed)
        refused = cli("github", "--path", str(checkout), "--report", str(tmp_path / "artifact"))
        assert refused.err == "spectools: error: the report names pull request #5, which is not the run's; not posted\n"
    assert len(comment["body"]) < 65000 and "@org" not in comment["body"]


def test_results_give_the_compliance_section(cli, tmp_path) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    rows = [
        {"clause": "pv01", "model": "m", "grader": "g", "samples": 10, "passed": 6, "score": 0.6, "spec_commit": head},
        {"clause": "pv01", "model": "m", "grader": "g", "samples": 10, "passed": 9, "score": 0.9, "spec_commit": base},
    ]
    (tmp_path / "results.json").write_text(json.dumps({"schema_version": 1, "results": rows}), encoding="utf-8")
    review = ("github", "--path", str(repo.root), "--base", "main", "--head", "feature", "--dry-run", "--results")
    result = cli(*review, str(tmp_path / "results.json"))
    assert "### Compliance: 60% of 10 graded answers passed" in result.out
    assert "| [^pv01] | guideline | 60% | -30 pts |" in result.out
    (tmp_path / "bad.json").write_text('{"schema_version": 1, "results": [{"clause": ""}]}', encoding="utf-8")
    bad = cli(*review, str(tmp_path / "bad.json"))
    assert bad.code == 2 and "bad.json: results/0" in bad.err


def test_a_bad_event_payload_is_a_clear_error(cli, tmp_path, monkeypatch) -> None:
    repo, _, _ = make_repo(tmp_path / "spec")
    run = Runner(monkeypatch, tmp_path / "r", None, "pull_request", {"pull_request": {"number": 1}})
    result = cli("github", "--path", str(repo.root))
    assert result.err == (
        f"spectools: error: {run.event_path}: the event payload has no valid `pull_request.base.sha`; "
        "is this the event the workflow says it is?\n"
    )
    run.event_path.write_text("{\n  nope", encoding="utf-8")
    assert (
        cli("github", "--path", str(repo.root)).err
        == f"spectools: error: {run.event_path}:2: not valid JSON (Expecting property name enclosed in double quotes), so not "
        "the event payload GitHub sent (GITHUB_EVENT_PATH)\n"
    )


def test_pull_request_target_fetches_the_head_it_was_not_given(cli, tmp_path, monkeypatch) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    clone = shallow_clone(tmp_path, repo, "main")  # pull_request_target checks out the base branch
    assert subprocess.run(["git", "-C", str(clone), "cat-file", "-e", head], capture_output=True).returncode != 0
    payload = event(
        "pull_request.opened.json", pull_request__number=4, pull_request__base__sha=base, pull_request__head__sha=head
    )
    with GitHubServer() as server:
        Runner(monkeypatch, tmp_path / "runner", server, "pull_request_target", payload)
        result = cli("github", "--path", str(clone))
        (comment,) = server.on_issue(4)
    assert result.code == 1 and "(demoted)" in comment["body"]


def test_annotations_beyond_ten_are_counted_in_the_summary(cli, tmp_path, monkeypatch) -> None:
    repo = GitRepo(tmp_path / "spec")
    base = repo.commit("spec", {"model_spec.md": SPEC, **CHALLENGES})
    many = " ".join(f"Rule {i}[^zz{i:02d}]." for i in range(12))
    head = repo.commit("twelve clauses, no challenge files", {"model_spec.md": SPEC + section("more", "More", many)})
    payload = event(
        "pull_request.opened.json", pull_request__number=8, pull_request__base__sha=base, pull_request__head__sha=head
    )
    run = Runner(monkeypatch, tmp_path / "runner", None, "pull_request", payload)
    result = cli("github", "--path", str(repo.root), "--comment", "off")
    assert result.out.count("::error file=") == 10
    assert "_annotations show the first 10 findings of each severity; not annotated: 2 more errors_" in run.summary.read_text(
        encoding="utf-8"
    )
    assert run.outputs()["errors"] == "12"


def test_unrelated_histories_have_no_merge_base(cli, tmp_path) -> None:
    repo, _, head = make_repo(tmp_path / "spec")
    repo.git("checkout", "-q", "--orphan", "other")
    other = repo.commit("unrelated", {"model_spec.md": SPEC})
    result = cli("github", "--path", str(repo.root), "--base", other, "--head", head, "--dry-run")
    assert (result.code, result.err) == (
        2,
        f"spectools: error: {other[:12]} and {head[:12]} have no common ancestor; give a base on the head's history (--base)\n",
    )


def test_comment_off_posts_nothing(cli, tmp_path, monkeypatch) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    payload = event(
        "pull_request.opened.json", pull_request__number=2, pull_request__base__sha=base, pull_request__head__sha=head
    )
    with GitHubServer() as server:
        run = Runner(monkeypatch, tmp_path / "runner", server, "pull_request", payload)
        cli("github", "--path", str(repo.root), "--comment", "off")
        assert server.requests == [] and run.outputs()["comment-id"] == ""
        shown = cli("github", "--path", str(repo.root), "--dry-run")  # prints the comment, posts nothing
        assert "\n## ❌ fail" in shown.out and server.requests == []
        # on a runner, inside stop-commands: a line of the comment cannot be a workflow command
        assert shown.out.split("\n")[-4:-2] == [MARKER, ""] or f"{MARKER}\n::" in shown.out
        assert "::stop-commands::" in shown.out


def test_a_bad_token_or_no_server_is_a_warning_and_the_exit_code_stays(cli, tmp_path, monkeypatch) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    payload = event(
        "pull_request.opened.json", pull_request__number=2, pull_request__base__sha=base, pull_request__head__sha=head
    )
    with GitHubServer() as server:
        Runner(monkeypatch, tmp_path / "r1", server, "pull_request", payload)
        monkeypatch.setenv("GITHUB_TOKEN", "not-the-token")
        result = cli("github", "--path", str(repo.root))
    assert result.code == 1 and server.comments == {}
    assert "spectools: warning: GitHub did not accept the token (401: Bad credentials)" in result.err
    assert "not-the-token" not in result.out + result.err
    Runner(monkeypatch, tmp_path / "r2", None, "pull_request", payload)
    monkeypatch.setenv("GITHUB_TOKEN", "a-token")
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # nothing listens there
    result = cli("github", "--path", str(repo.root))
    assert result.code == 1 and "spectools: warning: could not reach GitHub at http://127.0.0.1:9" in result.err


def test_a_runner_file_that_cannot_be_written_is_a_clear_error(cli, tmp_path, monkeypatch) -> None:
    repo, base, head = make_repo(tmp_path / "spec")
    payload = event(
        "pull_request.opened.json", pull_request__number=2, pull_request__base__sha=base, pull_request__head__sha=head
    )
    Runner(monkeypatch, tmp_path / "runner", None, "pull_request", payload)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no-such-folder" / "summary.md"))
    result = cli("github", "--path", str(repo.root), "--comment", "off")
    assert (result.code, result.err.splitlines()[-1]) == (
        2,
        f"spectools: error: {tmp_path / 'no-such-folder' / 'summary.md'}: cannot write the job summary (GITHUB_STEP_SUMMARY): "
        "No such file or directory",
    )


def test_what_the_head_no_longer_has_links_to_the_base(cli, tmp_path, monkeypatch) -> None:
    repo = GitRepo(tmp_path / "spec")
    base = repo.commit("spec", {"model_spec.md": SPEC, **CHALLENGES})
    repo.remove("examples/tn01.md")
    head = repo.commit("drop the tone section", {"model_spec.md": SPEC.split("## Keep a kind tone")[0]})
    payload = event(
        "pull_request.opened.json", pull_request__number=3, pull_request__base__sha=base, pull_request__head__sha=head
    )
    Runner(monkeypatch, tmp_path / "runner", None, "pull_request", payload)
    result = cli("github", "--path", str(repo.root), "--dry-run", "--fail-on", "never")
    removed = f"https://github.example/{REPO}/blob/{base}/model_spec.md?plain=1#L5"
    assert f"- **breaking**: [Keep a kind tone]({removed}): section “Keep a kind tone” removed (clauses [^tn01])" in result.out


def test_deepening_is_bounded_and_says_how_to_fix_it(cli, tmp_path, monkeypatch) -> None:
    from spectools.github import review

    repo, base, _ = make_repo(tmp_path / "spec")
    repo.git("checkout", "-q", "feature")
    for i in range(60):
        repo.commit(f"work {i}", {"notes.txt": f"{i}\n"})
    head = repo.git("rev-parse", "HEAD").strip()
    clone = shallow_clone(tmp_path, repo, "feature")
    monkeypatch.setattr(review, "DEEPEN_ROUNDS", 1)  # 50 more commits, where 60 are needed
    result = cli("github", "--path", str(clone), "--base", base, "--head", head, "--dry-run")
    assert (result.code, result.err) == (
        2,
        f"spectools: error: {base[:12]} and {head[:12]} have no common ancestor within 50 more commits of history; "
        "set `fetch-depth: 0` on actions/checkout (or run `git fetch --unshallow`)\n",
    )


def test_redline_writes_the_pull_requests_pages_and_the_comment_links_the_runs_artifact(cli, tmp_path, monkeypatch) -> None:
    from tests.site.pages import broken_links

    repo, base, head = make_repo(tmp_path / "spec")
    payload = event(
        "pull_request.synchronize.json", pull_request__number=3, pull_request__base__sha=base, pull_request__head__sha=head
    )
    out = tmp_path / "redline"
    with GitHubServer() as server:
        Runner(monkeypatch, tmp_path / "runner", server, "pull_request", payload)
        result = cli("github", "--path", str(repo.root), "--redline", str(out))
        [comment] = server.on_issue(3)
    assert result.code == 1, result.err
    assert "spectools-redline artifact of [this run](https://github.example/acme/spec/actions/runs/4242)" in comment["body"]
    [page] = [p for p in out.glob("redline-*.html")]
    assert base[:7] in page.name and head[:7] in page.name
    html = page.read_text(encoding="utf-8")
    assert re.search(r"<ins>[^<]*answer briefly", html), html
    assert "developer" in html and "guideline" in html  # the demotion
    assert broken_links(out) == []


def test_redline_without_a_runner_names_the_folder(cli, tmp_path) -> None:
    repo, _base, _head = make_repo(tmp_path / "spec")
    out = tmp_path / "redline"
    result = cli("github", "--path", str(repo.root), "--base", "main", "--head", "feature", "--dry-run", "--redline", str(out))
    assert result.code == 1
    assert f"The redline of this pull request is in {out}/index.html." in result.out
    assert (out / "index.html").is_file()
