"""Class "Workflow commands" (docs/SECURITY.md): no line spectools prints is one the GitHub runner would obey,
other than spectools' own annotations.

Generated runner commands (`::add-mask::`, `##[set-output ...]`, after leading whitespace of every kind .NET
trims, mid-line for `##[`) are put in section titles, clause sentences, file names, model names and an
endpoint's replies; every command that prints them runs in every format, on a runner (GITHUB_ACTIONS=true)
and off it. The invariant is read by the runner's own rules (strategies.runner_reads).
"""

from __future__ import annotations

import io
import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.cli.output import Guard
from spectools.render.escape import inert
from tests.chat_server import ChatServer, completion, error
from tests.security.harness import CHALLENGE, spec_repo
from tests.security.strategies import obeyed, runner_reads, workflow_text

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def hostile_spec(text: str) -> dict[str, str]:
    """A spec whose title, clause, anchor-adjacent text and a challenge file name carry the runner command."""
    name = text.replace("/", "_").replace("\x00", "") or "x"
    return {
        "model_spec.md": (
            f"# Model spec\n\n## Honesty {{#honesty authority=root}}\n\nThe assistant must not lie[^hn01]. {text}\n\n"
            f"## {text} {{#style authority=guideline}}\n\nThe assistant should be brief[^st01]. {text}\n\n"
            f"See [{text}](#{'nowhere'}). See [{text} (in bold)](#honesty).\n"
        ),
        f"examples/{name}.md": f"{text}\n",
        "examples/st01.md": CHALLENGE.format(cid="st01", title=text),
    }


COMMANDS = {
    "validate text": ["validate"],
    "validate github": ["validate", "--format", "github"],
    "validate json": ["validate", "--format", "json"],
    "validate sarif": ["validate", "--format", "sarif"],
    "diff text": ["diff", "HEAD~1", "HEAD"],
    "diff markdown": ["diff", "HEAD~1", "HEAD", "--format", "markdown"],
    "diff json": ["diff", "HEAD~1", "HEAD", "--format", "json"],
    "changelog": ["changelog"],
    "changelog json": ["changelog", "--format", "json"],
    "github": ["github", "--base", "HEAD~1", "--dry-run"],
    "export": ["export"],
    "lint text": ["lint"],
    "lint github": ["lint", "--format", "github"],
    "lint json": ["lint", "--format", "json"],
    "lint sarif": ["lint", "--format", "sarif"],
    "validate --lint": ["validate", "--lint"],
    "site": ["site", "--out", "../site-out"],
    "github --redline": ["github", "--base", "HEAD~1", "--dry-run", "--redline", "../redline-out"],
}


@pytest.mark.parametrize("on_runner", [True, False], ids=["runner", "terminal"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_printed_line_is_a_runner_command(command, on_runner, cli, tmp_path, monkeypatch) -> None:
    repo = spec_repo(tmp_path / "repo")
    monkeypatch.chdir(repo.root)
    for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true" if on_runner else "false")

    @SETTINGS
    @given(text=workflow_text())
    def attack(text: str) -> None:
        repo.git("rm", "-q", "-r", "--cached", "--ignore-unmatch", "examples")
        for old in (repo.root / "examples").glob("*"):
            old.unlink()
        repo.commit("hostile", hostile_spec(text))
        result = cli(*COMMANDS[command])
        assert result.code in (0, 1, 2), result.err
        assert obeyed(result.out) == [] and obeyed(result.err) == [], (result.out + result.err)[-2000:]
        if "json" in command or "sarif" in command or command == "export":
            json.loads(result.out)  # still JSON, and the same data

    attack()


@SETTINGS
@given(text=workflow_text(), where=st.sampled_from(["model", "answer", "grader", "error"]))
def test_eval_never_prints_a_runner_command(text: str, where: str, cli, tmp_path, monkeypatch) -> None:
    """Model names (a flag), answers, grader text and an endpoint's error messages are all printed somewhere."""
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("OPENAI_API_KEY", "k")

    def script(body: dict, n: int):
        if where == "error":
            return error(400, text)
        grading = "Answer to grade" in json.dumps(body)
        if grading:
            return completion(json.dumps({"reasoning": text if where == "grader" else "ok", "score": 7}))
        return completion(text if where == "answer" else "I will not.")

    model = text if where == "model" else "m"
    with ChatServer(script) as server:
        for fmt in ("text", "markdown", "json"):
            result = cli("eval", "run", str(root), "--model", model, "--grader-model", "g", "--base-url", server.url,
                         "--format", fmt, "--no-cache")  # fmt: skip
            assert result.code in (0, 1, 2), result.err
            assert obeyed(result.out) == [] and obeyed(result.err) == [], (result.out + result.err)[-2000:]


@given(st.text(alphabet=st.sampled_from(list(":#[] \t\n\r\u3000\u00a0xy")), max_size=40), st.integers(1, 7))
def test_the_guard_holds_across_writes_split_anywhere(text: str, pieces: int) -> None:
    """The one gate: however a text is cut into writes, what reaches the stream has no line the runner obeys."""
    buffer = io.StringIO()
    guard = Guard(buffer)
    step = max(1, len(text) // pieces)
    for i in range(0, len(text), step):
        guard.write(text[i : i + step])
    lines = buffer.getvalue().replace("\r", "\n").split("\n")
    assert [line for line in lines if runner_reads(line)] == []
    assert buffer.getvalue().replace("\u2060", "") == text  # nothing lost: only invisible joiners added


def test_writelines_goes_through_the_gate_too() -> None:
    buffer = io.StringIO()
    Guard(buffer).writelines(["ok\n", "  ::add-mask::x\n", "a ##[set-output y]\n"])
    assert [runner_reads(line) for line in buffer.getvalue().splitlines()] == [None, None, None]


@given(st.text(max_size=60))
def test_inert_json_keeps_the_data(text: str) -> None:
    dumped = json.dumps({"v": "##[" + text}, ensure_ascii=False)
    assert "##[" not in inert(dumped, json=True) and json.loads(inert(dumped, json=True)) == {"v": "##[" + text}


def test_a_spectools_annotation_still_passes_and_a_forged_one_does_not(monkeypatch) -> None:
    from spectools.cli.output import commands

    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", Guard(buffer))
    commands("::warning file=a.md,line=1,title=SPEC101::text\n::add-mask::secret\n::set-output name=a::1\n::error::x ##[y\n")
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "::warning file=a.md,line=1,title=SPEC101::text"  # spectools' own annotation passes as it is
    assert [runner_reads(line) for line in lines[1:]] == [None, None, None]  # a command of another shape is text
