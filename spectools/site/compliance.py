"""Compliance at a glance: the rows of `spectools eval` results files (io/results.py loads and checks them, as
untrusted input) as pass rates per clause and per section for each model, with Wilson 95% intervals, and a
section's small inline SVG chart. Only numbers, ids and model names come out: nothing from an answer or a prompt
is in a results file, and nothing of the kind is shown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any, NamedTuple

from spectools.model import wilson


class Rate(NamedTuple):
    model: str
    passed: int
    samples: int
    errors: int
    interval: tuple[float, float]
    calibrated: bool | None  # False: the grader is not calibrated on this clause's section

    @property
    def score(self) -> float:
        return self.passed / self.samples if self.samples else 0.0

    @property
    def shown(self) -> str:
        """`83% (5/6, 95% CI 44-97%)`, or `no graded answer`."""
        if not self.samples:
            return "no graded answer" + (f" ({self.errors} in error)" if self.errors else "")
        lo, hi = self.interval
        errors = f", {self.errors} in error" if self.errors else ""
        return f"{self.score:.0%} ({self.passed}/{self.samples}, 95% CI {lo:.0%}–{hi:.0%}{errors})"


MAX_MODELS = 30  # columns a page shows; the results of more models are counted, not shown (the pages stay readable)


class Compliance(NamedTuple):
    models: tuple[str, ...]
    clauses: dict[str, tuple[Rate, ...]]  # clause id -> one rate per model that graded it
    left_out: int = 0  # models past MAX_MODELS, not shown

    def section(self, clause_ids: Iterable[str]) -> tuple[Rate, ...]:
        """The section's rate for each model: its clauses' graded answers added up (None of them: no rate)."""
        sums: dict[str, list[int]] = {}
        calibrated: dict[str, bool] = {}
        for cid in clause_ids:
            for r in self.clauses.get(cid, ()):
                total = sums.setdefault(r.model, [0, 0, 0])
                total[0] += r.passed
                total[1] += r.samples
                total[2] += r.errors
                if r.calibrated is False:
                    calibrated[r.model] = False
        return tuple(Rate(m, p, n, e, wilson(p, n), calibrated.get(m)) for m in self.models if m in sums for p, n, e in [sums[m]])


def compliance(files: Sequence[tuple[str, list[dict[str, Any]]]]) -> Compliance:
    """Rows of several results files (name, rows). A model is named by its results (a model graded in two files
    by different graders is two columns, `model (graded by grader)`); a clause graded twice by the same column
    takes the later file's row."""
    from collections import Counter

    pairs = {(str(r["model"]), str(r["grader"])) for _, rows in files for r in rows}
    graders = Counter(m for m, _ in pairs)  # how many graders graded each model
    models: dict[str, int] = {}  # name -> its column, in the order first seen
    clauses: dict[str, dict[str, Rate]] = {}
    names = set()
    for _, rows in files:
        for r in rows:
            model, grader = str(r["model"]), str(r["grader"])
            name = model if graders[model] == 1 else f"{model} (graded by {grader})"
            names.add(name)
            if name not in models and len(models) >= MAX_MODELS:
                continue
            models.setdefault(name, len(models))
            passed, samples, errors = int(r["passed"]), int(r["samples"]), int(r.get("errors", 0))
            clauses.setdefault(str(r["clause"]), {})[name] = Rate(
                name, passed, samples, errors, wilson(passed, samples), r.get("calibrated")
            )
    return Compliance(
        tuple(models),
        {cid: tuple(sorted(by.values(), key=lambda r: models[r.model])) for cid, by in clauses.items()},
        len(names) - len(models),
    )


BAR = 120  # px: the width of a whole bar (100%)
ROW = 14  # px: one model's row


def chart(rates: Sequence[Rate], label: str) -> str:
    """A small inline SVG: one bar per model (its pass rate), the Wilson interval as a line across it; the
    figures are in its <title> and in the text beside it, so the chart is never the only way to read them."""
    if not rates:
        return ""
    height = ROW * len(rates)
    words = "; ".join(f"{r.model}: {r.shown}" for r in rates)
    parts = [
        f'<svg class="chart" role="img" width="{BAR}" height="{height}" viewBox="0 0 {BAR} {height}" '
        f'aria-label="{escape(label)}: {escape(words)}"><title>{escape(words)}</title>'
    ]
    for i, r in enumerate(rates):
        y = i * ROW
        lo, hi = r.interval
        parts.append(
            f'<rect class="track" x="0" y="{y + 2}" width="{BAR}" height="{ROW - 4}"/>'
            f'<rect class="bar" x="0" y="{y + 2}" width="{round(BAR * r.score, 1)}" height="{ROW - 4}"/>'
            f'<line class="ci" x1="{round(BAR * lo, 1)}" x2="{round(BAR * hi, 1)}" y1="{y + ROW / 2}" y2="{y + ROW / 2}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
