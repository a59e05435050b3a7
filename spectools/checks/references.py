"""Every `(#anchor)` link and every `BAD[#anchor]` label names a section that exists."""

from __future__ import annotations

from spectools.model import Comparison, Diagnostic, diag
from spectools.parse.load import Loaded


def _hint(target: str, anchors: set[str]) -> str:
    import difflib  # only when a reference is broken

    close = difflib.get_close_matches(target, sorted(anchors), n=1) if len(anchors) < 5000 else []
    return f"; did you mean '#{close[0]}'?" if close else "; fix the anchor or add the section"


def check(loaded: Loaded) -> list[Diagnostic]:
    spec = loaded.spec
    anchors = {s.anchor for s in spec.sections()}
    problems = [
        diag("SPEC301", link.location, f"link to '#{link.target}', which no section has" + _hint(link.target, anchors))
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
                            f"{label.verdict}[#{label.anchor}] names no section" + _hint(label.anchor, anchors),
                        )
                    )
    return problems
