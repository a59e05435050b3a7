"""Examples: every conversation has messages with text, and comparisons of labelled candidates."""

from __future__ import annotations

from spectools.model import Comparison, Diagnostic, Location, Message, diag
from spectools.parse.load import Loaded

LABELS = frozenset({"GOOD", "BAD", "OK"})


def _empty(message: Message) -> bool:
    text = message.text
    return (not text or text.isspace()) and not message.settings and not message.untrusted  # isspace: what strip() strips


def _todo(loaded: Loaded) -> list[Diagnostic]:
    """SPEC509: a challenge file that still holds the template's TODO text (its title or a message)."""
    out = []
    for ch in loaded.spec.challenges:
        for example in ch.examples:
            if example.title.startswith("TODO"):
                where: Location | None = example.location
            else:
                where = next((m.location for t in example.turns for m in _messages(t) if m.text.startswith("TODO")), None)
            if where is not None:
                out.append(
                    diag("SPEC509", where, "the example still holds the template's TODO text; write the real prompt and answers")
                )
    return out


def _messages(turn: Message | Comparison) -> tuple[Message, ...]:
    return turn.candidates if type(turn) is Comparison else (turn,)  # type: ignore[return-value]


def check(loaded: Loaded) -> list[Diagnostic]:
    problems: list[Diagnostic] = _todo(loaded)
    for example in loaded.spec.examples():
        if not example.has_block:
            problems.append(
                diag("SPEC508", example.location, "'**Example**:' is not followed by an ```xml conversation block; add one")
            )
        for turn in example.turns:
            messages = turn.candidates if isinstance(turn, Comparison) else (turn,)
            for m in messages:
                if _empty(m):
                    problems.append(diag("SPEC507", m.location, f"<{m.role}> message is empty; write its text or remove it"))
            if not isinstance(turn, Comparison):
                continue
            if not turn.candidates:  # one candidate is a reply worth learning from, and is fine
                problems.append(
                    diag("SPEC504", turn.location, "<comparison> holds no candidate; add an <assistant> reply, or remove it")
                )
            for cand in turn.candidates:
                if cand.role != "assistant":
                    continue  # the tokenizer reported it (SPEC501)
                if cand.label is None:
                    problems.append(
                        diag(
                            "SPEC505",
                            cand.location,
                            "candidate has no label; add <!-- GOOD -->, <!-- BAD --> or <!-- OK --> right after <assistant>",
                        )
                    )
                elif cand.label.verdict not in LABELS:
                    problems.append(
                        diag(
                            "SPEC506",
                            cand.label.location,
                            "unknown label; use GOOD, BAD or OK (optionally BAD[#anchor]: reason)",
                        )
                    )
    return problems
