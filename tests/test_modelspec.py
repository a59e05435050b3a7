"""Issue 11: a repository shaped like the public Model Spec (fixtures of our own in tests/data/modelspec),
read with zero configuration: no false findings, faithful diffs across its releases, release notes that keep
what people wrote, retired ids everywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.gitrepo import GitRepo, challenge, example, section

RELEASES = DATA / "modelspec"


def _history(root: Path) -> GitRepo:
    repo = GitRepo(root)
    for version, tag in (("v1", "v2025.03.01"), ("v2", "v2025.09.12")):
        for old in [p for p in root.iterdir() if p.name != ".git"]:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        shutil.copytree(RELEASES / version, root, dirs_exist_ok=True)
        repo.commit(f"Release {tag}")
        repo.tag(tag)
    return repo


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_every_release_validates_clean_with_zero_config(cli, version: str) -> None:
    result = cli("validate", str(RELEASES / version))
    assert (result.code, result.out) == (0, ""), result.out


def test_the_diff_between_releases_is_what_the_maintainers_did(cli, tmp_path: Path) -> None:
    repo = _history(tmp_path / "spec")
    out = cli("diff", "v2025.03.01", "v2025.09.12", "--format", "json", cwd=repo.root).out
    import json

    doc = json.loads(out)
    kinds = sorted((c["kind"], c["subject"], c["details"].get("normative"), c["details"].get("clauses")) for c in doc["changes"])
    assert kinds == [
        ("authority_demoted", "dangerous_cargo", None, None),  # platform -> system: root -> system, a real demotion
        ("candidate_removed", "distress", None, None),  # the first of three candidates deleted: no flip
        ("example_retitled", "honest_uncertainty", None, None),  # same body, new title
        ("section_reworded", "chain_of_command", True, ["cc02"]),  # "as well as any claims of authority" dropped
        ("section_reworded", "honest_uncertainty", False, ["hn01"]),  # "rather than make a guess"
        ("section_reworded", "write_clearly", True, ["wc02"]),  # "Refusals" -> "In all cases, responses"
    ]  # and no change for the curly quotes or the em dash: typography only
    assert doc["notes"] == [
        "Authority level 'platform' is now called 'root'; sections that only changed the name keep their authority."
    ]


def test_changelog_all_keeps_the_hand_written_notes_and_reads_old_releases_with_the_new_vocabulary(cli, tmp_path: Path) -> None:
    repo = _history(tmp_path / "spec")
    result = cli("changelog", "--all", "--write", "CHANGELOG.md", cwd=repo.root)
    assert result.code == 0, result.err
    text = (repo.root / "CHANGELOG.md").read_text(encoding="utf-8")
    hand = (RELEASES / "v2" / "CHANGELOG.md").read_text(encoding="utf-8")
    for paragraph in hand.split("\n\n"):
        assert paragraph.strip() in text  # every hand-written word is still there
    assert text.index("The top level is now called root.") < text.index("<!-- spectools:begin v2025.09.12 -->")
    assert "authority platform → system (demoted)" in text and text.count("authority platform → root") == 0
    assert "The first release: " in text


def test_a_retired_id_is_reported_everywhere(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    spec = "# Rules {#rules}\n\n" + section(
        "honesty", "Be honest", "The assistant must not lie[^hn01]. It must cite sources[^cs01]."
    )
    ch = {
        "examples/hn01.md": challenge("hn01", "Be honest", example("a lie")),
        "examples/cs01.md": challenge("cs01", "Be honest", example("a cite")),
    }
    repo.commit("one", {"model_spec.md": spec, **ch}).startswith("")
    repo.tag("v1")
    repo.remove("examples/cs01.md").commit("retire cs01", {"model_spec.md": spec.replace(" It must cite sources[^cs01].", "")})
    repo.tag("v2")
    back = spec.replace("It must cite sources[^cs01].", "It may share weather forecasts freely[^cs01].")
    repo.write({"model_spec.md": back, "examples/cs01.md": challenge("cs01", "Be honest", example("weather"))})
    checked = cli("validate", str(repo.root))
    assert checked.code == 1 and "error SPEC207 clause id 'cs01' was retired and comes back with another meaning" in checked.out
    assert "it was: “It must cite sources.”" in checked.out
    ids = cli("new-id", cwd=repo.root)
    assert ids.code == 0 and "SPEC207" not in ids.out and "clause id 'cs01' was retired" in ids.err
    repo.commit("reuse cs01")
    repo.tag("v3")
    assert cli("diff", "v2", "v3", cwd=repo.root).code == 1
    assert cli("changelog", "--all", cwd=repo.root).code == 1  # diff and changelog agree
    assert cli("changelog", "v3", cwd=repo.root).code == 1


def test_new_challenge_warns_on_a_retired_id_and_the_todo_text_is_a_warning(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    spec = "# Rules {#rules}\n\n" + section(
        "honesty", "Be honest", "The assistant must not lie[^hn01]. It must cite sources[^cs01]."
    )
    repo.commit("one", {"model_spec.md": spec, "examples/hn01.md": challenge("hn01", "Be honest", example("a lie"))})
    repo.commit("retire", {"model_spec.md": spec.replace(" It must cite sources[^cs01].", "")})
    repo.write({"model_spec.md": spec.replace("It must cite sources[^cs01].", "It may share weather forecasts freely[^cs01].")})
    made = cli("new", "challenge", "cs01", "--path", str(repo.root))
    assert made.code == 0 and "clause id 'cs01' was retired" in made.err
    todo = cli("validate", str(repo.root), "--fail-on", "never")
    assert "examples/cs01.md:3:1: warning SPEC509 the example still holds the template's TODO text" in todo.out
