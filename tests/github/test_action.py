"""action.yml: valid for GitHub, safe with its inputs, and working end to end.

The end-to-end test runs the composite action's steps the way the runner does (bash with
`-eo pipefail`, a fresh GITHUB_OUTPUT file per step, `${{ }}` expressions evaluated outside the
scripts) against the GitHub API server on 127.0.0.1. The one step it cannot run is
actions/setup-python, a JavaScript action: its output (`python-path`) is this interpreter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.github.test_pullrequest import MARKER, Runner, counts, event, make_repo
from tests.github_server import GitHubServer

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def test_action_yml_is_valid_for_github() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_inputs_reach_scripts_only_through_env_and_actions_are_pinned() -> None:
    steps = ACTION["runs"]["steps"]
    for step in steps:
        assert "${{" not in step.get("run", ""), step["name"]
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]
    for workflow in WORKFLOWS:
        for job in yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), (workflow.name, step)
                uses = step.get("uses", "")
                assert not uses or uses.startswith("./") or PINNED.match(uses), (workflow.name, uses)
    assert set(ACTION["inputs"]) >= {"github-token", "path", "base", "head", "fail-on", "comment", "results", "python-version"}
    assert set(ACTION["outputs"]) >= {"errors", "warnings", "breaking-changes", "comment-id", "summary-path"}
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}" and ACTION["branding"]
    (python,) = [step for step in steps if step.get("uses", "").startswith("actions/setup-python@")]
    assert python["with"]["cache"] == "pip" and "github.action_path" in python["with"]["cache-dependency-path"]
    (cache,) = [step for step in steps if step.get("uses", "").startswith("actions/cache@")]  # issue 20: the parse cache
    assert cache["if"] == "inputs.cache == 'true'" and "github.action_ref" in cache["with"]["key"]
    run_env = next(step for step in steps if step.get("id") == "run")["env"]
    assert run_env["SPECTOOLS_CACHE_DIR"] == cache["with"]["path"]
    assert any('"$GITHUB_ACTION_PATH"' in step.get("run", "") for step in steps)  # installed from the action's checkout


def evaluate(text: str, context: dict[str, Any]) -> str:
    """The few expressions action.yml uses: inputs.*, github.*, steps.*.outputs.*."""

    def one(m: re.Match[str]) -> str:
        value: Any = context
        parts = m.group(1).strip().split(".")
        for part in parts:
            if parts[0] == "steps" and parts[-2] == "outputs" and part == parts[-1]:
                return str(value.get(part, ""))  # an output a step did not set is empty, as on GitHub
            value = value[part]
        return str(value)

    return re.sub(r"\$\{\{(.+?)\}\}", one, text)


def run_action(action_path: Path, tmp: Path, with_: dict[str, str], token: str) -> tuple[dict[str, str], str, int]:
    """Run action.yml's steps; (the action's outputs, everything the steps printed, the exit code)."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    context: dict[str, Any] = {
        "github": {"token": token, "action_path": str(action_path), "action_ref": "v0", "sha": "0" * 40},
        "runner": {"temp": str(tmp), "os": "Linux"},
        "steps": {},
    }
    context["inputs"] = {name: evaluate(value, context) for name, value in {**inputs, **with_}.items()}
    printed, code = "", 0
    for i, step in enumerate(ACTION["runs"]["steps"]):
        if step.get("uses", "").startswith("actions/cache@"):
            continue  # the runner restores the cache folder, empty here: the first run of a repository
        if step.get("uses", "").startswith("actions/upload-artifact@"):
            continue  # the test reads the folder the step would upload
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@") and step["with"]["update-environment"] is False
            context["steps"][step["id"]] = {"outputs": {"python-path": sys.executable}}
            continue
        script, output = tmp / f"step{i}.sh", tmp / f"step{i}.output"
        script.write_text(step["run"], encoding="utf-8")
        output.write_text("", encoding="utf-8")
        env = {
            **os.environ,
            "GITHUB_ACTION_PATH": str(action_path),
            "GITHUB_OUTPUT": str(output),
            **{k: evaluate(str(v), context) for k, v in step.get("env", {}).items()},
        }
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], env=env, capture_output=True, text=True
        )
        printed += proc.stdout + proc.stderr
        outputs = dict(
            line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line and "<<" not in line
        )
        context["steps"][step["id"]] = {"outputs": outputs}
        if proc.returncode:
            code = proc.returncode
            break
    if "run" not in context["steps"]:
        return {}, printed, code
    return {name: evaluate(spec["value"], context) for name, spec in ACTION["outputs"].items()}, printed, code


@pytest.mark.slow
def test_the_composite_action_end_to_end(tmp_path, monkeypatch) -> None:
    action_path = tmp_path / "action"  # the action's own checkout, as the runner makes it
    shutil.copytree(
        ROOT,
        action_path,
        ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache", ".hypothesis", "dist", "build"),
    )
    repo, base, head = make_repo(tmp_path / "spec")
    payload = event(
        "pull_request.opened.json", pull_request__number=12, pull_request__base__sha=base, pull_request__head__sha=head
    )
    with GitHubServer() as server:
        run = Runner(monkeypatch, tmp_path / "runner", server, "pull_request", payload)
        monkeypatch.delenv("GITHUB_TOKEN")  # it comes from the github-token input, through env:
        outputs, printed, code = run_action(action_path, tmp_path, {"path": str(repo.root), "fail-on": "breaking"}, server.token)
        (comment,) = server.on_issue(12)
    assert code == 1, printed  # a breaking change, and fail-on: breaking
    assert comment["body"].startswith("## ❌ fail · spectools: 1 new error, 0 new warnings; 2 spec changes (1 breaking)\n")
    assert comment["body"].endswith(f"{MARKER}\n")
    assert counts(outputs) == {"errors": "1", "warnings": "0", "breaking-changes": "1", "comment-id": str(comment["id"])}
    summary = run.summary.read_text(encoding="utf-8")
    assert summary.startswith("## ❌ fail") and Path(outputs["summary-path"]).read_text(encoding="utf-8") == summary
    assert "::error file=model_spec.md,line=7,col=60,title=SPEC102::clause 'tn02' has no challenge file" in printed
    assert server.token not in printed + summary
    redline = Path(outputs["redline-path"])  # issue 21: the redline, uploaded and linked from the comment
    assert (redline / "index.html").is_file() and "spectools-redline artifact of [this run]" in comment["body"]
    (upload,) = [step for step in ACTION["runs"]["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "${{ steps.run.outputs.redline-path }}" and "!cancelled()" in upload["if"]

    repo.git("tag", "v1", base)  # the site input builds the site instead of checking
    outputs, printed, code = run_action(action_path, tmp_path, {"path": str(repo.root), "site": str(tmp_path / "site")}, "")
    assert code == 0, printed
    assert outputs["site-path"] == str(tmp_path / "site") and (tmp_path / "site" / "v1.html").is_file()
