"""The highlights of a ChangeSet: the changes that most change what the model must do, grouped where they are one
change, scored, and explained (docs/highlights.md has the rule and its points)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from spectools.diff.changes import Change, ChangeSet, Group, Kind
from spectools.diff.wording import CONDITIONS, NEGATIONS, PARTIES, QUANTIFIERS, lexemes

LIMIT = 10  # highlights at most
THRESHOLD = 4.0  # the score from which a group is a highlight

POINTS: dict[Kind, float] = {  # what a change of each kind is worth before its authority counts
    Kind.SECTION_ADDED: 6,
    Kind.SECTION_REMOVED: 6,
    Kind.AUTHORITY_PROMOTED: 5,
    Kind.AUTHORITY_DEMOTED: 5,
    Kind.CLAUSE_REMOVED: 4,
    Kind.AUTHORITY_ADDED: 3,
    Kind.AUTHORITY_REMOVED: 3,
    Kind.AUTHORITY_CHANGED: 3,
    Kind.LABEL_FLIPPED: 3,
    Kind.CLAUSE_ADDED: 2,
    Kind.ID_REUSED: 2,  # a clause added (whose id is a hygiene matter, said elsewhere)
    Kind.SECTION_SPLIT: 2,
    Kind.SECTION_MERGED: 2,
    Kind.SECTION_REWORDED: 2,  # when normative; editorial wording is worth nothing
    Kind.CLAUSE_REWORDED: 2,
    Kind.SECTION_MERGED_INTO: 1,
    Kind.CLAUSE_MOVED: 1,
    Kind.EXAMPLE_ADDED: 1,
    Kind.EXAMPLE_REMOVED: 1,
    Kind.SECTION_MOVED: 0.5,
    Kind.SECTION_RENAMED: 0.5,
    Kind.SECTION_RETITLED: 0.5,
    Kind.EXAMPLE_CHANGED: 0.5,
    Kind.CANDIDATE_ADDED: 0.5,
    Kind.CANDIDATE_REMOVED: 0.5,
    Kind.CHALLENGE_ADDED: 0.5,
    Kind.CHALLENGE_REMOVED: 0.5,
    Kind.CHALLENGE_CHANGED: 0.5,
}
EXCEPTIONS = frozenset("except unless besides excluding exception exceptions".split())
STRENGTH = {"must": 3, "shall": 3, "should": 2, "ought": 2, "may": 1, "might": 1, "can": 1, "could": 1}  # modal verbs
TEXT_WORDS = 15  # one point per this many words of normative text inserted or deleted, up to TEXT_CAP
TEXT_CAP = 2
WORDING_CAP = 4  # points a rewording can add for what it changed: a rewrite does not outweigh a new section


class Highlight(NamedTuple):
    score: float
    reasons: tuple[str, ...]
    subject: str  # the section anchor it is about (the first of its changes')
    title: str
    summary: str
    changes: tuple[Change, ...]


def highlights(cs: ChangeSet, limit: int = LIMIT) -> list[Highlight]:
    """The groups of changes scoring THRESHOLD or more, best first (then in the order the notes list them)."""
    found = [_highlight(group, cs) for group in _groups(cs.changes)]
    ranked = sorted((h for h in found if h.score >= THRESHOLD), key=lambda h: (-h.score, -POINTS[h.changes[0].kind]))
    return ranked[:limit]  # a tie: the weightier kind first (a section added before a rewording), then the notes' order


def authority_factors(ladder: Sequence[str]) -> dict[str, float]:
    """How much a change counts by its section's authority: the lowest level x1, each level above it x0.5 more
    (root x3, system x2.5, developer x2, user x1.5, guideline x1 on the default ladder); no authority x1."""
    return {level: 1 + (len(ladder) - 1 - i) / 2 for i, level in enumerate(ladder)}


def section_of(c: Change) -> str:
    """The group a change starts in: its section's anchor, or `[^id]` for a clause whose section is not known."""
    if c.kind.about in ("clause", "challenge") or c.details.get("in") == "challenge":
        section = c.details.get("section")
        return str(section) if section else f"[^{c.subject}]"
    return c.subject


def _groups(changes: Sequence[Change]) -> list[list[Change]]:
    """The changes, grouped by the section they are about; a split, a merge or a section merged into another is one
    group with the sections it names, and a challenge file's changes join its clause's section where one is known."""
    root: dict[str, str] = {}

    def find(x: str) -> str:
        top = x
        while root.get(top, top) != top:
            top = root[top]
        while x != top:  # path compression: every later find is short
            root[x], x = top, root[x]
        return top

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            root[rb] = ra

    added = {c.subject for c in changes if c.kind is Kind.SECTION_ADDED}
    ladder_moves: dict[tuple[str, ...], str] = {}
    for c in changes:
        if c.kind is Kind.SECTION_ADDED and c.details.get("parent") in added:  # a new part with its new sections
            join(str(c.details["parent"]), c.subject)
        if c.kind in _MOVES:  # sections that moved the same way on the ladder: one change
            join(ladder_moves.setdefault((c.kind.value, *_levels(c)), c.subject), c.subject)
        if c.kind in (Kind.SECTION_SPLIT, Kind.SECTION_MERGED):
            for other in (*c.details.get("into", ()), *c.details.get("from", ())):
                join(c.subject, other)
        if c.kind is Kind.SECTION_MERGED_INTO:
            join(str(c.details["into"]), c.subject)
        if c.kind.about == "clause" and c.details.get("section"):
            join(str(c.details["section"]), f"[^{c.subject}]")
        for cid in c.details.get("clauses", ()):
            join(c.subject, f"[^{cid}]")
    groups: dict[str, list[Change]] = {}
    for c in changes:
        groups.setdefault(find(section_of(c)), []).append(c)
    return list(groups.values())


_MOVES = (Kind.AUTHORITY_PROMOTED, Kind.AUTHORITY_DEMOTED, Kind.AUTHORITY_CHANGED)


def _levels(c: Change) -> list[str]:
    """An authority change's two levels under the new names (details.levels), else as written."""
    levels = c.details.get("levels") or [c.details.get("from"), c.details.get("to")]
    return [str(level) for level in levels if level]


def _highlight(group: list[Change], cs: ChangeSet) -> Highlight:
    """A group's score: its weightiest change's points and half the points of the others (at most as much again);
    with every reason given."""
    factors = authority_factors(cs.ladder)
    scored = sorted(((*_points(c, factors, cs.authority), c) for c in group), key=lambda t: -t[0])
    top = scored[0]
    rest = sum(p for p, _, _c in scored[1:])
    score = round(top[0] + min(top[0], rest / 2), 1) if top[0] else 0.0
    reasons: list[str] = []
    for _, why, _c in scored:
        reasons += [r for r in why if r not in reasons]
    c = top[2]
    subject = section_of(c) if not section_of(c).startswith("[^") else c.subject
    ranked = tuple(c for *_, c in scored)
    return Highlight(score, tuple(reasons), subject, c.title, _summary(ranked), ranked)


def _points(c: Change, factors: dict[str, float], authority: dict[str, str]) -> tuple[float, list[str]]:
    """(points, reasons) for one change: its kind's points (a rewording's from what it changed), times its
    section's authority factor (an authority change's: the higher of its two levels)."""
    base = POINTS.get(c.kind, 0.0)
    why = [f"{c.kind.value.replace('_', ' ')} ({base:g})"] if base else []
    if c.kind in (Kind.SECTION_REWORDED, Kind.CLAUSE_REWORDED):
        if not c.details.get("normative"):
            return 0.0, []
        extra, found = wording_points(c.details.get("diff", ()))
        base += extra
        why = [f"normative wording ({POINTS[c.kind]:g})", *found]
    levels = [authority.get(section_of(c), "")]
    if c.kind.group is Group.AUTHORITY:  # a demotion from root counts as root
        levels += _levels(c)
    factor, level = max((factors.get(level, 1.0), level) for level in levels)
    if factor != 1:
        why.append(f"{level} authority (x{factor:g})")
    return base * factor, why


_FEATURES = (
    (EXCEPTIONS, "an exception", 3.0),
    (NEGATIONS, "a negation", 3.0),
    (PARTIES, "a party", 2.0),
    ((CONDITIONS | QUANTIFIERS) - EXCEPTIONS, "a condition or scope", 2.0),
)


def wording_points(ops: Iterable[Sequence[str]]) -> tuple[float, list[str]]:
    """Points and reasons for what a normative word diff changes: an exception, a modal, a negation, a party or a
    scope added or removed, and how many words moved (at most WORDING_CAP points in all)."""
    gone = [t for op, ws in ops if op == "delete" for w in ws.split() for t in lexemes(w)]
    came = [t for op, ws in ops if op == "insert" for w in ws.split() for t in lexemes(w)]
    found = _features(Counter(came) - Counter(gone), Counter(gone) - Counter(came))
    modal = _modal_shift(gone, came)
    if modal:
        found.append((3.0, f"{modal} (+3)"))
    moved = len(gone) + len(came)
    text = min(float(TEXT_CAP), moved // TEXT_WORDS)
    if text and found:  # volume adds to what the edit changes; alone, it says nothing of what the model must do
        found.append((text, f"{moved} words of normative text changed (+{text:g})"))
    return min(sum(p for p, _ in found), WORDING_CAP), [why for _, why in found]


def _features(added: Counter[str], removed: Counter[str]) -> list[tuple[float, str]]:
    """(points, reason) for each kind of word of _FEATURES that the edit adds, and each that it removes."""
    out = []
    for words, what, worth in _FEATURES:
        for counter, verb in ((added, "added"), (removed, "removed")):
            named = sorted(t for t in counter if t in words)
            if named:
                out.append((worth, f"{what} {verb}: {', '.join(named[:3])} (+{worth:g})"))
    return out


def _modal_shift(gone: list[str], came: list[str]) -> str:
    """ "modal weakened: must → should" or strengthened, from the strongest modal verb each side's edit holds. A
    negated modal (`cannot`, `must not`) is a prohibition, not a weaker modal: it is left out."""

    def strongest(tokens: list[str]) -> str | None:
        modals = [t for i, t in enumerate(tokens) if t in STRENGTH and tokens[i + 1 : i + 2] != ["not"]]
        return max(modals, key=STRENGTH.__getitem__, default=None)

    old, new = strongest(gone), strongest(came)
    if old is None or new is None or STRENGTH[old] == STRENGTH[new]:
        return ""
    return f"modal {'weakened' if STRENGTH[new] < STRENGTH[old] else 'strengthened'}: {old} → {new}"


def _summary(group: Sequence[Change]) -> str:
    """One line for people: what the group does, the weightiest first."""
    kinds = Counter(c.kind for c in group)
    parts: list[str] = []
    for c in group:
        said = _said(c)
        if said and kinds[c.kind]:
            parts.append(f"{kinds[c.kind]} sections: {said}" if c.kind in _MOVES and kinds[c.kind] > 1 else said)
            kinds[c.kind] = 0
    for kind, n in kinds.items():
        if n and kind in _COUNTED:
            parts.append(f"{n} {_COUNTED[kind][0]}{'s' * (n != 1)} {_COUNTED[kind][1]}")
    return "; ".join(parts) or group[0].summary


_SAID_FIRST = ("modal", "an exception", "a negation", "a party", "a condition")


def _said_first(reason: str) -> int:
    """Which of a rewording's reasons a highlight says first: a modal, an exception, a negation, a party, a scope."""
    return next((i for i, word in enumerate(_SAID_FIRST) if reason.startswith(word)), len(_SAID_FIRST))


_AS_IS = {Kind.AUTHORITY_PROMOTED, Kind.AUTHORITY_DEMOTED, Kind.AUTHORITY_ADDED, Kind.AUTHORITY_REMOVED,
          Kind.AUTHORITY_CHANGED, Kind.SECTION_SPLIT, Kind.SECTION_MERGED, Kind.SECTION_RENAMED}  # fmt: skip


def _said(c: Change) -> str:
    """How a change that is said once in a highlight reads ("" for those counted instead)."""
    n = len(c.details.get("clauses", ()))
    clauses = f" with {n} clause{'s' * (n != 1)}" if n else ""
    if c.kind is Kind.SECTION_ADDED:
        return f"new section{clauses}"
    if c.kind is Kind.SECTION_REMOVED:
        return f"section removed{clauses}"
    if c.kind in (Kind.SECTION_REWORDED, Kind.CLAUSE_REWORDED):
        if not c.details.get("normative"):
            return ""  # worth nothing: not said
        _, found = wording_points(c.details.get("diff", ()))
        said = [w.rsplit(" (+", 1)[0] for w in sorted(found, key=_said_first)[:2]]
        return "reworded" + (f" ({'; '.join(said)})" if said else _excerpt(c.details.get("diff", ())))
    return c.summary if c.kind in _AS_IS else ""


def _excerpt(ops: Iterable[Sequence[str]]) -> str:
    """A rewording that no rule names, quoted: its first deleted or inserted words (at most EXCERPT_WORDS)."""
    for op, words in ops:
        if op in ("delete", "insert") and words.strip():
            ws = words.split()
            shown = " ".join(ws[:EXCERPT_WORDS]) + (" …" if len(ws) > EXCERPT_WORDS else "")
            return f": “{shown}” {'removed' if op == 'delete' else 'added'}"
    return ""


EXCERPT_WORDS = 8
_COUNTED = {
    Kind.CLAUSE_ADDED: ("clause", "added"),
    Kind.CLAUSE_REMOVED: ("clause", "removed"),
    Kind.CLAUSE_MOVED: ("clause", "moved in"),
    Kind.SECTION_MERGED_INTO: ("section", "merged in"),
    Kind.EXAMPLE_ADDED: ("example", "added"),
    Kind.EXAMPLE_REMOVED: ("example", "removed"),
    Kind.EXAMPLE_CHANGED: ("example", "changed"),
    Kind.LABEL_FLIPPED: ("label", "flipped"),
    Kind.CHALLENGE_ADDED: ("challenge file", "added"),
    Kind.CHALLENGE_REMOVED: ("challenge file", "removed"),
    Kind.ID_REUSED: ("retired clause id", "reused"),
}
