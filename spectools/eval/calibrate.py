"""Calibrate the grader on the spec's own labelled answers: every candidate of every `<comparison>`
becomes a grading case (the conversation up to it, the candidate as the answer), graded against the
section it stands in, or the one a `BAD[#anchor]` label names. GOOD should pass and BAD fail.

OK labels and qualified ones (`GOOD, given ...`) are reported apart and left out of the rates. The
report: true positive and negative rates, Cohen's kappa, per section with Wilson intervals (a section
is calibrated with at least 5 GOOD and 5 BAD and both lower bounds at 0.7 or more), the threshold
with the best kappa, and how answer length correlates with the score (a grader that likes long
answers is not judging compliance).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from spectools.eval.prompt import chat_message
from spectools.model import Comparison, Example, Section, Spec, wilson

CALIBRATED_N = 5
CALIBRATED_LOWER = 0.7


class Case(NamedTuple):
    id: str  # "<section>/<example n>/<comparison n>/<candidate n>"
    section: Section  # what the answer is graded against
    verdict: str  # GOOD, BAD or OK
    qualified: bool  # a qualifier follows the verdict: reported apart
    answer: str
    history: list[dict[str, Any]]  # the example's messages, shared by its cases (no copy each: linear)
    upto: int  # how many of them come before the comparison

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The conversation up to the comparison."""
        return self.history[: self.upto]


class Graded(NamedTuple):
    case: Case
    score: int | None  # None: no readable grade (an error)


def _comparisons(example: Example) -> Iterator[tuple[int, Comparison, list[dict[str, Any]], int]]:
    """(n, comparison, the example's chat messages, how many come before it) for each comparison, in one pass;
    the list is the same for all, and complete once the pass is done."""
    sent: list[dict[str, Any]] = []
    n = 0
    for turn in example.turns:
        if isinstance(turn, Comparison):
            n += 1
            yield n, turn, sent, len(sent)
        else:
            sent.append(chat_message(turn))


def in_scope(todo: list[Case], spec: Spec, clauses: list[str] | None, sections: list[str] | None) -> list[Case]:
    """The cases whose section is one of `sections`, or holds one of `clauses` (None: no such bound)."""
    if clauses is None and sections is None:
        return todo
    wanted = set(sections or ())
    wanted |= {c.section for c in spec.clauses() if c.id in set(clauses or ()) and c.section}
    return [case for case in todo if case.section.anchor in wanted]


def cases(spec: Spec) -> tuple[list[Case], list[str]]:
    """(a case per labelled candidate, warnings for labels that name no section): the examples of the spec's sections,
    each graded against its section, then those of the challenge files, each against its clause's section (or, for
    either, the section BAD[#anchor] names)."""
    sections = spec.section_index()
    clause_section = {c.id: c.section for c in spec.clauses()}
    places = [(s.anchor, s.anchor, s.examples) for s in spec.sections()]
    places += [
        (f"[^{ch.clause_id}]", str(clause_section[ch.clause_id]), ch.examples)
        for ch in spec.challenges
        if clause_section.get(ch.clause_id)
    ]
    out, warnings = [], []
    for name, anchor, examples in places:
        for e, example in enumerate(examples, 1):
            found, said = _labelled(name, str(anchor), e, example, sections)
            out += found
            warnings += said
    return out, warnings


def _labelled(name: str, anchor: str, e: int, example: Example, sections: dict[str, Section]) -> tuple[list[Case], list[str]]:
    """The cases of one example: each labelled candidate of each comparison, against the section it is graded by."""
    out, warnings = [], []
    for c, comparison, sent, upto in _comparisons(example):
        for k, candidate in enumerate(comparison.candidates, 1):
            label = candidate.label
            if label is None or label.verdict not in ("GOOD", "BAD", "OK"):
                continue
            target = sections.get(label.anchor or anchor)
            if target is None:
                warnings.append(f"{label.location}: BAD[#{label.anchor}] names no section; the case is left out")
                continue
            out.append(
                Case(f"{name}/{e}/{c}/{k}", target, label.verdict, label.qualifier is not None, candidate.text, sent, upto)
            )
    return out, warnings


def _rates(graded: list[Graded], threshold: int) -> dict[str, Any]:
    good = [g.score >= threshold for g in graded if g.case.verdict == "GOOD" and g.score is not None]
    bad = [g.score < threshold for g in graded if g.case.verdict == "BAD" and g.score is not None]
    tpr, tnr = (sum(good) / len(good) if good else 0.0), (sum(bad) / len(bad) if bad else 0.0)
    return {
        "n_good": len(good), "n_bad": len(bad), "tpr": round(tpr, 4), "tnr": round(tnr, 4),
        "tpr_interval": list(wilson(sum(good), len(good))), "tnr_interval": list(wilson(sum(bad), len(bad))),
    }  # fmt: skip


def kappa(graded: list[Graded], threshold: int) -> float:
    """Cohen's kappa between the grader's pass/fail and the labels (GOOD = pass, BAD = fail)."""
    pairs = [(g.score >= threshold, g.case.verdict == "GOOD") for g in graded if g.score is not None]
    if not pairs:
        return 0.0
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    p_grader, p_label = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    expected = p_grader * p_label + (1 - p_grader) * (1 - p_label)
    return round((observed - expected) / (1 - expected), 4) if expected < 1 else 0.0


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None when either side does not vary."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if not sx or not sy:
        return None
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sx * sy), 4)


def _sections(rated: list[Graded], threshold: int) -> list[dict[str, Any]]:
    """Per section: its rates with Wilson intervals, and whether the grader is calibrated on it."""
    by_section: dict[str, list[Graded]] = {}
    for g in rated:
        by_section.setdefault(g.case.section.anchor, []).append(g)
    out = []
    for anchor, graded in sorted(by_section.items()):
        rates = _rates(graded, threshold)
        enough = rates["n_good"] >= CALIBRATED_N and rates["n_bad"] >= CALIBRATED_N
        lows = rates["tpr_interval"][0] >= CALIBRATED_LOWER and rates["tnr_interval"][0] >= CALIBRATED_LOWER
        out.append({"section": anchor, "n": rates["n_good"] + rates["n_bad"], **rates, "calibrated": enough and lows})
    return out


def report(
    graded: Iterable[Graded],
    threshold: int,
    qualified: bool = False,
    cases_in_scope: int | None = None,
    in_spec: int | None = None,
) -> dict[str, Any]:
    """The calibration report (JSON): rates, kappa, sections, the suggested threshold (None when every threshold
    would pass or fail every scored answer), what was left apart (qualified labels too, unless `qualified` counts
    them in), and its coverage: how many of the cases in scope were graded, and whether that is all of them."""
    graded = list(graded)
    total = len(graded) if cases_in_scope is None else cases_in_scope
    whole = total if in_spec is None else in_spec  # the spec's labelled answers: complete only when all were graded
    apart, rated = _apart(graded, qualified)
    scored = [g for g in rated if g.score is not None]
    best = suggested(rated, threshold)
    overall = _rates(rated, threshold)
    return {
        **{k: overall[k] for k in ("tpr", "tnr", "n_good", "n_bad")}, "kappa": kappa(rated, threshold), "threshold": threshold,
        "suggested_threshold": best, "suggested_kappa": kappa(rated, best) if best is not None else None,
        "length_score_correlation": correlation([len(g.case.answer) for g in scored], [float(g.score or 0) for g in scored]),
        "errors": len(rated) - len(scored),
        "complete": 0 < len(graded) == total == whole, "coverage": {"graded": len(graded), "cases": total, "in_spec": whole},
        "apart": apart,
        "sections": _sections(rated, threshold),
    }  # fmt: skip


def _apart(graded: list[Graded], qualified: bool) -> tuple[dict[str, int], list[Graded]]:
    """(how many OK and qualified labels were left apart, the GOOD and BAD cases that are rated)."""
    apart = {"ok": 0, "qualified": 0}
    rated = []
    for g in graded:
        apart["ok"] += g.case.verdict == "OK"
        apart["qualified"] += g.case.qualified and not qualified
        if g.case.verdict in ("GOOD", "BAD") and (qualified or not g.case.qualified):
            rated.append(g)
    return apart, rated


def suggested(rated: list[Graded], threshold: int) -> int | None:
    """The threshold with the best kappa, nearest the one in use on a tie; only among thresholds that pass some scored
    answers and fail others (one that passes or fails every answer tells nothing): None when there is none."""
    scores = [g.score for g in rated if g.score is not None]
    candidates = [t for t in range(2, 8) if scores and min(scores) < t <= max(scores)]
    return max(candidates, key=lambda t: (kappa(rated, t), -abs(t - threshold))) if candidates else None


def grade_all(todo: list[Case], judge: Any, settings: Any, done: Any = None) -> tuple[list[Graded], bool, bool]:
    """Every case graded (against its section as a whole), at most settings.concurrency at once."""
    from spectools.eval.endpoint import OutOfBudget
    from spectools.eval.run import RunState, grade, parallel

    state = RunState(judge, judge, settings)

    def work(case: Case) -> Graded | None:
        try:
            return Graded(case, grade(state, None, case.section, case.messages, case.answer).score)
        except OutOfBudget:
            return None  # not graded: --max-requests was spent, or the run was stopped

    graded, complete, interrupted = parallel(todo, work, settings.concurrency, done, state.budget)
    return sorted(graded, key=lambda g: g.case.id), complete, interrupted
