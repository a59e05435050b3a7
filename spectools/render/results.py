"""Eval results (schema/results.schema.json version 3) as text and markdown. Ids and counts only:
never a prompt or an answer."""

from __future__ import annotations

from typing import Any

from spectools.render.escape import md, term


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def text(doc: dict[str, Any]) -> str:
    run = doc["run"]
    lines = [
        term(
            f"{run['model']} graded by {run['grader']} (threshold {run['threshold']}){'' if run['complete'] else '; incomplete'}"
        )
    ]
    for r in doc["results"]:
        lines.append(term(f"{r['clause']:8} {_rate(r)}{_flaws(r)}"))
    lines.append(overall(doc))
    return "".join(line + "\n" for line in lines)


def _rate(r: dict[str, Any]) -> str:
    """ "3/4 passed (75%, 95% 30%-95%)", or "no grade" for a clause whose every sample failed (never 0%)."""
    if not r["samples"]:
        return "no grade"
    lo, hi = r["interval"]
    return f"{r['passed']}/{r['samples']} passed ({_pct(r['score'])}, 95% {_pct(lo)}-{_pct(hi)})"


def _flaws(r: dict[str, Any]) -> str:
    errors, cut = r.get("errors", 0), r.get("cut_off", 0)
    return (f", {errors} error{'s' * (errors != 1)}" if errors else "") + (f", {cut} cut off" if cut else "")


def overall(doc: dict[str, Any]) -> str:
    """The run in one line: passed of graded, errors, answers cut off, and whether it is complete."""
    results = doc["results"]
    graded, passed = sum(r["samples"] for r in results), sum(r["passed"] for r in results)
    errors, cut = sum(r.get("errors", 0) for r in results), sum(r.get("cut_off", 0) for r in results)
    rate = f" ({_pct(passed / graded)})" if graded else ""
    state = "complete" if doc["run"]["complete"] else "incomplete"
    return f"overall: {passed} of {graded} graded answers passed{rate}; {errors} errors, {cut} cut off; {state}"


def markdown(doc: dict[str, Any]) -> str:
    run = doc["run"]
    out = [f"**{md(run['model'])}** graded by **{md(run['grader'])}** (threshold {run['threshold']})", ""]
    out += ["| clause | authority | passed | rate | 95% interval | errors |", "|---|---|---|---|---|---|"]
    for r in doc["results"]:
        lo, hi = r["interval"]
        rate = [f"{r['passed']}/{r['samples']}", _pct(r["score"]), f"{_pct(lo)}–{_pct(hi)}"] if r["samples"] else ["no grade"] * 3
        row = [md(f"[^{r['clause']}]"), md(r["authority"] or "none"), *rate, str(r["errors"])]
        out.append("| " + " | ".join(row) + " |")
    out += ["", md(overall(doc))]
    return "\n".join(out) + "\n"


def calibration(doc: dict[str, Any]) -> str:
    """The calibration report as text: the rates, kappa, the suggested threshold, then each section."""
    r = doc.get("length_score_correlation")
    best = (
        f"best: {doc['suggested_kappa']:.2f} at {doc['suggested_threshold']}"
        if doc.get("suggested_threshold") is not None
        else "no threshold to suggest: every score was the same"
    )
    lines = [
        f"GOOD passed {_pct(doc['tpr'])} of {doc['n_good']}, BAD failed {_pct(doc['tnr'])} of {doc['n_bad']}; "
        f"kappa {doc['kappa']:.2f} at threshold {doc['threshold']} ({best})",
        f"left apart: {doc['apart']['ok']} OK, {doc['apart']['qualified']} qualified; {doc['errors']} unreadable grades; "
        f"answer length vs score: r = {'n/a' if r is None else f'{r:.2f}'}",
    ]
    coverage = doc.get("coverage")
    if coverage and not doc.get("complete", True):
        whole = coverage.get("in_spec", coverage["cases"])
        lines.append(f"incomplete: {coverage['graded']} of the spec's {whole} labelled answers graded")
    for s in doc["sections"]:
        mark = "calibrated" if s["calibrated"] else "not calibrated"
        lines.append(
            term(f"#{s['section']}: GOOD {_pct(s['tpr'])} of {s['n_good']}, BAD {_pct(s['tnr'])} of {s['n_bad']} ({mark})")
        )
    return "".join(line + "\n" for line in lines)
