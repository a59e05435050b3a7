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


SMALL = 90_000  # a changed stretch up to this many word pairs (300 by 300) is compared word by word
BUDGET = 20  # beyond that, unique-word anchors; at most this many visits per word, then what is left is replaced


def opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """SequenceMatcher's opcodes for two word lists, in time linear in their length whatever the words.

    The common head and tail are cut off first. A small changed stretch goes to SequenceMatcher (which
    is quadratic, so only small ones). A large one is split at words that occur once in each side, in
    the same order (the longest increasing run of them: patience diff), and each gap is handled the
    same way; a gap with no such word, or once the work budget is spent, is one replacement."""
    spans: list[tuple[str, int, int, int, int]] = []  # (tag, i1, i2, j1, j2)
    budget = BUDGET * (len(a) + len(b) + 1)
    pending = [(0, len(a), 0, len(b))]
    while pending:
        i1, i2, j1, j2 = pending.pop()
        if (i2 - i1) * (j2 - j1) <= SMALL:
            for tag, p1, p2, q1, q2 in SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False).get_opcodes():
                spans.append((tag, i1 + p1, i1 + p2, j1 + q1, j1 + q2))
            continue
        start = i1
        while i1 < i2 and j1 < j2 and a[i1] == b[j1]:
            i1, j1 = i1 + 1, j1 + 1
        if i1 > start:
            spans.append(("equal", start, i1, j1 - (i1 - start), j1))
        k = 0
        while i2 - k > i1 and j2 - k > j1 and a[i2 - k - 1] == b[j2 - k - 1]:
            k += 1
        i2, j2 = i2 - k, j2 - k
        if k:
            spans.append(("equal", i2, i2 + k, j2, j2 + k))
        if i1 == i2 or j1 == j2 or (i2 - i1) * (j2 - j1) <= SMALL:
            for tag, p1, p2, q1, q2 in SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False).get_opcodes():
                spans.append((tag, i1 + p1, i1 + p2, j1 + q1, j1 + q2))
            continue
        budget -= (i2 - i1) + (j2 - j1)
        anchors = _anchors(a, b, i1, i2, j1, j2) if budget > 0 else []
        if not anchors:
            spans.append(("replace", i1, i2, j1, j2))
            continue
        prev_i, prev_j = i1, j1
        for ai, bj in anchors:
            pending.append((prev_i, ai, prev_j, bj))
            spans.append(("equal", ai, ai + 1, bj, bj + 1))
            prev_i, prev_j = ai + 1, bj + 1
        pending.append((prev_i, i2, prev_j, j2))
    spans = sorted((s for s in spans if s[1] < s[2] or s[3] < s[4]), key=lambda s: (s[1], s[3], s[2], s[4]))
    merged: list[tuple[str, int, int, int, int]] = []
    for span in spans:  # the equal stretches that border each other become one, as SequenceMatcher's
        if merged and merged[-1][0] == span[0] == "equal" and merged[-1][2] == span[1]:
            merged[-1] = ("equal", merged[-1][1], span[2], merged[-1][3], span[4])
        else:
            merged.append(span)
    return merged


def _anchors(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """(i, j) of words that occur once in a[i1:i2] and once in b[j1:j2], the longest run in the same order."""
    from bisect import bisect_left
    from collections import Counter

    ca, cb = Counter(a[i1:i2]), Counter(b[j1:j2])
    where_b = {b[j]: j for j in range(j1, j2) if cb[b[j]] == 1 and ca[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(i1, i2) if a[i] in where_b]
    tails: list[int] = []  # longest increasing subsequence of the j's, with back links
    tail_at: list[int] = []
    back = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k], tail_at[k] = j, n
        back[n] = tail_at[k - 1] if k else -1
    out = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        out.append(pairs[n])
        n = back[n]
    return out[::-1]


def word_diff(old: str, new: str) -> tuple[str, bool]:
    """(`kept [-removed-] {+added+} kept` over the changed stretch, normative?)."""
    a, b = words(old), words(new)
    out: list[str] = []
    normative = False
    ops = opcodes(a, b)
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
    same = sum(p2 - p1 for tag, p1, p2, _, _ in opcodes(a, b) if tag == "equal")
    return 2.0 * same / (len(a) + len(b))
