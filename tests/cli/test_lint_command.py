"""`spectools lint` end to end: formats, exit codes, --select, suppression comments, word lists from spectools.yaml,
`validate --lint`, and the model's second opinion through a scripted chat-completions server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from spectools.io import schema
from tests.chat_server import ChatServer, Reply, completion, error
from tests.conftest import DATA, ROOT, write
from tests.security.strategies import obeyed

SPEC = """# Ferry spec {#ferry}

## Tone {#tone authority=user}

The assistant should usually greet the passenger by name[^tn01].
The assistant should not use exclamation marks[^tn02].
The assistant should always use exclamation marks in greetings[^tn03].
The assistant must state the departure time in local time[^tn04].
"""


def spec(root: Path, text: str = SPEC, config: str | None = None) -> Path:
    files = {"model_spec.md": text}
    if config is not None:
        files["spectools.yaml"] = config
    write(root, files)
    return root


def test_text_output_names_file_line_code_words_and_fix(cli, tmp_path: Path) -> None:
    root = spec(tmp_path / "s")
    result = cli("lint", str(root), "--select", "SPEC610,SPEC640")
    assert result.code == 1
    where = f"{root}/model_spec.md"
    assert result.out == (
        f"{where}:5:22: warning SPEC610 clause [^tn01] uses vague quantity or frequency words: 'usually'; say how much "
        "or how often (a number, a condition, a list)\n"
        f"{where}:6:47: warning SPEC640 clauses [^tn02] and [^tn03] (model_spec.md:7) pull against each other: 'should "
        "not use exclamation marks' against 'should always use exclamation marks in greetings' (shared: exclamation, "
        "marks, use; overlap 1.00); both at user authority: reconcile them, or say which one yields (e.g. 'unless ...')\n"
    )
    assert result.err == "spectools: 2 warnings in 1 file\n"


def test_fail_on_and_a_clean_spec(cli, tmp_path: Path) -> None:
    clean = spec(tmp_path / "clean", "## Tone {#tone authority=user}\n\nThe assistant must state the departure time[^tn04].\n")
    assert cli("lint", str(clean)).code == 0
    root = spec(tmp_path / "s")
    assert cli("lint", str(root), "--fail-on", "never").code == 0
    assert cli("lint", str(root), "--fail-on", "error").code == 0  # lint findings are warnings, notices and hints
    assert cli("lint", str(root)).code == 1


def test_json_and_sarif_follow_their_schemas(cli, tmp_path: Path) -> None:
    root = spec(tmp_path / "s")
    doc = json.loads(cli("lint", str(root), "--format", "json").out)
    jsonschema.validate(doc, schema("report"))
    assert {d["code"] for d in doc["diagnostics"]} >= {"SPEC610", "SPEC640", "SPEC650"}
    sarif = json.loads(cli("lint", str(root), "--format", "sarif").out)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {d["code"] for d in doc["diagnostics"]}
    github = cli("lint", str(root), "--format", "github").out
    assert github.startswith("::warning file=") and "title=SPEC610 clause uses vague quantity" in github


def test_select_takes_codes_and_prefixes_and_refuses_names_that_select_nothing(cli, tmp_path: Path) -> None:
    root = spec(tmp_path / "s")
    out = cli("lint", str(root), "--select", "spec64", "--format", "json").out
    assert {d["code"] for d in json.loads(out)["diagnostics"]} == {"SPEC640"}
    bad = cli("lint", str(root), "--select", "SPEC640,SPEC101")
    assert bad.code == 2 and "--select: 'SPEC101' names no lint check" in bad.err


def test_a_comment_allows_codes_for_its_clause_only(cli, tmp_path: Path) -> None:
    text = (
        "## Tone {#tone authority=user}\n\n<!-- spectools: allow SPEC610, SPEC650 -->\n"
        "The assistant should usually greet the passenger by name[^tn01].\n\n"
        "The assistant should often thank the passenger[^tn02].\n"
    )
    root = spec(tmp_path / "s", text)
    out = json.loads(cli("lint", str(root), "--format", "json").out)["diagnostics"]
    assert [(d["code"], d["line"]) for d in out] == [("SPEC610", 6), ("SPEC650", 6)]
    inline = text.replace("<!-- spectools: allow SPEC610, SPEC650 -->\n", "").replace(
        "often thank the passenger[^tn02].", "often thank the passenger[^tn02]. <!-- spectools: allow SPEC610 -->"
    )
    out = json.loads(cli("lint", str(spec(tmp_path / "t", inline)), "--format", "json").out)["diagnostics"]
    assert [(d["code"], d["line"]) for d in out] == [("SPEC610", 3), ("SPEC650", 3)]  # no hint for what is allowed


def test_spectools_yaml_extends_and_trims_the_word_lists_and_sets_severities(cli, tmp_path: Path) -> None:
    text = "## Tone {#tone authority=user}\n\nThe assistant should greet a passenger in a tasteful way[^tn01].\n" \
           "The assistant must follow the Harbor Standard for greetings[^tn02].\n" \
           "The assistant should usually thank the passenger[^tn03].\n"  # fmt: skip
    root = spec(tmp_path / "a", text)
    before = {d["code"] for d in json.loads(cli("lint", str(root), "--format", "json").out)["diagnostics"]}
    assert before == {"SPEC610", "SPEC630", "SPEC650"}
    config = (
        "lint:\n  words:\n    subjective: {add: [tasteful]}\n    vague: {remove: [usually]}\n  terms: [Harbor Standard]\n"
        "checks:\n  SPEC650: off\n"
    )
    root = spec(tmp_path / "b", text, config)
    after = json.loads(cli("lint", str(root), "--format", "json").out)["diagnostics"]
    assert [(d["code"], d["line"]) for d in after] == [("SPEC611", 3)]
    bad = spec(tmp_path / "c", text, "lint:\n  words:\n    vauge: {add: [x]}\n")
    result = cli("validate", str(bad))
    assert result.code == 2 and "unknown key 'lint.words.vauge'; did you mean 'vague'?" in result.out


def test_a_broken_spectools_yaml_is_named_with_its_line_and_exits_2(cli, tmp_path: Path) -> None:
    root = spec(tmp_path / "s", config="lint:\n  words:\n    vauge: {add: [x]}\n")
    result = cli("lint", str(root))
    assert result.code == 2
    assert "spectools.yaml:3:1: error SPEC001 unknown key 'lint.words.vauge'; did you mean 'vague'?" in result.out
    assert "spectools.yaml has errors (above)" in result.err


def test_validate_lint_adds_the_lint_findings_and_keeps_its_own_fail_on(cli, tmp_path: Path) -> None:
    root = spec(tmp_path / "s")
    write(root, {f"examples/{c}.md": f"Examples for [^{c}] in Tone:\n\n**Example**: x\n\n```xml\n<user>\nq\n</user>\n```\n"
                 for c in ("tn01", "tn02", "tn03", "tn04")})  # fmt: skip
    plain = cli("validate", str(root))
    linted = cli("validate", str(root), "--lint")
    assert plain.code == 0 and plain.out == ""
    assert linted.code == 0 and "SPEC610" in linted.out and "SPEC640" in linted.out
    assert cli("validate", str(root), "--lint", "--fail-on", "warning").code == 1


def test_the_lint_corpus_from_a_subprocess(tmp_path: Path) -> None:
    """One smoke test through `python -m spectools`, as a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "spectools", "lint", str(DATA / "lint"), "--select", "SPEC64"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stdout.count("SPEC640") == 5 and proc.stdout.count("SPEC641") == 1
    assert proc.stderr == "spectools: 5 warnings, 1 info in 1 file\n"


def advice(verdict: str, reason: str, wording: str = "") -> Reply:
    return completion(json.dumps({"verdict": verdict, "reason": reason, "wording": wording}))


def test_model_opinions_are_shown_beside_findings_and_change_no_verdict(cli, tmp_path: Path, monkeypatch) -> None:
    root = spec(tmp_path / "s")
    monkeypatch.setenv("OPENAI_API_KEY", "k")

    def script(body: dict[str, Any], n: int) -> Reply:
        user = body["messages"][1]["content"]
        if user.startswith("Clause A:"):
            return advice("dismiss", "Greetings are an exception the second clause carves out.")
        return advice("confirm", "How often is usually?", "The assistant should greet the passenger by name.")

    plain = cli("lint", str(root), "--format", "json")
    with ChatServer(script) as server:
        args = ("lint", str(root), "--model", "m", "--base-url", server.url, "--format", "json")
        first = cli(*args)
        sent = len(server.requests)
        again = cli(*args)
    assert first.code == plain.code == 1 and sent == 2 and len(server.requests) == sent  # the rerun is cached
    assert "2 requests sent, 0 replies from the cache" in first.err and "0 requests sent, 2 replies" in again.err
    before, after = json.loads(plain.out)["diagnostics"], json.loads(first.out)["diagnostics"]
    assert [(d["code"], d["severity"]) for d in before] == [(d["code"], d["severity"]) for d in after]
    messages = {d["code"]: d["message"] for d in after}
    assert messages["SPEC640"].endswith(" [model dismisses: Greetings are an exception the second clause carves out.]")
    assert messages["SPEC610"].endswith(
        " [model confirms: How often is usually?; suggested wording: The assistant should greet the passenger by name.]"
    )
    body = server.requests[0]
    assert body["model"] == "m" and body["max_tokens"] == 512 and body["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize(
    "reply",
    [
        error(500, "down"),
        completion("not json at all"),
        completion(json.dumps({"verdict": "dismiss", "reason": "::error::x\n##[set-output name=a]b\x1b[31m" + "r" * 5000})),
        completion(json.dumps({"verdict": "delete everything"})),
        Reply(body="{" * 100000),
    ],
    ids=["500", "prose", "commands", "odd verdict", "deep"],
)
def test_any_reply_is_data_it_never_decides_or_commands(reply: Reply, cli, tmp_path: Path, monkeypatch) -> None:
    root = spec(tmp_path / "s")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    with ChatServer(lambda body, n: reply) as server:
        result = cli("lint", str(root), "--model", "m", "--base-url", server.url, "--timeout", "5")
    assert result.code == 1 and obeyed(result.out) == [] and obeyed(result.err) == []
    lines = result.out.splitlines()
    assert len(lines) == 4 and all(len(line) < 1200 for line in lines)
    assert all("[model" in line for line in lines if "SPEC610" in line or "SPEC640" in line)


def test_max_requests_bounds_the_model_pass(cli, tmp_path: Path, monkeypatch) -> None:
    root = spec(tmp_path / "s")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    with ChatServer(lambda body, n: advice("confirm", "yes")) as server:
        result = cli("lint", str(root), "--model", "m", "--base-url", server.url, "--max-requests", "1", "--no-cache")
    assert len(server.requests) == 1 and result.code == 1
    assert "--max-requests 1 reached: 1 of 2 findings have no model opinion" in result.err
