"""Run every check family and apply the configured severities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spectools.checks import coverage, examples, ids, references, schema, structure
from spectools.model import Diagnostic
from spectools.parse.load import Loaded, paused_gc

if TYPE_CHECKING:
    from collections.abc import Sequence

FAMILIES = (schema.check, ids.check, references.check, coverage.check, examples.check, structure.check)


def run(loaded: Loaded, extra: Sequence[Diagnostic] = ()) -> list[Diagnostic]:
    """Every finding (parse problems included, and `extra` ones found elsewhere, such as in the git
    history), severities as configured, sorted."""
    found = [*loaded.problems, *extra]
    with paused_gc():
        for family in FAMILIES:
            found.extend(family(loaded))
    overrides = loaded.config.checks
    out = []
    for d in found:
        severity = overrides.get(d.code, d.severity)
        if severity == "off":
            continue
        out.append(d if severity == d.severity else d._replace(severity=severity))  # type: ignore[arg-type]
    return sorted(set(out), key=Diagnostic.sort_key)
