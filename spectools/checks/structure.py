"""The shape of the document: sections that say nothing, clauses that belong to no section.

Tags inside commentary or code (SPEC601, SPEC602) are found by the parser, which sees them.
"""

from __future__ import annotations

from spectools.model import Diagnostic, diag
from spectools.parse.load import Loaded


def check(loaded: Loaded) -> list[Diagnostic]:
    problems = [
        diag("SPEC603", s.location, f"section '{s.anchor}' is empty; write its text, add child sections, or remove it")
        for s in loaded.spec.sections()
        if not s.body and not s.children
    ]
    problems += [
        diag("SPEC604", c.location, f"clause [^{c.id}] is outside any section; move it under a heading with an {{#anchor}}")
        for c in loaded.spec.clauses()
        if c.section is None
    ]
    return problems
