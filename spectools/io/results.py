"""The results file of `spectools eval run` (schema/results.schema.json, version 3), in one place: the typed run
and per-clause result `eval` makes, the document it writes, and the loader the pull-request summary reads it with
(as untrusted input); and the calibration report `eval run --calibration` reads. Low in the house, so that both can use it."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from spectools.model import SpecError

SCHEMA_VERSION = 3  # 3: run.setup and cut_off (2 and 1 are still read)


class RunInfo(NamedTuple):
    spec_commit: str | None
    model: str
    grader: str
    grader_prompt_version: str
    threshold: int
    started: str
    ended: str
    complete: bool
    requests: int
    cache_hits: int
    prompt_tokens: int
    completion_tokens: int
    setup: dict[str, int | str | None]  # samples, grader_samples, max_requests, max_tokens, developer_role...
    grading: dict[str, int | str]  # grades asked for with the JSON schema, as plain text, and why it fell back
    errors: int  # samples with no answer or no usable grade
    cut_off: int  # answers cut at max_tokens


class ClauseResult(NamedTuple):
    """One clause's result: samples graded, how many passed, the samples in error (never a pass or a fail), the answers
    cut at max_tokens, the pass rate and its Wilson 95% interval; calibrated: whether the grader is calibrated on its
    section (None: not known)."""

    clause: str
    section: str | None
    authority: str | None
    samples: int
    passed: int
    errors: int
    cut_off: int
    score: float
    interval: tuple[float, float]
    calibrated: bool | None = None

    def as_json(self) -> dict[str, Any]:
        row = {**self._asdict(), "interval": list(self.interval)}
        if self.calibrated is None:
            row.pop("calibrated")
        return row


def document(info: RunInfo, results: list[ClauseResult], calibration: dict[str, Any] | None = None) -> dict[str, Any]:
    """The results file's content."""
    run = info._asdict()
    tokens = {"prompt": run.pop("prompt_tokens"), "completion": run.pop("completion_tokens")}
    if calibration is not None:
        run["calibration"] = calibration
    return {"schema_version": SCHEMA_VERSION, "run": {**run, "tokens": tokens}, "results": [r.as_json() for r in results]}


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load(text: bytes | str, name: str) -> list[dict[str, Any]]:
    """A results file's rows (one per clause, each with its run's model, grader, threshold, setup and completeness,
    as version 1 has them), checked as untrusted input against schema/results.schema.json; SpecError says what is
    wrong."""
    from spectools.io import schema
    from spectools.io.external import parse_json, validator

    data = parse_json(text, name, "a results file")
    full = schema("results")
    version = data.get("schema_version") if isinstance(data, dict) else None
    version = version if type(version) is int else None  # 1.0 and true are no version (the schema then says why)
    # the version's own definition, so that a message names the field at fault, not the "oneOf"
    checked = {"$defs": full["$defs"], **full["$defs"][f"v{version}"]} if version in (1, 2, 3) else full
    checked = {**checked, "required": sorted({*full.get("required", ()), *checked.get("required", ())})}
    errors = sorted(validator(checked).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise SpecError(f"{name}: {where}: {errors[0].message} (see schema/results.schema.json)")
    results: list[dict[str, Any]] = data["results"]
    if version in (2, 3):  # the run's model, grader and commit on every row, as version 1 has them
        run = data["run"]
        same = {"model": run["model"], "grader": run["grader"], "grader_prompt_version": run["grader_prompt_version"],
                "threshold": run["threshold"], "setup": run.get("setup"), "complete": run["complete"]}  # fmt: skip
        if "calibration" in run:
            same["calibration"] = run["calibration"]
        results = [{**r, **same, "spec_commit": run["spec_commit"] or ""} for r in results]
    for r in results:
        if r["passed"] > r["samples"]:
            raise SpecError(f"{name}: clause {r['clause']}: passed ({r['passed']}) is more than samples ({r['samples']})")
    return results


def load_calibration(name: str) -> tuple[dict[str, bool], dict[str, Any], str]:
    """({section: calibrated?}, what results carry of it: kappa, tpr, tnr and whether it is complete, a warning or "")
    from a calibration report (read as untrusted: SpecError says what is wrong)."""
    from pathlib import Path

    from spectools.io.external import read_json

    hint = "write one with `spectools eval calibrate --out FILE`"
    report = read_json(Path(name), f"a calibration report ({hint})")
    try:
        sections = {str(s["section"]): s["calibrated"] is True for s in report["sections"]}
        rates: dict[str, Any] = {k: float(report[k]) for k in ("kappa", "tpr", "tnr")}
    except (KeyError, TypeError, ValueError):
        raise SpecError(f"{name}: not a calibration report (it needs sections, kappa, tpr and tnr); {hint}") from None
    if not (-1 <= rates["kappa"] <= 1 and 0 <= rates["tpr"] <= 1 and 0 <= rates["tnr"] <= 1):
        raise SpecError(f"{name}: kappa must be from -1 to 1, and tpr and tnr from 0 to 1; {hint}")
    for key, kind in (("grader", str), ("threshold", int)):  # what was calibrated: the run compares
        if type(report.get(key)) is kind:
            rates[key] = report[key]
    warning = ""
    if isinstance(report.get("complete"), bool):  # an interrupted or bounded calibrate says so; it is shown as such
        rates["complete"] = report["complete"]
        if not report["complete"]:
            c = report.get("coverage")
            known = isinstance(c, dict) and all(type(c.get(k)) is int for k in ("graded", "cases"))
            whole = c.get("in_spec") if known and type(c.get("in_spec")) is int else c["cases"] if known else 0
            coverage = f"{c['graded']} of the spec's {whole} labelled answers graded" if known else "coverage unknown"
            warning = f"{name}: an incomplete calibration ({coverage}); the results mark it so"
    return sections, rates, warning
