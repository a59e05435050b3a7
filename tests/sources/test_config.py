"""spectools.yaml: validated against schema/config.schema.json, every key used."""

from __future__ import annotations

from pathlib import Path

from spectools.sources.config import Config, parse_config
from tests.conftest import write


def test_defaults() -> None:
    cfg, problems = parse_config(None)
    assert problems == []
    assert cfg == Config()
    assert cfg.levels == ("root", "system", "developer", "user", "guideline")


def test_every_key() -> None:
    text = """\
documents: [rules/*.md]
challenges: tests/challenges/
ids: {section: "^[a-z]+$", clause: "^[a-z]{2}[0-9]{2}$"}
authority:
  levels: [platform, user]
  aliases: {root: platform}
releases: {tag_pattern: "release-*"}
schemas: {section: s.json, document: d.json, challenge: c.json}
checks: {SPEC102: warning, SPEC603: off}
renames: {old_anchor: new_anchor}
limits: {max_file_bytes: 5000}
"""
    cfg, problems = parse_config(text)
    assert problems == []
    assert cfg.documents == ("rules/*.md",)
    assert cfg.challenges == "tests/challenges"
    assert (cfg.section_id, cfg.clause_id) == ("^[a-z]+$", "^[a-z]{2}[0-9]{2}$")
    assert (cfg.levels, cfg.aliases) == (("platform", "user"), {"root": "platform"})
    assert cfg.tag_pattern == "release-*"
    assert cfg.schemas == {"section": "s.json", "document": "d.json", "challenge": "c.json"}
    assert cfg.checks == {"SPEC102": "warning", "SPEC603": "off"}
    assert cfg.renames == {"old_anchor": "new_anchor"}
    assert cfg.max_file_bytes == 5000


def test_problems_name_their_line_and_keep_the_valid_keys() -> None:
    cfg, problems = parse_config("challenges: cases\nchecks:\n  SPEC102: loud\nauthority:\n  aliases: {x: nowhere}\n")
    assert [(p.location.line, p.message) for p in problems] == [
        (3, "checks.SPEC102: 'loud' is not one of ['error', 'warning', 'info', 'off']"),
        (
            5,
            "authority.aliases: 'x' maps to 'nowhere', which is not one of the levels (root, system, developer, user, guideline)",
        ),
    ]
    assert cfg.challenges == "cases"


def test_unknown_keys_get_a_suggestion() -> None:
    _, problems = parse_config("document: [a.md]\nids:\n  clauses: x\n")
    assert [(p.location.line, p.message) for p in problems] == [
        (1, "unknown key 'document'; did you mean 'documents'?"),
        (3, "unknown key 'ids.clauses'; did you mean 'clause'?"),
    ]


def test_not_a_mapping_and_empty() -> None:
    _, problems = parse_config("- a\n- b\n")
    assert [p.message for p in problems] == ["(top level): ['a', 'b'] is not of type 'object'"]
    assert parse_config("") == (Config(), [])
    assert parse_config("# only a comment\n") == (Config(), [])


def test_check_severities_apply(cli, tmp_path: Path) -> None:
    files = {"model_spec.md": "# A {#a authority=root}\n\nText[^ab12].\n\n# Empty {#empty}\n"}
    root = write(tmp_path / "r", files)
    assert cli("validate", cwd=root).out == (
        "model_spec.md:3:5: error SPEC102 clause 'ab12' has no challenge file examples/ab12.md; create it with "
        "`spectools new challenge ab12`\n"
        "model_spec.md:5:1: warning SPEC603 section 'empty' is empty; write its text, add child sections, or remove it\n"
    )
    write(root, {"spectools.yaml": "checks:\n  SPEC102: info\n  SPEC603: off\n"})
    result = cli("validate", cwd=root)
    assert result.out.splitlines() == [
        "model_spec.md:3:5: info SPEC102 clause 'ab12' has no challenge file examples/ab12.md; create it with "
        "`spectools new challenge ab12`"
    ]
    assert result.code == 0


def test_custom_ids_levels_and_challenge_folder(cli, tmp_path: Path) -> None:
    root = write(
        tmp_path / "r",
        {
            "spectools.yaml": "documents: [policy.md]\nchallenges: cases\nids: {clause: '^R[0-9]+$'}\n"
            "authority: {levels: [high, low]}\n",
            "policy.md": "# Top {#top authority=high}\n\nAlways log[^R1].\n\n# Bottom {#bottom authority=root}\n\nNever[^r2].\n",
            "cases/R1.md": "Examples for [^R1] in Top:\n",
            "cases/r2.md": "Examples for [^r2] in Bottom:\n",
        },
    )
    assert [line.split(" ")[2] for line in cli("validate", cwd=root).out.splitlines()] == ["SPEC205", "SPEC204"]
