"""The parsed spec as JSON (schema/spec.schema.json), for other tools to consume."""

from __future__ import annotations

import json
from typing import Any

from spectools import __version__
from spectools.model import Challenge, Comparison, Document, Example, Link, Location, Message, Section, Spec

SPEC_SCHEMA_VERSION = 1


def _loc(loc: Location) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "col": loc.col}


def _link(link: Link) -> dict[str, Any]:
    return {"target": link.target, "text": link.text, "location": _loc(link.location)}


def _message(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "message",
        "role": m.role,
        "attributes": m.attributes,
        "text": m.text,
        "settings": m.settings,
        "untrusted": list(m.untrusted),
        "location": _loc(m.location),
    }
    if m.label is not None:
        out["label"] = {
            "verdict": m.label.verdict,
            "anchor": m.label.anchor,
            "reason": m.label.reason,
            "qualifier": m.label.qualifier,
            "location": _loc(m.label.location),
        }
    return out


def _example(e: Example) -> dict[str, Any]:
    turns = [
        {"type": "comparison", "location": _loc(t.location), "candidates": [_message(c) for c in t.candidates]}
        if isinstance(t, Comparison)
        else _message(t)
        for t in e.turns
    ]
    return {"title": e.title, "location": _loc(e.location), "has_conversation": e.has_block, "turns": turns}


def _section(s: Section) -> dict[str, Any]:
    return {
        "anchor": s.anchor,
        "title": s.title,
        "level": s.level,
        "parent": s.parent,
        "authority": s.authority,
        "attributes": s.attributes,
        "location": _loc(s.location),
        "end_line": s.end_line,
        "body": s.body,
        "prose": s.prose,
        "children": list(s.children),
        "clauses": list(s.clauses),
        "links": [_link(x) for x in s.links],
        "examples": [_example(x) for x in s.examples],
        "commentary": [{"text": c.text, "location": _loc(c.location), "end_line": c.end_line} for c in s.commentary],
    }


def _document(d: Document) -> dict[str, Any]:
    return {
        "path": d.path,
        "front_matter": d.front_matter,
        "sections": [_section(s) for s in d.sections],
        "clauses": [{"id": c.id, "text": c.text, "section": c.section, "location": _loc(c.location)} for c in d.clauses],
    }


def _challenge(c: Challenge) -> dict[str, Any]:
    header = None
    if c.header is not None:
        header = {
            "clause_id": c.header.clause_id,
            "title": c.header.title,
            "text": c.header.text,
            "location": _loc(c.header.location),
        }
    return {
        "clause_id": c.clause_id,
        "path": c.path,
        "front_matter": c.front_matter,
        "header": header,
        "examples": [_example(e) for e in c.examples],
    }


def to_json(spec: Spec) -> str:
    doc = {
        "schema_version": SPEC_SCHEMA_VERSION,
        "tool": {"name": "spectools", "version": __version__},
        "documents": [_document(d) for d in spec.documents],
        "challenges": [_challenge(c) for c in spec.challenges],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
