"""`.pre-commit-hooks.yaml`: the hook, run by pre-commit itself on a repository made by `spectools init`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from spectools.cli import main
from tests.conftest import ROOT
from tests.gitrepo import ISOLATED, GitRepo


@pytest.mark.slow
def test_the_hook_runs_through_pre_commit(tmp_path: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    committed = subprocess.run(["git", "show", f"{head}:.pre-commit-hooks.yaml"], cwd=ROOT, capture_output=True, check=False)
    assert committed.returncode == 0, "commit .pre-commit-hooks.yaml: pre-commit installs the hook from a commit"
    repo = GitRepo(tmp_path / "spec")
    assert main(["init", str(repo.root)]) == 0  # a generated repository, with the template's hook configuration
    config = (repo.root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "id: spectools-validate" in config
    # The released hook is not reachable from here: this checkout stands in for it.
    config = config.replace("https://github.com/spectools/spectools", str(ROOT)).replace("rev: v0.1.0", f"rev: {head}")
    repo.write({".pre-commit-config.yaml": config})
    repo.commit("spec")
    env = {**os.environ, **ISOLATED, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never"}
    cmd = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    ok = subprocess.run(cmd, cwd=repo.root, env=env, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "spectools validate" in ok.stdout and "Passed" in ok.stdout

    spec = (repo.root / "model_spec.md").read_text(encoding="utf-8")
    repo.write({"model_spec.md": spec.replace("[?](#chain_of_command)", "[?](#chain_of_commands)")})
    bad = subprocess.run(cmd, cwd=repo.root, env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert (
        "model_spec.md:10:1: error SPEC301 link to '#chain_of_commands', which no section has; did you mean '#chain_of_command'?"
        in bad.stdout
    )
