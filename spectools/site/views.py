"""What each page shows, as plain data for the templates: a release's sections in order with their prose, examples,
history and compliance; a redline's changes in the order of the highlights' ranking; the index of releases.

Nothing here is markup but what site/prose.py and site/compliance.py make (escaped by construction); everything
else reaches a template as text, which Jinja2 escapes (autoescape is on for every page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from spectools.diff.changes import Change, ChangeSet, Group, Kind, sort_key
from spectools.diff.highlights import Highlight, highlights, section_of
from spectools.model import Comparison, Example, Message, Section, Spec
from spectools.site.compliance import Compliance, Rate, chart
from spectools.site.prose import Block, Links, blocks, inline


class PageRef(NamedTuple):
    label: str  # the tag, or "Unreleased"
    file: str  # e.g. v2025.12.18.html
    date: str
    commit: str


class Entry(NamedTuple):
    """One line of a section's history: in which release, what, and the redline that shows it."""

    release: str
    what: str
    href: str


class MessageView(NamedTuple):
    role: str
    attributes: tuple[tuple[str, str], ...]
    settings: tuple[tuple[str, str], ...]
    parts: tuple[tuple[str, str], ...]  # ("text" | "untrusted", html)
    label: Any  # model.Label or None
    label_href: str


class ExampleView(NamedTuple):
    ident: str
    title: str
    turns: tuple[Any, ...]  # MessageView, or a tuple of MessageView (a comparison's candidates)


class SectionView(NamedTuple):
    anchor: str
    title: str
    heading: int  # 2..6: the depth under the page's h1, so heading levels never skip
    authority: str | None
    tags: tuple[str, ...]
    blocks: tuple[Block, ...]
    examples: tuple[ExampleView, ...]
    history: tuple[Entry, ...]
    clauses: tuple[tuple[str, str, tuple[Rate, ...]], ...]  # (clause id, its permalink or "", its rate per model)
    rates: tuple[Rate, ...]
    chart: str


class TocItem(NamedTuple):
    anchor: str
    title: str
    authority: str | None
    children: tuple[TocItem, ...]


def _untrusted_parts(text: str) -> list[tuple[str, str]]:
    """A message's text cut at `<untrusted>...</untrusted>` (str.find: linear on any input)."""
    out, pos = [], 0
    while True:
        start = text.find("<untrusted>", pos)
        end = text.find("</untrusted>", start + 11) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(("text", text[pos:]))
            return [p for p in out if p[1].strip()]
        out += [("text", text[pos:start]), ("untrusted", text[start + 11 : end])]
        pos = end + 12


def _message(m: Message, links: Links) -> MessageView:
    label_href = ""
    if m.label is not None and m.label.anchor and m.label.anchor in links.titles:
        label_href = "#" + m.label.anchor
    return MessageView(
        m.role,
        tuple(sorted(m.attributes.items())),
        tuple(m.settings.items()),
        tuple((kind, inline(text, links)) for kind, text in _untrusted_parts(m.text)),
        m.label,
        label_href,
    )


def _example(e: Example, ident: str, links: Links) -> ExampleView:
    turns: list[Any] = []
    for t in e.turns:
        if isinstance(t, Comparison):
            turns.append(tuple(_message(m, links) for m in t.candidates))
        else:
            turns.append(_message(t, links))
    return ExampleView(ident, e.title, tuple(turns))


def toc(sections: Sequence[Section]) -> tuple[TocItem, ...]:
    """The sections as a tree, in document order (a section whose parent is not on the page is at the top)."""
    known = {s.anchor for s in sections}
    kids: dict[str | None, list[Section]] = {}
    for s in sections:
        kids.setdefault(s.parent if s.parent in known else None, []).append(s)
    out: dict[str, TocItem] = {}
    for s in reversed(sections):  # children before their parents: each item is made once, bottom up
        out[s.anchor] = TocItem(
            s.anchor, s.title, _authority(s), tuple(out[c.anchor] for c in kids.get(s.anchor, ()) if c.anchor in out)
        )
    return tuple(out[s.anchor] for s in kids.get(None, ()) if s.anchor in out)


def _authority(s: Section) -> str | None:
    level = s.attributes.get("authority")
    return str(level) if isinstance(level, str) and level else None


def _depths(sections: Sequence[Section]) -> dict[str, int]:
    known = {s.anchor for s in sections}
    depth: dict[str, int] = {}
    for s in sections:  # a parent comes before its children in document order
        depth[s.anchor] = depth.get(s.parent, 0) + 1 if s.parent in known else 1
    return depth


def release_sections(
    spec: Spec, history: dict[str, list[Entry]], results: Compliance | None, preamble: str = ""
) -> tuple[tuple[SectionView, ...], tuple[TocItem, ...], str]:
    """Every section of every document in order, ready to draw, with the contents and the preamble's HTML."""
    sections = [s for d in spec.documents for s in d.sections]
    unique: dict[str, Section] = {}
    for s in sections:
        unique.setdefault(s.anchor, s)  # a duplicate anchor (a validation error) is shown once
    sections = list(unique.values())
    titles = {s.anchor: s.title for s in sections}
    links = Links(titles, lambda cid: f"#clause={cid}", set())
    depth = _depths(sections)
    views = []
    for s in sections:
        body = tuple(blocks(s.body, len(s.examples), links))
        examples = tuple(_example(e, f"{s.anchor}=example={i + 1}", links) for i, e in enumerate(s.examples))
        rates = results.section(s.clauses) if results else ()
        graded = {cid: results.clauses[cid] for cid in s.clauses if cid in results.clauses} if results else {}
        # a clause's rate links its permalink where the page has one (not for a tag inside a link, or an odd id)
        clause_rates = tuple((c, links.clause_href(c) if c in links.tagged else "", r) for c, r in graded.items())
        tags = s.attributes.get("tags")
        views.append(
            SectionView(
                s.anchor,
                s.title,
                min(6, depth[s.anchor] + 1),
                _authority(s),
                tuple(str(t) for t in tags) if isinstance(tags, list) else (),
                body,
                examples,
                tuple(history.get(s.anchor, ())),
                clause_rates,
                rates,
                chart(rates, f"compliance of {s.title}"),
            )
        )
    opening = "".join(b.html for b in blocks(preamble, 0, links)) if preamble else ""
    return tuple(views), toc(sections), opening


# ---- history of sections across releases


_WHAT = {
    Kind.SECTION_ADDED: "added",
    Kind.SECTION_RENAMED: "renamed",
    Kind.SECTION_MOVED: "moved",
    Kind.SECTION_RETITLED: "retitled",
    Kind.SECTION_SPLIT: "split",
    Kind.SECTION_MERGED: "merged",
    Kind.SECTION_REWORDED: "reworded",
}


def _what(c: Change) -> str:
    if c.kind.group is Group.AUTHORITY:
        return c.summary
    if c.kind in _WHAT:
        return _WHAT[c.kind]
    if c.kind.about == "clause":
        return f"clause {c.subject} {str(c.kind).split('_', 1)[1]}"
    return str(c.kind).replace("_", " ")


def add_history(history: dict[str, list[Entry]], cs: ChangeSet, release: str, redline: str) -> None:
    """Add one release's changes to each section's history (a renamed section keeps the history of its old name)."""
    for c in cs.changes:
        if c.kind is Kind.SECTION_RENAMED:
            history[str(c.details["to"])] = history.pop(str(c.details["from"]), [])
    said: dict[str, list[str]] = {}
    for c in sorted(cs.changes, key=sort_key):
        anchor = section_of(c)
        if anchor.startswith("[^"):
            continue
        what = _what(c)
        if what not in said.setdefault(anchor, []):
            said[anchor].append(what)
    for anchor, whats in said.items():
        history.setdefault(anchor, []).append(Entry(release, "; ".join(whats), f"{redline}#{anchor}"))


# ---- redlines


class ChangeView(NamedTuple):
    ident: str  # the id of its entry ("" when the section's first entry has it)
    kind: str
    severity: str
    title: str
    summary: str
    href: str
    diff: str  # markup from render/changes.diff_html (every word escaped), or ""


class GroupView(NamedTuple):
    title: str
    changes: tuple[ChangeView, ...]


class HighlightView(NamedTuple):
    score: float
    title: str
    summary: str
    reasons: tuple[str, ...]
    href: str


def _href(c: Change, old: PageRef | None, new: PageRef, anchors: dict[str, set[str]]) -> str:
    """The section of the change on the new page; on the old one when it is gone (removed, split, merged into
    another); no link when neither shows it."""
    anchor = section_of(c)
    for page in (old, new) if c.new is None else (new, old):  # what is gone is shown where it still is
        if page is not None and anchor in anchors.get(page.file, ()):
            return f"{page.file}#{anchor}"
    return ""


def redline(
    cs: ChangeSet, old: PageRef | None, new: PageRef, anchors: dict[str, set[str]]
) -> tuple[tuple[HighlightView, ...], tuple[GroupView, ...]]:
    """The highlights (issue 15's ranking), then every change under its group, each section's first entry with the
    section's anchor as its id (what release pages link to). anchors: the section anchors on each page."""
    from spectools.render.changes import diff_html

    ranked = highlights(cs)
    top = tuple(HighlightView(h.score, h.title, h.summary, h.reasons, _first_anchor(h.changes)) for h in ranked)
    order = _ranked_order(ranked, cs.changes)
    seen: set[str] = set()
    groups: dict[Group, list[ChangeView]] = {}
    for c in sorted(cs.changes, key=lambda c: (c.kind.group, order.get(c.fingerprint, len(order)), sort_key(c))):
        anchor = section_of(c)
        ident = "" if anchor in seen or anchor.startswith("[^") else anchor
        seen.add(anchor)
        ops = c.details.get("diff") or _whole(c)
        href = _href(c, old, new, anchors)
        groups.setdefault(c.kind.group, []).append(
            ChangeView(ident, str(c.kind), c.severity, c.title, c.summary, href, diff_html(ops) if ops else "")
        )
    return top, tuple(GroupView(g.title, tuple(items)) for g, items in sorted(groups.items()))


def _whole(c: Change) -> list[tuple[str, str]]:
    """An added or removed clause has no word diff: all its words are inserted or deleted."""
    text = str(c.details.get("text") or "")
    op = {Kind.CLAUSE_ADDED: "insert", Kind.CLAUSE_REMOVED: "delete"}.get(c.kind)
    return [(op, text)] if op and text else []


def _first_anchor(changes: Sequence[Change]) -> str:
    """Where a highlight links on its redline: the first of its changes that is about a known section."""
    anchors = [a for a in (section_of(c) for c in changes) if not a.startswith("[^")]
    return f"#{anchors[0]}" if anchors else ""


def _ranked_order(ranked: Sequence[Highlight], changes: Sequence[Change]) -> dict[str, int]:
    """Within a group, the changes of the highest highlights first (then the notes' order)."""
    order: dict[str, int] = {}
    for h in ranked:
        for c in h.changes:
            order.setdefault(c.fingerprint, len(order))
    return order
