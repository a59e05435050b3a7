"""Every corpus folder gives exactly the findings it states."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import INVALID, VALID

INVALID_CASES = sorted(p for p in INVALID.iterdir() if p.is_dir())
VALID_CASES = sorted(p for p in VALID.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", VALID_CASES, ids=lambda p: p.name)
def test_valid_corpus_is_clean(cli, case: Path) -> None:
    result = cli("validate", cwd=case)
    assert result.out == ""
    assert result.code == 0
    assert result.err.startswith("spectools: no problems found in ")


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda p: p.name)
def test_invalid_corpus_gives_the_stated_findings(cli, case: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert expected.strip(), "an invalid case must state at least one finding"
    result = cli("validate", cwd=case)
    assert result.out == expected
    assert result.code == int((case / "exit-code").read_text())


def test_every_check_code_is_exercised_by_a_corpus_or_test() -> None:
    """A check no corpus or test produces is a check nobody has seen work."""
    from spectools.model import CHECKS

    seen = set()
    for case in INVALID_CASES:
        for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
            seen.add(line.split(" ")[2])
    built_by_tests = {"SPEC007", "SPEC008", "SPEC009", "SPEC014"}  # tests/checks/test_bad_input.py
    built_by_tests |= {"SPEC016"}  # tests/security/test_crashes.py: a file name that is not UTF-8
    built_by_tests |= {"SPEC207", "SPEC509"}  # tests/test_modelspec.py: they need git history, or a file new challenge wrote
    built_by_tests |= {c for c in CHECKS if CHECKS[c].family == "lint"}  # tests/checks/test_lint_docs.py: each code's bad example
    assert set(CHECKS) - seen - built_by_tests == set()
