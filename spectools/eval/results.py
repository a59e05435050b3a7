"""A run's samples -> its results (io/results.py owns the file: schema/results.schema.json, version 3) and the audit
lines.

A result per clause: samples graded, how many passed (score at or above the threshold), errors (no
answer, or no readable grade: never counted as a pass or a fail), the pass rate and its Wilson 95%
interval. The audit file (JSON Lines) holds every answer and the grader's reasoning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from spectools import __version__
from spectools.io.results import ClauseResult, RunInfo
from spectools.model import Spec, wilson

if TYPE_CHECKING:
    from pathlib import Path

    from spectools.eval.endpoint import Endpoint
    from spectools.eval.run import Outcome, Settings


class Sample(NamedTuple):
    """One answer to one prompt, and its grade."""

    task: str  # "<clause>/<n>": the n-th example of the clause's challenge file
    clause: str
    sample: int
    answer: str | None  # None: the model under test gave no answer (see error)
    score: int | None  # the median of the grader's readable scores; None: no readable grade (see error)
    reasoning: str
    error: str | None
    cut_off: bool = False  # the answer stopped at max_tokens (finish_reason "length")
    grading: str = ""  # how its grades were asked for: "json_schema", "plain", or "json_schema+plain"
    grade_failures: tuple[str, ...] = ()  # grades that could not be had, when others decided (kept in the audit file)


def where(spec: Spec) -> dict[str, tuple[str | None, str | None]]:
    """{clause: (its section's anchor, that section's authority)} (the first section of an anchor wins)."""
    levels = {anchor: s.authority for anchor, s in spec.section_index().items()}
    return {c.id: (c.section, levels.get(c.section or "")) for c in spec.clauses()}


def per_clause(samples: Iterable[Sample], where: dict[str, tuple[str | None, str | None]], threshold: int) -> list[ClauseResult]:
    """One result per clause (sorted by id); where: clause -> (section anchor, authority)."""
    counts: dict[str, list[int]] = {}
    for s in samples:
        row = counts.setdefault(s.clause, [0, 0, 0, 0])  # graded, passed, errors, cut off
        row[3] += s.cut_off
        if s.error is not None or s.score is None:
            row[2] += 1
        else:
            row[0] += 1
            row[1] += s.score >= threshold
    out = []
    for clause, (graded, passed, errors, cut_off) in sorted(counts.items()):
        section, authority = where.get(clause, (None, None))
        score = round(passed / graded, 4) if graded else 0.0
        out.append(ClauseResult(clause, section, authority, graded, passed, errors, cut_off, score, wilson(passed, graded)))
    return out


def audit_lines(samples: Iterable[Sample]) -> str:
    """One JSON object a line for every sample: what was answered, how it was graded, and why."""
    return "".join(json.dumps({**s._asdict(), "spectools": __version__}, ensure_ascii=False) + "\n" for s in samples)


def run_info(
    root: Path, settings: Settings, started: str, ended: str, outcome: Outcome, target: Endpoint, judge: Endpoint
) -> RunInfo:
    """What the results file says of the run: who answered and graded, how, what it cost, and how complete it is."""
    from spectools.eval.grader import PROMPT_VERSION

    return RunInfo(
        spec_commit(root), settings.model, settings.grader_model, PROMPT_VERSION, settings.threshold, started, ended,
        outcome.complete, target.sent + judge.sent, target.hits + judge.hits,
        target.prompt_tokens + judge.prompt_tokens, target.completion_tokens + judge.completion_tokens,
        {"samples": settings.samples, "grader_samples": settings.grader_samples, "max_requests": settings.max_requests,
         "max_tokens": target.max_tokens, "grader_max_tokens": judge.max_tokens, "developer_role": settings.developer_role,
         "grader_context": "spec" if settings.whole_spec else "section"},
        grading(outcome), sum(1 for s in outcome.samples if s.error), sum(1 for s in outcome.samples if s.cut_off),
    )  # fmt: skip


def grading(outcome: Outcome) -> dict[str, int | str]:
    """How many samples were graded with the JSON schema and how many as plain text (and why it fell back)."""
    modes = [s.grading for s in outcome.samples]
    out: dict[str, int | str] = {
        "json_schema": sum("json_schema" in m for m in modes),
        "plain": sum("plain" in m for m in modes),
    }
    if outcome.fell_back:
        out["fell_back"] = outcome.fell_back[:1000]
    return out


def spec_commit(root: Path) -> str | None:
    """HEAD's commit when the files under root are exactly HEAD's, else None (a working tree). A .spectools/ folder
    (where the answer cache was kept before it moved out of the repository) does not count."""
    from spectools.sources.git import GitError, run

    try:
        changed = run(["status", "--porcelain", "-z", "--", "."], root).split(b"\0")
        if any(entry and b"/.spectools/" not in b"/" + entry[3:] for entry in changed):
            return None
        return run(["rev-parse", "--verify", "-q", "HEAD^{commit}"], root).decode().strip() or None
    except (OSError, GitError):
        return None
