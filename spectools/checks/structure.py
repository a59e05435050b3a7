"""The shape of the document: sections that say nothing."""

from __future__ import annotations

from spectools.checks.registry import diag
from spectools.loader import Loaded
from spectools.model import Diagnostic


def check(loaded: Loaded) -> list[Diagnostic]:
    return [
        diag("SPEC603", s.location, f"section '{s.anchor}' is empty; write its text, add child sections, or remove it")
        for s in loaded.spec.sections()
        if not s.body and not s.children
    ]
