"""Word-level diffs of prose, and whether a change touches obligation words (normative)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

OBLIGATION = frozenset({"must", "should", "may", "never", "not", "only", "always", "unless"})
_WORD = re.compile(r"\S+")
_TAG = re.compile(r"\[\^[^\]\s]+\]")
_EDGE = re.compile(r"^[^\w']+|[^\w']+$")


def words(text: str) -> list[str]:
    """The words of text, clause tags left out (clauses are compared on their own)."""
    return _WORD.findall(_TAG.sub("", text))


def normalise(text: str) -> str:
    return " ".join(words(text))


def is_obligation(word: str) -> bool:
    w = _EDGE.sub("", word.lower()).replace("\u2019", "'")
    return w in OBLIGATION or w.endswith("n't") or w == "cannot"


def word_diff(old: str, new: str) -> tuple[str, bool]:
    """(`kept [-removed-] {+added+} kept` over the changed stretch, normative?)."""
    a, b = words(old), words(new)
    out: list[str] = []
    normative = False
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            kept = a[i1:i2]
            if len(kept) > 12:  # keep a little context around each change
                head = kept[:6] if n else []
                tail = kept[-6:] if n < len(ops) - 1 else []
                kept = [*head, "...", *tail] if head or tail else ["..."]
            out.extend(kept)
            continue
        removed, added = a[i1:i2], b[j1:j2]
        normative = normative or any(is_obligation(w) for w in (*removed, *added))
        if removed:
            out.append("[-" + " ".join(removed) + "-]")
        if added:
            out.append("{+" + " ".join(added) + "+}")
    return " ".join(out), normative


def similarity(old: str, new: str) -> float:
    """0..1, how alike two texts are word by word."""
    a, b = words(old), words(new)
    if not a and not b:
        return 1.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < 0.85 or m.quick_ratio() < 0.85:
        return m.quick_ratio()
    return m.ratio()
