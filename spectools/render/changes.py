"""ChangeSets -> text, markdown (the changelog's groups) and json. Output is deterministic."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from spectools import __version__
from spectools.diff.changes import CHANGE_SEVERITIES, Change, ChangeSet, Group, Kind
from spectools.model import Location, severity_counts
from spectools.render.escape import md, md_url, term, word_diff_md

CHANGES_SCHEMA_VERSION = 2


def _about_clause(c: Change) -> bool:
    return c.kind.about in ("clause", "challenge") or c.details.get("in") == "challenge"


def _where(loc: Location | None) -> str:
    return f"{loc.path}:{loc.line}" if loc else "-"


def counts(changes: Sequence[Change]) -> dict[str, int]:
    return severity_counts(changes, CHANGE_SEVERITIES)


def summary_line(cs: ChangeSet) -> str:
    if not cs.changes:
        return f"no spec changes between {cs.old or 'nothing'} and {cs.new}"
    n = counts(cs.changes)
    parts = [f"{v} {k}" for k, v in n.items() if v]
    many = "s" * (len(cs.changes) != 1)
    return f"{len(cs.changes)} change{many} ({UNITS}) between {cs.old or 'nothing'} and {cs.new}: {', '.join(parts)}"


UNITS = "one per edit of a section, clause, example or challenge file"  # what diff, changelog and the comment count


def text(cs: ChangeSet) -> str:
    lines = []
    for c in cs.changes:
        subject = f"[^{c.subject}]" if _about_clause(c) else f"#{c.subject}"
        where = f"({_where(c.old)} -> {_where(c.new)})"
        lines.append(term(f"{c.severity:9} {c.kind:18} {subject}: {c.summary}  {where}"))
        if "diff" in c.details:
            lines.append(f"{'':29}{term(diff_text(c.details['diff']))}")
    lines.extend(f"note: {term(n)}" for n in cs.notes)
    return "".join(line + "\n" for line in lines)


_TEXT_MARKS = {"keep": ("", ""), "delete": ("[-", "-]"), "insert": ("{+", "+}"), "skip": ("...", "")}


def diff_text(ops: Sequence[Sequence[str]]) -> str:
    """A word diff's runs for a terminal: `kept [-removed-] {+added+} ... kept`. The words are shown as they are."""
    return " ".join(f"{_TEXT_MARKS[op][0]}{words}{_TEXT_MARKS[op][1]}" for op, words in ops if words or op == "skip")


def diff_html(ops: Sequence[Sequence[str]]) -> str:
    """A word diff's runs as HTML: removed words in <del>, added ones in <ins>, every word escaped."""
    tags = {"delete": "del", "insert": "ins"}
    out = []
    for op, words in ops:
        if op == "skip":
            out.append("…")
        elif op in tags:
            out.append(f"<{tags[op]}>{html.escape(words)}</{tags[op]}>")
        else:
            out.append(html.escape(words))
    return " ".join(out)


def _link(c: Change, base_url: str = "", old_url: str = "") -> str:
    loc = c.new or c.old
    if c.new is None and old_url:
        base_url = old_url  # gone at the new side: its line is the old side's
    if _about_clause(c) and c.details.get("section"):
        anchor = c.details["section"]
    elif _about_clause(c):
        return md(f"[^{c.subject}]" + (f" in {c.title}" if c.title else ""))
    else:
        anchor = c.subject
    path = md_url(loc.path if loc else "")
    title = md(c.title or anchor)
    if base_url:  # GitHub gives a heading its own id, not our anchor: link to the line instead
        return f"[{title}]({base_url}{path}" + (f"?plain=1#L{loc.line}" if loc and loc.line else "") + ")"
    return f"[{title}]({path}#{md_url(anchor)})"


def entry(c: Change, base_url: str = "", old_url: str = "") -> str:
    """One markdown list item. Links are relative to the repository root, or start with base_url (the new
    side's files on GitHub, for a PR comment) or, for what the new side no longer has, old_url.
    Everything the spec wrote is escaped (render/escape.py)."""
    flag = "**breaking**: " if c.severity == "breaking" else ""
    return f"- {flag}{_link(c, base_url, old_url)}: {md(c.summary)}"


LINE_LIMIT = 1000  # characters in a line of release notes or of a comment


def diff_line(c: Change, limit: int | None = None, whole: str = "the job summary") -> str:
    """The word diff under an entry: escaped words in <del> and <ins>, never a code span that a backtick breaks.
    With a limit, a longer diff keeps its first changes and says where the rest is (`whole`)."""
    return f"  - {word_diff_md(c.details.get('diff', []), limit, whole)}"


_WHOLE = "the output of `spectools diff`"


FIRST_RELEASE = {
    "section_added": "section",
    "clause_added": "clause",
    "challenge_added": "challenge file",
    "example_added": "example",
}


def first_release(cs: ChangeSet) -> str:
    """A first release's notes: what it introduces, counted, with the full list folded (no highlights: all of it is
    new)."""
    counts: dict[str, int] = {}
    for c in cs.changes:
        counts[c.kind] = counts.get(c.kind, 0) + 1
        if c.kind == "section_added" and c.details.get("clauses"):  # its clauses, named in its entry
            counts["clause_added"] = counts.get("clause_added", 0) + len(c.details["clauses"])
    said = [f"{n} {FIRST_RELEASE.get(k, k.replace('_', ' '))}{'s' * (n != 1)}" for k, n in counts.items()]
    lines = [
        f"The first release: {', '.join(said) if said else 'an empty spec'}.",
        "",
        f"<details><summary>Everything it introduces ({len(cs.changes)})</summary>",
        "",
        "\n".join(_listed(cs)).strip("\n"),  # everything is new: no highlights
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"


def markdown(cs: ChangeSet, heading: str | None = None) -> str:
    """The changelog body: the highlights, then groups in a fixed order, normative wording first, editorial folded
    away."""
    out: list[str] = [heading, ""] if heading else []
    if not cs.changes and not cs.notes:
        out += ["No changes to the spec.", ""]
    top = highlight_entries(cs)
    if top:
        out += ["### Highlights", "", *top, ""]
    return "\n".join(out + _listed(cs))


def _listed(cs: ChangeSet) -> list[str]:
    """Every change under its group's heading, breaking ones first; then the release-wide notes."""
    by_group: dict[Group, list[Change]] = {}
    for c in cs.changes:
        by_group.setdefault(c.kind.group, []).append(c)
    out: list[str] = []
    for group, items in sorted(by_group.items()):
        out += [f"### {group.title}", ""]
        if group is Group.WORDING:
            out += _wording(items)
        else:
            out += [entry(c) for c in sorted(items, key=lambda c: c.severity != "breaking")]  # stable
        out.append("")
    if cs.notes:
        out += ["### Vocabulary", ""] + [f"- {md(n)}" for n in cs.notes] + [""]
    return out


def _wording(items: list[Change]) -> list[str]:
    """The wording group: normative changes with their word diffs, then the editorial ones folded away."""
    normative = [c for c in items if c.details.get("normative")]
    editorial = [c for c in items if not c.details.get("normative")]
    out = []
    for c in normative:
        out += [entry(c), diff_line(c, LINE_LIMIT, _WHOLE)]
    if editorial:
        n = len(editorial)
        out += [*([""] if normative else []), f"<details><summary>{n} editorial change{'s' * (n != 1)}</summary>", ""]
        for c in editorial:
            out += [entry(c), diff_line(c, LINE_LIMIT, _WHOLE)]
        out += ["", "</details>"]
    return out


WORDING = (Kind.SECTION_REWORDED, Kind.CLAUSE_REWORDED)


def change_sections(
    cs: ChangeSet | None, url: str = "", old_url: str = "", line_limit: int | None = None
) -> list[tuple[str, str, int]]:
    """(name, markdown, items listed) for the spec changes, in the pull-request summary: the highlights, then
    breaking ones under their own heading, then the other changes, then wording that changes meaning, then editorial
    wording folded away. Each heading counts exactly the items under it (the highlights, a digest, count none)."""
    if cs is None or (not cs.changes and not cs.notes):
        return []
    breaking, others, normative, editorial = _partition(cs)
    top = highlight_entries(cs, url, old_url)

    def listed(items: list[Change]) -> str:
        out = []
        for c in items:
            out.append(entry(c, url, old_url))
            if c.kind in WORDING:
                out.append(diff_line(c, line_limit))
        return "\n".join(out)

    heads = (
        ("breaking", breaking, "### Breaking changes ({n})\n\n{body}\n"),
        ("changes", others, "### Spec changes ({n})\n\n{body}\n"),
        ("normative", normative, "### Wording that changes meaning ({n})\n\n{body}\n"),
        ("wording", editorial, "<details><summary>Editorial wording ({n})</summary>\n\n{body}\n\n</details>\n"),
    )
    out = [("highlights", "### Highlights\n\n" + "\n".join(top) + "\n", 0)] if top else []  # counted below
    out += [(name, form.format(n=len(items), body=listed(items)), len(items)) for name, items, form in heads if items]
    if cs.notes:
        out.append(("notes", "".join(f"_{md(n)}_\n" for n in cs.notes), 0))
    return out


def _partition(cs: ChangeSet) -> tuple[list[Change], list[Change], list[Change], list[Change]]:
    """(breaking, other changes, normative wording, editorial wording), clause wording folded into its section's."""
    breaking = [c for c in cs.changes if c.severity == "breaking"]
    wording = [c for c in cs.changes if c.kind in WORDING and c.severity != "breaking"]
    others = [c for c in cs.changes if c.severity != "breaking" and c.kind not in WORDING]
    normative = [c for c in wording if c.details.get("normative")]
    return breaking, others, normative, [c for c in wording if not c.details.get("normative")]


def highlight_entries(cs: ChangeSet, base_url: str = "", old_url: str = "") -> list[str]:
    """The release-wide notes (a renamed authority level), then the highlights (diff/highlights.py) as markdown list
    items, each linked like every other entry, with the other sections a highlight takes in."""
    from spectools.diff.highlights import highlights

    out = [f"- {md(n)}" for n in cs.notes]
    for h in highlights(cs):
        flag = "**breaking**: " if any(c.severity == "breaking" for c in h.changes) else ""
        level = f" ({md(cs.authority[h.subject])})" if h.subject in cs.authority else ""
        seen, also = {h.subject}, list[str]()
        for c in h.changes:
            if c.kind.about == "section" and c.subject not in seen and len(also) < ALSO_LINKED:
                seen.add(c.subject)
                also.append(_link(c, base_url, old_url))
        more = f" (also {', '.join(also)})" if also else ""
        out.append(f"- {flag}{_link(h.changes[0], base_url, old_url)}{level}: {md(h.summary)}{more}")
    return out


ALSO_LINKED = 3  # other sections a highlight links, at most


def highlights_json(cs: ChangeSet) -> list[dict[str, Any]]:
    from spectools.diff.highlights import highlights

    return [
        {"subject": h.subject, "title": h.title, "summary": h.summary, "score": h.score, "reasons": list(h.reasons),
         "changes": [c.fingerprint for c in h.changes]}
        for h in highlights(cs)
    ]  # fmt: skip


def change_json(c: Change) -> dict[str, Any]:
    def loc(x: Location | None) -> dict[str, Any] | None:
        return {"path": x.path, "line": x.line, "col": x.col} if x else None

    return {
        "kind": c.kind,
        "severity": c.severity,
        "group": c.kind.group.title,
        "subject": c.subject,
        "title": c.title,
        "summary": c.summary,
        "old": loc(c.old),
        "new": loc(c.new),
        "details": c.details,
        "fingerprint": c.fingerprint,
    }


def changeset_json(cs: ChangeSet) -> dict[str, Any]:
    return {
        "old": cs.old,
        "new": cs.new,
        "summary": counts(cs.changes),
        "highlights": highlights_json(cs),
        "changes": [change_json(c) for c in cs.changes],
        "notes": list(cs.notes),
    }


def as_json(cs: ChangeSet) -> str:
    doc = {"schema_version": CHANGES_SCHEMA_VERSION, "tool": {"name": "spectools", "version": __version__}}
    doc.update(changeset_json(cs))
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
