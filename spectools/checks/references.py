"""Every `(#anchor)` link and every `BAD[#anchor]` label names a section that exists."""

from __future__ import annotations

from spectools.model import Comparison, Diagnostic, diag
from spectools.parse.load import Loaded

HINTS = 100  # broken references that get a "did you mean": each compares with every anchor, so they are counted
HINT_CHARS = 80  # and compared letter by letter only when short (a long target is no typo of an anchor)


def _hint(target: str, anchors: list[str], left: list[int]) -> str:
    import difflib  # only when a reference is broken

    close: list[str] = []
    if left[0] > 0 and len(target) <= HINT_CHARS and len(anchors) < 5000:
        left[0] -= 1
        close = difflib.get_close_matches(target, [a for a in anchors if len(a) <= HINT_CHARS], n=1)
    return f"; did you mean '#{close[0]}'?" if close else "; fix the anchor or add the section"


def check(loaded: Loaded) -> list[Diagnostic]:
    spec = loaded.spec
    anchors = {s.anchor for s in spec.sections()}
    ordered, left = sorted(anchors), [HINTS]
    problems = [
        diag("SPEC301", link.location, f"link to '#{link.target}', which no section has" + _hint(link.target, ordered, left))
        for link in spec.links()
        if link.target not in anchors
    ]
    for example in spec.examples():
        for turn in example.turns:
            if not isinstance(turn, Comparison):
                continue
            for cand in turn.candidates:
                label = cand.label
                if label and label.anchor is not None and label.anchor not in anchors:
                    problems.append(
                        diag(
                            "SPEC302",
                            label.location,
                            f"{label.verdict}[#{label.anchor}] names no section" + _hint(label.anchor, ordered, left),
                        )
                    )
    return problems
