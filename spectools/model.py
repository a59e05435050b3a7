"""The spec model: immutable records shared by every command.

They are NamedTuples rather than frozen dataclasses: a dataclass generates and compiles its
methods when the module is imported, which cost 6.5 ms, 5% of validating a 250 KB spec.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


class Location(NamedTuple):
    """A place in a file. A NamedTuple, not a dataclass: hundreds of thousands are made per run."""

    path: str
    line: int = 0  # 1-based; 0 when the finding is about the whole file
    col: int = 0  # 1-based; 0 when unknown

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


class Diagnostic(NamedTuple):
    location: Location
    severity: Severity
    code: str
    message: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.code, self.message)


class Link(NamedTuple):
    """A cross-reference `[text](#anchor)` in prose, or a `BAD[#anchor]` label."""

    target: str
    text: str
    location: Location


class Label(NamedTuple):
    """The HTML comment after a candidate's opening tag: `<!-- BAD[#anchor]: reason -->`."""

    verdict: str  # GOOD, BAD, OK, or whatever was written (checked later)
    anchor: str | None
    reason: str | None
    location: Location
    qualifier: str | None = None  # `GOOD, given high uncertainty`: free text after a comma, kept for display


class Message(NamedTuple):
    role: str
    attributes: dict[str, str]
    text: str
    location: Location
    settings: dict[str, str] = {}  # shared, never mutated
    untrusted: tuple[str, ...] = ()
    label: Label | None = None


class Comparison(NamedTuple):
    candidates: tuple[Message, ...]
    location: Location


Turn = Message | Comparison


class Example(NamedTuple):
    title: str
    location: Location
    turns: tuple[Turn, ...]
    has_block: bool  # False when `**Example**:` has no xml block after it

    @property
    def comparisons(self) -> tuple[Comparison, ...]:
        return tuple(t for t in self.turns if isinstance(t, Comparison))


class Commentary(NamedTuple):
    text: str
    location: Location
    end_line: int


class Clause(NamedTuple):
    id: str
    text: str  # the sentence that carries the tag, tags removed
    section: str | None  # anchor of the innermost section, None before any section
    location: Location


class Section(NamedTuple):
    anchor: str
    title: str
    level: int
    parent: str | None
    attributes: dict[str, Any]  # authority: str, tags: list[str], anything else: str
    attribute_lines: dict[str, int]
    body: str  # its own text, up to the first child section (or the next section)
    prose: str  # the body without its examples and commentary: what wording diffs compare
    location: Location
    end_line: int  # last line of the section with its children
    children: tuple[str, ...]
    clauses: tuple[str, ...]
    links: tuple[Link, ...]
    examples: tuple[Example, ...]
    commentary: tuple[Commentary, ...]

    @property
    def authority(self) -> str | None:
        value = self.attributes.get("authority")
        return value if isinstance(value, str) else None

    @property
    def tags(self) -> tuple[str, ...]:
        value = self.attributes.get("tags")
        return tuple(value) if isinstance(value, list) else ()


class Document(NamedTuple):
    path: str
    front_matter: dict[str, Any] | None
    sections: tuple[Section, ...]
    clauses: tuple[Clause, ...]
    links: tuple[Link, ...]  # every link in the document, sections' and preamble's
    examples: tuple[Example, ...]  # every example, in document order
    problems: tuple[Diagnostic, ...]  # what parsing found wrong
    front_matter_lines: dict[str, int] = {}  # shared, never mutated


class Header(NamedTuple):
    """The first paragraph of a challenge file: `Examples for [^id] in <title>:`."""

    clause_id: str | None
    title: str | None
    text: str
    location: Location


class Challenge(NamedTuple):
    clause_id: str  # from the file name
    path: str
    front_matter: dict[str, Any] | None
    header: Header | None
    examples: tuple[Example, ...]
    links: tuple[Link, ...]
    problems: tuple[Diagnostic, ...]
    front_matter_lines: dict[str, int] = {}  # shared, never mutated


class Spec(NamedTuple):
    documents: tuple[Document, ...]
    challenges: tuple[Challenge, ...]

    def sections(self) -> list[Section]:
        return [s for d in self.documents for s in d.sections]

    def clauses(self) -> list[Clause]:
        return [c for d in self.documents for c in d.clauses]

    def examples(self) -> list[Example]:
        """Every example, the documents' then the challenge files'."""
        return [e for d in self.documents for e in d.examples] + [e for c in self.challenges for e in c.examples]

    def links(self) -> list[Link]:
        """Every `(#anchor)` link in prose, the documents' then the challenge files'."""
        return [x for d in self.documents for x in d.links] + [x for c in self.challenges for x in c.links]


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
