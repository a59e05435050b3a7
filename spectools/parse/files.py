"""Whole files -> Document and Challenge."""

from __future__ import annotations

import re

from spectools.model import CLAUSE_TAG, Challenge, Document, Header, Location, diag
from spectools.parse import frontmatter
from spectools.parse.document import walk

HEADER = re.compile(r"^Examples for " + CLAUSE_TAG + r" in (.+?):?$")  # matched on the line right-stripped: linear


def parse_document(path: str, text: str) -> Document:
    fm, fm_lines, body, problems = frontmatter.split(path, text)
    w = walk(path, body)
    return Document(
        path, fm, tuple(w.sections), tuple(w.clauses), tuple(w.links), tuple(w.examples), tuple(problems + w.problems), fm_lines
    )


def parse_challenge(path: str, clause_id: str, text: str) -> Challenge:
    fm, fm_lines, body, problems = frontmatter.split(path, text)
    w = walk(path, body, read_clauses=False)
    header = None
    if w.first_paragraph is not None:
        content, line, col = w.first_paragraph
        first_line = content.split("\n", 1)[0]
        m = HEADER.match(first_line.rstrip())
        if m:
            header = Header(m.group(1), " ".join(m.group(2).split()), first_line, Location(path, line, col))
        elif content.startswith("Examples for"):
            header = Header(None, None, first_line, Location(path, line, col))
    if header is None or header.clause_id is None:
        where = header.location if header else Location(path, 1, 1)
        problems.append(
            diag("SPEC105", where, f"challenge file should start with 'Examples for [^{clause_id}] in <section title>:'")
        )
    return Challenge(clause_id, path, fm, header, tuple(w.examples), tuple(w.links), tuple(problems + w.problems), fm_lines)
