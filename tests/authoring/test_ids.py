"""`spectools new-id` and `spectools new challenge`."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from spectools.authoring.ids import new_ids
from spectools.model import SpecError
from tests.conftest import write
from tests.gitrepo import GitRepo, section

TINY = "ids:\n  clause: '^[ab]{2}$'\n"


def test_new_ids_match_the_pattern_and_are_unique(cli, tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"model_spec.md": section("a", "A", "The assistant must be kind[^ab12].")})
    result = cli("new-id", "--count", "50", cwd=root)
    ids = result.out.split()
    assert result.code == 0 and len(ids) == 50 and len(set(ids)) == 50
    assert all(re.fullmatch(r"[a-z0-9]{4}", i) for i in ids) and "ab12" not in ids
    assert result.err.startswith("spectools: warning: ") and "not a git repository" in result.err
    assert result.err.endswith("; so only the current spec was checked for used ids\n")


def test_a_retired_id_in_the_history_is_never_offered(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("one", {"spectools.yaml": TINY, "model_spec.md": section("a", "A", "Kind[^aa]. Calm[^ba].")})
    repo.commit("retire ba", {"model_spec.md": section("a", "A", "Kind[^aa].")})
    repo.write({"model_spec.md": section("a", "A", "Kind[^aa]. Brief[^ab]."), "examples/zz.md": "x"})  # not committed
    result = cli("new-id", cwd=repo.root)
    assert (result.code, result.out, result.err) == (0, "bb\n", "")  # aa, ab in use; ba retired
    result = cli("new-id", "--count", "2", cwd=repo.root)
    assert (result.code, result.err) == (
        2,
        "spectools: error: ids.clause '^[ab]{2}$' leaves room for 1 more ids, not 2; widen the pattern\n",
    )


def test_challenge_files_count_as_used(tmp_path: Path) -> None:
    assert new_ids(1, "^[ab]{2}$", {"aa", "ab", "ba"}, random.Random(1)) == ["bb"]
    assert all(re.fullmatch(r"R[0-9]{3}", i) for i in new_ids(5, "^R[0-9]{3}$", set(), random.Random(2)))
    with pytest.raises(SpecError, match="could not make ids"):
        new_ids(1, "^R[0-9]+$", set(), random.Random(3))


def test_count_out_of_range(cli, tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"model_spec.md": section("a", "A", "Kind[^ab12].")})
    assert cli("new-id", "--count", "0", cwd=root).err == "spectools: error: --count takes a whole number from 1 to 10000\n"


def test_new_challenge_writes_the_header_and_a_starter_example(cli, tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"model_spec.md": section("keep", "Keep promises", "The assistant must keep them[^kp01].")})
    result = cli("new", "challenge", "kp01", cwd=root)
    assert (result.code, result.err) == (0, "spectools: created examples/kp01.md; fill in the example\n")
    text = (root / "examples" / "kp01.md").read_text(encoding="utf-8")
    assert text.startswith("Examples for [^kp01] in Keep promises:\n\n**Example**: TODO a short title for the situation\n")
    assert (root / "examples" / "kp01.md").stat().st_mode & 0o777 == 0o644
    validated = cli("validate", cwd=root)  # well formed; only the TODO text is left to write
    assert (validated.code, validated.out) == (
        0,
        "examples/kp01.md:3:1: warning SPEC509 the example still holds the template's TODO text; write the real prompt and answers\n",
    )
    assert sorted(p.name for p in (root / "examples").iterdir()) == ["kp01.md"]  # no temporary file left


def test_new_challenge_refuses_an_existing_file_or_a_missing_clause(cli, tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"model_spec.md": section("keep", "Keep", "Keep them[^kp01]."), "examples/kp01.md": "mine\n"})
    result = cli("new", "challenge", "kp01", cwd=root)
    assert (result.code, result.err) == (
        2,
        "spectools: error: examples/kp01.md already exists; it was left as it is (edit it, or delete it first)\n",
    )
    assert (root / "examples" / "kp01.md").read_text() == "mine\n"
    result = cli("new", "challenge", "zz99", cwd=root)
    assert (result.code, result.err) == (
        2,
        "spectools: error: no clause carries [^zz99]; tag a sentence with [^zz99] first, or check the id\n",
    )
    assert not (root / "examples" / "zz99.md").exists()


def test_new_challenge_uses_the_configured_folder(cli, tmp_path: Path) -> None:
    root = write(
        tmp_path / "r",
        {"spectools.yaml": "challenges: tests/cases\n", "model_spec.md": section("keep", "Keep", "Keep them[^kp01].")},
    )
    assert cli("new", "challenge", "kp01", cwd=root).code == 0
    assert (root / "tests" / "cases" / "kp01.md").read_text().startswith("Examples for [^kp01] in Keep:")


def test_new_challenge_when_the_folder_is_a_file(cli, tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"model_spec.md": section("keep", "Keep", "Keep them[^kp01]."), "examples": "a file\n"})
    result = cli("new", "challenge", "kp01", cwd=root)
    assert (result.code, result.err) == (
        2,
        "spectools: error: examples is a file, not a folder; challenge files go in a folder of that name\n",
    )
