"""The pull-request summary: one markdown body for the sticky comment and the job summary.

It shows ids, titles and counts, never a challenge's prompts or answers (they can be disturbing),
and it stays under GitHub's comment limit by dropping whole sections, lowest priority first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spectools.errors import SpecError
from spectools.model import ChangeSet, Diagnostic, Spec
from spectools.render.changes import diff_line, entry, fold_clauses
from spectools.render.escape import md

MARKER = "<!-- spectools:summary -->"
COMMENT_LIMIT = 65000  # UTF-16 code units; GitHub refuses a comment body over 65,536
LIST_LIMIT = 50
_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Inputs:
    head: Sequence[Diagnostic]
    base: Sequence[Diagnostic] | None = None  # findings at the base, to tell introduced from fixed
    changes: ChangeSet | None = None
    spec: Spec | None = None  # the head spec: challenge files and authority levels
    results: Sequence[dict[str, Any]] | None = None  # schema/results.schema.json "results", at head
    base_results: Sequence[dict[str, Any]] | None = None
    link: Callable[[str, int], str | None] = field(default=lambda path, line: None)  # a file:line URL, or None
    full_report: str = "the job summary"
    failed: bool | None = None  # as fail-on decided; None: failed when there are errors
    notes: Sequence[str] = ()  # said under the status line (how the base was chosen, annotations left out)
    list_limit: int = LIST_LIMIT
    blob_url: str = ""  # what section links start with: the head's files on GitHub ("" for relative links)
    base_blob_url: str = ""  # the same at the base, for what the head no longer has


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _key(d: Diagnostic) -> tuple[str, str, str]:
    return (d.code, d.location.path, d.message)  # not the line: lines move when text above them changes


def _finding(d: Diagnostic, link: Callable[[str, int], str | None]) -> str:
    where = md(f"{d.location.path}:{d.location.line}" if d.location.line else d.location.path)
    url = link(d.location.path, d.location.line)
    place = f"[{where}]({url})" if url else where
    return f"- **{d.severity}** {d.code} {place}: {md(d.message)}"


def _findings(inputs: Inputs) -> tuple[str, str] | None:
    head = sorted(inputs.head, key=lambda d: (_RANK[d.severity], d.sort_key()))
    if inputs.base is None:
        if not head:
            return None
        lines = [_finding(d, inputs.link) for d in head[: inputs.list_limit]]
        if len(head) > inputs.list_limit:
            lines.append(f"- ... and {len(head) - inputs.list_limit} more in {inputs.full_report}")
        return "findings", "### Findings\n\n" + "\n".join(lines) + "\n"
    base_keys = {_key(d) for d in inputs.base}
    head_keys = {_key(d) for d in head}
    introduced = [d for d in head if _key(d) not in base_keys]
    fixed = sorted((d for d in inputs.base if _key(d) not in head_keys), key=lambda d: (_RANK[d.severity], d.sort_key()))
    if not introduced and not fixed:
        return None
    parts = []
    if introduced:
        lines = [_finding(d, inputs.link) for d in introduced[: inputs.list_limit]]
        if len(introduced) > inputs.list_limit:
            lines.append(f"- ... and {len(introduced) - inputs.list_limit} more in {inputs.full_report}")
        parts.append(f"### Findings this pull request introduces ({len(introduced)})\n\n" + "\n".join(lines) + "\n")
    if fixed:
        lines = [f"- ~~{d.code}~~ {md(d.location.path)}: {md(d.message)}" for d in fixed[: inputs.list_limit]]
        parts.append(f"### Findings it fixes ({len(fixed)})\n\n" + "\n".join(lines) + "\n")
    return "findings", "\n".join(parts)


def _changes(cs: ChangeSet | None, url: str = "", old_url: str = "") -> list[tuple[str, str]]:
    if cs is None or (not cs.changes and not cs.notes):
        return []
    breaking = [c for c in cs.changes if c.severity == "breaking"]
    others = [c for c in cs.changes if c.severity != "breaking" and c.kind not in ("section_reworded", "clause_reworded")]
    wording = fold_clauses([c for c in cs.changes if c.kind in ("section_reworded", "clause_reworded")])
    out = []
    body = [f"### Spec changes ({len(cs.changes)})", ""]
    if breaking:
        body += [f"**Breaking ({len(breaking)})**", ""] + [entry(c, url, old_url) for c in breaking] + [""]
    body += [entry(c, url, old_url) for c in others]
    body += [f"- {n}" for n in cs.notes]
    out.append(("changes", "\n".join(body).rstrip() + "\n"))
    if wording:
        lines = [f"<details><summary>Wording ({len(wording)} change{'s' * (len(wording) != 1)})</summary>", ""]
        for c in wording:
            lines += [entry(c, url, old_url), diff_line(c)]
        out.append(("wording", "\n".join(lines) + "\n\n</details>\n"))
    return out


def _risks(inputs: Inputs) -> tuple[str, str] | None:
    cs = inputs.changes
    if cs is None:
        return None
    challenged = {c.subject for c in cs.changes if c.kind.startswith(("challenge_", "example_", "label_"))}
    have_files = {ch.clause_id for ch in inputs.spec.challenges} if inputs.spec else set()
    stale = sorted({c.subject for c in cs.changes if c.kind in ("clause_reworded", "clause_moved")} - challenged)
    uncovered = sorted({c.subject for c in cs.changes if c.kind == "clause_added"} - have_files)
    reused = sorted({c.subject for c in cs.changes if c.kind == "id_reused"})
    lines = []
    if stale:
        lines.append(f"- Clauses changed, but their challenge files were not: {', '.join(md(f'[^{i}]') for i in stale)}")
    if uncovered:
        lines.append(f"- New clauses with no challenge file: {', '.join(md(f'[^{i}]') for i in uncovered)}")
    if reused:
        lines.append(f"- **Retired ids reused** with another meaning: {', '.join(md(f'[^{i}]') for i in reused)}")
    return ("risks", "### Review risks\n\n" + "\n".join(lines) + "\n") if lines else None


def _rates(results: Sequence[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for r in results:
        passed, samples = out.get(r["clause"], (0, 0))
        out[r["clause"]] = (passed + int(r["passed"]), samples + int(r["samples"]))
    return out


def _pct(passed: int, samples: int) -> str:
    return f"{100 * passed / samples:.0f}%" if samples else "–"


def _compliance(inputs: Inputs) -> list[tuple[str, str]]:
    if inputs.results is None:
        return []
    head = _rates(inputs.results)
    base = _rates(inputs.base_results) if inputs.base_results is not None else {}
    authority = (
        {
            c.id: (next((s.authority for s in inputs.spec.sections() if s.anchor == c.section), None) or "none")
            for c in inputs.spec.clauses()
        }
        if inputs.spec
        else {}
    )

    def delta(cid: str) -> float:
        if cid not in base or not base[cid][1] or not head[cid][1]:
            return 0.0
        return head[cid][0] / head[cid][1] - base[cid][0] / base[cid][1]

    levels: dict[str, tuple[int, int]] = {}
    for cid, (passed, samples) in head.items():
        p, s = levels.get(authority.get(cid, "none"), (0, 0))
        levels[authority.get(cid, "none")] = (p + passed, s + samples)
    total = (sum(p for p, _ in head.values()), sum(s for _, s in head.values()))
    lines = [f"### Compliance: {_pct(*total)} of {total[1]} graded answers passed", "", "| authority | passed |", "|---|---|"]
    lines += [f"| {md(level)} | {_pct(*pair)} ({pair[0]}/{pair[1]}) |" for level, pair in sorted(levels.items())]
    out = [("compliance", "\n".join(lines) + "\n")]
    order = sorted(head, key=lambda cid: (0, delta(cid), cid) if delta(cid) < 0 else (1, 0.0, cid))  # regressions first
    rows = ["<details><summary>Per clause</summary>", "", "| clause | authority | passed | change |", "|---|---|---|---|"]
    for cid in order:
        change = f"{100 * delta(cid):+.0f} pts" if cid in base else "new"
        rows.append(f"| {md(f'[^{cid}]')} | {md(authority.get(cid, 'none'))} | {_pct(*head[cid])} | {change} |")
    out.append(("compliance_clauses", "\n".join(rows) + "\n\n</details>\n"))
    return out


PRIORITY = ["compliance_clauses", "wording", "compliance", "risks", "changes", "findings"]  # dropped first to last


def render(inputs: Inputs, limit: int = COMMENT_LIMIT) -> str:
    """The whole summary; sections are dropped, least important first, until it fits in `limit`."""
    errors = sum(1 for d in inputs.head if d.severity == "error")
    warnings = sum(1 for d in inputs.head if d.severity == "warning")
    breaking = sum(1 for c in inputs.changes.changes if c.severity == "breaking") if inputs.changes else 0
    n_changes = len(inputs.changes.changes) if inputs.changes else 0
    failed = bool(errors) if inputs.failed is None else inputs.failed
    mark = "❌ fail" if failed else "✅ pass"
    status = (
        f"## {mark} · spectools: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}; "
        f"{n_changes} spec change{'s' * (n_changes != 1)}" + (f" ({breaking} breaking)" if breaking else "") + "\n"
    )
    if inputs.notes:
        status += "\n" + "".join(f"_{note}_\n" for note in inputs.notes)
    sections = [
        s
        for s in (
            _findings(inputs),
            *_changes(inputs.changes, inputs.blob_url, inputs.base_blob_url),
            _risks(inputs),
            *_compliance(inputs),
        )
        if s
    ]
    dropped = False
    while True:
        note = (
            f"\n_Some sections were left out to fit in a comment; the full report is in {inputs.full_report}._\n"
            if dropped
            else ""
        )
        body = status + "".join("\n" + text for _, text in sections) + note + "\n" + MARKER + "\n"
        if utf16_len(body) <= limit or not sections:
            return body
        victim = next((name for name in PRIORITY if any(n == name for n, _ in sections)), sections[-1][0])
        sections = [s for s in sections if s[0] != victim]
        dropped = True


def load_results(text: str, name: str) -> list[dict[str, Any]]:
    """A results file (schema/results.schema.json), checked as untrusted input; SpecError says what is wrong."""
    import jsonschema

    from spectools.resources import schema

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise SpecError(f"{name}: nested too deeply to be a results file") from None
    errors = sorted(jsonschema.Draft202012Validator(schema("results")).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise SpecError(f"{name}: {where}: {errors[0].message} (see schema/results.schema.json)")
    results: list[dict[str, Any]] = data["results"]
    for r in results:
        if r["passed"] > r["samples"]:
            raise SpecError(f"{name}: clause {r['clause']}: passed ({r['passed']}) is more than samples ({r['samples']})")
    return results
