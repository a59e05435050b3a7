"""Reading specs at git refs: ref forms, the working tree and index, and repositories that are not as expected."""

from __future__ import annotations

import subprocess
from pathlib import Path

from spectools.parse.load import Cache, load
from spectools.sources.git import GitRepo as SpecRepo
from tests.gitrepo import ISOLATED, GitRepo, section

BASE = "# Rules {#rules}\n\nThe rules.\n\n" + section("honesty", "Be honest", "The assistant must not lie[^hn01].")
CH = {"examples/hn01.md": "Examples for [^hn01] in Be honest:\n"}


def repo_with_history(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("one", {"model_spec.md": BASE, **CH})
    repo.tag("v1")
    repo.commit("two", {"model_spec.md": BASE + section("tone", "Tone", "The assistant should be kind[^tn01].")})
    return repo


def kinds(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line and not line.startswith(" ")]


def test_ref_forms(cli, tmp_path: Path) -> None:
    repo = repo_with_history(tmp_path)
    expected = ["section_added"]
    for args in (("v1", "HEAD"), ("v1..HEAD",), ("v1...HEAD",), ("v1",), (repo.git("rev-parse", "v1").strip(), "main")):
        result = cli("diff", *args, cwd=repo.root)
        assert (result.code, kinds(result.out)) == (0, expected), args
    assert cli("diff", "HEAD..v1", cwd=repo.root).out.split()[1] == "section_removed"


def test_merge_base_with_three_dots(cli, tmp_path: Path) -> None:
    repo = repo_with_history(tmp_path)
    repo.git("checkout", "-q", "-b", "feature", "v1")
    repo.commit("feature", {"model_spec.md": BASE.replace("must not lie", "must never lie")})
    out = cli("diff", "main...feature", cwd=repo.root).out
    assert kinds(out) == ["section_reworded"]  # main's own change (tone) is not in it
    assert "tone" not in out
    assert "section_removed" in cli("diff", "main..feature", cwd=repo.root).out  # two dots: main against feature


def test_merge_commits_are_read_like_any_commit(cli, tmp_path: Path) -> None:
    repo = repo_with_history(tmp_path)
    repo.git("checkout", "-q", "-b", "feature", "v1")
    repo.commit(
        "feature", {"examples/hn01.md": CH["examples/hn01.md"] + "\n**Example**: e\n\n~~~xml\n<user>\nhi\n</user>\n~~~\n"}
    )
    repo.git("checkout", "-q", "main")
    repo.day += 1
    repo.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    assert kinds(cli("diff", "v1", "HEAD", cwd=repo.root).out) == ["section_added", "example_added"]
    assert kinds(cli("diff", "HEAD^2", "HEAD", cwd=repo.root).out) == ["section_added"]


def test_worktree_and_index_sides(cli, tmp_path: Path) -> None:
    repo = repo_with_history(tmp_path)
    repo.write({"model_spec.md": BASE.replace("must not lie", "must never lie")})
    assert kinds(cli("diff", "v1", cwd=repo.root).out) == ["section_reworded"]  # against WORKTREE
    assert kinds(cli("diff", "HEAD", "--staged", cwd=repo.root).out) == []  # nothing staged yet
    repo.git("add", "model_spec.md")
    staged = cli("diff", "HEAD", "--staged", cwd=repo.root)
    assert (
        staged.err
        == "spectools: 2 changes (one per edit of a section, clause, example or challenge file) between HEAD and INDEX: 1 breaking, 1 notable\n"
    )


def test_a_subfolder_spec_and_file_renames(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "mono")
    repo.commit("one", {"policy/model_spec.md": BASE, "policy/examples/hn01.md": CH["examples/hn01.md"], "README.md": "x"})
    repo.git("mv", "policy/model_spec.md", "policy/rules.md")
    repo.commit("rename", {"policy/spectools.yaml": "documents: [rules.md]\n"})
    result = cli("diff", "HEAD~1", "HEAD", "--path", "policy", cwd=repo.root)
    assert result.out == (
        "notable   section_moved      #rules: moved from model_spec.md to rules.md  (model_spec.md:1 -> rules.md:1)\n"
        "notable   section_moved      #honesty: moved from model_spec.md to rules.md  (model_spec.md:5 -> rules.md:5)\n"
    )


def test_deleted_files_and_non_utf8_blobs(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("one", {"spec/a.md": BASE, "spec/b.md": section("tone", "Tone", "Be kind[^tn01]."), **CH})
    repo.commit("two", {"spec/b.md": b"# Tone {#tone}\n\nBe kind\xff[^tn01].\n"})
    repo.remove("spec/a.md").commit("three")
    result = cli("diff", "HEAD~2", "HEAD", cwd=repo.root)
    assert kinds(result.out) == ["section_removed", "section_removed", "section_removed"]
    assert result.code == 0  # a file that cannot be decoded at a ref is left out, not a crash, and it is said:
    assert result.err.startswith(
        "spectools: warning: HEAD: spec/b.md:3:8: file is not valid UTF-8 (byte 0xff); "
        "re-save it as UTF-8; it is left out of the comparison\n"
    )


def test_unknown_ref_not_a_repository_and_no_commits(cli, tmp_path: Path) -> None:
    repo = repo_with_history(tmp_path)
    result = cli("diff", "v9", cwd=repo.root)
    assert (result.code, result.err) == (
        2,
        "spectools: error: 'v9': unknown revision; give a branch, tag or commit that exists (see `git log --oneline`)\n",
    )
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli("diff", "HEAD", cwd=plain)
    assert result.code == 2 and "not a git repository" in result.err and "git init" in result.err
    empty = GitRepo(tmp_path / "empty")
    result = cli("diff", "HEAD", cwd=empty.root)
    assert result.code == 2 and result.err.startswith("spectools: error: 'HEAD': the repository has no commits yet; commit")


def test_a_bare_repository_has_no_working_tree(cli, tmp_path: Path) -> None:
    repo = repo_with_history(tmp_path)
    bare = tmp_path / "bare.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(repo.root), str(bare)], check=True, env={**ISOLATED, "PATH": "/usr/bin:/bin"}
    )
    result = cli("diff", "v1", cwd=bare)
    assert result.code == 2
    assert "a bare repository has no working tree; name two commits" in result.err
    assert kinds(cli("diff", "v1", "main", cwd=bare).out) == ["section_added"]  # two commits work


def test_a_shallow_clone_missing_the_commit_says_how_to_fetch_it(cli, tmp_path: Path) -> None:
    repo = repo_with_history(tmp_path)
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow)],
        check=True,
        env={**ISOLATED, "PATH": "/usr/bin:/bin"},
    )
    old = repo.git("rev-parse", "HEAD~1").strip()
    result = cli("diff", old, cwd=shallow)
    assert result.code == 2
    assert "shallow clone" in result.err and "fetch-depth: 0" in result.err and "git fetch --deepen" in result.err


def test_unchanged_blobs_are_parsed_once(tmp_path: Path) -> None:
    repo = repo_with_history(tmp_path)
    spec_repo = SpecRepo(repo.root)
    cache: Cache = {}
    load(spec_repo.source(spec_repo.side("v1")), cache)
    first = dict(cache)
    load(spec_repo.source(spec_repo.side("HEAD")), cache)
    assert len(cache) == len(first) + 1  # only model_spec.md changed; the challenge file came from the cache
    assert all(cache[k][0] is first[k][0] for k in first)


def test_a_partial_comparison_gives_what_a_full_one_gives(tmp_path: Path) -> None:
    """Only changed files are parsed between two trees; the result must not differ from parsing everything."""
    from spectools.diff.compare import Comparer
    from spectools.diff.engine import diff
    from spectools.render.changes import text

    repo = GitRepo(tmp_path / "spec")
    core = BASE + section("tone", "Tone", "The assistant should be kind[^tn01]. It may joke[^tn02].")
    repo.commit(
        "one",
        {
            "spec/core.md": core,
            "spec/other.md": section("misc", "Misc", "Other words[^ms01]."),
            "spec/still.md": section("still", "Still", "Unchanged text[^st01]."),
            "examples/st01.md": "Examples for [^st01] in Still:\n",
            **CH,
        },
    )
    repo.commit(
        "two",
        {
            "spec/core.md": BASE.replace("must not lie", "must never lie"),
            "spec/other.md": section("misc", "Misc", "Other words[^ms01].") + section("tone", "Tone", "It may joke[^tn02]."),
            "examples/st01.md": "---\nseverity: low\n---\nExamples for [^st01] in Still:\n\n**Example**: e\n\n~~~xml\n<user>\nhi\n</user>\n~~~\n",
        },
    )
    spec_repo = SpecRepo(repo.root)
    old, new = spec_repo.side("HEAD~1"), spec_repo.side("HEAD")
    with Comparer(spec_repo) as comparer:
        partial, la, _, _ = comparer.compare(old, new)
    assert la is not None and "spec/still.md" in la.read  # read for the title of st01's changed challenge
    full_a, full_b = load(spec_repo.source(old)), load(spec_repo.source(new))
    full = diff(full_a.spec, full_b.spec, full_a.config, full_b.config, old.label, new.label)
    assert text(partial) == text(full)
    assert "challenge_changed  [^st01]" in text(full) and "from spec/core.md to spec/other.md" in text(full)
    assert next(c.title for c in partial.changes if c.kind == "challenge_changed") == "Still"
    assert [c.title for c in partial.changes] == [c.title for c in full.changes]
