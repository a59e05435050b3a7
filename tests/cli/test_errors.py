"""Issue 10 (6): what used to be an internal error (exit 3) or silence is a clear, located error with a fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.gitrepo import GitRepo, challenge, example, section

SPEC = "# Rules {#rules}\n\n" + section("honesty", "Be honest", "The assistant must not lie[^hn01].")
CH = {"examples/hn01.md": challenge("hn01", "Be honest", example("a lie"))}


def _released(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.commit("one", {"model_spec.md": SPEC, **CH})
    repo.tag("v1")
    repo.commit("two", {"model_spec.md": SPEC.replace("must not lie", "must never lie")})
    repo.tag("v2")
    return repo


def test_no_git_on_path(tmp_path: Path) -> None:
    repo = _released(tmp_path / "spec")
    bare_path = tmp_path / "bin"  # python is called by its full path; nothing else is on PATH
    bare_path.mkdir()
    env = {**os.environ, "PATH": str(bare_path), "PYTHONPATH": str(ROOT)}
    for args in (["diff", "v1"], ["changelog"], ["init", str(tmp_path / "new"), "--git"]):
        proc = subprocess.run([sys.executable, "-m", "spectools", *args], cwd=repo.root, env=env, capture_output=True, text=True)
        assert proc.returncode == 2, proc.stderr
        assert "git is not installed, or not on PATH" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "new").exists()  # init --git refuses before it writes anything


def test_a_path_name_too_long(cli, tmp_path: Path) -> None:
    result = cli("validate", str(tmp_path / ("a" * 5000)))
    assert result.code == 2 and "File name too long; check the path and try again" in result.err
    assert len(result.err) < 300  # the name is shortened


def test_a_release_tag_that_points_at_a_tree(cli, tmp_path: Path) -> None:
    repo = _released(tmp_path / "spec")
    repo.git("tag", "v3", "HEAD^{tree}")
    one = cli("changelog", "v3", cwd=repo.root)
    assert (one.code, one.err) == (
        2,
        "spectools: error: 'v3' names a tree, not a commit; give a branch, tag or commit (a release tag must point at a commit)\n",
    )
    every = cli("changelog", "--all", cwd=repo.root)
    assert every.code == 2 and "tag 'v3' points at a tree, not a commit" in every.err and "git tag -d v3" in every.err


def test_a_repository_git_refuses_is_not_called_empty(cli, tmp_path: Path) -> None:
    repo = _released(tmp_path / "spec")
    subprocess.run(["chown", "-R", "65534:65534", str(repo.root)], check=True)
    if os.geteuid() != 0:  # only root can hand the repository to another user
        return
    for args in (("diff", "v1"), ("changelog",), ("changelog", "--all")):
        result = cli(*args, cwd=repo.root)
        assert result.code == 2 and "git refuses to read this repository, because it belongs to another user" in result.err
        assert "no commits" not in result.err
    warned = cli("new-id", cwd=repo.root)
    assert warned.code == 0 and "git refuses to read this repository" in warned.err


def test_changelog_in_a_shallow_clone_says_so_instead_of_calling_a_release_the_first(cli, tmp_path: Path) -> None:
    repo = _released(tmp_path / "spec")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "v2", f"file://{repo.root}", str(clone)], check=True)
    result = cli("changelog", "v2", cwd=clone)
    assert result.code == 2 and "this is a shallow clone, so the release before v2 may not have been fetched" in result.err
    assert "git fetch --unshallow --tags" in result.err


def test_export_of_a_binary_or_non_utf8_document_fails_and_says_which(cli, tmp_path: Path) -> None:
    for name, data in (("binary", b"\x00\x01\x02"), ("latin1", "caf\xe9 rules".encode("latin-1"))):
        root = tmp_path / name
        root.mkdir()
        (root / "model_spec.md").write_bytes(data)
        result = cli("export", str(root))
        assert result.code == 1, name
        assert (
            f"{root}/model_spec.md:1:" in result.err
            and " error SPEC00" in result.err
            and "the export leaves out the files above" in result.err
        )


def test_diff_against_a_ref_with_no_spec_says_so(cli, tmp_path: Path) -> None:
    repo = _released(tmp_path / "spec")
    repo.git("checkout", "-q", "--orphan", "empty")
    repo.git("rm", "-rqf", ".")
    repo.commit("nothing")
    result = cli("diff", "v2", "empty", cwd=repo.root)
    assert (
        "spectools: warning: empty has no spec documents (spec/**/*.md), so everything at the other side is removed" in result.err
    )


def test_deeply_nested_json_in_an_event_payload(cli, tmp_path: Path, monkeypatch) -> None:
    repo = _released(tmp_path / "spec")
    payload = tmp_path / "event.json"
    payload.write_text("[" * 100000, encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(payload))
    result = cli("github", "--path", str(repo.root), "--dry-run")
    assert (result.code, result.err) == (
        2,
        f"spectools: error: {payload}: nested too deeply, or a number out of range, to be the event payload GitHub sent "
        "(GITHUB_EVENT_PATH)\n",
    )
