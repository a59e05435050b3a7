"""A tolerant tokenizer for example conversations (`<user>...</user>` in an xml fence).

The text is markdown with HTML entities, not well-formed XML, so only the known
elements are structure; anything else inside a message is its text. It reports
what only the tokenizer can see (unknown elements, unclosed or mismatched tags);
checks/examples.py judges the conversation it returns.
"""

from __future__ import annotations

import re

from spectools.model import Comparison, Diagnostic, Label, Location, Message, Turn, diag

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
INNER = frozenset({"settings", "untrusted"})

# Linear on any text: no lazy run is followed by an optional run that overlaps it (which made
# `<a` and 100,000 spaces quadratic); the attributes' trailing space and `/` are split off in Python.
_TOKEN = re.compile(r"<!--(.*?)-->|<(/?)([A-Za-z][\w-]*)((?:\s[^<>]*)?)(/?)>", re.S)
_ATTR = re.compile(r'([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+))')
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


def parse_conversation(text: str, path: str, first_line: int, col_offset: int = 0) -> tuple[tuple[Turn, ...], list[Diagnostic]]:
    """Parse the body of an xml fence whose first line is `first_line` (1-based)."""
    problems: list[Diagnostic] = []
    cursor = [0, 0, 0]  # offset, line index, offset of that line's start: offsets mostly grow

    def loc(offset: int) -> Location:
        at, line, start = cursor
        if offset < at:
            at, line, start = 0, 0, 0
        newlines = text.count("\n", at, offset)
        if newlines:
            line += newlines
            start = text.rfind("\n", at, offset) + 1
        cursor[:] = [offset, line, start]
        return Location(path, first_line + line, col_offset + offset - start + 1)

    turns: list[Turn] = []
    candidates: list[Message] | None = None
    comparison_loc: Location | None = None
    current: _Open | None = None
    inner: tuple[str, int] | None = None  # (settings|untrusted, offset after its open tag)
    unclosed: dict[str, int] = {}  # unknown element -> an offset after which it is never closed
    pos = 0

    def close_message(end: int) -> None:
        nonlocal current
        assert current is not None
        current.pieces.append(text[pos:end])
        body = "".join(current.pieces)
        message = Message(
            role=current.role,
            attributes=current.attrs,
            text=body.strip(),
            location=Location(path, current.line, current.col),
            settings=current.settings,
            untrusted=tuple(current.untrusted),
            label=current.label,
        )
        if candidates is not None:
            candidates.append(message)
        else:
            turns.append(message)
        current = None

    def close_comparison(at: Location) -> None:
        nonlocal candidates, comparison_loc
        assert candidates is not None and comparison_loc is not None
        turns.append(Comparison(tuple(candidates), comparison_loc))
        candidates = None
        comparison_loc = None

    for m in _TOKEN.finditer(text):
        start, end = m.span()
        if start < pos:
            continue  # inside an unknown element that was skipped whole
        comment, slash, name, raw_attrs, self_closing = m.groups()
        if raw_attrs and raw_attrs[-1] in "/ \t\n\r":  # `<a x="1" />`: the attributes' own `[^<>]*` took the slash
            raw_attrs = raw_attrs.rstrip()
            if raw_attrs.endswith("/"):
                raw_attrs, self_closing = raw_attrs[:-1], "/"
        if comment is not None:
            if current is not None and inner is None and current.label is None and not text[current.start : start].strip():
                current.label = _label(comment, loc(start), in_comparison=candidates is not None)
                current.pieces.append(text[pos:start])
                pos = end
            continue
        closing = slash == "/"
        lname = name.lower()
        if current is not None:
            if inner is not None:
                if closing and lname == inner[0]:
                    body = text[inner[1] : start]
                    if inner[0] == "settings":
                        current.settings.update(_settings(body))
                    else:
                        current.untrusted.append(body.strip())
                        current.pieces.append(text[pos:end])
                    pos = end
                    inner = None
                continue
            if not closing and lname in INNER:
                current.pieces.append(text[pos:start])
                pos = start
                inner = (lname, end)
                continue
            if closing and lname == current.role:
                close_message(start)
                pos = end
                continue
            if lname in ROLES or lname == "comparison":
                here = loc(start)
                problems.append(
                    diag(
                        "SPEC503",
                        here,
                        f"<{'/' * closing}{lname}> found while <{current.role}> from line {current.line} is open; "
                        f"close it with </{current.role}> first",
                    )
                )
                close_message(start)
                pos = start
                if closing:
                    pos = end
                    if lname == "comparison" and candidates is not None:
                        close_comparison(here)
                    continue
            else:
                continue  # markup inside a message is its text
        # between messages
        here = loc(start)
        stray = text[pos:start]
        if stray.strip() and not _elided(stray):
            problems.append(
                diag(
                    "SPEC501",
                    loc(pos + len(stray) - len(stray.lstrip())),
                    "text outside any message; put it inside a <user>, <assistant>... element",
                )
            )
        pos = end
        if closing:
            if lname == "comparison" and candidates is not None:
                close_comparison(here)
            else:
                problems.append(diag("SPEC503", here, "closing tag closes nothing; remove it or add the opening tag"))
            continue
        if lname == "comparison":
            if candidates is not None:
                problems.append(diag("SPEC503", here, "<comparison> inside another <comparison>; close the first one"))
                continue
            candidates, comparison_loc = [], here
            continue
        if lname not in ROLES:
            known = ", ".join(sorted(ROLES))
            problems.append(diag("SPEC501", here, f"unknown role; use one of {known} (or <comparison>)"))
            current = None
            # skip to its closing tag so its text is not reported again (a tag with no closing tag after
            # one offset has none after any later one: never searched for again, so many are linear)
            if unclosed.get(lname, len(text) + 1) > end:
                skip = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(text, end)
                if skip:
                    pos = skip.end()
                else:
                    unclosed[lname] = end
            continue
        if candidates is not None and lname != "assistant":
            problems.append(
                diag("SPEC501", here, f"<{lname}> inside <comparison>; a comparison holds <assistant> candidates only")
            )
        current = _Open(lname, _attrs(raw_attrs), here.line, here.col, end)
        if self_closing == "/":  # <assistant/>
            close_message(end)

    if current is not None:
        if inner is not None:
            problems.append(
                diag(
                    "SPEC502",
                    Location(path, current.line, current.col),
                    f"<{inner[0]}> inside <{current.role}> is never closed; add </{inner[0]}>",
                )
            )
        problems.append(
            diag("SPEC502", Location(path, current.line, current.col), f"<{current.role}> is never closed; add </{current.role}>")
        )
        close_message(len(text))
        pos = len(text)
    tail = text[pos:]
    if tail.strip() and not _elided(tail):
        problems.append(
            diag(
                "SPEC501",
                loc(pos + len(tail) - len(tail.lstrip())),
                "text outside any message; put it inside a <user>, <assistant>... element",
            )
        )
    if candidates is not None:
        assert comparison_loc is not None
        problems.append(diag("SPEC502", comparison_loc, "<comparison> is never closed; add </comparison>"))
        close_comparison(comparison_loc)
    return tuple(turns), problems


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
