"""Examples: every conversation has messages with text, and comparisons of labelled candidates."""

from __future__ import annotations

from spectools.model import Comparison, Diagnostic, Message, diag
from spectools.parse.load import Loaded

LABELS = frozenset({"GOOD", "BAD", "OK"})


def _empty(message: Message) -> bool:
    return not message.text.strip() and not message.settings and not message.untrusted


def _todo(loaded: Loaded) -> list[Diagnostic]:
    """SPEC509: a challenge file that still holds the template's TODO text (its title or a message)."""
    out = []
    for ch in loaded.spec.challenges:
        for example in ch.examples:
            messages = [m for t in example.turns for m in (t.candidates if isinstance(t, Comparison) else (t,))]
            todo = next((m.location for m in messages if m.text.startswith("TODO")), None)
            if example.title.startswith("TODO") or todo is not None:
                out.append(
                    diag(
                        "SPEC509",
                        example.location if example.title.startswith("TODO") else todo,  # type: ignore[arg-type]
                        "the example still holds the template's TODO text; write the real prompt and answers",
                    )
                )
    return out


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
