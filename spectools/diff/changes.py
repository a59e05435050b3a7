"""The vocabulary of changes: every kind with its severity and changelog group, how a Change is made,
and the order changes are listed in. Shared by the diff engine, the history check and the renderers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from enum import Enum, IntEnum
from typing import Any, Literal, NamedTuple

from spectools.model import Location

ChangeSeverity = Literal["breaking", "notable", "editorial"]
CHANGE_SEVERITIES: tuple[ChangeSeverity, ...] = ("breaking", "notable", "editorial")


class Change(NamedTuple):
    """One change between two versions of a spec, found by the diff engine."""

    kind: Kind
    severity: ChangeSeverity
    subject: str  # the section anchor, clause id, or challenge id it is about
    title: str  # the section's title (new side when there is one)
    summary: str  # one line for people
    old: Location | None
    new: Location | None
    details: dict[str, Any]
    fingerprint: str  # stable across runs and line moves: kind, subject and what changed


class ChangeSet(NamedTuple):
    old: str  # what was compared: a ref, WORKTREE, INDEX, or "" for nothing
    new: str
    changes: tuple[Change, ...]
    notes: tuple[str, ...]  # release-wide notes, such as a renamed authority level
    authority: dict[str, str] = {}  # section anchor -> its authority level, own or inherited (for highlights)
    ladder: tuple[str, ...] = ()  # the authority levels, highest first

    @property
    def reuses_an_id(self) -> bool:
        """A retired clause id came back with another meaning (diff and changelog exit 1)."""
        return any(c.kind is Kind.ID_REUSED and not c.details.get("accepted") for c in self.changes)


class Group(IntEnum):
    """The changelog's groups, in the order release notes list them."""

    AUTHORITY = 1
    ADDED = 2
    REMOVED = 3
    RENAMED = 4
    SPLIT = 5
    WORDING = 6
    CHALLENGES = 7

    @property
    def title(self) -> str:
        return _GROUP_TITLES[self]


_GROUP_TITLES = {
    Group.AUTHORITY: "Authority changes",
    Group.ADDED: "Added",
    Group.REMOVED: "Removed",
    Group.RENAMED: "Renamed and moved",
    Group.SPLIT: "Split and merged",
    Group.WORDING: "Changed wording",
    Group.CHALLENGES: "Challenges and examples",
}


class Kind(str, Enum):
    """A kind of change, with its severity, its changelog group and what its subject names (a section, a
    clause, a challenge file, an example, a labelled candidate). Its value is the name the JSON carries.
    A reworded change is "notable" instead of its severity when the wording change is normative."""

    severity: ChangeSeverity
    group: Group
    about: str

    def __new__(cls, value: str, severity: ChangeSeverity, group: Group, about: str) -> Kind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity, member.group, member.about = severity, group, about
        return member

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    AUTHORITY_PROMOTED = ("authority_promoted", "breaking", Group.AUTHORITY, "section")
    AUTHORITY_DEMOTED = ("authority_demoted", "breaking", Group.AUTHORITY, "section")
    AUTHORITY_ADDED = ("authority_added", "notable", Group.AUTHORITY, "section")
    AUTHORITY_REMOVED = ("authority_removed", "notable", Group.AUTHORITY, "section")
    AUTHORITY_CHANGED = ("authority_changed", "notable", Group.AUTHORITY, "section")
    SECTION_ADDED = ("section_added", "notable", Group.ADDED, "section")
    CLAUSE_ADDED = ("clause_added", "notable", Group.ADDED, "clause")
    ID_REUSED = ("id_reused", "breaking", Group.ADDED, "clause")
    SECTION_REMOVED = ("section_removed", "breaking", Group.REMOVED, "section")
    CLAUSE_REMOVED = ("clause_removed", "breaking", Group.REMOVED, "clause")
    SECTION_RENAMED = ("section_renamed", "notable", Group.RENAMED, "section")
    SECTION_MOVED = ("section_moved", "notable", Group.RENAMED, "section")
    SECTION_RETITLED = ("section_retitled", "notable", Group.RENAMED, "section")
    CLAUSE_MOVED = ("clause_moved", "notable", Group.RENAMED, "clause")
    SECTION_SPLIT = ("section_split", "notable", Group.SPLIT, "section")
    SECTION_MERGED = ("section_merged", "notable", Group.SPLIT, "section")
    SECTION_MERGED_INTO = ("section_merged_into", "notable", Group.SPLIT, "section")  # gone, its content in another
    SECTION_REWORDED = ("section_reworded", "editorial", Group.WORDING, "section")
    CLAUSE_REWORDED = ("clause_reworded", "editorial", Group.WORDING, "clause")
    LABEL_FLIPPED = ("label_flipped", "breaking", Group.CHALLENGES, "example")
    CHALLENGE_ADDED = ("challenge_added", "notable", Group.CHALLENGES, "challenge")
    CHALLENGE_REMOVED = ("challenge_removed", "notable", Group.CHALLENGES, "challenge")
    CHALLENGE_CHANGED = ("challenge_changed", "notable", Group.CHALLENGES, "challenge")
    EXAMPLE_ADDED = ("example_added", "notable", Group.CHALLENGES, "example")
    EXAMPLE_REMOVED = ("example_removed", "notable", Group.CHALLENGES, "example")
    EXAMPLE_CHANGED = ("example_changed", "notable", Group.CHALLENGES, "example")
    EXAMPLE_RETITLED = ("example_retitled", "editorial", Group.CHALLENGES, "example")
    CANDIDATE_ADDED = ("candidate_added", "notable", Group.CHALLENGES, "candidate")
    CANDIDATE_REMOVED = ("candidate_removed", "notable", Group.CHALLENGES, "candidate")


def change(
    kind: Kind,
    subject: str,
    title: str,
    summary: str,
    old: Location | None,
    new: Location | None,
    key: str = "",
    normative: bool | None = None,
    details: dict[str, Any] | None = None,
) -> Change:
    details = dict(details or {})
    severity = kind.severity
    if normative:
        severity = "notable"
        details["normative"] = True
    elif normative is not None:
        details["normative"] = False
    digest = hashlib.sha256(f"{kind}\0{subject}\0{key}".encode()).hexdigest()[:16]
    return Change(kind, severity, subject, title, summary, old, new, details, digest)


FOLDED = {
    Kind.SECTION_REWORDED: Kind.CLAUSE_REWORDED,
    Kind.SECTION_ADDED: Kind.CLAUSE_ADDED,
    Kind.SECTION_REMOVED: Kind.CLAUSE_REMOVED,
}


def one_entry_per_edit(changes: list[Change]) -> list[Change]:
    """A clause reworded in a reworded section, added with its added section or removed with its removed section
    is one entry with its section's: the section's change names the clause ids (details.clauses) and is normative
    when one of them is. diff, changelog and the comment then count the same units."""
    into: dict[tuple[Kind, str], list[Change]] = {}
    owners = {(c.kind, c.subject) for c in changes if c.kind in FOLDED}
    clause_kinds = {v: k for k, v in FOLDED.items()}
    moved = {c.subject for c in changes if c.kind is Kind.CLAUSE_MOVED}  # its section's wording leaves it out
    kept = []
    for c in changes:
        owner = (clause_kinds.get(c.kind), c.details.get("section"))
        if owner in owners and c.subject not in moved:
            into.setdefault(owner, []).append(c)
        else:
            kept.append(c)
    return [_with_clauses(c, into.get((c.kind, c.subject), [])) for c in kept]


def _with_clauses(c: Change, clauses: list[Change]) -> Change:
    if not clauses:
        return c
    ids = [x.subject for x in clauses]
    details = {**c.details, "clauses": ids}
    severity: ChangeSeverity = c.severity
    summary = c.summary
    if any(x.details.get("normative") for x in clauses) and c.details.get("normative") is False:
        details["normative"], severity = True, "notable"
        summary = c.summary.replace("editorial wording change", "normative wording change")
    named = ", ".join(f"[^{i}]" for i in ids)
    summary = summary[:-1] + f"; clauses {named})" if summary.endswith(")") else f"{summary} (clauses {named})"
    return c._replace(severity=severity, summary=summary, details=details)


def clause_ids(changes: Iterable[Change], *kinds: Kind) -> set[str]:
    """The clause ids that changes of these clause kinds are about, those folded into a section's entry included."""
    out = set()
    for c in changes:
        if c.kind in kinds or (c.kind is Kind.ID_REUSED and Kind.CLAUSE_ADDED in kinds):  # a reused id: a clause added
            out.add(c.subject)
        elif FOLDED.get(c.kind) in kinds:
            out.update(c.details.get("clauses", ()))
    return out


def first(items: Iterable[Any], key: str) -> dict[str, Any]:
    """{item.key: item}, the first item winning when two share a key."""
    return {getattr(item, key): item for item in reversed(list(items))}


def sort_key(c: Change) -> tuple[Any, ...]:
    return (c.kind.group, (c.new or c.old or Location("")), c.subject, c.kind, c.summary, c.fingerprint)


def hash_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def changeset(
    old: str,
    new: str,
    changes: Iterable[Change],
    notes: Iterable[str] = (),
    authority: dict[str, str] | None = None,
    ladder: Iterable[str] = (),
) -> ChangeSet:
    """The one way a ChangeSet is made: its changes in the order every renderer lists them."""
    return ChangeSet(old, new, tuple(sorted(changes, key=sort_key)), tuple(notes), dict(authority or {}), tuple(ladder))
