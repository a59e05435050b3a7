"""Output formats: text, json, github, sarif, and export; all deterministic."""

from __future__ import annotations

import json

import jsonschema
import pytest

from spectools.io import schema
from spectools.model import Diagnostic, Location
from spectools.render.diagnostics import escape_data, escape_property, github
from tests.conftest import DATA, INVALID, VALID

SARIF_SCHEMA = json.loads((DATA / "reference" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def test_json_report_conforms_to_its_schema(cli) -> None:
    result = cli("validate", "--format", "json", cwd=INVALID / "examples")
    report = json.loads(result.out)
    jsonschema.Draft202012Validator(schema("report")).validate(report)
    assert report["summary"] == {"files": 2, "errors": 7, "warnings": 1, "infos": 0}
    first = report["diagnostics"][0]
    assert first == {
        "path": "model_spec.md",
        "line": 8,
        "col": 1,
        "severity": "error",
        "code": "SPEC501",
        "title": "unknown role or element, or text outside any message",
        "message": "unknown role; use one of assistant, developer, system, tool, user (or <comparison>)",
    }
    assert result.code == 1


@pytest.mark.parametrize("case", sorted(p.name for p in INVALID.iterdir() if p.is_dir()))
def test_sarif_is_valid_sarif_2_1_0(cli, case: str) -> None:
    result = cli("validate", "--format", "sarif", cwd=INVALID / case)
    doc = json.loads(result.out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert len(run["results"]) == len(expected)


def test_sarif_locations(cli) -> None:
    doc = json.loads(cli("validate", "--format", "sarif", cwd=INVALID / "too-large").out)
    (res,) = doc["runs"][0]["results"]
    assert res["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "spec/big.md"}}}]  # whole file: no region
    doc = json.loads(cli("validate", "--format", "sarif", cwd=INVALID / "references").out)
    res = doc["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 46}
    assert res["level"] == "error"


def test_github_workflow_commands(cli) -> None:
    result = cli("validate", "--format", "github", cwd=INVALID / "ids")
    lines = result.out.splitlines()
    assert lines[0] == (
        "::error file=model_spec.md,line=7,col=1,title=SPEC201 duplicate section anchor::section anchor "
        "'first' is already used at model_spec.md:3:1; anchors are permanent, so give this section a new one"
    )
    assert lines[-1].startswith("::notice file=model_spec.md,line=19,col=1,title=SPEC206 ")


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    d = Diagnostic(Location("dir,with:odd/na%me.md", 2, 3), "warning", "SPEC603", "two\nlines: 50%")
    assert github([d], lambda p: p) == (
        "::warning file=dir%2Cwith%3Aodd/na%25me.md,line=2,col=3,title=SPEC603 empty section%3A no text of its own and "
        "no child sections::two%0Alines: 50%25\n"
    )


def test_paths_are_shown_as_given_on_the_command_line(cli) -> None:
    result = cli("validate", str(INVALID / "coverage"))
    assert result.out.splitlines()[0].startswith(f"{INVALID / 'coverage'}/examples/hp02.md:1:1: error SPEC103")


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_output_is_byte_identical_across_runs(cli, fmt: str) -> None:
    runs = {cli("validate", "--format", fmt, cwd=INVALID / case).out for case in ["examples"] for _ in range(3)}
    assert len(runs) == 1


def test_export_conforms_to_the_spec_schema(cli) -> None:
    for case in [VALID / "model-spec", VALID / "multi-file", INVALID / "examples", INVALID / "coverage"]:
        result = cli("export", cwd=case)
        doc = json.loads(result.out)
        jsonschema.Draft202012Validator(schema("spec")).validate(doc)
        assert result.code == 0
    doc = json.loads(cli("export", cwd=VALID / "model-spec").out)
    (document,) = doc["documents"]
    assert [c["id"] for c in document["clauses"]] == ["cc01", "cc02", "sw01", "rf2k", "rf3m", "sc01", "hu01"]
    assert {c["clause_id"] for c in doc["challenges"]} == {"cc01", "cc02", "sw01", "rf2k", "rf3m", "sc01", "hu01"}
    keep = next(s for s in document["sections"] if s["anchor"] == "keep_data_promises")
    comparison = keep["examples"][0]["turns"][2]
    assert comparison["type"] == "comparison"
    assert [c["label"]["verdict"] for c in comparison["candidates"]] == ["GOOD", "BAD"]
    assert cli("export", cwd=VALID / "model-spec").out == cli("export", cwd=VALID / "model-spec").out
