"""Anchors and clause ids: unique, matching their patterns; authority levels known."""

from __future__ import annotations

from spectools.model import Diagnostic, Location, diag
from spectools.parse.load import Loaded
from spectools.sources.config import Config, id_pattern


def check(loaded: Loaded) -> list[Diagnostic]:
    return _sections(loaded) + _clauses(loaded)


def _sections(loaded: Loaded) -> list[Diagnostic]:
    """Section anchors that break the pattern or are used twice, and authority levels that are not one."""
    cfg = loaded.config
    problems: list[Diagnostic] = []
    section_rx = id_pattern(cfg.section_id)
    seen: dict[str, Location] = {}
    for s in loaded.spec.sections():
        if not section_rx.search(s.anchor):
            problems.append(
                diag("SPEC203", s.location, f"section anchor '{s.anchor}' does not match {cfg.section_id}; rename it")
            )
        if s.anchor in seen:
            problems.append(
                diag(
                    "SPEC201",
                    s.location,
                    f"section anchor '{s.anchor}' is already used at {seen[s.anchor]}; "
                    "anchors are permanent, so give this section a new one",
                )
            )
        else:
            seen[s.anchor] = s.location
        if "authority" in s.attributes and s.authority is not None:
            problems += _authority(
                cfg, s.authority, Location(s.location.path, s.attribute_lines.get("authority", s.location.line), 1)
            )
    return problems


def _authority(cfg: Config, level: str, where: Location) -> list[Diagnostic]:
    if level in cfg.configured_aliases:  # a default alias (platform) reads old releases quietly
        alias = f"authority '{level}' is an alias of '{cfg.aliases[level]}'; write authority={cfg.aliases[level]}"
        return [diag("SPEC206", where, alias)]
    if level not in cfg.levels and level not in cfg.aliases:
        return [
            diag(
                "SPEC205",
                where,
                f"unknown authority level '{level}'; use one of "
                f"{', '.join(cfg.levels)} (or add it under authority.levels in spectools.yaml)",
            )
        ]
    return []


def _clauses(loaded: Loaded) -> list[Diagnostic]:
    """Clause ids that break the pattern or are used twice."""
    cfg = loaded.config
    problems: list[Diagnostic] = []
    clause_rx = id_pattern(cfg.clause_id)
    clauses: dict[str, Location] = {}
    for c in loaded.spec.clauses():
        if not clause_rx.search(c.id):
            problems.append(
                diag(
                    "SPEC204",
                    c.location,
                    f"clause id '{c.id}' does not match {cfg.clause_id}; pick a fresh one with `spectools new-id`",
                )
            )
        if c.id in clauses:
            problems.append(
                diag(
                    "SPEC202", c.location, f"clause id '{c.id}' is already used at {clauses[c.id]}; each clause needs its own id"
                )
            )
        else:
            clauses[c.id] = c.location
    return problems
