"""Suppression comments: `<!-- spectools: allow SPEC611 SPEC640 -->`.

- In a line of text, a comment allows its codes for the clause whose tag comes just before it on that line (the
  first tag after it when none comes before): put it right after the clause's sentence.
- On a line of its own, it allows them for every clause of the paragraph that follows it (no blank line between;
  the paragraph ends at a heading, a list item, a table row, a fence or a quote), and, before a heading, for that
  section.
- Anywhere in a section's own text, it also allows them for the section (SPEC621 is about a section).
- A link's finding (SPEC631) is allowed by a comment in the same block of lines.
- A conflict is allowed at the clause it is reported on (the first of the two): a clause that a change adds cannot
  silence the conflict it brings.
A code that is no lint check is reported (SPEC651): a misspelt allow would otherwise silence nothing, silently.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from spectools.model import CHECKS, TAG, Diagnostic, Location, Spec, diag

ALLOW = "spectools: allow"


class Allowed(NamedTuple):
    by_clause: dict[str, set[str]]
    by_section: dict[str, set[str]]
    by_line: dict[tuple[str, int], set[str]]
    problems: list[Diagnostic]  # comments that name a code that is no lint check

    def allows(self, code: str, ids: Sequence[str], section: str, where: tuple[str, int]) -> bool:
        """A finding about clauses is allowed at one of them; about a section, in it; about a link, in its block."""
        if ids:
            return any(code in self.by_clause.get(i, ()) for i in ids)
        if section:
            return code in self.by_section.get(section, ())
        return code in self.by_line.get(where, ())


def _comments(line: str) -> list[tuple[int, list[str]]]:
    """(column, the words after `allow`) of each whole `<!-- spectools: allow ... -->` comment on the line, in one
    pass: text that only looks like one (no `<!--`, or never closed) allows nothing."""
    out = []
    pos = 0
    while (start := line.find("<!--", pos)) >= 0:
        end = line.find("-->", start + 4)
        if end < 0:
            break
        body = line[start + 4 : end].strip()
        if body.startswith(ALLOW):
            out.append((start, body[len(ALLOW) :].replace(",", " ").split()))
        pos = end + 3
    return out


def _only_comments(line: str) -> bool:
    rest, pos = [], 0
    while (i := line.find("<!--", pos)) >= 0:
        rest.append(line[pos:i])
        j = line.find("-->", i)
        if j < 0:
            return not "".join(rest).strip()
        pos = j + 3
    rest.append(line[pos:])
    return not "".join(rest).strip()


def read(spec: Spec, raw: dict[str, str], lint_codes: frozenset[str]) -> Allowed:
    allowed = Allowed({}, {}, {}, [])
    for doc in spec.documents:
        text = raw.get(doc.path)
        if text is None or ALLOW not in text:
            continue
        lines = text.split("\n")
        heads = [s.location.line for s in doc.sections]  # in document order: the last one before a line holds it
        anchors = [s.anchor for s in doc.sections]
        blocks = _blocks(lines)
        for n, line in enumerate(lines):
            if ALLOW not in line:
                continue
            for col, words in _comments(line):
                codes = {w for w in words if w in lint_codes}
                for w in words:
                    if w not in lint_codes:
                        hint = "a lint code; validate's are set under checks" if w in CHECKS else "a lint code (SPEC610-SPEC651)"
                        message = f"the allow comment names '{w}', which is not {hint}: it allows nothing; fix the code"
                        allowed.problems.append(diag("SPEC651", Location(doc.path, n + 1, col + 1), message))
                if codes:
                    _place(allowed, doc.path, lines, n, col, codes, blocks, heads, anchors)
    return allowed


def _opens_block(line: str) -> bool:
    """A line that starts another block: a heading, a list item, a table row, a fence, a quote."""
    s = line.lstrip()
    return s.startswith(("#", "- ", "* ", "+ ", "|", "```", "~~~", ">")) or (s[:1].isdigit() and ". " in s[:5])


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """For each line, the (first, last + 1) lines of its block of non-blank lines."""
    out: list[tuple[int, int]] = [(0, 0)] * len(lines)
    start = 0
    for i in range(len(lines) + 1):
        if i == len(lines) or not lines[i].strip():
            for k in range(start, i):
                out[k] = (start, i)
            start = i + 1
    return out


def _place(allowed: Allowed, path: str, lines: list[str], n: int, col: int, codes: set[str],
           blocks: list[tuple[int, int]], heads: list[int], anchors: list[str]) -> None:  # fmt: skip
    first, end = blocks[n]
    for k in range(first, end):
        allowed.by_line.setdefault((path, k + 1), set()).update(codes)
    held = bisect_right(heads, n + 1) - 1  # the section whose text holds the comment
    if held >= 0:
        allowed.by_section.setdefault(anchors[held], set()).update(codes)
    if _only_comments(lines[n]):
        after = bisect_right(heads, n + 2) - 1
        if after >= 0 and heads[after] == n + 2:  # right before a heading: that section
            allowed.by_section.setdefault(anchors[after], set()).update(codes)
        heading = n + 1 < end and lines[n + 1].lstrip().startswith("#")  # then it is about that section alone
        stop = n + 1 if heading else next((k for k in range(n + 2, end) if _opens_block(lines[k])), end)
        tags = [m.group(1) for k in range(n + 1, stop) for m in TAG.finditer(lines[k])]
    else:
        on_line = [(m.start(), m.group(1)) for m in TAG.finditer(lines[n])]
        before = [cid for at, cid in on_line if at < col]
        tags = before[-1:] or [cid for _, cid in on_line][:1]
    for cid in tags:
        allowed.by_clause.setdefault(cid, set()).update(codes)
