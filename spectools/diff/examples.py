"""Challenge files and examples between two specs: added, removed, changed, and flipped labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spectools.diff.changes import Change, Kind, change, first, hash_text
from spectools.diff.wording import normalise, similarity
from spectools.model import Clause, Comparison, Example, Location, Message, Section, Spec

LABELS = ("GOOD", "BAD", "OK")


def _signature(turns: Iterable[Any]) -> tuple[Any, ...]:
    def msg(m: Message) -> tuple[Any, ...]:
        label = (m.label.verdict, m.label.anchor, m.label.reason) if m.label else None
        return (m.role, tuple(sorted(m.attributes.items())), normalise(m.text), tuple(sorted(m.settings.items())), label)

    return tuple(tuple(msg(c) for c in t.candidates) if isinstance(t, Comparison) else msg(t) for t in turns)


CANDIDATE_MATCH = 0.5  # word similarity from which two candidates are the same reply, edited
PAIRS_COMPARED = 400  # a comparison with more candidate pairs than this is matched by exact text only


def match_candidates(old: tuple[Message, ...], new: tuple[Message, ...]) -> list[tuple[int, int]]:
    """(old index, new index) of the candidates that are the same reply: by text, never by position. The
    same text first, then the most similar pairs at or above CANDIDATE_MATCH, best first."""
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
    left_new = sorted(j for js in by_text.values() for j in js)
    if left_old and left_new and len(left_old) * len(left_new) <= PAIRS_COMPARED:
        scored = sorted((-similarity(old[i].text, new[j].text), i, j) for i in left_old for j in left_new)
        taken_i: set[int] = set()
        taken_j: set[int] = set()
        for score, i, j in scored:
            if -score >= CANDIDATE_MATCH and i not in taken_i and j not in taken_j:
                pairs.append((i, j))
                taken_i.add(i)
                taken_j.add(j)
    # what is left: a reply rewritten under the same verdict is an edit of it (paired in order); left
    # under another verdict it stays a removal and an addition, never a flip by position
    rest_old = [i for i in range(len(old)) if i not in {p for p, _ in pairs}]
    rest_new = [j for j in range(len(new)) if j not in {q for _, q in pairs}]
    for verdict in sorted({_verdict(old[i]) or "" for i in rest_old}):
        same_old = [i for i in rest_old if (_verdict(old[i]) or "") == verdict]
        same_new = [j for j in rest_new if (_verdict(new[j]) or "") == verdict]
        pairs.extend(zip(same_old, same_new, strict=False))
    return sorted(pairs)


def _verdict(m: Message) -> str | None:
    return m.label.verdict if m.label else None


def _comparisons(ea: Example, eb: Example, subject: str, title: str, name: str) -> tuple[list[Change], bool]:
    """Label flips and added or removed candidates, comparison by comparison; and whether anything else
    changed in the example (its other messages, or the text of a candidate that stayed)."""
    out: list[Change] = []
    rest = _signature([t for t in ea.turns if not isinstance(t, Comparison)]) != _signature(
        [t for t in eb.turns if not isinstance(t, Comparison)]
    )
    ca, cb = ea.comparisons, eb.comparisons
    rest = rest or len(ca) != len(cb)
    where = (ea.location, eb.location)
    for ci, (x, y) in enumerate(zip(ca, cb, strict=False)):
        place = f"comparison {ci + 1}, " if len(ca) > 1 else ""
        pairs = match_candidates(x.candidates, y.candidates)
        for i, j in pairs:
            va, vb = _verdict(x.candidates[i]), _verdict(y.candidates[j])
            if va != vb and va in LABELS and vb in LABELS:
                out.append(
                    change(
                        Kind.LABEL_FLIPPED,
                        subject,
                        title,
                        f"example “{name}”, {place}candidate {j + 1}: label {va} → {vb}",
                        *where,
                        key=f"{name}#{ci}.{j}:{va}>{vb}",
                        details={"example": name, "from": va, "to": vb},
                    )
                )
            a_sig, b_sig = _signature([_unlabelled(x.candidates[i])]), _signature([_unlabelled(y.candidates[j])])
            rest = rest or a_sig != b_sig
        for kind, side, taken, sign in (
            (Kind.CANDIDATE_REMOVED, x.candidates, {i for i, _ in pairs}, "-"),
            (Kind.CANDIDATE_ADDED, y.candidates, {j for _, j in pairs}, "+"),
        ):
            for k in sorted(set(range(len(side))) - taken):
                verdict = _verdict(side[k]) or "unlabelled"
                out.append(
                    change(
                        kind,
                        subject,
                        title,
                        f"example “{name}”, {place}candidate {k + 1} ({verdict}) {kind.split('_')[1]}",
                        *where,
                        key=f"{name}#{ci}{sign}{hash_text(normalise(side[k].text))}",
                        details={"example": name, "label": verdict},
                    )
                )
    return out, rest


def _unlabelled(m: Message) -> Message:
    return m._replace(label=m.label._replace(verdict="") if m.label else None)


def diff_examples(
    old: tuple[Example, ...], new: tuple[Example, ...], subject: str, title: str, where: str = "section"
) -> list[Change]:
    """Examples matched by title (and by order among equal titles), then an unmatched pair whose body is
    the same is a retitled example; where: "section" or "challenge" (file)."""

    def keyed(examples: tuple[Example, ...]) -> dict[tuple[str, int], Example]:
        seen: dict[str, int] = {}
        out = {}
        for e in examples:
            n = seen.get(e.title, 0)
            seen[e.title] = n + 1
            out[(e.title, n)] = e
        return out

    def named(key: tuple[str, int]) -> str:
        return key[0] + (f" ({key[1] + 1})" if key[1] else "")

    ka, kb = keyed(old), keyed(new)
    gone = {k: e for k, e in ka.items() if k not in kb}
    came = {k: e for k, e in kb.items() if k not in ka}
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
                change(
                    Kind.EXAMPLE_RETITLED,
                    subject,
                    title,
                    f"example “{named(k)}” retitled “{named(k2)}”",
                    was.location,
                    now.location,
                    key=f"{named(k)}>{named(k2)}",
                    details={"from": named(k), "to": named(k2)},
                )
            )
    for key in sorted(set(ka) | set(kb), key=lambda k: (k[0], k[1])):
        ea, eb = ka.get(key), kb.get(key)
        name = named(key)
        if key in came:
            out.append(change(Kind.EXAMPLE_ADDED, subject, title, f"example “{name}” added", None, came[key].location, key=name))
        elif key in gone:
            out.append(
                change(Kind.EXAMPLE_REMOVED, subject, title, f"example “{name}” removed", gone[key].location, None, key=name)
            )
        elif ea is not None and eb is not None and _signature(ea.turns) != _signature(eb.turns):
            found, rest = _comparisons(ea, eb, subject, title, name)
            out.extend(found)
            if rest or not found:  # more than labels and candidates changed
                out.append(
                    change(
                        Kind.EXAMPLE_CHANGED,
                        subject,
                        title,
                        f"example “{name}” changed",
                        ea.location,
                        eb.location,
                        key=f"{name}:{hash_text(repr(_signature(eb.turns)))}",
                    )
                )
    return [c._replace(details={**c.details, "in": where}) for c in out]


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
        if x is None and y is not None:
            out.append(
                change(
                    Kind.CHALLENGE_ADDED,
                    cid,
                    title,
                    f"challenge file for [^{cid}] added ({len(y.examples)} example{'s' * (len(y.examples) != 1)})",
                    None,
                    Location(y.path, 1, 1),
                )
            )
        elif y is None and x is not None:
            out.append(
                change(
                    Kind.CHALLENGE_REMOVED,
                    cid,
                    title,
                    f"challenge file for [^{cid}] removed ({len(x.examples)} example{'s' * (len(x.examples) != 1)})",
                    Location(x.path, 1, 1),
                    None,
                )
            )
        elif x is not None and y is not None:
            if (x.front_matter or {}) != (y.front_matter or {}):
                keys = sorted(
                    k
                    for k in {*(x.front_matter or {}), *(y.front_matter or {})}
                    if (x.front_matter or {}).get(k) != (y.front_matter or {}).get(k)
                )
                out.append(
                    change(
                        Kind.CHALLENGE_CHANGED,
                        cid,
                        title,
                        f"challenge file for [^{cid}]: "
                        + "; ".join(f"{k} {_value(x.front_matter, k)} → {_value(y.front_matter, k)}" for k in keys),
                        Location(x.path, 1, 1),
                        Location(y.path, 1, 1),
                        key=",".join(keys),
                        details={"keys": keys},
                    )
                )
            out.extend(diff_examples(x.examples, y.examples, cid, title, "challenge"))
    return out
