"""Issue 22's targets on the corpus in tests/data/lint/ (70 clauses, 36 of them clear): recall of the planted
ambiguities and conflicts at least 90%, and at most 5% of the clear clauses flagged at all."""

from __future__ import annotations

import yaml

from spectools.checks.lint import lint
from spectools.parse.load import load, open_worktree
from tests.conftest import DATA

CORPUS = DATA / "lint"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


def _measure() -> tuple[set[tuple[str, str]], set[tuple[str, str]], set[str], set[str]]:
    """(planted (clause, code), found among them, clear clauses, clear clauses flagged)."""
    loaded = load(open_worktree(CORPUS))
    found = lint(loaded)
    by_clause: dict[str, set[str]] = {}
    for f in found:
        for cid in (*f.ids, *f.other):
            by_clause.setdefault(cid, set()).add(f.diagnostic.code)
    planted = {(cid, code) for cid, codes in EXPECTED["planted"].items() for code in codes}
    planted |= {(cid, code) for a, b, code in EXPECTED["conflicts"] for cid in (a, b)}
    hit = {(cid, code) for cid, code in planted if code in by_clause.get(cid, ())}
    named = {cid for cid, _ in planted}
    clear = {c.id for c in loaded.spec.clauses()} - named
    return planted, hit, clear, {cid for cid in clear if by_clause.get(cid)}


def test_the_corpus_is_big_enough_and_half_clear() -> None:
    planted, _, clear, _ = _measure()
    assert len(clear) + len({cid for cid, _ in planted}) >= 60
    assert len(clear) >= len({cid for cid, _ in planted})


def test_recall_of_planted_problems_is_at_least_90_percent() -> None:
    planted, hit, _, _ = _measure()
    assert len(hit) / len(planted) >= 0.9, sorted(planted - hit)


def test_at_most_5_percent_of_clear_clauses_are_flagged() -> None:
    _, _, clear, flagged = _measure()
    assert len(flagged) / len(clear) <= 0.05, sorted(flagged)


def test_each_conflict_is_reported_once_on_its_first_clause_with_the_others_place() -> None:
    found = [f for f in lint(load(open_worktree(CORPUS))) if f.diagnostic.code in ("SPEC640", "SPEC641")]
    pairs = [(f.ids[0], f.other[0], f.diagnostic.code) for f in found]
    assert sorted(pairs) == sorted(tuple(c) for c in EXPECTED["conflicts"])
    for f in found:
        assert "model_spec.md:" in f.diagnostic.message and "pull against each other" in f.diagnostic.message
