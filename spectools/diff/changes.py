"""The vocabulary of changes: every kind with its severity and changelog group, how a Change is made,
and the order changes are listed in. Shared by the diff engine, the history check and the renderers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

from spectools.model import Location

ChangeSeverity = Literal["breaking", "notable", "editorial"]


class Change(NamedTuple):
    """One change between two versions of a spec, found by the diff engine."""

    kind: str  # section_added, authority_promoted, clause_reworded, label_flipped, ... (diff.KINDS)
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


# kind -> (severity, changelog group); a reworded change is "notable" when normative, else "editorial"
KINDS: dict[str, tuple[ChangeSeverity, int]] = {
    "authority_promoted": ("breaking", 1),
    "authority_demoted": ("breaking", 1),
    "authority_added": ("notable", 1),
    "authority_removed": ("notable", 1),
    "authority_changed": ("notable", 1),
    "section_added": ("notable", 2),
    "clause_added": ("notable", 2),
    "id_reused": ("breaking", 2),
    "section_removed": ("breaking", 3),
    "clause_removed": ("breaking", 3),
    "section_renamed": ("notable", 4),
    "section_moved": ("notable", 4),
    "section_retitled": ("notable", 4),
    "clause_moved": ("notable", 4),
    "section_split": ("notable", 5),
    "section_merged": ("notable", 5),
    "section_reworded": ("editorial", 6),
    "clause_reworded": ("editorial", 6),
    "label_flipped": ("breaking", 7),
    "challenge_added": ("notable", 7),
    "challenge_removed": ("notable", 7),
    "challenge_changed": ("notable", 7),
    "example_added": ("notable", 7),
    "example_removed": ("notable", 7),
    "example_changed": ("notable", 7),
    "example_retitled": ("editorial", 7),
    "candidate_added": ("notable", 7),
    "candidate_removed": ("notable", 7),
}


def change(
    kind: str,
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
    severity = KINDS[kind][0]
    if normative:
        severity = "notable"
        details["normative"] = True
    elif normative is not None:
        details["normative"] = False
    digest = hashlib.sha256(f"{kind}\0{subject}\0{key}".encode()).hexdigest()[:16]
    return Change(kind, severity, subject, title, summary, old, new, details, digest)


def first(items: Iterable[Any], key: str) -> dict[str, Any]:
    """{item.key: item}, the first item winning when two share a key."""
    return {getattr(item, key): item for item in reversed(list(items))}


def sort_key(c: Change) -> tuple[Any, ...]:
    return (KINDS[c.kind][1], (c.new or c.old or Location("")), c.subject, c.kind, c.summary, c.fingerprint)


def hash_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
