"""A tolerant tokenizer for example conversations (`<user>...</user>` in an xml fence).

The text is markdown with HTML entities, not well-formed XML, so only the known
elements are structure; anything else inside a message is its text. It reports
what only the tokenizer can see (unknown elements, unclosed or mismatched tags);
checks/examples.py judges the conversation it returns.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spectools.model import Comparison, Diagnostic, Label, Location, Message, Turn, diag

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
INNER = frozenset({"settings", "untrusted"})

# Linear on any text: no lazy run is followed by an optional run that overlaps it (which made
# `<a` and 100,000 spaces quadratic); the attributes' trailing space and `/` are split off in Python.
_TOKEN = re.compile(r"<!--(.*?)-->|<(/?)([A-Za-z][\w-]*)((?:\s[^<>]*)?)(/?)>", re.S)
_CLOSE = re.compile(r"</([A-Za-z][\w-]*)\s*>")
_ATTR = re.compile(r'(?<![\w.:-])([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+))')  # names from a boundary
# VERDICT, then optionally [#anchor], then optionally `, qualifier`, then optionally `: reason`
_LABEL = re.compile(r"\s*([A-Za-z]+)\s*(?:\[#([^\]]*)\])?\s*(?:,([^:]*))?(?::(.*))?", re.S)  # the reason is stripped in Python


class _Open:
    """A message whose closing tag has not been seen yet."""

    __slots__ = ("attrs", "col", "label", "line", "pieces", "role", "settings", "start", "untrusted")

    def __init__(self, role: str, attrs: dict[str, str], line: int, col: int, start: int) -> None:
        self.role, self.attrs, self.line, self.col = role, attrs, line, col
        self.start = start  # offset just after the opening tag
        self.settings: dict[str, str] = {}
        self.untrusted: list[str] = []
        self.label: Label | None = None
        self.pieces: list[str] = []


_OUTSIDE = "text outside any message; put it inside a <user>, <assistant>... element"


class _Parser:
    """The tokenizer's state between tokens: the message open (if any), the <settings> or <untrusted>
    open inside it, the <comparison> open (its candidates so far), and how far the text is consumed."""

    def __init__(self, text: str, path: str, first_line: int, col_offset: int) -> None:
        self.text, self.path, self.first_line, self.col_offset = text, path, first_line, col_offset
        self.problems: list[Diagnostic] = []
        self.turns: list[Turn] = []
        self.candidates: list[Message] | None = None
        self.comparison_loc: Location | None = None
        self.current: _Open | None = None
        self.inner: tuple[str, int] | None = None  # (settings|untrusted, offset after its open tag)
        self.closes: dict[str, list[tuple[int, int]]] | None = None  # closing tags by name, indexed when first needed
        self.pos = 0
        self._cursor = (0, 0, 0)  # offset, line index, offset of that line's start: offsets mostly grow

    def loc(self, offset: int) -> Location:
        at, line, start = self._cursor
        if offset < at:
            at, line, start = 0, 0, 0
        newlines = self.text.count("\n", at, offset)
        if newlines:
            line += newlines
            start = self.text.rfind("\n", at, offset) + 1
        self._cursor = (offset, line, start)
        return Location(self.path, self.first_line + line, self.col_offset + offset - start + 1)

    def close_message(self, end: int) -> None:
        current = self.current
        assert current is not None
        current.pieces.append(self.text[self.pos : end])
        message = Message(
            role=current.role,
            attributes=current.attrs,
            text="".join(current.pieces).strip(),
            location=Location(self.path, current.line, current.col),
            settings=current.settings,
            untrusted=tuple(current.untrusted),
            label=current.label,
        )
        (self.candidates if self.candidates is not None else self.turns).append(message)
        self.current = None

    def close_comparison(self) -> None:
        assert self.candidates is not None and self.comparison_loc is not None
        self.turns.append(Comparison(tuple(self.candidates), self.comparison_loc))
        self.candidates = None
        self.comparison_loc = None

    def comment(self, body: str, start: int, end: int) -> None:
        """An HTML comment: the label of the message it opens, else nothing."""
        current = self.current
        if current is not None and self.inner is None and current.label is None and not self.text[current.start : start].strip():
            current.label = _label(body, self.loc(start), in_comparison=self.candidates is not None)
            current.pieces.append(self.text[self.pos : start])
            self.pos = end

    def in_message(self, lname: str, closing: bool, start: int, end: int) -> bool:
        """A tag while a message is open; True when it is consumed here, False when it also ends the
        message and is then read as between messages."""
        current = self.current
        assert current is not None
        if self.inner is not None:
            if closing and lname == self.inner[0]:
                body = self.text[self.inner[1] : start]
                if self.inner[0] == "settings":
                    current.settings.update(_settings(body))
                else:
                    current.untrusted.append(body.strip())
                    current.pieces.append(self.text[self.pos : end])
                self.pos, self.inner = end, None
            return True
        if not closing and lname in INNER:
            current.pieces.append(self.text[self.pos : start])
            self.pos, self.inner = start, (lname, end)
            return True
        if closing and lname == current.role:
            self.close_message(start)
            self.pos = end
            return True
        if lname not in ROLES and lname != "comparison":
            return True  # markup inside a message is its text
        self.problems.append(
            diag(
                "SPEC503",
                self.loc(start),
                f"<{'/' * closing}{lname}> found while <{current.role}> from line {current.line} is open; "
                f"close it with </{current.role}> first",
            )
        )
        self.close_message(start)
        self.pos = start
        if not closing:
            return False
        self.pos = end
        if lname == "comparison" and self.candidates is not None:
            self.close_comparison()
        return True

    def stray(self, upto: int) -> None:
        """Text between the last token and `upto` that is in no message: SPEC501, unless it is elided turns."""
        stray = self.text[self.pos : upto]
        if stray.strip() and not _elided(stray):
            self.problems.append(diag("SPEC501", self.loc(self.pos + len(stray) - len(stray.lstrip())), _OUTSIDE))

    def between(self, m: re.Match[str], lname: str, closing: bool, attrs: str, self_closing: str) -> None:
        """A tag between messages: a message or a comparison opens, or one closes."""
        start, end = m.span()
        here = self.loc(start)
        self.stray(start)
        self.pos = end
        if closing:
            if lname == "comparison" and self.candidates is not None:
                self.close_comparison()
            else:
                self.problems.append(diag("SPEC503", here, "closing tag closes nothing; remove it or add the opening tag"))
        elif lname == "comparison":
            if self.candidates is not None:
                self.problems.append(diag("SPEC503", here, "<comparison> inside another <comparison>; close the first one"))
            else:
                self.candidates, self.comparison_loc = [], here
        elif lname not in ROLES:
            self.unknown(m.group(3), lname, here, end)
        else:
            if self.candidates is not None and lname != "assistant":
                self.problems.append(
                    diag("SPEC501", here, f"<{lname}> inside <comparison>; a comparison holds <assistant> candidates only")
                )
            self.current = _Open(lname, _attrs(attrs), here.line, here.col, end)
            if self_closing == "/":  # <assistant/>
                self.close_message(end)

    def unknown(self, name: str, lname: str, here: Location, end: int) -> None:
        """An unknown element: reported, and skipped to its closing tag so its text is not reported again
        (a tag with no closing tag after one offset has none after any later one: never searched for
        again, so many are linear)."""
        known = ", ".join(sorted(ROLES))
        self.problems.append(diag("SPEC501", here, f"unknown role; use one of {known} (or <comparison>)"))
        self.current = None
        skip = self.closing(lname, end)
        if skip is not None:
            self.pos = skip

    def closing(self, lname: str, after: int) -> int | None:
        """The end of the first `</name>` (any case) at or after `after`, or None. Every closing tag of the text is
        indexed in one pass the first time: many unknown names cost one pass, not one search to the end each."""
        if self.closes is None:
            self.closes = {}
            for m in _CLOSE.finditer(self.text):
                self.closes.setdefault(m.group(1).lower(), []).append((m.start(), m.end()))
        found = self.closes.get(lname, [])
        i = bisect_left(found, (after, 0))
        return found[i][1] if i < len(found) else None

    def finish(self) -> None:
        """The end of the text: whatever is still open is reported and closed."""
        current = self.current
        if current is not None:
            where = Location(self.path, current.line, current.col)
            if self.inner is not None:
                self.problems.append(
                    diag("SPEC502", where, f"<{self.inner[0]}> inside <{current.role}> is never closed; add </{self.inner[0]}>")
                )
            self.problems.append(diag("SPEC502", where, f"<{current.role}> is never closed; add </{current.role}>"))
            self.close_message(len(self.text))
            self.pos = len(self.text)
        self.stray(len(self.text))
        if self.candidates is not None:
            assert self.comparison_loc is not None
            self.problems.append(diag("SPEC502", self.comparison_loc, "<comparison> is never closed; add </comparison>"))
            self.close_comparison()


def _unclosable(text: str) -> str:
    """text, for finding tokens: a `<!--` after the last `-->` can close no comment, so it is made one that cannot
    start (`<!-` and a NUL, the same length). Otherwise each such `<!--` would look for a `-->` to the end of the
    text again, and 100 KB of them would take minutes."""
    last = text.rfind("-->")
    start = last + 3 if last >= 0 else 0
    if "<!--" not in text[start:]:
        return text
    return text[:start] + text[start:].replace("<!--", "<!-\x00")


def parse_conversation(text: str, path: str, first_line: int, col_offset: int = 0) -> tuple[tuple[Turn, ...], list[Diagnostic]]:
    """Parse the body of an xml fence whose first line is `first_line` (1-based)."""
    p = _Parser(text, path, first_line, col_offset)
    for m in _TOKEN.finditer(_unclosable(text)):
        start, end = m.span()
        if start < p.pos:
            continue  # inside an unknown element that was skipped whole
        comment, slash, name, raw_attrs, self_closing = m.groups()
        if raw_attrs and raw_attrs[-1] in "/ \t\n\r":  # `<a x="1" />`: the attributes' own `[^<>]*` took the slash
            raw_attrs = raw_attrs.rstrip()
            if raw_attrs.endswith("/"):
                raw_attrs, self_closing = raw_attrs[:-1], "/"
        if comment is not None:
            p.comment(comment, start, end)
            continue
        closing, lname = slash == "/", name.lower()
        if p.current is not None and p.in_message(lname, closing, start, end):
            continue
        p.between(m, lname, closing, raw_attrs, self_closing)
    p.finish()
    return tuple(p.turns), p.problems


def _elided(stray: str) -> bool:
    """Text between messages that is only `[...]` lines: turns left out on purpose, not a defect."""
    return all(line.strip() in ("", "[...]", "...") for line in stray.splitlines())


def _label(raw: str, where: Location, in_comparison: bool) -> Label | None:
    m = _LABEL.match(raw)
    if not m or raw[m.end() :].strip():
        return Label(raw.strip(), None, None, where) if in_comparison else None
    verdict, anchor, qualifier, reason = m.group(1), m.group(2), (m.group(3) or "").strip(), (m.group(4) or "").strip()
    return Label(verdict, anchor.strip() if anchor is not None else None, reason or None, where, qualifier or None)


def _attrs(raw: str) -> dict[str, str]:
    if not raw or raw.isspace():
        return {}
    return {m.group(1): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(raw)}


def _settings(body: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in body.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out
