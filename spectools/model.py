"""The bottom of the house: the spec model (immutable records shared by every command), the findings
(Location, Diagnostic), the catalogue of check codes with `diag`, SpecError and the exit codes.
Every layer can report a finding or fail a run without importing a higher one.

They are NamedTuples rather than frozen dataclasses: a dataclass generates and compiles its
methods when the module is imported, which cost 6.5 ms, 5% of validating a 250 KB spec. For the same
reason this module has no `from __future__ import annotations`: NamedTuple compiles every annotation
that is a string (76 of them, 2 ms), and none here needs to be one.
"""

import math
import re
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
CLAUSE_TAG = r"\[\^([^\]\s]+)\]"  # a clause tag, [^id] (group 1 is the id): the one definition, which every pattern embeds
TAG = re.compile(CLAUSE_TAG)
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

    def section_index(self) -> dict[str, Section]:
        """{anchor: section}; when two sections share an anchor (SPEC201), the first one wins, everywhere."""
        return {s.anchor: s for s in reversed(self.sections())}

    def examples(self) -> list[Example]:
        """Every example, the documents' then the challenge files'."""
        return [e for d in self.documents for e in d.examples] + [e for c in self.challenges for e in c.examples]

    def links(self) -> list[Link]:
        """Every `(#anchor)` link in prose, the documents' then the challenge files'."""
        return [x for d in self.documents for x in d.links] + [x for c in self.challenges for x in c.links]


class Check(NamedTuple):
    """One check of the catalogue: its code, family, default severity and one-line description."""

    code: str
    family: str
    severity: Severity
    title: str


_TABLE: list[tuple[str, str, Severity, str]] = [
    # files and input
    ("SPEC001", "input", "error", "spectools.yaml is not valid YAML or does not match its schema"),
    ("SPEC002", "input", "error", "file is not valid UTF-8"),
    ("SPEC003", "input", "error", "file is binary (has a NUL byte)"),
    ("SPEC004", "input", "warning", "file starts with a UTF-8 byte order mark"),
    ("SPEC005", "input", "warning", "file has CRLF or CR line endings"),
    ("SPEC006", "input", "error", "file is larger than the configured limit"),
    ("SPEC007", "input", "warning", "symlink not followed (a loop, dangling, or a directory)"),
    ("SPEC008", "input", "error", "symlink points outside the repository (not followed)"),
    ("SPEC009", "input", "error", "file cannot be read"),
    ("SPEC010", "input", "error", "front matter is not valid YAML or is never closed"),
    ("SPEC011", "input", "error", "front matter is not a mapping"),
    ("SPEC012", "input", "error", "code fence is never closed"),
    ("SPEC013", "input", "error", "heading attribute block is not terminated or cannot be read"),
    ("SPEC014", "input", "error", "no spec documents found"),
    ("SPEC015", "input", "warning", "a `documents` glob in spectools.yaml matches no file"),
    ("SPEC016", "input", "error", "file name is not valid UTF-8 (shown escaped, not read)"),
    # coverage
    ("SPEC101", "coverage", "error", "challenge file names a clause id that no clause carries (orphan)"),
    ("SPEC102", "coverage", "error", "clause has no challenge file (uncovered)"),
    ("SPEC103", "coverage", "error", "challenge header line names the wrong clause"),
    ("SPEC104", "coverage", "warning", "challenge header line names a stale section title (`--fix` rewrites it)"),
    ("SPEC105", "coverage", "error", "challenge file has no `Examples for [^id] in <title>:` header line"),
    # ids
    ("SPEC201", "ids", "error", "duplicate section anchor"),
    ("SPEC202", "ids", "error", "duplicate clause id"),
    ("SPEC203", "ids", "error", "section anchor missing or not matching the configured pattern"),
    ("SPEC204", "ids", "error", "clause id not matching the configured pattern"),
    ("SPEC205", "ids", "error", "unknown authority level"),
    ("SPEC206", "ids", "info", "authority level uses an alias (a renamed level)"),
    ("SPEC207", "ids", "error", "a retired clause id comes back with another meaning"),
    # references
    ("SPEC301", "references", "error", "link to a section anchor that does not exist"),
    ("SPEC302", "references", "error", "BAD[#anchor] label names a section that does not exist"),
    # schema
    ("SPEC401", "schema", "error", "section attributes do not match the section schema"),
    ("SPEC402", "schema", "error", "document front matter does not match the document schema"),
    ("SPEC403", "schema", "error", "challenge front matter does not match the challenge schema"),
    ("SPEC404", "schema", "error", "an extra schema named in spectools.yaml cannot be read"),
    # examples
    ("SPEC501", "examples", "error", "unknown role or element, or text outside any message"),
    ("SPEC502", "examples", "error", "element is never closed"),
    ("SPEC503", "examples", "error", "mismatched or stray closing tag"),
    ("SPEC504", "examples", "warning", "comparison with no candidate"),
    ("SPEC505", "examples", "error", "comparison candidate with no label"),
    ("SPEC506", "examples", "error", "comparison candidate with an unknown label"),
    ("SPEC507", "examples", "error", "empty message"),
    ("SPEC508", "examples", "error", "example heading with no xml conversation block after it"),
    ("SPEC509", "examples", "warning", "challenge file still holds the template's TODO text"),
    # structure
    ("SPEC601", "structure", "warning", "clause tag inside commentary (commentary holds no clauses)"),
    ("SPEC602", "structure", "warning", "clause tag inside code (not a clause)"),
    ("SPEC603", "structure", "warning", "empty section: no text of its own and no child sections"),
    ("SPEC604", "structure", "error", "clause tag outside any section"),
    # lint: what the clauses say (spectools lint, validate --lint)
    ("SPEC610", "lint", "warning", "clause uses vague quantity or frequency words"),
    ("SPEC611", "lint", "warning", "clause asks for a quality no reader can measure"),
    ("SPEC612", "lint", "warning", "clause compares with nothing"),
    ("SPEC613", "lint", "warning", "clause leaves a list open"),
    ("SPEC614", "lint", "warning", "obligation with no one bound by it (passive voice)"),
    ("SPEC615", "lint", "warning", "clause holds several obligations"),
    ("SPEC616", "lint", "warning", "clause leans on another sentence (a pronoun with no antecedent in it)"),
    ("SPEC617", "lint", "warning", "clause uses a double negative"),
    ("SPEC620", "lint", "warning", "clause has no word of obligation"),
    ("SPEC621", "lint", "info", "root or system section whose clauses all say 'should'"),
    ("SPEC630", "lint", "warning", "clause uses a term that no section defines or links"),
    ("SPEC631", "lint", "warning", "link text names something its target section never mentions"),
    ("SPEC640", "lint", "warning", "two clauses conflict and their authorities do not settle it"),
    ("SPEC641", "lint", "info", "two clauses conflict; the chain of command settles it"),
    ("SPEC650", "lint", "info", "ambiguous or conflicting clause with no example that settles it"),
    ("SPEC651", "lint", "warning", "an allow comment names a code that is no lint check"),
]

CHECKS: dict[str, Check] = {code: Check(code, fam, sev, title) for code, fam, sev, title in _TABLE}


def diag(code: str, location: Location, message: str) -> Diagnostic:
    """A finding with its check's default severity (config overrides apply later)."""
    return Diagnostic(location, CHECKS[code].severity, code, message)


EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class SpecError(Exception):
    """A problem the user can fix; the run cannot go on (unknown path, bad option...)."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def severity_counts(items: Iterable[Any], names: tuple[str, ...]) -> dict[str, int]:
    """{severity: how many items have it} for the names given (changes or findings, by their .severity)."""
    out = dict.fromkeys(names, 0)
    for item in items:
        out[item.severity] += 1
    return out


def fails(fail_on: str, errors: int, warnings: int, breaking: int = 0) -> bool:
    """Whether --fail-on (error, warning, breaking or never) fails a run with these counts."""
    if fail_on == "never":
        return False
    if fail_on == "warning":
        return bool(errors or warnings)
    if fail_on == "breaking":
        return bool(errors or breaking)
    return bool(errors)


Z95 = 1.959963984540054  # the normal quantile of a 95% two-sided interval


def wilson(passed: int, n: int) -> tuple[float, float]:
    """The Wilson 95% interval of passed / n ((0, 1) with no samples)."""
    if n == 0:
        return 0.0, 1.0
    p = passed / n
    denominator = 1 + Z95 * Z95 / n
    centre = (p + Z95 * Z95 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 * Z95 / (4 * n * n)) / denominator
    return max(0.0, round(centre - half, 4)), min(1.0, round(centre + half, 4))
