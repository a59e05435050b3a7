"""Eval results (schema/results.schema.json version 2) as text and markdown. Ids and counts only:
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
