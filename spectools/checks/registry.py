"""Every check's code, family, default severity and one-line description."""

from __future__ import annotations

from dataclasses import dataclass

from spectools.model import Diagnostic, Location, Severity


@dataclass(frozen=True)
class Check:
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
]

CHECKS: dict[str, Check] = {code: Check(code, fam, sev, title) for code, fam, sev, title in _TABLE}


def diag(code: str, location: Location, message: str) -> Diagnostic:
    """A finding with its check's default severity (config overrides apply later)."""
    return Diagnostic(location, CHECKS[code].severity, code, message)
