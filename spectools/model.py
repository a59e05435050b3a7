"""The spec model: frozen dataclasses shared by every command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True, order=True)
class Location:
    path: str
    line: int = 0  # 1-based; 0 when the finding is about the whole file
    col: int = 0  # 1-based; 0 when unknown

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    location: Location
    severity: Severity
    code: str
    message: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Link:
    """A cross-reference `[text](#anchor)` in prose, or a `BAD[#anchor]` label."""

    target: str
    text: str
    location: Location


@dataclass(frozen=True, slots=True)
class Label:
    """The HTML comment after a candidate's opening tag: `<!-- BAD[#anchor]: reason -->`."""

    verdict: str  # GOOD, BAD, OK, or whatever was written (checked later)
    anchor: str | None
    reason: str | None
    location: Location


@dataclass(frozen=True, slots=True)
class Message:
    role: str
    attributes: dict[str, str]
    text: str
    location: Location
    settings: dict[str, str] = field(default_factory=dict)
    untrusted: tuple[str, ...] = ()
    label: Label | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    candidates: tuple[Message, ...]
    location: Location


Turn = Message | Comparison


@dataclass(frozen=True, slots=True)
class Example:
    title: str
    location: Location
    turns: tuple[Turn, ...]
    has_block: bool  # False when `**Example**:` has no xml block after it

    @property
    def comparisons(self) -> tuple[Comparison, ...]:
        return tuple(t for t in self.turns if isinstance(t, Comparison))


@dataclass(frozen=True, slots=True)
class Commentary:
    text: str
    location: Location
    end_line: int


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    text: str  # the sentence that carries the tag, tags removed
    section: str | None  # anchor of the innermost section, None before any section
    location: Location


@dataclass(frozen=True, slots=True)
class Section:
    anchor: str
    title: str
    level: int
    parent: str | None
    attributes: dict[str, Any]  # authority: str, tags: list[str], anything else: str
    attribute_lines: dict[str, int]
    body: str  # its own text, up to the first child section (or the next section)
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


@dataclass(frozen=True, slots=True)
class Document:
    path: str
    front_matter: dict[str, Any] | None
    sections: tuple[Section, ...]
    clauses: tuple[Clause, ...]
    links: tuple[Link, ...]  # every link in the document, sections' and preamble's
    examples: tuple[Example, ...]  # every example, in document order
    problems: tuple[Diagnostic, ...]  # what parsing found wrong
    front_matter_lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Header:
    """The first paragraph of a challenge file: `Examples for [^id] in <title>:`."""

    clause_id: str | None
    title: str | None
    text: str
    location: Location


@dataclass(frozen=True, slots=True)
class Challenge:
    clause_id: str  # from the file name
    path: str
    front_matter: dict[str, Any] | None
    header: Header | None
    examples: tuple[Example, ...]
    links: tuple[Link, ...]
    problems: tuple[Diagnostic, ...]
    front_matter_lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Spec:
    documents: tuple[Document, ...]
    challenges: tuple[Challenge, ...]

    def sections(self) -> list[Section]:
        return [s for d in self.documents for s in d.sections]

    def clauses(self) -> list[Clause]:
        return [c for d in self.documents for c in d.clauses]
