"""Challenge files and examples between two specs: added, removed, changed, and flipped labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spectools.changes import change, first, hash_text
from spectools.model import Change, Clause, Comparison, Example, Location, Message, Section, Spec
from spectools.wording import normalise

LABELS = ("GOOD", "BAD", "OK")


def _signature(turns: Iterable[Any]) -> tuple[Any, ...]:
    def msg(m: Message) -> tuple[Any, ...]:
        label = (m.label.verdict, m.label.anchor, m.label.reason) if m.label else None
        return (m.role, tuple(sorted(m.attributes.items())), normalise(m.text), tuple(sorted(m.settings.items())), label)

    return tuple(tuple(msg(c) for c in t.candidates) if isinstance(t, Comparison) else msg(t) for t in turns)


def _verdicts(example: Example) -> list[list[str | None]]:
    return [[c.label.verdict if c.label else None for c in comp.candidates] for comp in example.comparisons]


def diff_examples(
    old: tuple[Example, ...], new: tuple[Example, ...], subject: str, title: str, where: str = "section"
) -> list[Change]:
    """Examples matched by title (and by order among equal titles); where: "section" or "challenge" (file)."""

    def keyed(examples: tuple[Example, ...]) -> dict[tuple[str, int], Example]:
        seen: dict[str, int] = {}
        out = {}
        for e in examples:
            n = seen.get(e.title, 0)
            seen[e.title] = n + 1
            out[(e.title, n)] = e
        return out

    ka, kb = keyed(old), keyed(new)
    out = []
    for key in sorted(set(ka) | set(kb), key=lambda k: (k[0], k[1])):
        ea, eb = ka.get(key), kb.get(key)
        name = key[0] + (f" ({key[1] + 1})" if key[1] else "")
        if ea is None and eb is not None:
            out.append(change("example_added", subject, title, f"example “{name}” added", None, eb.location, key=name))
        elif eb is None and ea is not None:
            out.append(change("example_removed", subject, title, f"example “{name}” removed", ea.location, None, key=name))
        elif ea is not None and eb is not None and _signature(ea.turns) != _signature(eb.turns):
            flips = []
            for ci, (va, vb) in enumerate(zip(_verdicts(ea), _verdicts(eb), strict=False)):
                for k, (x, y) in enumerate(zip(va, vb, strict=False)):
                    if x != y and x in LABELS and y in LABELS:
                        flips.append((ci, k, x, y))
            for ci, k, x, y in flips:
                place = f"comparison {ci + 1}, candidate {k + 1}" if len(ea.comparisons) > 1 else f"candidate {k + 1}"
                out.append(
                    change(
                        "label_flipped",
                        subject,
                        title,
                        f"example “{name}”, {place}: label {x} → {y}",
                        ea.location,
                        eb.location,
                        key=f"{name}#{ci}.{k}:{x}>{y}",
                        details={"example": name, "from": x, "to": y},
                    )
                )
            if not flips or _signature(_unlabel(ea)) != _signature(_unlabel(eb)):  # more than the labels changed
                out.append(
                    change(
                        "example_changed",
                        subject,
                        title,
                        f"example “{name}” changed",
                        ea.location,
                        eb.location,
                        key=f"{name}:{hash_text(repr(_signature(eb.turns)))}",
                    )
                )
    return [c._replace(details={**c.details, "in": where}) for c in out]


def _unlabel(example: Example) -> list[Any]:
    """The turns with every label's verdict blanked, to tell a pure label flip from other edits."""
    out: list[Any] = []
    for t in example.turns:
        if isinstance(t, Comparison):
            out.append(
                Comparison(
                    tuple(c._replace(label=c.label._replace(verdict="") if c.label else None) for c in t.candidates), t.location
                )
            )
        else:
            out.append(t)
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
        if x is None and y is not None:
            out.append(
                change(
                    "challenge_added",
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
                    "challenge_removed",
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
                        "challenge_changed",
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
