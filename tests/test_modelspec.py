"""Issue 11: a repository shaped like the public Model Spec (fixtures of our own in tests/data/modelspec),
read with zero configuration: no false findings, faithful diffs across its releases, release notes that keep
what people wrote, retired ids everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.gitrepo import GitRepo, challenge, example, modelspec_history, section

RELEASES = DATA / "modelspec"


def _history(root: Path) -> GitRepo:
    return modelspec_history(root)


@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_every_release_validates_clean_with_zero_config(cli, version: str) -> None:
    result = cli("validate", str(RELEASES / version))
    assert (result.code, result.out) == (0, ""), result.out


def test_the_diff_between_releases_is_what_the_maintainers_did(cli, tmp_path: Path) -> None:
    repo = _history(tmp_path / "spec")
    out = cli("diff", "v2025.03.01", "v2025.09.12", "--format", "json", cwd=repo.root).out
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
    hand = (RELEASES / "v3" / "CHANGELOG.md").read_text(encoding="utf-8")
    for paragraph in hand.split("\n\n"):
        assert paragraph.strip() in text  # every hand-written word is still there
    assert text.index("The top level is now called root.") < text.index("<!-- spectools:begin v2025.09.12 -->")
    assert "authority platform → system (demoted)" in text and text.count("authority platform → root") == 0
    assert "The first release: " in text


def test_the_highlights_are_the_changes_the_ranking_says_and_nothing_editorial(cli, tmp_path: Path) -> None:
    """Issue 18 (1, 2): the v2025.12.18 fixture adds a root section, gives a root rule an exception, demotes a root
    section, weakens a system rule's modal and removes a developer clause, among edits that leave every rule as it
    was (a link added, a cross-reference, "also", "clearly"). The highlights hold the five, in the order of
    docs/highlights.md, each with its score and reasons; nothing editorial is normative."""
    repo = _history(tmp_path / "spec")
    doc = json.loads(cli("changelog", "v2025.12.18", "--format", "json", cwd=repo.root).out)
    (release,) = doc["releases"]
    top = [(h["subject"], h["score"]) for h in release["highlights"]]
    assert top == [
        ("younger_users", 18.5),  # a section added at root (6 x3), its challenge files with it
        ("chain_of_command", 18.0),  # root: normative wording (2) + an exception (3) and a scope (2), capped at 4; x3
        ("distress", 15.0),  # demoted from root: 5 x3
        ("dangerous_cargo", 12.5),  # system: normative wording (2) + must -> should (3); x2.5
        ("serve_operator", 8.2),  # developer: a clause removed (4 x2), its challenge file with it
    ]
    reasons = {h["subject"]: h["reasons"] for h in release["highlights"]}
    assert "modal weakened: must → should (+3)" in reasons["dangerous_cargo"]
    assert "an exception added: unless (+3)" in reasons["chain_of_command"]
    wording = {c["subject"]: c["details"]["normative"] for c in release["changes"] if c["kind"] == "section_reworded"}
    assert wording == {
        "chain_of_command": True,
        "dangerous_cargo": True,
        "distress": False,  # a link added around "help"
        "honest_uncertainty": False,  # "clearly", and a cross-reference
        "write_clearly": False,  # "also"
    }
    notes = cli("changelog", "v2025.12.18", cwd=repo.root).out
    assert notes.split("### Highlights\n\n", 1)[1].startswith(
        "- [Protect younger users](model_spec.md#younger_users) (root): new section with 2 clauses; 2 challenge files added\n"
        "- [Respect the chain of command](model_spec.md#chain_of_command) (root): reworded (an exception added: unless; "
        "a condition or scope added: only)\n"
        "- **breaking**: [Handle distress with care](model_spec.md#distress) (system): authority root → system (demoted)\n"
    )


def test_a_retired_id_is_reported_everywhere(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    spec = "# Rules {#rules}\n\n" + section(
        "honesty", "Be honest", "The assistant must not lie[^hn01]. It must cite sources[^cs01]."
    )
    ch = {
        "examples/hn01.md": challenge("hn01", "Be honest", example("a lie")),
        "examples/cs01.md": challenge("cs01", "Be honest", example("a cite")),
    }
    repo.commit("one", {"model_spec.md": spec, **ch})
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
