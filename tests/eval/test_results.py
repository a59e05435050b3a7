"""Samples -> per-clause results with Wilson intervals, a results file the pull-request summary reads."""

from __future__ import annotations

import json

import pytest

from spectools.eval.results import Sample, audit_lines, per_clause
from spectools.io.results import RunInfo, document
from spectools.io.results import load as load_results
from spectools.model import wilson


@pytest.mark.parametrize(
    ("passed", "n", "expected"),
    [(0, 0, (0.0, 1.0)), (10, 10, (0.7225, 1.0)), (0, 10, (0.0, 0.2775)), (5, 10, (0.2366, 0.7634)), (81, 100, (0.7222, 0.8749))],
)
def test_wilson_intervals(passed: int, n: int, expected: tuple[float, float]) -> None:
    assert wilson(passed, n) == pytest.approx(expected, abs=1e-4)


def sample(clause: str, score: int | None, error: str | None = None) -> Sample:
    return Sample(f"{clause}/1", clause, 0, None if error else "answer", score, "because", error)


def test_per_clause_counts_passes_at_the_threshold_and_keeps_errors_apart() -> None:
    samples = [
        sample("ab12", 7),
        sample("ab12", 6),
        sample("ab12", 5),
        sample("ab12", None, "no readable grade"),
        sample("cd34", 1),
    ]
    rows = per_clause(samples, {"ab12": ("scope", "developer")}, threshold=6)
    assert rows[0].as_json() == {
        "clause": "ab12", "section": "scope", "authority": "developer", "samples": 3, "passed": 2, "errors": 1,
        "cut_off": 0, "score": 0.6667, "interval": list(wilson(2, 3)),
    }  # fmt: skip
    assert rows[1].clause == "cd34" and rows[1].passed == 0 and rows[1].section is None


def test_a_results_file_is_what_the_pull_request_summary_reads() -> None:
    info = RunInfo(
        "0123abc",
        "model-a",
        "grader-b",
        "grader-1",
        6,
        "2026-12-02T10:00:00Z",
        "2026-12-02T10:01:00Z",
        True,
        12,
        3,
        100,
        50,
        {"samples": 1, "grader_samples": 1, "max_requests": None, "max_tokens": 4096, "grader_max_tokens": 1024},
        {"json_schema": 2, "plain": 0},
        0,
        0,
    )
    doc = document(info, per_clause([sample("ab12", 7), sample("ab12", 2)], {}, 6))
    rows = load_results(json.dumps(doc), "results.json")  # checked against schema/results.schema.json
    assert rows[0]["model"] == "model-a" and rows[0]["spec_commit"] == "0123abc" and rows[0]["passed"] == 1
    assert doc["run"]["tokens"] == {"prompt": 100, "completion": 50}
    lines = audit_lines([sample("ab12", 7)]).splitlines()
    assert json.loads(lines[0])["reasoning"] == "because"
