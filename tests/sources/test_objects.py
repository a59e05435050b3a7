"""The run's one `git cat-file` (sources/git.ObjectReader): many blobs per request without stalling, missing
blobs, ids only, a git that has no --batch-command, and a git that stops answering."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.model import SpecError
from spectools.sources.git import GitError, ObjectReader, Side, is_sha
from spectools.sources.git import GitRepo as Repo
from tests.gitrepo import GitRepo

# a git that answers every command but `cat-file --batch-command` (which git learnt in 2.36) as the real one does
OLD_GIT = """#!/bin/sh
if [ "$1" = cat-file ] && [ "$2" = --batch-command ]; then echo "usage: git cat-file" >&2; exit 129; fi
printf '%s\\n' "$*" >> "{log}"
exec "{git}" "$@"
"""


def _blobs(tmp_path: Path, count: int, size: int) -> tuple[GitRepo, list[str], list[bytes]]:
    repo = GitRepo(tmp_path / "repo")
    files = {f"f{i:05}.md": (f"{i:05}" * (size // 5 + 1))[:size] for i in range(count)}
    repo.commit("many", files)
    listing = repo.git("ls-tree", "-r", "HEAD").splitlines()
    shas = [line.split()[2] for line in listing]
    return repo, shas, [files[line.split("\t")[1]].encode() for line in listing]


def test_thousands_of_blobs_in_one_request_never_stall(tmp_path: Path) -> None:
    """More requests than a pipe holds, and more answer bytes than it holds, in one call: a thread writes while the
    caller reads, so neither side waits on the other (this test hangs, not fails, without it)."""
    repo, shas, data = _blobs(tmp_path, 3000, 300)  # ~120 KB of requests, ~1 MB of answers
    objects = Repo(repo.root).objects
    try:
        assert objects.sizes(shas) == [len(d) for d in data]
        assert objects.contents(shas) == data
        assert objects.contents(list(reversed(shas))) == list(reversed(data))  # the same process, asked again
    finally:
        objects.close()


def test_a_missing_blob_is_none_and_the_rest_still_come(tmp_path: Path) -> None:
    repo, shas, data = _blobs(tmp_path, 3, 10)
    objects = Repo(repo.root).objects
    absent = "0" * 40
    try:
        assert objects.sizes([shas[0], absent, shas[2]]) == [len(data[0]), None, len(data[2])]
        assert objects.contents([absent, shas[1]]) == [None, data[1]]
        tree = repo.git("rev-parse", "HEAD^{tree}").strip()
        assert objects.contents([tree, shas[0]]) == [None, data[0]]  # a tree is no blob: its bytes are passed over
    finally:
        objects.close()


NAMES = st.one_of(
    st.sampled_from(["HEAD:f00000.md", "--batch-all-objects", "a" * 39, "A" * 40, "0" * 40 + "\n" + "1" * 40, "0" * 41]),
    st.text(max_size=80).filter(lambda n: not is_sha(n)),
    st.builds(lambda sha, extra: sha + extra, st.text("0123456789abcdef", min_size=40, max_size=40), st.text(min_size=1)),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_only_blob_ids_are_ever_asked_for(tmp_path: Path, name: str) -> None:
    """Whatever a name holds (a path, an option, a newline and a second request), it never reaches git's input."""
    objects = ObjectReader(tmp_path)  # never started: a refusal comes first
    with pytest.raises(ValueError, match="not a blob id"):
        objects.contents(["0" * 40, name])
    with pytest.raises(ValueError, match="not a blob id"):
        objects.sizes([name])
    assert objects._procs == {}


def test_a_git_without_batch_command_is_asked_the_old_way(cli, tmp_path: Path, monkeypatch) -> None:
    """git 2.35 and older: a `--batch-check` and a `--batch`, each kept open for the run; the same answers."""
    repo, shas, data = _blobs(tmp_path, 40, 50)
    repo.commit("spec", {"model_spec.md": "# Spec\n\n## A {#a authority=user}\n\nBe kind[^k1].\n"})
    repo.tag("v1")
    repo.commit("more", {"model_spec.md": "# Spec\n\n## A {#a authority=user}\n\nBe kind[^k1]. Be brief[^k2].\n"})
    modern = cli("diff", "--no-cache", "v1", "HEAD", cwd=repo.root)
    real = shutil.which("git")
    assert real is not None
    bin_dir, log = tmp_path / "old-git", tmp_path / "calls.log"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(OLD_GIT.format(log=log, git=real), encoding="utf-8")
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    old = cli("diff", "--no-cache", "v1", "HEAD", cwd=repo.root)
    assert (old.code, old.out) == (modern.code, modern.out) and "clause_added" in old.out, old.err
    log.unlink()
    objects = Repo(repo.root).objects
    try:
        assert objects.sizes(shas) == [len(d) for d in data]
        assert objects.contents(shas) == data
        assert objects.contents(shas[:1]) == data[:1]
    finally:
        objects.close()
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls.count("cat-file --batch-check") == 1 and calls.count("cat-file --batch") == 1, calls


def test_a_git_that_stops_answering_is_an_error_not_a_hang(tmp_path: Path) -> None:
    repo, shas, _ = _blobs(tmp_path, 2, 10)
    objects = Repo(repo.root).objects
    assert objects.sizes(shas[:1])
    for proc in objects._procs.values():
        proc.kill()
        proc.wait()
    with pytest.raises(GitError, match="stopped answering"):
        objects.contents(shas)
    assert objects.contents(shas[:1])  # asked again, a new git answers
    objects.close()


def test_refs_are_resolved_where_the_repository_is_found(tmp_path: Path) -> None:
    """One `rev-parse` finds the top folder and resolves the refs a diff names; a ref that names no commit is left
    for `resolve`, which says why."""
    repo, _, _ = _blobs(tmp_path, 1, 10)
    repo.tag("v1")
    found = Repo(repo.root, ["v1", "HEAD", "WORKTREE"])
    head = repo.git("rev-parse", "HEAD").strip()
    assert found._resolved == {"v1": head, "HEAD": head}
    assert found.cwd == repo.root.resolve() or found.cwd == repo.root
    bad = Repo(repo.root, ["v1", "no-such-tag"])
    assert bad._resolved == {} and bad.prefix == ""
    with pytest.raises(SpecError, match="no-such-tag"):
        bad.resolve("no-such-tag")


def test_a_file_entry_that_names_no_blob_is_never_read(tmp_path: Path) -> None:
    """A tree written by hand can give a file's name to a tree or a commit (of any size): git is asked its size
    only, never its bytes, and the file reads as empty (as a missing blob does)."""
    repo, shas, _ = _blobs(tmp_path, 50, 400)
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()  # 50 entries: bigger than the limit below
    raw = b"100644 odd.md\0" + bytes.fromhex(tree) + b"100644 plain.md\0" + bytes.fromhex(shas[0])
    odd_tree = subprocess.run(["git", "hash-object", "-t", "tree", "--literally", "-w", "--stdin"], cwd=repo.root,
                              input=raw, capture_output=True, check=True).stdout.decode().strip()  # fmt: skip
    commit = repo.git("commit-tree", odd_tree, "-m", "odd").strip()
    source = Repo(repo.root).source(Side("odd", commit))
    asked: list[list[str]] = []
    reader = source._repo.objects
    contents = reader.contents
    reader.contents = lambda ids: asked.append(ids) or contents(ids)  # type: ignore[method-assign]
    try:
        source.prefetch(["odd.md", "plain.md"], 1000)
        assert source.read("odd.md", 1000) == b""
        assert all(tree not in ids for ids in asked) and any(shas[0] in ids for ids in asked)
    finally:
        reader.close()
