"""Findings -> text, json, GitHub workflow commands, SARIF. Output is deterministic."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from spectools import __version__
from spectools.model import CHECKS, SEVERITIES, Diagnostic, severity_counts
from spectools.render.escape import term
from spectools.render.escape import workflow_data as escape_data
from spectools.render.escape import workflow_property as escape_property

REPORT_SCHEMA_VERSION = 1
INFO_URI = "https://github.com/spectools/spectools"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def counts(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    return severity_counts(diagnostics, SEVERITIES)


def summary_line(diagnostics: Sequence[Diagnostic], files: int) -> str:
    c = counts(diagnostics)
    if not diagnostics:
        return f"no problems found in {files} file{'s' * (files != 1)}"
    parts = [
        f"{n} {name}{'s' * (n != 1)}" for name, n in (("error", c["error"]), ("warning", c["warning"]), ("info", c["info"])) if n
    ]
    return f"{', '.join(parts)} in {files} file{'s' * (files != 1)}"


def text(diagnostics: Sequence[Diagnostic], display: Callable[[str], str]) -> str:
    lines = []
    for d in diagnostics:
        loc = d.location
        shown = display(loc.path)
        if shown.startswith(":"):  # a line that starts with `::` would be a workflow command on a runner
            shown = "./" + shown
        where = term(shown) + (f":{loc.line}:{loc.col or 1}" if loc.line else "")
        lines.append(f"{where}: {d.severity} {d.code} {term(d.message)}")
    return "".join(line + "\n" for line in lines)


def as_json(diagnostics: Sequence[Diagnostic], display: Callable[[str], str], files: int) -> str:
    c = counts(diagnostics)
    doc = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "spectools", "version": __version__},
        "summary": {"files": files, "errors": c["error"], "warnings": c["warning"], "infos": c["info"]},
        "diagnostics": [
            {
                "path": display(d.location.path),
                "line": d.location.line,
                "col": d.location.col,
                "severity": d.severity,
                "code": d.code,
                "title": CHECKS[d.code].title,
                "message": d.message,
            }
            for d in diagnostics
        ],
    }
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def workflow_command(d: Diagnostic, path: str, title: str, col: int | None) -> str:
    """A finding as a GitHub workflow command (an annotation), every value escaped."""
    props = [f"file={escape_property(path)}"]
    if d.location.line:
        props.append(f"line={d.location.line}")
        if col:
            props.append(f"col={col}")
    props.append(f"title={escape_property(title)}")
    return f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{escape_data(d.message)}\n"


def github(diagnostics: Sequence[Diagnostic], display: Callable[[str], str]) -> str:
    return "".join(
        workflow_command(d, display(d.location.path), d.code + " " + CHECKS[d.code].title, d.location.col) for d in diagnostics
    )


def sarif(diagnostics: Sequence[Diagnostic], display: Callable[[str], str]) -> str:
    codes = sorted(CHECKS)
    index = {code: i for i, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": CHECKS[code].family + "/" + code,
            "shortDescription": {"text": CHECKS[code].title},
            "defaultConfiguration": {"level": _SARIF_LEVEL[CHECKS[code].severity]},
            "helpUri": f"{INFO_URI}/blob/main/docs/checks.md#{code.lower()}",
        }
        for code in codes
    ]
    results = []
    for d in diagnostics:
        physical: dict[str, object] = {"artifactLocation": {"uri": display(d.location.path)}}
        if d.location.line:
            physical["region"] = {"startLine": d.location.line, "startColumn": d.location.col or 1}
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _SARIF_LEVEL[d.severity],
                "message": {"text": d.message},
                "locations": [{"physicalLocation": physical}],
            }
        )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "spectools", "version": __version__, "informationUri": INFO_URI, "rules": rules}},
                "results": results,
            }
        ],
    }
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
