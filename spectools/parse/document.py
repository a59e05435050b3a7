"""A markdown document -> sections, clauses, links, commentary and examples."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from spectools.model import Clause, Commentary, Diagnostic, Example, Link, Location, Section, diag
from spectools.parse.conversation import parse_conversation
from spectools.parse.markdown import parse

TAG = re.compile(r"\[\^([^\]\s]+)\]")
_NEWLINE = re.compile("\n")
_EXAMPLE = re.compile(r"^\*\*Example\*\*:\s*(.*)$", re.S)
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]*_]*(?:\[\^[^\]\s]+\])*(?=\s|$)")
_ABBREVIATIONS = ("e.g", "i.e", "etc", "vs", "cf", "Dr", "Mr", "Mrs", "Ms", "St", "No")


@dataclass
class _Builder:
    anchor: str
    title: str
    level: int
    parent: str | None
    attributes: dict[str, Any]
    attribute_lines: dict[str, int]
    line: int
    col: int
    body_start: int  # 0-based index of the first body line
    body_end: int = -1
    end_line: int = 0
    children: list[str] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    commentary: list[Commentary] = field(default_factory=list)


@dataclass
class Walk:
    sections: list[Section]
    clauses: list[Clause]
    links: list[Link]
    examples: list[Example]
    problems: list[Diagnostic]
    first_paragraph: tuple[str, int, int] | None  # (inline content, line, col)


class Sentences:
    """The sentences of one paragraph, found as far as they are asked for and never twice: a paragraph
    of many tags is scanned once in all (linear), one of a single early tag only up to it."""

    def __init__(self, content: str) -> None:
        self.content = content
        self._ends: list[int] = []
        self._scan = _SENTENCE_END.finditer(content)
        self._done = False

    def _end_after(self, offset: int) -> int:
        """The index in _ends of the first sentence end after offset (scanning on as needed)."""
        while not self._done and (not self._ends or self._ends[-1] <= offset):
            m = next(self._scan, None)
            if m is None:
                self._done = True
                self._ends.append(len(self.content))
            elif not (m.group(0).startswith(".") and self.content[max(0, m.start() - 4) : m.start()].endswith(_ABBREVIATIONS)):
                self._ends.append(m.end())
        return min(bisect_right(self._ends, offset), len(self._ends) - 1)

    def at(self, offset: int) -> str:
        """The sentence that holds offset, with clause tags removed."""
        n = self._end_after(offset)
        end = self._ends[n]
        start = self._ends[n - 1] if n else 0
        return " ".join(TAG.sub("", self.content[start:end]).split())


def sentence_at(content: str, offset: int) -> str:
    """The sentence of `content` that holds `offset`, with clause tags removed."""
    return Sentences(content).at(offset)


def walk(path: str, text: str, *, read_clauses: bool = True) -> Walk:
    if "\r" in text:  # markdown-it breaks lines at CR too; so must the line numbers (decode() has done this already)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    tokens = parse(text)
    lines = text.split("\n")
    problems: list[Diagnostic] = []
    built: list[_Builder] = []
    stack: list[_Builder] = []
    clauses: list[Clause] = []
    links: list[Link] = []
    examples: list[Example] = []
    example_fences: dict[int, tuple[str, Location]] = {}
    commentary_depth = 0
    first_paragraph: tuple[str, int, int] | None = None
    not_prose: set[int] = set()  # 0-based lines of examples and commentary

    def here(line0: int, needle: str = "") -> Location:
        raw = lines[line0] if line0 < len(lines) else ""
        col = raw.find(needle) + 1 if needle else len(raw) - len(raw.lstrip()) + 1
        return Location(path, line0 + 1, max(col, 1))

    def add_example(example: Example) -> None:
        examples.append(example)
        if stack:
            stack[-1].examples.append(example)

    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "heading_open":
            line0 = tok.map[0]
            inline = tokens[i + 1]
            if "unterminated" in tok.meta:
                problems.append(diag("SPEC013", here(line0, "{#"), "attribute block is never closed; end the heading with '}'"))
            attrs = tok.meta.get("attrs")
            if attrs is None:
                continue
            anchor, pairs, errors, _ = attrs
            for error in errors:
                problems.append(diag("SPEC013", here(line0, "{"), error))
            if anchor is None:
                problems.append(
                    diag(
                        "SPEC203",
                        here(line0, "{"),
                        "heading has an attribute block but no '#anchor'; add one such as {#my_section ...}",
                    )
                )
                continue
            level = int(tok.tag[1:])
            if built and built[-1].body_end < 0:
                built[-1].body_end = line0
            while stack and stack[-1].level >= level:
                stack.pop().end_line = line0
            parent = stack[-1] if stack else None
            attributes: dict[str, Any] = dict(pairs)
            if "tags" in attributes:
                attributes["tags"] = [t.strip() for t in attributes["tags"].split(",") if t.strip()]
            b = _Builder(
                anchor,
                inline.content,
                level,
                parent.anchor if parent else None,
                attributes,
                {k: line0 + 1 for k in pairs},
                line0 + 1,
                1,
                line0 + 1,
            )
            if parent:
                parent.children.append(anchor)
            built.append(b)
            stack.append(b)
        elif kind == "inline":
            if i and tokens[i - 1].type == "heading_open" and "attrs" in tokens[i - 1].meta:
                continue  # a section's title
            content = tok.content
            line0 = tok.map[0] if tok.map else 0
            if first_paragraph is None and tokens[i - 1].type == "paragraph_open":
                first_paragraph = (content, line0 + 1, here(line0).col)
            m = _EXAMPLE.match(content) if content.startswith("**Example**") else None
            if m and commentary_depth == 0:
                title = " ".join(m.group(1).split())
                nxt = tokens[i + 2] if i + 2 < len(tokens) else None
                where = here(line0)
                if nxt is not None and nxt.type == "fence" and (nxt.info.split() or [""])[0] == "xml":
                    example_fences[i + 2] = (title, where)
                else:
                    not_prose.add(line0)
                    add_example(Example(title, where, (), False))  # SPEC508, in checks/examples.py
            if ("[^" in content and read_clauses) or "](#" in content:
                _inline(
                    tok,
                    content,
                    line0,
                    lines,
                    path,
                    read_clauses and commentary_depth == 0,
                    commentary_depth > 0,
                    stack,
                    clauses,
                    links,
                    problems,
                )
        elif kind in ("fence", "code_block"):
            line0 = tok.map[0]
            first = line0 + 1 if kind == "fence" else line0
            if kind == "fence":
                last = lines[tok.map[1] - 1].strip() if tok.map[1] - 1 < len(lines) else ""
                marker = tok.markup
                closed = tok.map[1] - 1 > line0 and last.startswith(marker) and not last.strip(marker[0])
                if not closed:
                    problems.append(
                        diag(
                            "SPEC012",
                            here(line0),
                            f"code fence {marker} opened here is never closed; add a closing {marker} line",
                        )
                    )
            if read_clauses and "[^" in tok.content:
                for m in TAG.finditer(tok.content):
                    off = tok.content.count("\n", 0, m.start())
                    problems.append(
                        diag(
                            "SPEC602",
                            here(first + off, m.group(0)),
                            f"clause tag [^{m.group(1)}] inside code is not a clause; move it into prose or remove it",
                        )
                    )
            if i in example_fences:
                title, where = example_fences[i]
                not_prose.update(range(where.line - 1, tok.map[1]))
                indent = len(lines[line0]) - len(lines[line0].lstrip())
                turns, found = parse_conversation(tok.content, path, first + 1, indent)
                problems.extend(found)
                add_example(Example(title, where, turns, True))
        elif kind == "admonition_open" and tok.meta.get("tag") == "meta":
            commentary_depth += 1
            start, end = tok.map
            not_prose.update(range(start, end))
            body = "\n".join(line[4:] if line.startswith("    ") else line.lstrip() for line in lines[start + 1 : end])
            note = Commentary(body.strip(), here(start), end)
            if stack:
                stack[-1].commentary.append(note)
        elif kind == "admonition_close" and commentary_depth and _closes_meta(tokens, i):
            commentary_depth -= 1

    if built and built[-1].body_end < 0:
        built[-1].body_end = len(lines)
    while stack:
        stack.pop().end_line = len(lines)
    sections = [
        Section(
            anchor=b.anchor,
            title=b.title,
            level=b.level,
            parent=b.parent,
            attributes=b.attributes,
            attribute_lines=b.attribute_lines,
            body="\n".join(lines[b.body_start : b.body_end]).strip(),
            prose="\n".join(lines[j] for j in range(b.body_start, b.body_end) if j not in not_prose).strip(),
            location=Location(path, b.line, b.col),
            end_line=_last_text_line(lines, b.line, b.end_line),
            children=tuple(b.children),
            clauses=tuple(b.clauses),
            links=tuple(b.links),
            examples=tuple(b.examples),
            commentary=tuple(b.commentary),
        )
        for b in built
    ]
    return Walk(sections, clauses, links, examples, problems, first_paragraph)


def _closes_meta(tokens: list[Any], i: int) -> bool:
    """Whether the admonition_close at i closes a `!!! meta` block (nesting-aware)."""
    depth = 0
    for j in range(i - 1, -1, -1):
        t = tokens[j]
        if t.type == "admonition_close":
            depth += 1
        elif t.type == "admonition_open":
            if depth == 0:
                return bool(t.meta.get("tag") == "meta")
            depth -= 1
    return False


def _last_text_line(lines: list[str], first: int, end: int) -> int:
    """1-based last non-blank line in [first, end] (end is a 1-based line or count)."""
    last = min(end, len(lines))
    while last > first and not lines[last - 1].strip():
        last -= 1
    return last


def _inline(
    tok: Any,
    content: str,
    line0: int,
    lines: list[str],
    path: str,
    read_clauses: bool,
    in_commentary: bool,
    stack: list[_Builder],
    clauses: list[Clause],
    links: list[Link],
    problems: list[Diagnostic],
) -> None:
    section = stack[-1] if stack else None
    cursor = 0
    link_target: str | None = None
    link_text: list[str] = []
    link_at = 0
    newlines: list[int] | None = None  # offsets of the paragraph's line breaks, found once when first needed
    sentences: Sentences | None = None  # the paragraph's sentences, found once when it holds a clause

    def locate(offset: int, needle: str) -> Location:
        nonlocal newlines
        if newlines is None:
            newlines = [m.start() for m in _NEWLINE.finditer(content)]
        n = bisect_right(newlines, offset - 1)
        line = line0 + n
        raw = lines[line] if line < len(lines) else ""
        # the inline text drops each line's indentation, so the raw column is at least the text's column
        column = offset - (newlines[n - 1] + 1 if n else 0)
        found = raw.find(needle, column)
        return Location(path, line + 1, max((found if found >= 0 else raw.find(needle)) + 1, 1))

    for child in tok.children or ():
        ctype = child.type
        if ctype == "text":
            if link_target is not None:
                link_text.append(child.content)
            if "[^" not in child.content:
                continue
            for m in TAG.finditer(child.content):
                needle = m.group(0)
                pos = content.find(needle, cursor)
                if pos < 0:
                    pos = max(content.find(needle), 0)
                cursor = pos + len(needle)
                where = locate(pos, needle)
                cid = m.group(1)
                if in_commentary:
                    problems.append(
                        diag(
                            "SPEC601",
                            where,
                            f"clause tag [^{cid}] inside commentary is not a clause; move the sentence out of the commentary",
                        )
                    )
                elif read_clauses:
                    sentences = Sentences(content) if sentences is None else sentences
                    clauses.append(Clause(cid, sentences.at(pos), section.anchor if section else None, where))
                    if section:
                        section.clauses.append(cid)
        elif ctype == "code_inline":
            pos = content.find(child.content, cursor)
            if pos >= 0:
                cursor = pos + len(child.content)
            if read_clauses and "[^" in child.content:
                for m in TAG.finditer(child.content):
                    problems.append(
                        diag(
                            "SPEC602",
                            locate(max(pos, 0), m.group(0)),
                            f"clause tag [^{m.group(1)}] inside code is not a clause; move it into prose or remove it",
                        )
                    )
        elif ctype == "link_open":
            href = str(child.attrs.get("href", ""))
            if href.startswith("#"):
                link_target, link_text = href[1:], []
                link_at = content.find("](" + href, cursor)
        elif ctype == "link_close" and link_target is not None:
            needle = "](#" + link_target
            where = locate(max(link_at, 0), needle)
            raw = lines[where.line - 1] if where.line - 1 < len(lines) else ""
            start = raw.rfind("[", 0, max(where.col - 1, 0))
            where = Location(path, where.line, start + 1 if start >= 0 else where.col)
            link = Link(link_target, "".join(link_text), where)
            links.append(link)
            if section:
                section.links.append(link)
            link_target = None
