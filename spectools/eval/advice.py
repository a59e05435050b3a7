"""`spectools lint --model`: a model's second opinion on lint's findings, through the same endpoint code as eval
(bounded, cached, counted). It confirms or dismisses each conflict and proposes a clearer wording for each ambiguous
clause. Its reply is data: it is shown beside the finding, shortened and on one line, and never changes a finding's
code, severity or the exit code (docs/SECURITY.md: a reply from an endpoint never decides a verdict).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from spectools.checks.lint import AMBIGUITY, Finding
from spectools.eval.endpoint import Budget, OutOfBudget, Reply, RequestFailed
from spectools.eval.grader import refuses_schema
from spectools.eval.run import parallel

if TYPE_CHECKING:
    from spectools.eval.endpoint import Endpoint

ASKED = AMBIGUITY | {"SPEC620", "SPEC640", "SPEC641"}  # the findings a model is asked about
REASON_CHARS, WORDING_CHARS = 300, 600
SCHEMA = {
    "name": "lint_advice",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": ["confirm", "dismiss"]},
            "reason": {"type": "string", "maxLength": REASON_CHARS},
            "wording": {"type": "string", "maxLength": WORDING_CHARS},
        },
        "required": ["verdict", "reason", "wording"],
        "additionalProperties": False,
    },
}
_CONFLICT = """You review a possible conflict between two clauses of a behaviour spec for an AI assistant. Decide
whether the two clauses really pull against each other (one requires or allows what the other forbids, in some
case both apply to), or whether they are compatible once read carefully. Reply with one JSON object:
{"verdict": "confirm" or "dismiss", "reason": one sentence, "wording": "" }"""
_AMBIGUOUS = """You review one clause of a behaviour spec for an AI assistant that a linter flagged as unclear. Decide
whether the flagged words leave real doubt about what the assistant must do ("confirm") or are precise enough in
context ("dismiss"), and propose a clearer wording of the clause that keeps its meaning. Reply with one JSON
object: {"verdict": "confirm" or "dismiss", "reason": one sentence, "wording": the clause reworded}"""


class Advice(NamedTuple):
    verdict: str  # confirm, dismiss, or "" when there is no answer
    reason: str
    wording: str
    error: str = ""


def request(finding: Finding, model: str, structured: bool = True) -> dict[str, Any]:
    code = finding.diagnostic.code
    if code in ("SPEC640", "SPEC641"):
        system, user = _CONFLICT, f"Clause A: {finding.text}\nClause B: {finding.other_text}"
    else:
        words = ", ".join(finding.words)
        system, user = _AMBIGUOUS, f"Clause: {finding.text}\nFlagged: {words} ({finding.diagnostic.message})"
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
    }
    if structured:
        body["response_format"] = {"type": "json_schema", "json_schema": SCHEMA}
    return body


def _line(value: Any, limit: int) -> str:
    """A string from the reply as one line of at most `limit` characters (control characters become spaces)."""
    if not isinstance(value, str):
        return ""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in value[: limit * 2]).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def parse(text: str) -> Advice | None:
    """The advice in a reply: the whole reply as one JSON object, or its outermost {...}; None when unreadable."""
    start, end = text.find("{"), text.rfind("}")
    for candidate in (text, text[start : end + 1] if 0 <= start < end else ""):
        try:
            data = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(data, dict) and data.get("verdict") in ("confirm", "dismiss"):
            return Advice(data["verdict"], _line(data.get("reason"), REASON_CHARS), _line(data.get("wording"), WORDING_CHARS))
    return None


def _usable(reply: Reply) -> bool:
    return reply.finish_reason != "length" and parse(reply.text) is not None


def advise(findings: Sequence[Finding], endpoint: Endpoint, model: str, concurrency: int = 8,
           budget: Budget | None = None) -> tuple[dict[int, Advice], bool, bool]:  # fmt: skip
    """({index in findings: advice} for the findings a model is asked about, all asked?, interrupted?)."""
    asked = [n for n, f in enumerate(findings) if f.diagnostic.code in ASKED]

    def work(n: int) -> tuple[int, Advice] | None:
        finding = findings[n]
        try:
            try:
                reply = endpoint.chat(request(finding, model), good=_usable, budget=budget)
            except RequestFailed as exc:
                if not refuses_schema(exc.status, str(exc)):
                    raise
                reply = endpoint.chat(request(finding, model, structured=False), good=_usable, budget=budget)
        except OutOfBudget:
            return None
        except RequestFailed as exc:
            return n, Advice("", "", "", _line(str(exc), REASON_CHARS))
        advice = parse(reply.text) if reply.finish_reason != "length" else None
        return n, advice or Advice("", "", "", "the reply was cut off" if reply.finish_reason == "length" else "unreadable")

    done, complete, interrupted = parallel(asked, work, concurrency, budget=budget)
    return dict(done), complete, interrupted


def annotated(finding: Finding, advice: Advice) -> Finding:
    """The finding with the model's opinion after its message; its code and severity stay."""
    if advice.error:
        note = f" [model: no answer ({advice.error})]"
    elif finding.diagnostic.code in ("SPEC640", "SPEC641"):
        note = f" [model {'confirms' if advice.verdict == 'confirm' else 'dismisses'}: {advice.reason}]"
    else:
        said = "confirms" if advice.verdict == "confirm" else "dismisses"
        note = f" [model {said}: {advice.reason}" + (f"; suggested wording: {advice.wording}]" if advice.wording else "]")
    d = finding.diagnostic
    return finding._replace(diagnostic=d._replace(message=d.message + note))
