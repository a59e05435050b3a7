"""The pull-request summary: one markdown body for the sticky comment and the job summary.

It shows ids, titles and counts, never a challenge's prompts or answers (they can be disturbing),
and it stays under GitHub's comment limit by dropping whole sections, lowest priority first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spectools.diff.changes import ChangeSet, Kind, clause_ids
from spectools.model import SEVERITIES, Diagnostic, Spec, severity_counts
from spectools.render.changes import LINE_LIMIT, UNITS, change_sections
from spectools.render.escape import md

MARKER = "<!-- spectools:summary -->"  # what makes a comment ours (with its author): github/api.py finds it by this
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
    line_limit: int | None = LINE_LIMIT  # None: lines as long as they are (the job summary)
    blob_url: str = ""  # what section links start with: the head's files on GitHub ("" for relative links)
    base_blob_url: str = ""  # the same at the base, for what the head no longer has
    existing: bool = False  # list the findings already there at the base too (the job summary does)
    lint: Sequence[Diagnostic] = ()  # lint findings about the clauses the change adds or changes (no verdict)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _key(d: Diagnostic) -> tuple[str, str, str]:
    return (d.code, d.location.path, d.message)  # not the line: lines move when text above them changes


def split_findings(head: Sequence[Diagnostic], base: Sequence[Diagnostic] | None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(findings the head introduces, findings the base had that the head no longer has). Without a base,
    every finding at the head is introduced."""
    ranked = sorted(head, key=lambda d: (_RANK[d.severity], d.sort_key()))
    if base is None:
        return ranked, []
    base_keys, head_keys = {_key(d) for d in base}, {_key(d) for d in head}
    fixed = sorted((d for d in base if _key(d) not in head_keys), key=lambda d: (_RANK[d.severity], d.sort_key()))
    return [d for d in ranked if _key(d) not in base_keys], fixed


def _finding(d: Diagnostic, link: Callable[[str, int], str | None]) -> str:
    where = md(f"{d.location.path}:{d.location.line}" if d.location.line else d.location.path)
    url = link(d.location.path, d.location.line)
    place = f"[{where}]({url})" if url else where
    return f"- **{d.severity}** {d.code} {place}: {md(d.message)}"


def _grouped(lines: list[str], limit: int, rest: str) -> list[str]:
    """Identical lines once, with how many times; at most `limit` lines, then a count of the rest."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    out = [line + (f" ({n} times)" if n > 1 else "") for line, n in counts.items()]
    if len(out) > limit:
        hidden = sum(counts[line] for line in list(counts)[limit:])
        out = [*out[:limit], f"- ... and {hidden} more in {rest}"]
    return out


def _existing(inputs: Inputs) -> list[Diagnostic]:
    """The head's findings that the base had already (none without a base), in the order findings are listed."""
    if inputs.base is None:
        return []
    base_keys = {_key(d) for d in inputs.base}
    return [d for d in split_findings(inputs.head, None)[0] if _key(d) in base_keys]


def _findings(inputs: Inputs) -> tuple[str, str] | None:
    introduced, fixed = split_findings(inputs.head, inputs.base)
    there = _existing(inputs) if inputs.existing else []
    if not introduced and not fixed and not there:
        return None
    parts = []
    if introduced:
        title = "Findings" if inputs.base is None else "Findings this pull request introduces"
        lines = _grouped([_finding(d, inputs.link) for d in introduced], inputs.list_limit, inputs.full_report)
        parts.append(f"### {title} ({len(introduced)})\n\n" + "\n".join(lines) + "\n")
    if fixed:
        lines = _grouped(
            [f"- ~~{d.code}~~ {md(d.location.path)}: {md(d.message)}" for d in fixed], inputs.list_limit, inputs.full_report
        )
        parts.append(f"### Findings it fixes ({len(fixed)})\n\n" + "\n".join(lines) + "\n")
    if there:
        lines = _grouped([_finding(d, inputs.link) for d in there], inputs.list_limit, inputs.full_report)
        summary = f"Findings already there before this pull request ({len(there)})"
        parts.append(f"<details><summary>{summary}</summary>\n\n" + "\n".join(lines) + "\n\n</details>\n")
    return "findings", "\n".join(parts)


def _lint(inputs: Inputs) -> tuple[str, str] | None:
    """What `spectools lint` says of the clauses this change adds or changes; it fails nothing."""
    if not inputs.lint:
        return None
    ranked = sorted(inputs.lint, key=lambda d: (_RANK[d.severity], d.sort_key()))
    lines = _grouped([_finding(d, inputs.link) for d in ranked], inputs.list_limit, inputs.full_report)
    head = f"### Lint: the clauses this changes ({len(ranked)})\n\n"
    note = "\n\n_What `spectools lint` reads in them: worth a look, never a failure._\n"
    return "lint", head + "\n".join(lines) + note


def _risks(inputs: Inputs) -> tuple[str, str] | None:
    cs = inputs.changes
    if cs is None:
        return None
    challenged = {c.subject for c in cs.changes if c.kind.about in ("challenge", "example")}
    have_files = {ch.clause_id for ch in inputs.spec.challenges} if inputs.spec else set()

    def subjects(*kinds: Kind) -> set[str]:
        return clause_ids(cs.changes, *kinds)

    risks = (
        ("Clauses changed, but their challenge files were not", subjects(Kind.CLAUSE_REWORDED, Kind.CLAUSE_MOVED) - challenged),
        ("New clauses with no challenge file", subjects(Kind.CLAUSE_ADDED) - have_files),
        (
            "**Retired ids reused** with another meaning",
            {c.subject for c in cs.changes if c.kind is Kind.ID_REUSED and not c.details.get("accepted")},
        ),
    )
    lines = [f"- {what}: {', '.join(md(f'[^{i}]') for i in sorted(ids))}" for what, ids in risks if ids]
    return ("risks", "### Review risks\n\n" + "\n".join(lines) + "\n") if lines else None


def _rates(results: Sequence[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for r in results:
        passed, samples = out.get(r["clause"], (0, 0))
        out[r["clause"]] = (passed + int(r["passed"]), samples + int(r["samples"]))
    return out


def _pct(passed: int, samples: int) -> str:
    return f"{100 * passed / samples:.0f}%" if samples else "–"


def _authorities(inputs: Inputs) -> dict[str, str]:
    if not inputs.spec:
        return {}
    levels = {anchor: s.authority for anchor, s in inputs.spec.section_index().items()}
    return {c.id: levels.get(c.section or "") or "none" for c in inputs.spec.clauses()}


def _compliance(inputs: Inputs) -> list[tuple[str, str]]:
    if inputs.results is None:
        return []
    head = _rates(inputs.results)
    at_head, at_base = _setups(inputs.results), _setups(inputs.base_results)
    base = {  # only what the base measured with the head's setup is compared: another setup is another measure
        cid: rate
        for cid, rate in (_rates(inputs.base_results) if inputs.base_results is not None else {}).items()
        if at_base.get(cid) == at_head.get(cid)
    }
    authority = _authorities(inputs)
    levels: dict[str, tuple[int, int]] = {}
    for cid, (passed, samples) in head.items():
        p, s = levels.get(authority.get(cid, "none"), (0, 0))
        levels[authority.get(cid, "none")] = (p + passed, s + samples)
    total = (sum(p for p, _ in head.values()), sum(s for _, s in head.values()))
    lines = [f"### Compliance: {_pct(*total)} of {total[1]} graded answers passed{_flaws(inputs.results)}", ""]
    lines += [_who(inputs.results), ""]
    if any(r.get("model") and r.get("model") == r.get("grader") for r in inputs.results):
        lines += ["> [!WARNING]", "> The grader is the model under test: it grades its own answers.", ""]
    if inputs.base_results:
        lines += [f"Base: {_who(inputs.base_results)}", ""]
        if any(at_base.get(cid) not in (None, at_head[cid]) for cid in head):
            lines += ["The base's results were made with another setup: their rates are not compared with these.", ""]
    lines += _shifts(inputs, head, base)
    lines += ["| authority | passed |", "|---|---|"]
    lines += [f"| {md(level)} | {_pct(*pair)} ({pair[0]}/{pair[1]}) |" for level, pair in sorted(levels.items())]
    return [("compliance", "\n".join(lines) + "\n"), ("compliance_clauses", _per_clause(inputs, head, base, authority))]


def _per_clause(
    inputs: Inputs, head: dict[str, tuple[int, int]], base: dict[str, tuple[int, int]], authority: dict[str, str]
) -> str:
    """Every clause's pass rate and its change since the base, regressions first, folded away."""

    def delta(cid: str) -> float:
        if cid not in base or not base[cid][1] or not head[cid][1]:
            return 0.0
        return head[cid][0] / head[cid][1] - base[cid][0] / base[cid][1]

    order = sorted(head, key=lambda cid: (0, delta(cid), cid) if delta(cid) < 0 else (1, 0.0, cid))  # regressions first
    rows = ["<details><summary>Per clause</summary>", "", "| clause | authority | passed | change |", "|---|---|---|---|"]
    uncalibrated = {r["clause"] for r in inputs.results or () if r.get("calibrated") is False}
    measured = {r["clause"] for r in inputs.base_results or ()}
    for cid in order:
        change = f"{100 * delta(cid):+.0f} pts" if cid in base else "another setup" if cid in measured else "new"
        change = "no grade" if not head[cid][1] else change  # every sample failed: nothing to compare
        mark = " (uncalibrated)" if cid in uncalibrated else ""
        rows.append(f"| {md(f'[^{cid}]')}{mark} | {md(authority.get(cid, 'none'))} | {_pct(*head[cid])} | {change} |")
    return "\n".join(rows) + "\n\n</details>\n"


def _flaws(results: Sequence[dict[str, Any]]) -> str:
    """What the pass rate does not count, said next to it: samples in error, answers cut off, an incomplete run."""
    errors = sum(int(r.get("errors", 0)) for r in results)
    cut = sum(int(r.get("cut_off", 0)) for r in results)
    parts = [f"{errors} sample{'s' * (errors != 1)} in error"] if errors else []
    parts += [f"{cut} answer{'s' * (cut != 1)} cut at max_tokens"] if cut else []
    parts += ["an incomplete run"] if any(r.get("complete") is False for r in results) else []
    return f" ({'; '.join(parts)})" if parts else ""


def _who(results: Sequence[dict[str, Any]]) -> str:
    """Who answered and who graded (with the grader prompt's version, when the results give it)."""
    models = ", ".join(md(m) for m in sorted({str(r.get("model", "")) for r in results} - {""})) or "-"
    graders = ", ".join(md(g) for g in sorted({str(r.get("grader", "")) for r in results} - {""})) or "-"
    versions = sorted({r["grader_prompt_version"] for r in results if r.get("grader_prompt_version")})
    who = f"Answers by **{models}**, graded by **{graders}**" + (
        f" (prompt {', '.join(md(v) for v in versions)})" if versions else ""
    )
    who += "; " + ", ".join(sorted({_setup_words(r) for r in results})) if results else ""
    return who + _calibrations(results)


def _calibrations(results: Sequence[dict[str, Any]]) -> str:
    """The grader's calibrations the results carry, in words."""
    calibrations = {json.dumps(r["calibration"], sort_keys=True): r["calibration"] for r in results if r.get("calibration")}
    said = ""
    for c in calibrations.values():
        rates = f"GOOD passed {c['tpr']:.0%}, BAD failed {c['tnr']:.0%}"
        partial = " (from an incomplete calibration)" if c.get("complete") is False else ""
        said += f"; its agreement with the spec's own labels{partial}: kappa {c['kappa']:.2f}, {rates}"
    return said


def _setup_words(r: dict[str, Any]) -> str:
    """The threshold and setup a result was made with, in words."""
    words = [f"passing at score {r['threshold']}" if isinstance(r.get("threshold"), int) else "threshold unknown"]
    setup = r.get("setup")
    if not isinstance(setup, dict):
        words.append("samples and budget unknown (results from an older spectools)")
    else:
        words.append(
            f"{setup['samples']} answer(s) a prompt, {setup['grader_samples']} grade(s) each, max_tokens {setup['max_tokens']}"
        )
        if setup.get("developer_role") == "system":
            words.append("developer messages sent as system")
        if setup.get("grader_context") == "spec":
            words.append("the grader read the whole spec")
        if setup.get("max_requests") is not None:
            words.append(f"at most {setup['max_requests']} requests")
    return ", ".join(words)


def setup_of(r: dict[str, Any]) -> str:
    """What a result's pass rate depends on besides the spec: model, grader, grader prompt, threshold, samples,
    grader samples, request budget and max_tokens (a results file or spectools.yaml can change each)."""
    return json.dumps([r.get(k) for k in ("model", "grader", "grader_prompt_version", "threshold", "setup")], sort_keys=True)


def _setups(results: Sequence[dict[str, Any]] | None) -> dict[str, set[str]]:
    """{clause: the setups its results come from}."""
    out: dict[str, set[str]] = {}
    for r in results or ():
        out.setdefault(r["clause"], set()).add(setup_of(r))
    return out


def _shifts(inputs: Inputs, head: dict[str, tuple[int, int]], base: dict[str, tuple[int, int]]) -> list[str]:
    """Regressions, then improvements: a pass rate that moved beyond both Wilson 95% intervals, between
    results of the same setup (setup_of): runs that differ in any part of it are never compared. Ids and rates only."""
    from spectools.model import wilson

    regressions, improvements = [], []
    at_head, at_base = _setups(inputs.results), _setups(inputs.base_results)
    for cid in sorted(set(head) & set(base)):
        if at_head.get(cid) != at_base.get(cid):
            continue  # another model or grader: not comparable
        (h_lo, h_hi), (b_lo, b_hi) = wilson(*head[cid]), wilson(*base[cid])
        line = f"- {md(f'[^{cid}]')}: {_pct(*base[cid])} → {_pct(*head[cid])}"
        if h_hi < b_lo:
            regressions.append(line)
        elif h_lo > b_hi:
            improvements.append(line)
    out = []
    for title, lines in (("Regressions", regressions), ("Improvements", improvements)):
        if lines:
            out += [f"**{title}** ({len(lines)}, beyond both 95% intervals):", "", *lines, ""]
    return out


# dropped first to last
PRIORITY = [
    "compliance_clauses", "wording", "lint", "notes", "compliance", "risks", "normative", "changes", "highlights",
    "breaking", "findings",
]  # fmt: skip


def render(inputs: Inputs, limit: int = COMMENT_LIMIT) -> str:
    """The whole summary; sections are dropped, least important first, until it fits in `limit`."""
    changes = change_sections(inputs.changes, inputs.blob_url, inputs.base_blob_url, inputs.line_limit)
    status = _status(inputs, sum(n for *_, n in changes), sum(n for name, _, n in changes if name == "breaking"))
    parts = (_findings(inputs), *((name, text) for name, text, _ in changes), _risks(inputs), _lint(inputs))
    sections = [s for s in (*parts, *_compliance(inputs)) if s]
    body = _body(status, sections, "", inputs.line_limit)
    while utf16_len(body) > limit and sections:
        names = {n for n, _ in sections}
        victim = next((name for name in PRIORITY if name in names), sections[-1][0])
        sections = [s for s in sections if s[0] != victim]
        note = f"\n_Some sections were left out to fit in a comment; the full report is in {inputs.full_report}._\n"
        body = _body(status, sections, note, inputs.line_limit)
    return body


def _body(status: str, sections: list[tuple[str, str]], note: str, line_limit: int | None) -> str:
    body = status + "".join("\n" + text for _, text in sections) + note + "\n" + MARKER + "\n"
    if line_limit is not None:
        body = "\n".join(_cut(line, line_limit) for line in body.split("\n"))
    return body


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _status(inputs: Inputs, n_changes: int, breaking: int) -> str:
    """The first line (pass or fail, what is new) and the notes under it."""
    introduced, _ = split_findings(inputs.head, inputs.base)
    count = severity_counts(introduced, SEVERITIES)
    errors, warnings = count["error"], count["warning"]
    failed = bool(errors) if inputs.failed is None else inputs.failed
    new = "" if inputs.base is None else "new "
    found = f"{_plural(errors, new + 'error')}, {_plural(warnings, new + 'warning')}"
    status = (
        f"## {'❌ fail' if failed else '✅ pass'} · spectools: {found}; {_plural(n_changes, 'spec change')}"
        + (f" ({breaking} breaking)" if breaking else "")
        + "\n"
    )
    notes = list(inputs.notes)
    if inputs.base is not None:
        at_head = severity_counts(inputs.head, SEVERITIES)
        old_errors, old_warnings = at_head["error"] - errors, at_head["warning"] - warnings
        if old_errors or old_warnings:
            notes.append(
                f"Already there before this pull request, and not counted above: {_plural(old_errors, 'error')}, "
                f"{_plural(old_warnings, 'warning')} ({'listed below' if inputs.existing else 'see ' + inputs.full_report})"
            )
    notes += [f"Spec changes are counted {UNITS}."] if n_changes else []
    return status + ("\n" + "".join(f"_{note}_\n" for note in notes) if notes else "")


def _cut(line: str, limit: int) -> str:
    """A line of at most `limit` characters: cut at a space, never inside an entity or a tag of ours."""
    if len(line) <= limit:
        return line
    head = line[: limit - 80]  # room for the closing tags and the note
    head = head[: max(head.rfind(" "), limit // 2)]
    head = re.sub(r"&[a-z#0-9]*$|<[^>]*$", "", head)
    opened = [t for t in ("del", "ins") if head.count(f"<{t}>") > head.count(f"</{t}>")]
    return head + "".join(f"</{t}>" for t in opened) + " … (cut: the whole line is in the job summary)"
