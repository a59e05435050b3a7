"""A tolerant tokenizer for example conversations (`<user>...</user>` in an xml fence).

The text is markdown with HTML entities, not well-formed XML, so only the known
elements are structure; anything else inside a message is its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spectools.model import Comparison, Diagnostic, Label, Location, Message, Turn

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
INNER = frozenset({"settings", "untrusted"})
LABELS = frozenset({"GOOD", "BAD", "OK"})

_TOKEN = re.compile(r"<!--(.*?)-->|<(/?)([A-Za-z][\w-]*)((?:\s[^<>]*?)?)\s*(/?)>", re.S)
_ATTR = re.compile(r'([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+))')
_LABEL = re.compile(r"^\s*([A-Za-z]+)\s*(?:\[#([^\]]*)\])?\s*(?::\s*(.*?))?\s*$", re.S)


@dataclass
class _Open:
    role: str
    attrs: dict[str, str]
    line: int
    col: int
    start: int  # offset just after the opening tag
    settings: dict[str, str] = field(default_factory=dict)
    untrusted: list[str] = field(default_factory=list)
    label: Label | None = None
    pieces: list[str] = field(default_factory=list)


def parse_conversation(text: str, path: str, first_line: int, col_offset: int = 0) -> tuple[tuple[Turn, ...], list[Diagnostic]]:
    """Parse the body of an xml fence whose first line is `first_line` (1-based)."""
    from spectools.checks.registry import diag

    problems: list[Diagnostic] = []
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())

    def loc(offset: int) -> Location:
        import bisect

        i = bisect.bisect_right(line_starts, offset) - 1
        return Location(path, first_line + i, col_offset + offset - line_starts[i] + 1)

    turns: list[Turn] = []
    candidates: list[Message] | None = None
    comparison_loc: Location | None = None
    current: _Open | None = None
    inner: tuple[str, int] | None = None  # (settings|untrusted, offset after its open tag)
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
        if not body.strip() and not current.settings and not current.untrusted:
            problems.append(diag("SPEC507", message.location, f"<{current.role}> message is empty; write its text or remove it"))
        if candidates is not None:
            candidates.append(message)
        else:
            turns.append(message)
        current = None

    def close_comparison(at: Location) -> None:
        nonlocal candidates, comparison_loc
        assert candidates is not None and comparison_loc is not None
        if len(candidates) < 2:
            problems.append(
                diag(
                    "SPEC504",
                    comparison_loc,
                    f"<comparison> has {len(candidates)} candidate(s); give at least two <assistant> replies to compare",
                )
            )
        turns.append(Comparison(tuple(candidates), comparison_loc))
        candidates = None
        comparison_loc = None

    for m in _TOKEN.finditer(text):
        if m.start() < pos:
            continue  # inside an unknown element that was skipped whole
        if m.group(1) is not None:  # a comment
            if current is not None and inner is None and current.label is None and not text[current.start : m.start()].strip():
                current.label = _label(m.group(1), loc(m.start()), in_comparison=candidates is not None)
                current.pieces.append(text[pos : m.start()])
                pos = m.end()
            continue
        closing, name, raw_attrs = m.group(2) == "/", m.group(3), m.group(4)
        lname = name.lower()
        here = loc(m.start())
        if current is not None:
            if inner is not None:
                if closing and lname == inner[0]:
                    body = text[inner[1] : m.start()]
                    if inner[0] == "settings":
                        current.settings.update(_settings(body))
                    else:
                        current.untrusted.append(body.strip())
                        current.pieces.append(text[pos : m.end()])
                    pos = m.end()
                    inner = None
                continue
            if not closing and lname in INNER:
                current.pieces.append(text[pos : m.start()])
                pos = m.start()
                inner = (lname, m.end())
                continue
            if closing and lname == current.role:
                close_message(m.start())
                pos = m.end()
                continue
            if (closing and (lname in ROLES or lname == "comparison")) or (
                not closing and (lname in ROLES or lname == "comparison")
            ):
                problems.append(
                    diag(
                        "SPEC503",
                        here,
                        f"<{m.group(0)[1:-1].strip()}> found while <{current.role}> from line {current.line} is open; "
                        f"close it with </{current.role}> first",
                    )
                )
                close_message(m.start())
                pos = m.start()
                if closing:
                    pos = m.end()
                    if lname == "comparison" and candidates is not None:
                        close_comparison(here)
                    continue
            else:
                continue  # markup inside a message is its text
        # between messages
        stray = text[pos : m.start()]
        if stray.strip():
            problems.append(
                diag(
                    "SPEC501",
                    loc(pos + len(stray) - len(stray.lstrip())),
                    "text outside any message; put it inside a <user>, <assistant>... element",
                )
            )
        pos = m.end()
        if closing:
            if lname == "comparison" and candidates is not None:
                close_comparison(here)
            else:
                problems.append(diag("SPEC503", here, f"</{name}> closes nothing; remove it or add the opening tag"))
            continue
        if lname == "comparison":
            if candidates is not None:
                problems.append(diag("SPEC503", here, "<comparison> inside another <comparison>; close the first one"))
                continue
            candidates, comparison_loc = [], here
            continue
        if lname not in ROLES:
            known = ", ".join(sorted(ROLES))
            problems.append(diag("SPEC501", here, f"unknown role <{name}>; use one of {known} (or <comparison>)"))
            current = None
            # skip to its closing tag so its text is not reported again
            end = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(text, m.end())
            if end:
                pos = end.end()
            continue
        if candidates is not None and lname != "assistant":
            problems.append(
                diag("SPEC501", here, f"<{name}> inside <comparison>; a comparison holds <assistant> candidates only")
            )
        current = _Open(lname, _attrs(raw_attrs), here.line, here.col, m.end())
        if m.group(5) == "/":  # <assistant/>
            close_message(m.end())

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
    if tail.strip():
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
    _check_labels(turns, problems)
    return tuple(turns), problems


def _label(raw: str, where: Location, in_comparison: bool) -> Label | None:
    m = _LABEL.match(raw)
    if not m:
        return Label(raw.strip(), None, None, where) if in_comparison else None
    verdict, anchor, reason = m.group(1), m.group(2), m.group(3)
    return Label(verdict, anchor.strip() if anchor is not None else None, reason or None, where)


def _check_labels(turns: list[Turn], problems: list[Diagnostic]) -> None:
    from spectools.checks.registry import diag

    for turn in turns:
        if not isinstance(turn, Comparison):
            continue
        for cand in turn.candidates:
            if cand.role != "assistant":
                continue  # reported as SPEC501 already
            if cand.label is None:
                problems.append(
                    diag(
                        "SPEC505",
                        cand.location,
                        "candidate has no label; add <!-- GOOD -->, <!-- BAD --> or <!-- OK --> right after <assistant>",
                    )
                )
            elif cand.label.verdict not in LABELS:
                problems.append(
                    diag(
                        "SPEC506",
                        cand.label.location,
                        f"unknown label '{cand.label.verdict}'; use GOOD, BAD or OK (optionally BAD[#anchor]: reason)",
                    )
                )


def _attrs(raw: str) -> dict[str, str]:
    return {m.group(1): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(raw)}


def _settings(body: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in body.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out
