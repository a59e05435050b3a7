"""The rules of the house (docs/ARCHITECTURE.md), measured on spectools/ by bench/house.py: a few rooms,
layers that never import upwards, and one owner for each concept; knotted functions are ruff's C901 to flag."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import house


def test_at_most_thirteen_top_level_parts() -> None:
    assert len(house.parts()) <= house.LIMITS["parts"], house.parts()


def test_every_part_is_a_layer_and_no_part_imports_a_higher_one() -> None:
    assert set(house.parts()) <= set(house.LAYERS)
    assert house.layer_breaches() == []


def test_knots_are_ruffs_to_find_and_size_is_no_rule() -> None:
    """Issue 19 (11): the numeric caps on module and function length made code squeeze to fit; branches that knot
    are flagged by ruff's C901 (mccabe) in the lint run (tests/test_lint.py), the layers and owners by this file."""
    import tomllib

    lint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert "C90" in lint["select"] and lint["mccabe"]["max-complexity"] <= 15
    assert "module_lines" not in house.LIMITS and "function_lines" not in house.LIMITS


def test_each_concept_has_one_owner() -> None:
    assert house.owners() == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import subprocess\n", "runs a process"),
        ('TAG = re.compile(r"\\[\\^x")\n', "spells the clause-tag pattern"),
        ("sys.stdout.write('x')\n", "prints"),
    ],
)
def test_the_owner_rule_finds_a_second_owner(tmp_path, monkeypatch: pytest.MonkeyPatch, source: str, found: str) -> None:
    """The measure itself can fail: a module that runs git or prints outside its room is caught."""
    pkg = tmp_path / "spectools"
    (pkg / "diff").mkdir(parents=True)
    (pkg / "diff" / "stray.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(house, "PACKAGE", pkg)
    assert any(found in line for line in house.owners()), house.owners()
    (pkg / "cli").mkdir()
    (pkg / "cli" / "x.py").write_text("from spectools.diff import stray\n", encoding="utf-8")
    (pkg / "diff" / "up.py").write_text("from spectools.cli import x\n", encoding="utf-8")
    assert house.layer_breaches() == ["spectools/diff/up.py imports spectools.cli"]
