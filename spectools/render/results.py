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
        lo, hi = r["interval"]
        errors = f", {r['errors']} error{'s' * (r['errors'] != 1)}" if r["errors"] else ""
        lines.append(
            term(f"{r['clause']:8} {r['passed']}/{r['samples']} passed ({_pct(r['score'])}, 95% {_pct(lo)}-{_pct(hi)}){errors}")
        )
    return "".join(line + "\n" for line in lines)


def markdown(doc: dict[str, Any]) -> str:
    run = doc["run"]
    out = [f"**{md(run['model'])}** graded by **{md(run['grader'])}** (threshold {run['threshold']})", ""]
    out += ["| clause | authority | passed | rate | 95% interval | errors |", "|---|---|---|---|---|---|"]
    for r in doc["results"]:
        lo, hi = r["interval"]
        row = [md(f"[^{r['clause']}]"), md(r["authority"] or "none"), f"{r['passed']}/{r['samples']}", _pct(r["score"])]
        out.append("| " + " | ".join([*row, f"{_pct(lo)}–{_pct(hi)}", str(r["errors"])]) + " |")
    return "\n".join(out) + "\n"


def calibration(doc: dict[str, Any]) -> str:
    """The calibration report as text: the rates, kappa, the suggested threshold, then each section."""
    r = doc.get("length_score_correlation")
    best = f"best: {doc['suggested_kappa']:.2f} at {doc['suggested_threshold']}"
    lines = [
        f"GOOD passed {_pct(doc['tpr'])} of {doc['n_good']}, BAD failed {_pct(doc['tnr'])} of {doc['n_bad']}; "
        f"kappa {doc['kappa']:.2f} at threshold {doc['threshold']} ({best})",
        f"left apart: {doc['apart']['ok']} OK, {doc['apart']['qualified']} qualified; {doc['errors']} unreadable grades; "
        f"answer length vs score: r = {'n/a' if r is None else f'{r:.2f}'}",
    ]
    for s in doc["sections"]:
        mark = "calibrated" if s["calibrated"] else "not calibrated"
        lines.append(
            term(f"#{s['section']}: GOOD {_pct(s['tpr'])} of {s['n_good']}, BAD {_pct(s['tnr'])} of {s['n_bad']} ({mark})")
        )
    return "".join(line + "\n" for line in lines)
