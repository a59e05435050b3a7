"""A markdown document -> sections, clauses, links, commentary and examples."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any, NamedTuple

from spectools.model import CLAUSE_TAG, TAG, Clause, Commentary, Diagnostic, Example, Link, Location, Section, diag
from spectools.parse.conversation import parse_conversation
from spectools.parse.markdown import events, inline, parse, simple

_NEWLINE = re.compile("\n")
_EXAMPLE = re.compile(r"^\*\*Example\*\*:\s*(.*)$", re.S)
# a run of `.!?` is tried from its first mark only (the look-behind): from each mark it would be tried again to its end
_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]+[\"'\u201d\u2019)\]*_]*(?:" + CLAUSE_TAG + r")*(?=\s|$)")
LONG_SENTENCE = 2000  # characters: a clause in a longer run-on sentence is the stretch between the tags around it
_ABBREVIATIONS = ("e.g", "i.e", "etc", "vs", "cf", "Dr", "Mr", "Mrs", "Ms", "St", "No")


class _Builder:
    """A section while the walk is in it (a plain class: a dataclass costs a millisecond to import)."""

    __slots__ = (
        "anchor", "attribute_lines", "attributes", "body_end", "body_start", "children", "clauses", "col",
        "commentary", "end_line", "examples", "level", "line", "links", "parent", "title",
    )  # fmt: skip

    def __init__(self, anchor: str, title: str, level: int, parent: str | None, attributes: dict[str, Any], line: int) -> None:
        self.anchor, self.title, self.level, self.parent = anchor, title, level, parent
        self.attributes = attributes
        self.attribute_lines = dict.fromkeys(attributes, line)
        self.line, self.col = line, 1
        self.body_start = line  # 0-based index of the first body line
        self.body_end = -1
        self.end_line = 0
        self.children: list[str] = []
        self.clauses: list[str] = []
        self.links: list[Link] = []
        self.examples: list[Example] = []
        self.commentary: list[Commentary] = []


class Walk(NamedTuple):
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
        self._texts: dict[int, str] = {}  # sentence n -> its text: the clauses of one sentence share it
        self._tags: list[tuple[int, int]] | None = None  # the spans of the paragraph's clause tags, when needed

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
        """The sentence that holds offset, with clause tags removed. In a run-on sentence (longer than LONG_SENTENCE),
        the stretch from the end of the tag before offset to the end of the tag at it, at most LONG_SENTENCE long: every
        clause of a paragraph of thousands of tags and no full stop would otherwise hold the whole paragraph."""
        n = self._end_after(offset)
        end = self._ends[n]
        start = self._ends[n - 1] if n else 0
        if end - start <= LONG_SENTENCE:
            if n not in self._texts:
                self._texts[n] = " ".join(TAG.sub("", self.content[start:end]).split())
            return self._texts[n]
        if self._tags is None:
            self._tags = [m.span() for m in TAG.finditer(self.content)]
        i = bisect_right(self._tags, (offset, len(self.content)))  # tags[i - 1]: the tag at offset
        before = self._tags[i - 2][1] if i >= 2 else start  # the end of the tag before it
        own_end = self._tags[i - 1][1] if i else offset
        lo, hi = max(start, before, offset - LONG_SENTENCE), min(end, max(own_end, offset))
        return " ".join(TAG.sub("", self.content[lo:hi]).split())


def sentence_at(content: str, offset: int) -> str:
    """The sentence of `content` that holds `offset`, with clause tags removed."""
    return Sentences(content).at(offset)


class _Walker:
    """The document walk's state: the sections built so far, the stack of open ones, and what was found."""

    def __init__(self, path: str, text: str, read_clauses: bool) -> None:
        self.path, self.read_clauses = path, read_clauses
        self.tokens, self.env = parse(text)
        self.lines = text.split("\n")
        self.problems: list[Diagnostic] = []
        self.built: list[_Builder] = []
        self.stack: list[_Builder] = []
        self.clauses: list[Clause] = []
        self.links: list[Link] = []
        self.examples: list[Example] = []
        self.example_fences: dict[int, tuple[str, Location]] = {}  # token index of an example's xml fence -> (title, where)
        self.commentary_depth = 0
        self.first_paragraph: tuple[str, int, int] | None = None
        self.not_prose: set[int] = set()  # 0-based lines of examples and commentary

    def here(self, line0: int, needle: str = "") -> Location:
        raw = self.lines[line0] if line0 < len(self.lines) else ""
        col = raw.find(needle) + 1 if needle else len(raw) - len(raw.lstrip()) + 1
        return Location(self.path, line0 + 1, max(col, 1))

    def add_example(self, example: Example) -> None:
        self.examples.append(example)
        if self.stack:
            self.stack[-1].examples.append(example)

    def heading(self, i: int, tok: Any) -> None:
        line0 = tok.map[0]
        if "unterminated" in tok.meta:
            self.problems.append(
                diag("SPEC013", self.here(line0, "{#"), "attribute block is never closed; end the heading with '}'")
            )
        attrs = tok.meta.get("attrs")
        if attrs is None:
            return
        anchor, pairs, errors, _ = attrs
        for error in errors:
            self.problems.append(diag("SPEC013", self.here(line0, "{"), error))
        if anchor is None:
            self.problems.append(
                diag(
                    "SPEC203",
                    self.here(line0, "{"),
                    "heading has an attribute block but no '#anchor'; add one such as {#my_section ...}",
                )
            )
            return
        self.open_section(i, tok, anchor, pairs)

    def open_section(self, i: int, tok: Any, anchor: str, pairs: dict[str, str]) -> None:
        """A heading with an anchor: the sections it closes are closed, and it opens under its parent."""
        line0 = tok.map[0]
        level = int(tok.tag[1:])
        if self.built and self.built[-1].body_end < 0:
            self.built[-1].body_end = line0
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop().end_line = line0
        parent = self.stack[-1] if self.stack else None
        attributes: dict[str, Any] = dict(pairs)
        if "tags" in attributes:
            attributes["tags"] = [t.strip() for t in attributes["tags"].split(",") if t.strip()]
        title = self.tokens[i + 1].content
        b = _Builder(anchor, title, level, parent.anchor if parent else None, attributes, line0 + 1)
        if parent:
            parent.children.append(anchor)
        self.built.append(b)
        self.stack.append(b)

    def inline(self, i: int, tok: Any) -> None:
        tokens = self.tokens
        if i and tokens[i - 1].type == "heading_open" and "attrs" in tokens[i - 1].meta:
            return  # a section's title
        content = tok.content
        line0 = tok.map[0] if tok.map else 0
        if self.first_paragraph is None and tokens[i - 1].type == "paragraph_open":
            self.first_paragraph = (content, line0 + 1, self.here(line0).col)
        m = _EXAMPLE.match(content) if content.startswith("**Example**") else None
        if m and self.commentary_depth == 0:
            self.example(i, " ".join(m.group(1).split()), line0)
        if ("[^" in content and self.read_clauses) or "](#" in content:
            found = simple(content, self.env)  # plain paragraphs are read without parsing their inline markup
            _Paragraph(self, content, line0, self.read_clauses and self.commentary_depth == 0).read(
                events(inline(tok, self.env)) if found is None else found
            )

    def example(self, i: int, title: str, line0: int) -> None:
        """An `**Example**: title` paragraph: its conversation is the xml fence right after it, if any."""
        nxt = self.tokens[i + 2] if i + 2 < len(self.tokens) else None
        where = self.here(line0)
        if nxt is not None and nxt.type == "fence" and (nxt.info.split() or [""])[0] == "xml":
            self.example_fences[i + 2] = (title, where)
        else:
            self.not_prose.add(line0)
            self.add_example(Example(title, where, (), False))  # SPEC508, in checks/examples.py

    def code(self, i: int, tok: Any) -> None:
        """A fence or an indented code block: unclosed, holding clause tags, or an example's conversation."""
        line0 = tok.map[0]
        first = line0 + 1 if tok.type == "fence" else line0
        if tok.type == "fence":
            last = self.lines[tok.map[1] - 1].strip() if tok.map[1] - 1 < len(self.lines) else ""
            marker = tok.markup
            closed = tok.map[1] - 1 > line0 and last.startswith(marker) and not last.strip(marker[0])
            if not closed:
                self.problems.append(
                    diag(
                        "SPEC012",
                        self.here(line0),
                        f"code fence {marker} opened here is never closed; add a closing {marker} line",
                    )
                )
        if self.read_clauses and "[^" in tok.content:
            off, counted = 0, 0
            for m in TAG.finditer(tok.content):
                off, counted = off + tok.content.count("\n", counted, m.start()), m.start()  # counted on, not again
                self.problems.append(diag("SPEC602", self.here(first + off, m.group(0)), _IN_CODE.format(m.group(1))))
        if i in self.example_fences:
            title, where = self.example_fences[i]
            self.not_prose.update(range(where.line - 1, tok.map[1]))
            indent = len(self.lines[line0]) - len(self.lines[line0].lstrip())
            turns, found = parse_conversation(tok.content, self.path, first + 1, indent)
            self.problems.extend(found)
            self.add_example(Example(title, where, turns, True))

    def commentary(self, tok: Any) -> None:
        self.commentary_depth += 1
        start, end = tok.map
        self.not_prose.update(range(start, end))
        body = "\n".join(line[4:] if line.startswith("    ") else line.lstrip() for line in self.lines[start + 1 : end])
        if self.stack:
            self.stack[-1].commentary.append(Commentary(body.strip(), self.here(start), end))

    def sections(self) -> list[Section]:
        lines = self.lines
        if self.built and self.built[-1].body_end < 0:
            self.built[-1].body_end = len(lines)
        while self.stack:
            self.stack.pop().end_line = len(lines)
        return [
            Section(
                anchor=b.anchor,
                title=b.title,
                level=b.level,
                parent=b.parent,
                attributes=b.attributes,
                attribute_lines=b.attribute_lines,
                body="\n".join(lines[b.body_start : b.body_end]).strip(),
                prose="\n".join(lines[j] for j in range(b.body_start, b.body_end) if j not in self.not_prose).strip(),
                location=Location(self.path, b.line, b.col),
                end_line=_last_text_line(lines, b.line, b.end_line),
                children=tuple(b.children),
                clauses=tuple(b.clauses),
                links=tuple(b.links),
                examples=tuple(b.examples),
                commentary=tuple(b.commentary),
            )
            for b in self.built
        ]


_IN_CODE = "clause tag [^{}] inside code is not a clause; move it into prose or remove it"


def walk(path: str, text: str, *, read_clauses: bool = True) -> Walk:
    if "\r" in text:  # markdown-it breaks lines at CR too; so must the line numbers (decode() has done this already)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    w = _Walker(path, text, read_clauses)
    for i, tok in enumerate(w.tokens):
        kind = tok.type
        if kind == "heading_open":
            w.heading(i, tok)
        elif kind == "inline":
            w.inline(i, tok)
        elif kind in ("fence", "code_block"):
            w.code(i, tok)
        elif kind == "admonition_open" and tok.meta.get("tag") == "meta":
            w.commentary(tok)
        elif kind == "admonition_close" and w.commentary_depth and _closes_meta(w.tokens, i):
            w.commentary_depth -= 1
    return Walk(w.sections(), w.clauses, w.links, w.examples, w.problems, w.first_paragraph)


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


class _Paragraph:
    """One paragraph's inline tokens: its clause tags (with their sentences) and its links to anchors."""

    def __init__(self, walker: _Walker, content: str, line0: int, read_clauses: bool) -> None:
        self.w, self.content, self.line0, self.read_clauses = walker, content, line0, read_clauses
        self.in_commentary = walker.commentary_depth > 0
        self.section = walker.stack[-1] if walker.stack else None
        self.cursor = 0
        self.link_target: str | None = None
        self.link_text: list[str] = []
        self.link_at = 0
        self.newlines: list[int] | None = None  # offsets of the paragraph's line breaks, found once when first needed
        self.sentences: Sentences | None = None  # the paragraph's sentences, found once when it holds a clause

    def locate(self, offset: int, needle: str) -> Location:
        if self.newlines is None:
            self.newlines = [m.start() for m in _NEWLINE.finditer(self.content)]
        n = bisect_right(self.newlines, offset - 1)
        line = self.line0 + n
        lines = self.w.lines
        raw = lines[line] if line < len(lines) else ""
        # the inline text drops each line's indentation, so the raw column is at least the text's column
        column = offset - (self.newlines[n - 1] + 1 if n else 0)
        found = raw.find(needle, column)
        return Location(self.w.path, line + 1, max((found if found >= 0 else raw.find(needle)) + 1, 1))

    def read(self, children: list[tuple[str, str]]) -> None:
        """Read the paragraph's inline tokens, as markdown.events gives them."""
        for ctype, content in children:
            if ctype == "text":
                self.text(content)
            elif ctype == "code_inline":
                self.code(content)
            elif ctype == "link_open":
                href = content
                if href.startswith("#"):
                    self.link_target, self.link_text = href[1:], []
                    self.link_at = self.content.find("](" + href, self.cursor)
            elif ctype == "link_close" and self.link_target is not None:
                self.link_close(self.link_target)

    def text(self, text: str) -> None:
        if self.link_target is not None:
            self.link_text.append(text)
        if "[^" not in text:
            return
        content = self.content
        for m in TAG.finditer(text):
            needle = m.group(0)
            pos = content.find(needle, self.cursor)
            if pos < 0:
                pos = max(content.find(needle), 0)
            self.cursor = pos + len(needle)
            where = self.locate(pos, needle)
            cid = m.group(1)
            if self.in_commentary:
                self.w.problems.append(
                    diag(
                        "SPEC601",
                        where,
                        f"clause tag [^{cid}] inside commentary is not a clause; move the sentence out of the commentary",
                    )
                )
            elif self.read_clauses:
                self.sentences = Sentences(content) if self.sentences is None else self.sentences
                section = self.section
                self.w.clauses.append(Clause(cid, self.sentences.at(pos), section.anchor if section else None, where))
                if section:
                    section.clauses.append(cid)

    def code(self, code: str) -> None:
        pos = self.content.find(code, self.cursor)
        if pos >= 0:
            self.cursor = pos + len(code)
        if self.read_clauses and "[^" in code:
            for m in TAG.finditer(code):
                self.w.problems.append(diag("SPEC602", self.locate(max(pos, 0), m.group(0)), _IN_CODE.format(m.group(1))))

    def link_close(self, target: str) -> None:
        where = self.locate(max(self.link_at, 0), "](#" + target)
        lines = self.w.lines
        raw = lines[where.line - 1] if where.line - 1 < len(lines) else ""
        start = raw.rfind("[", 0, max(where.col - 1, 0))
        link = Link(target, "".join(self.link_text), Location(self.w.path, where.line, start + 1 if start >= 0 else where.col))
        self.w.links.append(link)
        if self.section:
            self.section.links.append(link)
        self.link_target = None
