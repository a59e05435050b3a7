"""Challenge files and examples between two specs: added, removed, changed, and flipped labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from spectools.diff.changes import Change, Kind, change, first, hash_text
from spectools.diff.wording import normalise, similarity
from spectools.model import Challenge, Clause, Comparison, Example, Location, Message, Section, Spec

LABELS = ("GOOD", "BAD", "OK")


def _signature(turns: Iterable[Any]) -> tuple[Any, ...]:
    def msg(m: Message) -> tuple[Any, ...]:
        label = (m.label.verdict, m.label.anchor, m.label.reason) if m.label else None
        return (m.role, tuple(sorted(m.attributes.items())), normalise(m.text), tuple(sorted(m.settings.items())), label)

    return tuple(tuple(msg(c) for c in t.candidates) if isinstance(t, Comparison) else msg(t) for t in turns)


def _raw(turns: Iterable[Any]) -> tuple[Any, ...]:
    """The turns as written, without their places: equal raw turns have equal signatures, at no cost of normalising."""

    def msg(m: Message) -> tuple[Any, ...]:
        return (m.role, m.attributes, m.text, m.settings, m.label[:3] if m.label else None)

    return tuple(tuple(msg(c) for c in t.candidates) if isinstance(t, Comparison) else msg(t) for t in turns)


def _differ(a: Iterable[Any], b: Iterable[Any]) -> bool:
    """Whether two lists of turns differ once normalised; most examples do not change, and are told apart as written."""
    a, b = list(a), list(b)
    return _raw(a) != _raw(b) and _signature(a) != _signature(b)


CANDIDATE_MATCH = 0.5  # word similarity from which two candidates are the same reply, edited
PAIRS_COMPARED = 400  # a comparison with more candidate pairs than this is matched by exact text only


def match_candidates(old: tuple[Message, ...], new: tuple[Message, ...]) -> list[tuple[int, int]]:
    """(old index, new index) of the candidates that are the same reply: by text, never by position. The
    same text first, then the most similar pairs at or above CANDIDATE_MATCH, best first; what is left: a
    reply rewritten under the same verdict is an edit of it (paired in order); left under another verdict
    it stays a removal and an addition, never a flip by position."""
    pairs, left_old, left_new = _same_text(old, new)
    if left_old and left_new and len(left_old) * len(left_new) <= PAIRS_COMPARED:
        pairs += _similar(old, new, left_old, left_new)
    return sorted(pairs + _same_verdict(old, new, pairs))


def _same_verdict(old: tuple[Message, ...], new: tuple[Message, ...], pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The candidates left unpaired, paired in order under the same verdict."""
    paired_old, paired_new = {p for p, _ in pairs}, {q for _, q in pairs}
    by_verdict: dict[str, tuple[list[int], list[int]]] = {}
    for i in range(len(old)):
        if i not in paired_old:
            by_verdict.setdefault(_verdict(old[i]) or "", ([], []))[0].append(i)
    for j in range(len(new)):
        if j not in paired_new and (_verdict(new[j]) or "") in by_verdict:
            by_verdict[_verdict(new[j]) or ""][1].append(j)
    return [pair for verdict in sorted(by_verdict) for pair in zip(*by_verdict[verdict], strict=False)]


def _same_text(old: tuple[Message, ...], new: tuple[Message, ...]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """(pairs of the same normalised text, in order; old indexes left; new indexes left)."""
    pairs: list[tuple[int, int]] = []
    by_text: dict[str, list[int]] = {}
    for j, m in enumerate(new):
        by_text.setdefault(normalise(m.text), []).append(j)
    left_old = []
    for i, m in enumerate(old):
        same = by_text.get(normalise(m.text))
        if same:
            pairs.append((i, same.pop(0)))
        else:
            left_old.append(i)
    return pairs, left_old, sorted(j for js in by_text.values() for j in js)


def _similar(
    old: tuple[Message, ...], new: tuple[Message, ...], left_old: list[int], left_new: list[int]
) -> list[tuple[int, int]]:
    """The most similar pairs at or above CANDIDATE_MATCH, best first, each candidate in one pair at most."""
    scored = sorted((-similarity(old[i].text, new[j].text), i, j) for i in left_old for j in left_new)
    pairs = []
    taken_i: set[int] = set()
    taken_j: set[int] = set()
    for score, i, j in scored:
        if -score >= CANDIDATE_MATCH and i not in taken_i and j not in taken_j:
            pairs.append((i, j))
            taken_i.add(i)
            taken_j.add(j)
    return pairs


def _verdict(m: Message) -> str | None:
    return m.label.verdict if m.label else None


def _comparisons(ea: Example, eb: Example, subject: str, title: str, name: str) -> tuple[list[Change], bool]:
    """Label flips and added or removed candidates, comparison by comparison; and whether anything else
    changed in the example (its other messages, or the text of a candidate that stayed)."""
    out: list[Change] = []
    rest = _differ([t for t in ea.turns if not isinstance(t, Comparison)], [t for t in eb.turns if not isinstance(t, Comparison)])
    ca, cb = ea.comparisons, eb.comparisons
    rest = rest or len(ca) != len(cb)
    for ci, (x, y) in enumerate(zip(ca, cb, strict=False)):
        about = _About(subject, title, name, f"comparison {ci + 1}, " if len(ca) > 1 else "", ci, (ea.location, eb.location))
        found, edited = _comparison(x, y, about)
        out += found
        rest = rest or edited
    return out, rest


class _About(NamedTuple):
    """Where a comparison is: for the changes found in it."""

    subject: str
    title: str
    name: str  # the example's
    place: str  # "comparison N, " when the example has more than one
    number: int  # the comparison's, from 0
    where: tuple[Location, Location]


def _comparison(x: Comparison, y: Comparison, about: _About) -> tuple[list[Change], bool]:
    """One comparison's flipped labels and added or removed candidates; and whether a kept candidate's text changed."""
    out: list[Change] = []
    edited = False
    name, place, ci = about.name, about.place, about.number
    pairs = match_candidates(x.candidates, y.candidates)
    for i, j in pairs:
        va, vb = _verdict(x.candidates[i]), _verdict(y.candidates[j])
        if va != vb and va in LABELS and vb in LABELS:
            summary = f"example “{name}”, {place}candidate {j + 1}: label {va} → {vb}"
            out.append(
                change(Kind.LABEL_FLIPPED, about.subject, about.title, summary, *about.where,
                       key=f"{name}#{ci}.{j}:{va}>{vb}", details={"example": name, "from": va, "to": vb})
            )  # fmt: skip
        edited = edited or _signature([_unlabelled(x.candidates[i])]) != _signature([_unlabelled(y.candidates[j])])
    for kind, side, taken, sign in (
        (Kind.CANDIDATE_REMOVED, x.candidates, {i for i, _ in pairs}, "-"),
        (Kind.CANDIDATE_ADDED, y.candidates, {j for _, j in pairs}, "+"),
    ):
        for k in sorted(set(range(len(side))) - taken):
            verdict = _verdict(side[k]) or "unlabelled"
            summary = f"example “{name}”, {place}candidate {k + 1} ({verdict}) {kind.split('_')[1]}"
            out.append(
                change(kind, about.subject, about.title, summary, *about.where,
                       key=f"{name}#{ci}{sign}{hash_text(normalise(side[k].text))}", details={"example": name, "label": verdict})
            )  # fmt: skip
    return out, edited


def _unlabelled(m: Message) -> Message:
    return m._replace(label=m.label._replace(verdict="") if m.label else None)


def _keyed(examples: tuple[Example, ...]) -> dict[tuple[str, int], Example]:
    """{(title, n): the n-th example of that title}."""
    seen: dict[str, int] = {}
    out = {}
    for e in examples:
        n = seen.get(e.title, 0)
        seen[e.title] = n + 1
        out[(e.title, n)] = e
    return out


def _named(key: tuple[str, int]) -> str:
    return key[0] + (f" ({key[1] + 1})" if key[1] else "")


def diff_examples(
    old: tuple[Example, ...], new: tuple[Example, ...], subject: str, title: str, where: str = "section"
) -> list[Change]:
    """Examples matched by title (and by order among equal titles), then an unmatched pair whose body is
    the same is a retitled example; where: "section" or "challenge" (file)."""
    ka, kb = _keyed(old), _keyed(new)
    gone = {k: e for k, e in ka.items() if k not in kb}
    came = {k: e for k, e in kb.items() if k not in ka}
    out = _retitled(gone, came, subject, title)  # takes the retitled ones out of gone and came
    for key in sorted(set(ka) | set(kb), key=lambda k: (k[0], k[1])):
        ea, eb = ka.get(key), kb.get(key)
        name = _named(key)
        if key in came:
            out.append(change(Kind.EXAMPLE_ADDED, subject, title, f"example “{name}” added", None, came[key].location, key=name))
        elif key in gone:
            out.append(
                change(Kind.EXAMPLE_REMOVED, subject, title, f"example “{name}” removed", gone[key].location, None, key=name)
            )
        elif ea is not None and eb is not None and _differ(ea.turns, eb.turns):
            out += _changed(ea, eb, subject, title, name)
    return [c._replace(details={**c.details, "in": where}) for c in out]


def _retitled(
    gone: dict[tuple[str, int], Example], came: dict[tuple[str, int], Example], subject: str, title: str
) -> list[Change]:
    """An example gone under one title and come under another with the same body was retitled."""
    bodies: dict[tuple[Any, ...], list[tuple[str, int]]] = {}
    for k in sorted(came):
        bodies.setdefault(_signature(came[k].turns), []).append(k)
    out = []
    for k in sorted(gone):
        twins = bodies.get(_signature(gone[k].turns))
        if twins:
            k2 = twins.pop(0)
            was, now = gone.pop(k), came.pop(k2)
            out.append(
                change(Kind.EXAMPLE_RETITLED, subject, title, f"example “{_named(k)}” retitled “{_named(k2)}”", was.location,
                       now.location, key=f"{_named(k)}>{_named(k2)}", details={"from": _named(k), "to": _named(k2)})
            )  # fmt: skip
    return out


def _changed(ea: Example, eb: Example, subject: str, title: str, name: str) -> list[Change]:
    """An example of the same title on both sides, whose body changed."""
    found, rest = _comparisons(ea, eb, subject, title, name)
    if rest or not found:  # more than labels and candidates changed
        key = f"{name}:{hash_text(repr(_signature(eb.turns)))}"
        parts = what_changed(ea, eb)
        summary = f"example “{name}” changed" + (f": {', '.join(parts)}" if parts else "")
        details = {"example": name, "changed": parts}
        found.append(change(Kind.EXAMPLE_CHANGED, subject, title, summary, ea.location, eb.location, key=key, details=details))
    return found


def what_changed(ea: Example, eb: Example) -> list[str]:
    """What differs between two versions of an example, for people: messages by role and place, candidates by
    number and verdict (their text, or their label's anchor or reason), comparisons added or removed."""
    ma = [t for t in ea.turns if isinstance(t, Message)]
    mb = [t for t in eb.turns if isinstance(t, Message)]
    out = [
        f"{y.role} message {n + 1}" + (f" (was {x.role})" if x.role != y.role else "")
        for n, (x, y) in enumerate(zip(ma, mb, strict=False))
        if _signature([x]) != _signature([y])
    ]
    out += _more_or_fewer(len(ma), len(mb), "message")
    ca, cb = ea.comparisons, eb.comparisons
    for ci, (x, y) in enumerate(zip(ca, cb, strict=False)):
        out += _candidates_changed(x, y, f"comparison {ci + 1}, " if len(ca) > 1 else "")
    return out + _more_or_fewer(len(ca), len(cb), "comparison")


def _more_or_fewer(before: int, after: int, what: str) -> list[str]:
    n = abs(after - before)
    return [f"{n} {what}{'s' * (n != 1)} {'added' if after > before else 'removed'}"] if n else []


def _candidates_changed(x: Comparison, y: Comparison, place: str) -> list[str]:
    """The candidates kept from x to y whose text, or whose label's anchor or reason, changed."""
    out = []
    for i, j in match_candidates(x.candidates, y.candidates):
        old, new = x.candidates[i], y.candidates[j]
        named = f"{place}candidate {j + 1} ({_verdict(new) or 'unlabelled'})"
        if _signature([old._replace(label=None)]) != _signature([new._replace(label=None)]):
            out.append(f"{named} text")
        elif old.label and new.label and (old.label.anchor, old.label.reason) != (new.label.anchor, new.label.reason):
            out.append(f"{named} label's reason")
    return out


def _value(front_matter: dict[str, Any] | None, key: str) -> str:
    return "(none)" if not front_matter or key not in front_matter else str(front_matter[key])


def diff_challenges(
    a: Spec, b: Spec, sa: dict[str, Section], sb: dict[str, Section], ca: dict[str, Clause], cb: dict[str, Clause]
) -> list[Change]:
    ha, hb = first(a.challenges, "clause_id"), first(b.challenges, "clause_id")
    out = []
    for cid in sorted(set(ha) | set(hb)):
        x, y = ha.get(cid), hb.get(cid)
        clause = cb.get(cid) or ca.get(cid)
        sections = sb if cid in cb else sa
        title = sections[clause.section].title if clause and clause.section in sections else ""
        if x is None or y is None:
            out += _challenge_file(cid, title, x, y)
        else:
            out += _challenge(cid, title, x, y)
    return out


def _challenge_file(cid: str, title: str, x: Challenge | None, y: Challenge | None) -> list[Change]:
    """A challenge file added or removed."""
    c = x or y
    if c is None:
        return []
    n = len(c.examples)
    summary = f"challenge file for [^{cid}] {'added' if x is None else 'removed'} ({n} example{'s' * (n != 1)})"
    if x is None:
        return [change(Kind.CHALLENGE_ADDED, cid, title, summary, None, Location(c.path, 1, 1))]
    return [change(Kind.CHALLENGE_REMOVED, cid, title, summary, Location(c.path, 1, 1), None)]


def _challenge(cid: str, title: str, x: Challenge, y: Challenge) -> list[Change]:
    """A challenge file on both sides: its front matter and its examples."""
    out = []
    fa, fb = x.front_matter or {}, y.front_matter or {}
    if fa != fb:
        keys = sorted(k for k in {*fa, *fb} if fa.get(k) != fb.get(k))
        summary = f"challenge file for [^{cid}]: " + "; ".join(
            f"{k} {_value(x.front_matter, k)} → {_value(y.front_matter, k)}" for k in keys
        )
        out.append(
            change(Kind.CHALLENGE_CHANGED, cid, title, summary, Location(x.path, 1, 1), Location(y.path, 1, 1),
                   key=",".join(keys), details={"keys": keys})
        )  # fmt: skip
    out.extend(diff_examples(x.examples, y.examples, cid, title, "challenge"))
    return out
