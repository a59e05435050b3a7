"""Clauses and challenge files: every clause has one, every file has a clause, headers are current."""

from __future__ import annotations

from spectools.model import Diagnostic, Location, diag
from spectools.parse.load import Loaded


def expected_header(clause_id: str, title: str) -> str:
    return f"Examples for [^{clause_id}] in {title}:"


def check(loaded: Loaded) -> list[Diagnostic]:
    spec = loaded.spec
    folder = loaded.config.challenges
    titles = {s.anchor: s.title for s in spec.sections()}
    clauses = {c.id: c for c in reversed(spec.clauses())}  # first occurrence wins
    files = {ch.clause_id: ch for ch in spec.challenges}
    problems: list[Diagnostic] = []
    for cid, clause in clauses.items():
        if cid not in files:
            problems.append(
                diag(
                    "SPEC102",
                    clause.location,
                    f"clause '{cid}' has no challenge file {folder}/{cid}.md; create it with `spectools new challenge {cid}`",
                )
            )
    for cid, ch in files.items():
        if cid not in clauses:
            problems.append(
                diag(
                    "SPEC101",
                    Location(ch.path, 1, 1),
                    f"challenge file for '{cid}', but no clause carries [^{cid}]; tag the clause or delete the file",
                )
            )
            continue
        header = ch.header
        if header is None or header.clause_id is None:
            continue  # SPEC105 came from the parser
        section = clauses[cid].section
        if header.clause_id != cid:
            problems.append(
                diag(
                    "SPEC103",
                    header.location,
                    f"header names [^{header.clause_id}] but the file is for "
                    f"[^{cid}]; write '{expected_header(cid, titles.get(section or '', header.title or ''))}'",
                )
            )
        elif section is not None and header.title != titles[section]:
            problems.append(
                diag(
                    "SPEC104",
                    header.location,
                    f"header names section '{header.title}', which is now "
                    f"'{titles[section]}'; run `spectools validate --fix` to update it",
                )
            )
    return problems
