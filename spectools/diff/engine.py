"""(Spec, Spec) -> ChangeSet: what changed in meaning, section by section and clause by clause."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from spectools.diff.changes import Change, ChangeSet, Kind, change, changeset, first, hash_text, one_entry_per_edit
from spectools.diff.examples import diff_challenges, diff_examples
from spectools.diff.matching import match_sections, scattered
from spectools.diff.wording import MODALS, NEGATIONS, lexemes, normalise, word_diff
from spectools.model import Clause, Section, Spec
from spectools.sources.config import Config


def _levels(cfg_a: Config, cfg_b: Config, aliases: dict[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """The alias map and the ladder of a comparison: the newer side's (or the one given: the newest
    release's, for changelog --all), so that old releases compare cleanly against new ones."""
    return dict(cfg_b.aliases if aliases is None else aliases), list(cfg_b.levels) + [
        lv for lv in cfg_a.levels if lv not in cfg_b.levels
    ]


def _authority(x: Section, y: Section, aliases: dict[str, str], ladder: list[str], vocab: set[tuple[str, str]]) -> Change | None:
    la, lb = x.authority, y.authority
    if la == lb:
        return None
    args = (y.anchor, y.title)
    where = (x.location, y.location)
    if la is None:
        return change(Kind.AUTHORITY_ADDED, *args, f"authority {lb} added", *where, key=str(lb), details={"to": lb})
    if lb is None:
        return change(Kind.AUTHORITY_REMOVED, *args, f"authority {la} removed", *where, key=la, details={"from": la})
    ca, cb = aliases.get(la, la), aliases.get(lb, lb)
    if ca == cb:
        vocab.add((la, lb) if la in aliases else (lb, la))
        return None
    pair = {"from": la, "to": lb, "levels": [ca, cb]}  # levels: under the new names
    if ca in ladder and cb in ladder:
        kind = Kind.AUTHORITY_PROMOTED if ladder.index(cb) < ladder.index(ca) else Kind.AUTHORITY_DEMOTED
        word = "promoted" if kind is Kind.AUTHORITY_PROMOTED else "demoted"
        return change(kind, *args, f"authority {la} → {lb} ({word})", *where, key=f"{la}>{lb}", details=pair)
    return change(Kind.AUTHORITY_CHANGED, *args, f"authority {la} → {lb}", *where, key=f"{la}>{lb}", details=pair)


_SENTENCE = re.compile(r"(?<=[.!?]) ")  # where normalised text (single spaces) is cut into sentences
FALLBACK = 32  # clause sentences looked for inside a longer sentence of the prose, at most, per section: linear


def _without(text: str, sentences: Iterable[str], other: str) -> str:
    """The (normalised) text less the given (normalised) sentences of clauses that came or went, each only where the
    other side's text lacks it: a sentence that was there already and only got its tag is no wording change.

    Linear: both texts are cut into sentences and compared as sets. A clause sentence that is part of a longer
    sentence of the prose is searched for as a substring, for at most FALLBACK of them."""
    if not sentences:
        return text
    units, there = _SENTENCE.split(text), Counter(_SENTENCE.split(other))
    drop: Counter[str] = Counter()
    for sentence in sentences:
        parts = _SENTENCE.split(sentence)
        if not all(there[p] for p in parts):
            drop.update(parts)
    kept = []
    for unit in units:
        if drop[unit] > 0:
            drop[unit] -= 1
        else:
            kept.append(unit)
    result = " ".join(kept)
    for unit in [u for u, n in drop.items() if n > 0][:FALLBACK]:
        result = result.replace(unit, " ", 1)
    return " ".join(result.split())


class _Sides(NamedTuple):
    """What one comparison knows of both sides, shared by the steps of diff()."""

    sa: dict[str, Section]
    sb: dict[str, Section]
    match: dict[str, str]  # old anchor -> new anchor
    aliases: dict[str, str]
    ladder: list[str]
    moved_out: dict[str, list[str]]  # section -> the (normalised) sentences of clauses that moved out of it
    moved_in: dict[str, list[str]]


def diff(
    a: Spec, b: Spec, cfg_a: Config, cfg_b: Config, old: str = "", new: str = "", aliases: dict[str, str] | None = None
) -> ChangeSet:
    sa, sb = first(a.sections(), "anchor"), first(b.sections(), "anchor")
    ca, cb = first(a.clauses(), "id"), first(b.clauses(), "id")
    renames = {**cfg_a.renames, **cfg_b.renames}
    split, merged = scattered(sa, sb, ca, cb, renames)
    match = match_sections(sa, sb, renames, split, merged)
    names, ladder = _levels(cfg_a, cfg_b, aliases)
    sides = _Sides(sa, sb, match, names, ladder, *_moved_clauses(ca, cb, match))
    out = _structure(sides, split, merged)
    vocab: set[tuple[str, str]] = set()
    for x, y in sorted(match.items()):
        if not _unchanged(sides, x, y):
            out.extend(_section(sides, x, y, vocab))
    for cid in sorted(set(ca) | set(cb)):
        was, now = ca.get(cid), cb.get(cid)
        if was is None or now is None or was.text != now.text or match.get(was.section or "") != now.section:
            out.extend(_clause(cid, was, now, sides))
    out.extend(diff_challenges(a, b, sa, sb, ca, cb))
    notes = tuple(
        f"Authority level '{old_name}' is now called '{new_name}'; sections that only changed the name keep their authority."
        for old_name, new_name in sorted(vocab)
    )
    return changeset(old, new, one_entry_per_edit(out), notes, _authority_of(sides), ladder)


def _authority_of(sides: _Sides) -> dict[str, str]:
    """Each section's authority level under the new names, its own or its nearest ancestor's; the new side's where
    a section is on both. For ranking highlights."""
    out: dict[str, str] = {}
    for sections in (sides.sa, sides.sb):
        for anchor, s in sections.items():
            seen, at = 0, s
            while at.authority is None and at.parent in sections and seen < 64:  # a cycle cannot hold it
                at, seen = sections[str(at.parent)], seen + 1
            if at.authority:
                out[anchor] = sides.aliases.get(at.authority, at.authority)
    return out


def _moved_clauses(
    ca: dict[str, Clause], cb: dict[str, Clause], match: dict[str, str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """A clause that moved, was removed or was added is reported as such; its sentence is not also a wording change
    of its section (one entry per edit)."""
    moved_out: dict[str, list[str]] = {}
    moved_in: dict[str, list[str]] = {}
    for cid in sorted(set(ca) | set(cb)):
        was, now = ca.get(cid), cb.get(cid)
        old_section, new_section = (was.section or "") if was else "", (now.section or "") if now else ""
        if was is None or now is None or match.get(old_section, old_section) != new_section:
            if was is not None:
                moved_out.setdefault(old_section, []).append(normalise(was.text))
            if now is not None:
                moved_in.setdefault(new_section, []).append(normalise(now.text))
    return moved_out, moved_in


def _structure(sides: _Sides, split: dict[str, list[str]], merged: dict[str, list[str]]) -> list[Change]:
    """Sections split, merged, removed and added."""
    sa, sb = sides.sa, sides.sb
    out = [
        change(Kind.SECTION_SPLIT, x, sa[x].title, f"split into {', '.join('#' + t for t in targets)}", sa[x].location,
               sb[targets[0]].location, key=">".join(targets), details={"into": targets})
        for x, targets in sorted(split.items())
    ]  # fmt: skip
    out += [
        change(Kind.SECTION_MERGED, y, sb[y].title, f"merged from {', '.join('#' + t for t in sources)}",
               sa[sources[0]].location, sb[y].location, key="<".join(sources), details={"from": sources})
        for y, sources in sorted(merged.items())
    ]  # fmt: skip
    back = {y: x for x, y in sides.match.items()}
    now_in = {cid: y for y, s in sb.items() for cid in s.clauses}
    for x in sorted(set(sa) - set(sides.match) - set(split)):
        s = sa[x]
        into = _merged_into(sides, s, now_in)
        if into:
            summary = f"section “{s.title}” merged into #{into}"
            out.append(change(Kind.SECTION_MERGED_INTO, x, s.title, summary, s.location, sb[into].location, key=into,
                              details={"into": into, "authority": s.authority}))  # fmt: skip
            continue
        summary = f"section “{s.title}” removed"
        out.append(change(Kind.SECTION_REMOVED, x, s.title, summary, s.location, None, details={"authority": s.authority}))
    for y in sorted(set(sb) - set(back) - set(merged)):
        s = sb[y]
        level = f" ({s.authority})" if s.authority else ""
        summary = f"section “{s.title}” added{level}"
        details = {"authority": s.authority, "parent": s.parent}
        out.append(change(Kind.SECTION_ADDED, y, s.title, summary, None, s.location, details=details))
    return out


def _merged_into(sides: _Sides, s: Section, now_in: dict[str, str]) -> str | None:
    """The one section that a removed section's content went to, if it left nothing behind: each of its clauses
    is now in that section, and each of its subsections is now under it (at least one of either)."""
    if any(cid not in now_in for cid in s.clauses):
        return None  # a clause of it is gone: a removal
    left = _without(normalise(s.prose), sides.moved_out.get(s.anchor, ()), "")
    if any(t in MODALS or t in NEGATIONS for w in left.split() for t in lexemes(w)):
        return None  # it still said what the model must or must not do, and that is gone: a removal
    places = {now_in[cid] for cid in s.clauses}
    places |= {p for c in s.children if c in sides.match and (p := sides.sb[sides.match[c]].parent)}
    if len(places) != 1 or not (s.clauses or s.children):
        return None
    return str(next(iter(places)))


def _unchanged(sides: _Sides, x: str, y: str) -> bool:
    """Nothing to report for this matched pair: most sections of a changed file (kept cheap)."""
    p, q = sides.sa[x], sides.sb[y]
    return (
        x == y
        and p.prose == q.prose
        and p.title == q.title
        and p.attributes == q.attributes
        and p.parent == q.parent
        and p.location.path == q.location.path
        and not p.examples
        and not q.examples
        and x not in sides.moved_out
        and y not in sides.moved_in
        and (p.parent is None or sides.match.get(p.parent) == p.parent)
    )


def _section(sides: _Sides, x: str, y: str, vocab: set[tuple[str, str]]) -> list[Change]:
    """The changes to one matched section: renamed, moved, retitled, authority, wording, examples."""
    p, q = sides.sa[x], sides.sb[y]
    where = (p.location, q.location)
    out = []
    if x != y:
        out.append(
            change(
                Kind.SECTION_RENAMED,
                y,
                q.title,
                f"anchor #{x} renamed #{y}",
                *where,
                key=f"{x}>{y}",
                details={"from": x, "to": y},
            )
        )
    moved = _moved(p, q, sides.match)
    if moved:
        out.append(moved)
    if p.title != q.title:
        out.append(
            change(Kind.SECTION_RETITLED, y, q.title, f"retitled “{p.title}” → “{q.title}”", *where,
                   key=f"{p.title}>{q.title}", details={"from": p.title, "to": q.title})
        )  # fmt: skip
    auth = _authority(p, q, sides.aliases, sides.ladder, vocab)
    if auth:
        out.append(auth)
    if p.prose == q.prose and x not in sides.moved_out and y not in sides.moved_in:
        prose_a = prose_b = ""  # the same text: nothing to compare (the common case, kept cheap)
    else:
        na, nb = normalise(p.prose), normalise(q.prose)
        prose_a, prose_b = _without(na, sides.moved_out.get(x, ()), nb), _without(nb, sides.moved_in.get(y, ()), na)
    if prose_a != prose_b:
        text, normative = word_diff(prose_a, prose_b, sides.aliases)
        out.append(
            change(Kind.SECTION_REWORDED, y, q.title, f"{'normative' if normative else 'editorial'} wording change", *where,
                   key=hash_text(prose_a + "\0" + prose_b), normative=normative, details={"diff": text})
        )  # fmt: skip
    if p.examples or q.examples:
        out.extend(diff_examples(p.examples, q.examples, y, q.title))
    return out


def _moved(p: Section, q: Section, match: dict[str, str]) -> Change | None:
    """section_moved, when the section has another parent or is in another file."""
    parent = match.get(p.parent, p.parent) if p.parent else None
    if parent == q.parent and p.location.path == q.location.path:
        return None
    moves = []
    if parent != q.parent:
        moves.append(
            f"from under {'#' + p.parent if p.parent else 'the top'} to under {'#' + q.parent if q.parent else 'the top'}"
        )
    if p.location.path != q.location.path:
        moves.append(f"from {p.location.path} to {q.location.path}")
    details = {"from_parent": p.parent, "to_parent": q.parent, "from_path": p.location.path, "to_path": q.location.path}
    key = f"{p.parent}>{q.parent}:{p.location.path}>{q.location.path}"
    return change(
        Kind.SECTION_MOVED, q.anchor, q.title, "moved " + " and ".join(moves), p.location, q.location, key=key, details=details
    )


def _clause(cid: str, x: Clause | None, y: Clause | None, sides: _Sides) -> list[Change]:
    match, sa, sb, aliases = sides.match, sides.sa, sides.sb, sides.aliases

    def title(c: Clause, sections: dict[str, Section]) -> str:
        return sections[c.section].title if c.section in sections else ""

    if x is None or y is None:
        c = x or y
        assert c is not None
        kind, sections, verb = (Kind.CLAUSE_ADDED, sb, "added") if x is None else (Kind.CLAUSE_REMOVED, sa, "removed")
        return [
            change(kind, cid, title(c, sections), f"clause [^{cid}] {verb}: {c.text}", x and x.location, y and y.location,
                   details={"section": c.section, "text": c.text})
        ]  # fmt: skip
    out = []
    if match.get(x.section or "", x.section) != y.section:
        out.append(
            change(Kind.CLAUSE_MOVED, cid, title(y, sb), f"clause [^{cid}] moved from #{x.section} to #{y.section}",
                   x.location, y.location, key=f"{x.section}>{y.section}", details={"from": x.section, "to": y.section})
        )  # fmt: skip
    if x.text != y.text and normalise(x.text) != normalise(y.text):
        text, normative = word_diff(x.text, y.text, aliases)
        out.append(
            change(Kind.CLAUSE_REWORDED, cid, title(y, sb), f"clause [^{cid}] reworded", x.location, y.location,
                   key=hash_text(normalise(x.text) + "\0" + normalise(y.text)), normative=normative,
                   details={"diff": text, "section": y.section})
        )  # fmt: skip
    return out
