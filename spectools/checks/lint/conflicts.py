"""Conflicts (SPEC640, SPEC641), the spec's type checker: two clauses that speak of the same action with opposite
force (one obliges or permits what the other forbids).

Each word of force opens a segment: the action it governs runs to the next one, or to a word that opens a condition
("unless", "if", "when"). Segments are indexed by their content words (stemmed). A segment looks for partners only
through its RAREST rarest words that at most POSTINGS_CAP segments use (a commoner word tells nothing apart and is
not followed, though it still counts in the overlap); a partner must share at least MIN_SHARED of them, and at most
MAX_CANDIDATES partners (those that share the most) are weighed. So the work per segment is bounded, and grows with
the spec's size, never with the number of pairs, however long or alike its clauses are. A
candidate is kept when its shared words weigh (by inverse document frequency) at least MIN_OVERLAP of the lighter
segment's words and MIN_BOTH of the heavier one's: "must renew a loan on request" and "must not renew a loan more
than three times" share the lighter one's words, but the second is a limit inside the first, not its opposite.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from typing import NamedTuple

from spectools.checks.lint.clauses import Lexicon, Unit
from spectools.checks.lint.text import stem

MIN_SHARED = 2
MIN_OVERLAP = 0.6
MIN_BOTH = 0.5  # ... and at least this much of the heavier one's
POSTINGS_CAP = 64
RAREST = 12  # a segment looks for partners through its rarest words only
MAX_CANDIDATES = 64  # and weighs at most this many of them, those that share the most
_STOPS = frozenset({"unless", "except", "if", "when", "whenever", "where", "while", "because", "but", "however", "although",
                    "without", "before", "after", "until"})  # fmt: skip
_OPPOSED = {("forbid", "oblige"), ("forbid", "permit"), ("oblige", "forbid"), ("permit", "forbid")}


class Segment(NamedTuple):
    unit: int  # index of its unit
    actor: str  # "assistant", or the stem of the word before the modal ("passeng" in "a passenger may")
    force: str
    words: frozenset[str]  # stemmed content words of the action
    shown: str  # the modal and its action, as written (shortened)
    written: dict[str, str]  # stem -> the word as first written


class Conflict(NamedTuple):
    a: Segment
    b: Segment
    shared: tuple[str, ...]  # the shared words, as first written, sorted
    overlap: float


def segments(units: Sequence[Unit], lex: Lexicon) -> list[Segment]:
    fw = lex.sets["function_words"]
    out = []
    for n, unit in enumerate(units):
        words = unit.words
        if words and words[0] in lex.sets["narrower"] and unit.modals and unit.modals[0].start:
            continue  # "In an emergency, the assistant should ...": a case, not the opposite of a general rule
        for k, m in enumerate(unit.modals):
            if m.force == "permit" and m.end < len(words) and words[m.end] in lex.sets["possibility"]:
                continue  # "may need", "can be": a possibility
            before = words[m.start - 1] if m.start else "assistant"
            actor = "assistant" if before in lex.sets["assistant"] else stem(before)
            stop = unit.modals[k + 1].start if k + 1 < len(unit.modals) else len(words)
            action: list[str] = []
            written: dict[str, str] = {}
            force = m.force
            for i in range(m.end, stop):
                w = words[i]
                if w in _STOPS:
                    stop = i
                    break
                if not action and w in lex.sets["negative_verbs"] and force != "permit":  # "should avoid X" forbids X
                    force = "oblige" if force == "forbid" else "forbid"
                    continue
                if not unit.toks[i].masked and w not in fw and len(w) > 2 and not w.isdigit():
                    action.append(stem(w))
                    written.setdefault(action[-1], w)
            if len(set(action)) >= MIN_SHARED:
                shown = unit.shown(m.start, min(stop, m.end + 8)) + ("..." if stop > m.end + 8 else "")
                out.append(Segment(n, actor, force, frozenset(action), shown, written))
    return out


def conflicts(units: Sequence[Unit], lex: Lexicon, work: list[int] | None = None) -> list[Conflict]:
    """Every pair of segments of different sentences with opposite force and enough shared action, best first.
    work: when given, gets the number of candidate pairs looked at (the tests count it: it grows with the spec)."""
    segs = segments(units, lex)
    postings: dict[str, list[int]] = {}
    for i, s in enumerate(segs):
        for w in s.words:
            postings.setdefault(w, []).append(i)
    total = len(segs) or 1
    idf = {w: math.log(1 + total / len(p)) for w, p in postings.items()}
    weight = [sum(idf[w] for w in s.words) for s in segs]
    best: dict[tuple[int, int], Conflict] = {}
    for i, s in enumerate(segs):
        rare = sorted((len(postings[w]), w) for w in s.words if len(postings[w]) <= POSTINGS_CAP)[:RAREST]
        counts: dict[int, int] = {}
        for _, w in rare:
            for j in postings[w]:
                if j != i:
                    counts[j] = counts.get(j, 0) + 1
        if work is not None:
            work.append(len(counts))
        candidates = [j for j, n in counts.items() if n >= MIN_SHARED]
        if len(candidates) > MAX_CANDIDATES:
            candidates = heapq.nlargest(MAX_CANDIDATES, candidates, key=lambda j: (counts[j], -j))
        for j in candidates:
            t = segs[j]
            if t.unit == s.unit or t.actor != s.actor or (s.force, t.force) not in _OPPOSED:
                continue
            shared = s.words & t.words
            if len(shared) < MIN_SHARED:
                continue
            common = sum(idf[w] for w in shared)
            overlap = common / min(weight[i], weight[j])
            pair = (min(s.unit, t.unit), max(s.unit, t.unit))
            both = common / max(weight[i], weight[j]) >= MIN_BOTH  # not a narrower rule inside a wider one
            if overlap >= MIN_OVERLAP and both and (pair not in best or overlap > best[pair].overlap):
                first, second = (s, t) if s.unit < t.unit else (t, s)
                best[pair] = Conflict(first, second, tuple(sorted(first.written[w] for w in shared)), overlap)
    return sorted(best.values(), key=lambda c: (-c.overlap, c.a.unit, c.b.unit))


def yields(unit: Unit, lex: Lexicon) -> str | None:
    """The words with which a clause says it gives way ("unless", "by default"), or None."""
    found = lex.phrases["yields"].find(unit.toks, unit.words)
    return unit.shown(*found[0]) if found else None
