"""The retired-id scan (history.py) on real repositories: odd paths, odd lines, odd git settings, merges."""

from __future__ import annotations

from pathlib import Path

from spectools.diff.history import IdHistory
from spectools.sources.git import GitRepo as Repo
from tests.gitrepo import GitRepo, section


def history(repo: GitRepo, documents: tuple[str, ...] = ("spec/**/*.md",), tip: str = "HEAD") -> IdHistory:
    git = Repo(repo.root)
    return IdHistory(git, git.resolve(tip), documents)


def test_every_id_the_history_held_is_found_whatever_the_path_line_or_git_settings(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    for key, value in (
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("color.ui", "always"),
        ("diff.external", "false"),
        ("diff.algorithm", "patience"),
        ("core.quotePath", "true"),
    ):
        repo.git("config", key, value)
    repo.commit(
        "odd paths",
        {
            "spec/with space.md": section("a", "A", "Kind[^sp01]."),
            "spec/naïve.md": section("b", "B", "Calm[^na01]."),
            'spec/quote"d.md': section("c", "C", "Brief[^qu01]."),
            "spec/plus.md": "# P {#p}\n\n++ a line that looks like a header[^pl01].\n",
            "notes/other.md": section("n", "N", "Not a document[^no01]."),
        },
    )
    repo.remove("spec/with space.md", "spec/naïve.md", 'spec/quote"d.md', "spec/plus.md")
    repo.commit("all retired", {"spec/new.md": section("d", "D", "Fresh[^fr01].")})
    scan = history(repo)
    assert scan.all_ids() == {"sp01", "na01", "qu01", "pl01", "fr01"}
    for cid in ("sp01", "na01", "qu01", "pl01", "fr01", "no01"):  # a search for one id finds what the index holds
        assert scan._entries(cid) == scan._ready().get(cid, []), cid
    assert history(repo).start().find({"pl01", "qu01", "no01"}, Repo(repo.root).resolve("HEAD")) == {
        "pl01": "++ a line that looks like a header.",
        "qu01": "Brief.",
    }


def test_a_scan_from_a_later_tip_sees_only_what_came_before_the_old_side(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("base", {"spec/a.md": section("a", "A", "Kind[^aa01].")})
    v1 = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side adds", {"spec/a.md": section("a", "A", "Kind[^aa01]. Loud[^bb01].")})
    repo.commit("side drops", {"spec/a.md": section("a", "A", "Kind[^aa01].")})
    repo.git("checkout", "-q", "main")
    repo.commit("main moves on", {"spec/b.md": section("b", "B", "Calm[^cc01].")})
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    merged = repo.git("rev-parse", "HEAD").strip()
    scan = history(repo)
    for cid in ("aa01", "bb01", "cc01"):
        assert scan._entries(cid) == scan._ready()[cid], cid
    assert scan.find({"bb01", "cc01"}, merged) == {"bb01": "Loud.", "cc01": "Calm."}
    assert scan.find({"bb01", "cc01"}, v1) == {}  # neither had been written at v1
    assert scan.find({"aa01"}, v1) == {"aa01": "Kind."}


def test_the_most_recent_meaning_is_the_one_compared(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("one", {"spec/a.md": section("a", "A", "It may joke[^tn02].")})
    repo.commit("two", {"spec/a.md": section("a", "A", "It may joke gently[^tn02].")})
    repo.commit("gone", {"spec/a.md": section("a", "A", "Nothing.")})
    head = Repo(repo.root).resolve("HEAD")
    assert history(repo).find({"tn02"}, head) == {"tn02": "It may joke gently."}


def _entries(cache: Path, kind: str = "history") -> list[Path]:
    """The cache's entries of a kind, found by their header."""
    return [
        p
        for p in cache.glob("parse/??/*")
        if p.read_bytes().startswith(b'{"format"') and f'"kind": "{kind}"'.encode() in p.read_bytes()[:400]
    ]


def test_a_commits_scan_is_kept_and_a_warm_diff_runs_no_git_log(cli, tmp_path: Path, monkeypatch) -> None:
    """Issue 20: the history of a commit never changes, so its retired-id index is kept in the parse cache; a warm
    diff reads it instead of running `git log -p`, and says exactly what the cold one said (a reused id included).
    A damaged entry is scanned again; `--no-cache` and a shallow clone keep nothing."""
    from tests.security.test_git_boundary import _retired_and_reused

    repo = _retired_and_reused(tmp_path / "repo")
    cache = tmp_path / "cache"
    monkeypatch.setenv("SPECTOOLS_CACHE_DIR", str(cache))
    cold = cli("diff", "--no-cache", "base", "HEAD", cwd=repo.root)
    assert cold.code == 1 and "id_reused" in cold.out, cold.out + cold.err
    assert not cache.exists() or not _entries(cache)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    first = cli("diff", "base", "HEAD", cwd=repo.root)
    assert (first.code, first.out) == (cold.code, cold.out) and len(_entries(cache)) == 1
    assert "git log -p" in trace.read_text()
    trace.unlink()
    warm = cli("diff", "base", "HEAD", cwd=repo.root)
    assert (warm.code, warm.out) == (cold.code, cold.out)
    assert "git log" not in trace.read_text(), trace.read_text()
    [entry] = _entries(cache)
    entry.write_bytes(entry.read_bytes().replace(b"ab01", b"zz99"))  # damaged: its digest no longer matches
    damaged = cli("diff", "base", "HEAD", cwd=repo.root)
    assert (damaged.code, damaged.out) == (cold.code, cold.out)
    monkeypatch.delenv("GIT_TRACE")
    shallow = tmp_path / "shallow"
    GitRepo(tmp_path, init=False).git("clone", "-q", "--depth", "2", f"file://{repo.root}", str(shallow))
    GitRepo(shallow, init=False).git("fetch", "-q", "--depth", "2", "origin", "tag", "base")
    fresh = tmp_path / "cache2"
    monkeypatch.setenv("SPECTOOLS_CACHE_DIR", str(fresh))
    result = cli("diff", "base", "HEAD", cwd=shallow)
    assert result.code == 1 and "id_reused" in result.out, result.out + result.err  # the scan ran: base's history is there
    assert fresh.exists() and not _entries(fresh)  # but a cut history is never kept (the parsed files are)


def test_a_binary_attribute_cannot_hide_the_history(cli, tmp_path: Path) -> None:
    """A pull request's `.gitattributes` that marks the spec `-diff` made `git log -p` print "Binary files differ":
    no id was ever found in the history. The scan reads the patches as text whatever the attributes say."""
    from tests.security.test_git_boundary import _retired_and_reused

    repo = _retired_and_reused(tmp_path / "repo")
    repo.commit("attrs", {".gitattributes": "model_spec.md -diff\n*.md binary\n"})  # checked out: git reads it
    for flags in (["--no-cache"], []):
        result = cli("diff", *flags, "base", "HEAD", cwd=repo.root)
        assert result.code == 1 and "id_reused" in result.out, result.out + result.err


def test_a_history_that_is_not_its_commits_own_is_never_kept(cli, tmp_path: Path, monkeypatch) -> None:
    """Grafts and replace refs rewrite a commit's history in one repository only, and a shallow clone cuts it (also
    seen from a worktree of it, whose git folder names the common one): the scan is made, and never kept."""
    from tests.security.test_git_boundary import _retired_and_reused

    repo = _retired_and_reused(tmp_path / "repo")
    base = repo.git("rev-parse", "base").strip()
    shallow = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "3", f"file://{repo.root}", str(shallow))
    GitRepo(shallow, init=False).git("worktree", "add", "-q", str(tmp_path / "wt"), "HEAD")
    grafted = tmp_path / "grafted"
    repo.git("clone", "-q", str(repo.root), str(grafted))
    (grafted / ".git" / "info" / "grafts").write_text(base + "\n", encoding="utf-8")
    replaced = tmp_path / "replaced"
    repo.git("clone", "-q", str(repo.root), str(replaced))
    GitRepo(replaced, init=False).git("replace", "--graft", base)
    for where in (tmp_path / "wt", grafted, replaced):
        cache = tmp_path / ("cache-" + where.name)
        monkeypatch.setenv("SPECTOOLS_CACHE_DIR", str(cache))
        assert cli("diff", "HEAD~1", "HEAD", cwd=where).code in (0, 1)
        assert cache.exists() and not _entries(cache), where
    monkeypatch.setenv("SPECTOOLS_CACHE_DIR", str(tmp_path / "cache-repo"))
    assert cli("diff", "HEAD~1", "HEAD", cwd=repo.root).code == 1 and len(_entries(tmp_path / "cache-repo")) == 1


def test_a_history_line_that_is_not_utf8_is_kept_and_read_back(cli, tmp_path: Path) -> None:
    """git's bytes that are not UTF-8 survive the kept index (they crashed the run that kept it)."""
    repo = GitRepo(tmp_path / "repo")
    rule = b"# Model spec\n\n## Honesty {#honesty authority=root}\n\nThe assistant must not lie[^hn01]."
    repo.commit("odd", {"model_spec.md": rule + b" It must cite \xff sources[^ab01].\n"})
    repo.commit("retire", {"model_spec.md": rule + b"\n"})
    repo.git("tag", "base")
    repo.commit("reuse", {"model_spec.md": rule + b" It may refuse all weather questions[^ab01].\n"})
    cold = cli("diff", "--no-cache", "base", "HEAD", cwd=repo.root)
    assert cold.code == 1 and "id_reused" in cold.out, cold.out + cold.err
    for _ in range(2):  # keeps it, then reads it back
        warm = cli("diff", "base", "HEAD", cwd=repo.root)
        assert (warm.code, warm.out) == (cold.code, cold.out), warm.err
