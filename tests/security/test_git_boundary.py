"""Class "Options to git" (docs/SECURITY.md): no value from outside reaches git as an option.

Every command that takes a ref (diff, changelog, github's --base/--head, eval's --changed-since) and the tag
pattern spectools.yaml gives are driven with generated option-shaped values. The invariant: no git process
got any of them before `--end-of-options`, nothing git would do with them happened (no marker file), and the
run ended with a message, not a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.model import SpecError
from spectools.sources.git import OWN_OPTIONS, checked_args, is_sha
from tests.gitrepo import GitRepo
from tests.security.harness import spec_repo
from tests.security.strategies import option_refs

FORMS = {
    "diff A": lambda v: ["diff", "--", v],
    "diff A B": lambda v: ["diff", "HEAD", "--", v],
    "diff A..B": lambda v: ["diff", f"HEAD..{v}"],
    "diff A...B": lambda v: ["diff", f"{v}...HEAD"],
    "changelog FROM..TO": lambda v: ["changelog", f"{v}..HEAD"],
    "changelog TO": lambda v: ["changelog", "--", v],
    "github --base": lambda v: ["github", f"--base={v}", "--dry-run"],
    "github --head": lambda v: ["github", "--base=v1", f"--head={v}", "--dry-run"],
    "eval run --changed-since": lambda v: ["eval", "run", ".", "--model", "m", f"--changed-since={v}", "--dry-run"],
}
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_command_that_takes_a_ref_keeps_option_shaped_values_from_git(form, cli, tmp_path, git_log, monkeypatch) -> None:
    spec_repo(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    marker = tmp_path / "marker"

    @SETTINGS
    @given(value=option_refs(str(marker)))
    def attack(value: str) -> None:
        git_log.reset()
        result = cli(*FORMS[form](value))
        assert result.code in (0, 1, 2), result.err  # never 3: a message, not a traceback
        assert not marker.exists(), f"git obeyed {value!r}"
        leaked = [arg for arg in git_log.options_before_the_end() if arg.split("=", 1)[0] not in OWN_OPTIONS]
        assert leaked == [], f"{value!r} reached git as an option"
        assert not [arg for arg in git_log.before_the_end() if arg.startswith(value)], f"{value!r} reached git as an option"

    attack()


@SETTINGS
@given(value=option_refs("/nonexistent/marker"))
def test_a_tag_pattern_from_spectools_yaml_never_reaches_git_as_an_option(value: str, cli, tmp_path, git_log) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    (root / "spectools.yaml").write_text(f"releases:\n  tag_pattern: {value!r}\n".replace("'", '"'), encoding="utf-8")
    git_log.reset()
    result = cli("changelog", "--path", str(root))
    assert result.code in (0, 1, 2), result.err
    assert [a for a in git_log.options_before_the_end() if a.split("=", 1)[0] not in OWN_OPTIONS] == []
    # the pattern may stand after `--match=` (a value of spectools' own option), never as an argument of its own
    assert not [arg for arg in git_log.before_the_end() if arg.startswith(value)]


@given(value=st.text(min_size=1, max_size=60).map(lambda s: "-" + s))
def test_the_boundary_refuses_any_option_that_is_not_spectools_own(value: str) -> None:
    """checked_args is the one place: whatever the spelling, a dash-led value before the end of options is refused
    (unless it is one of spectools' own options, spelled exactly), and after `--end-of-options` it is data."""
    if value.split("=", 1)[0] in OWN_OPTIONS or value == "--":  # `--` ends the options itself: what follows is data
        return
    with pytest.raises(SpecError, match="is never passed to git"):
        checked_args(["rev-parse", "--verify", value])
    assert checked_args(["rev-parse", "--verify", "--end-of-options", value])[-1] == value


def test_a_sha_is_hex_and_nothing_else() -> None:
    assert is_sha("a" * 40) and is_sha("0" * 64)
    assert not is_sha("--upload-pack=touch /tmp/x;x######"[:40].ljust(40, "#"))
    assert not is_sha("A" * 40) and not is_sha("a" * 39) and not is_sha("a" * 41) and not is_sha("g" * 40)


def test_the_issue_case_a_40_character_head_from_the_action_runs_nothing(cli, tmp_path, git_log, monkeypatch) -> None:
    repo = spec_repo(tmp_path / "repo")
    import secrets

    marker = Path("/tmp") / f"x{secrets.token_hex(3)}"  # short: the whole value is 40 characters, as a sha
    value = f"--upload-pack=touch {marker};x"
    value = (value + "#" * 40)[:40]
    assert len(value) == 40 and str(marker) in value
    monkeypatch.chdir(repo.root)
    for args in (["github", "--head", value, "--dry-run"], ["github", "--base", value, "--dry-run"]):
        result = cli(*args)
        assert result.code == 2, result.err
        assert "never passed to git" in result.err or "unknown revision" in result.err, result.err
    assert not marker.exists()


def _retired_and_reused(root: Path) -> GitRepo:
    """A spec whose clause ab01 was retired, then comes back with another meaning (a breaking change, SPEC207)."""
    from tests.gitrepo import GitRepo as Repo

    repo = Repo(root)
    rule = "# Model spec\n\n## Honesty {#honesty authority=root}\n\nThe assistant must not lie[^hn01]."
    ex = "Examples for [^{0}] in Honesty:\n\n**Example**: asked\n\n```xml\n<user>\nq\n</user>\n```\n"
    repo.commit("one", {"model_spec.md": rule + " The assistant must cite sources[^ab01].\n",
                        "examples/hn01.md": ex.format("hn01"), "examples/ab01.md": ex.format("ab01")})  # fmt: skip
    repo.remove("examples/ab01.md")
    repo.git("add", "-A")
    repo.commit("retire", {"model_spec.md": rule + "\n"})
    repo.git("tag", "base")
    repo.commit("reuse", {"model_spec.md": rule + " The assistant may refuse all weather questions[^ab01].\n",
                          "examples/ab01.md": ex.format("ab01")})  # fmt: skip
    return repo


@SETTINGS
@given(magic=st.sampled_from([":!model_spec.md", ":(exclude)model_spec.md", ":^model_spec.md", ":(glob)x/**",
                              ":(icase)MODEL_SPEC.MD", ":(bogus)x", ":(top)x", ":/x"]))  # fmt: skip
def test_paths_from_spectools_yaml_are_never_pathspec_magic(magic: str, cli, tmp_path) -> None:
    """A `documents` entry git would read as pathspec magic could hide the spec's history from the retired-id check
    (so a breaking change passes `--fail-on breaking`) or make git refuse the run: every path is taken literally."""
    root = tmp_path / "repo"
    if not root.exists():
        _retired_and_reused(root)
    (root / "spectools.yaml").write_text(f'documents: ["model_spec.md", "{magic}"]\n', encoding="utf-8")
    result = cli("github", "--path", str(root), "--base", "base", "--head", "HEAD", "--dry-run",
                 "--fail-on", "breaking")  # fmt: skip
    assert result.code == 1 and "breaking" in result.out, result.out[-500:] + result.err


def test_a_file_name_with_a_newline_asks_git_for_nothing_else(cli, tmp_path) -> None:
    """Only blob ids go to `git cat-file`: a file name holding a newline must not become a second request (here, one
    that would hide HEAD's version of the spec from the retired-id check)."""
    repo = _retired_and_reused(tmp_path / "repo")
    repo.git("reset", "-q", "--soft", "HEAD~1")  # the reuse is in the working tree, not committed
    assert "SPEC207" in cli("validate", str(repo.root)).out
    (repo.root / "spectools.yaml").write_text('documents: ["model_spec.md", "extra*.md"]\n', encoding="utf-8")
    (repo.root / "extra\nHEAD~1:model_spec.md").write_text("# Extra\n", encoding="utf-8")
    assert "SPEC207" in cli("validate", str(repo.root)).out


def test_a_diff_between_two_refs_starts_at_most_five_git_processes(cli, tmp_path, git_log, monkeypatch) -> None:
    """Issue 20 (3): the top folder and both refs in one rev-parse, the tree, the changed files, the history of ids,
    and one `cat-file --batch-command` for the sizes and bytes of both sides' blobs (cold), kept open for the run."""
    repo = spec_repo(tmp_path / "repo")
    monkeypatch.chdir(repo.root)
    git_log.reset()
    result = cli("diff", "--no-cache", "v1", "HEAD")
    calls = git_log.calls()
    assert result.code == 0 and len(calls) <= 5, calls
    assert [c[0] for c in calls].count("rev-parse") == 1 and [c[0] for c in calls].count("cat-file") == 1, calls
    git_log.reset()
    assert cli("diff", "v1", "HEAD").code == 0 and len(git_log.calls()) <= 5, git_log.calls()  # warm: no blob is read
