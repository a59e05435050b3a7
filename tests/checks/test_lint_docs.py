"""docs/checks.md shows a bad and a good example for every lint code: each is linted here, so the page says what
the checks do (the bad one draws its code, the good one does not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spectools.checks.lint import CODES, lint
from spectools.parse.load import load, open_worktree
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"^(`{3,4})markdown (bad|good)\n(.*?)\n\1$", re.S | re.M)


def _examples() -> list[tuple[str, str, str]]:
    out = []
    for part in DOC.split("\n### ")[1:]:
        code = part.split("\n", 1)[0].strip()
        if code in CODES:
            out.extend((code, m.group(2), m.group(3)) for m in _BLOCK.finditer(part))
    return out


EXAMPLES = _examples()


def codes_of(root: Path, text: str, code: str) -> set[str]:
    root.mkdir()
    (root / "model_spec.md").write_text(text + "\n", encoding="utf-8")
    return {f.diagnostic.code for f in lint(load(open_worktree(root)), {code})}


def test_every_lint_code_has_one_bad_and_one_good_example() -> None:
    kinds: dict[str, list[str]] = {}
    for code, kind, _ in EXAMPLES:
        kinds.setdefault(code, []).append(kind)
    assert kinds == {code: ["bad", "good"] for code in CODES}


@pytest.mark.parametrize(("code", "kind", "text"), EXAMPLES, ids=[f"{c}-{k}" for c, k, _ in EXAMPLES])
def test_the_documented_example_is_what_lint_says(tmp_path: Path, code: str, kind: str, text: str) -> None:
    found = codes_of(tmp_path / "spec", text, code)
    assert (code in found) == (kind == "bad"), found
