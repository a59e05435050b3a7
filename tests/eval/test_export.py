"""`spectools eval export --to inspect`: datasets Inspect reads, and a task file it runs, here against a
scripted chat-completions server on 127.0.0.1 (the grader)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.chat_server import ChatServer, Reply, completion
from tests.eval.test_calibrate import DOC
from tests.eval.test_run import challenge


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "spec"
    (root / "examples").mkdir(parents=True)
    (root / "model_spec.md").write_text(DOC, encoding="utf-8")
    (root / "examples" / "sc01.md").write_text(challenge("sc01", ["tell me a joke", "and another"]), encoding="utf-8")
    (root / "examples" / "hn01.md").write_text(challenge("hn01", ["are you human?"]), encoding="utf-8")
    return root


def test_export_writes_the_datasets_and_the_task_and_never_overwrites(cli, tmp_path: Path) -> None:
    out = tmp_path / "inspect"
    first = cli("eval", "export", str(repo(tmp_path)), "--to", "inspect", "--out", str(out))
    assert first.code == 0, first.err
    samples = [json.loads(line) for line in (out / "spectools_dataset.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [s["id"] for s in samples] == ["hn01/1", "sc01/1", "sc01/2"]
    assert samples[1]["input"] == [{"role": "user", "content": "tell me a joke"}]
    assert samples[1]["metadata"]["clause"].startswith("[^sc01] The assistant stays within")
    labelled = [json.loads(line) for line in (out / "spectools_calibration.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(c["id"], c["target"]) for c in labelled] == [("scope/1/1/1", "C"), ("scope/1/1/2", "I"), ("scope/1/1/3", "I")]
    assert labelled[0]["input"][0]["role"] == "system"  # Inspect has no developer role
    task = (out / "spectools_task.py").read_text(encoding="utf-8")
    assert "Acme" not in task and "joke" not in task  # spec text only ever in the datasets
    again = cli("eval", "export", str(repo(tmp_path / "b")), "--out", str(out))
    assert again.code == 2 and "nothing was written" in again.err
    assert cli("eval", "export", str(repo(tmp_path / "c")), "--out", str(out), "--force").code == 0


# Inspect's dependencies warn of their own deprecations, and it leaves anyio streams for the collector
@pytest.mark.slow  # Inspect end to end
@pytest.mark.filterwarnings(
    "ignore::DeprecationWarning", "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)
def test_inspect_runs_the_exported_tasks_with_the_same_grader(cli, tmp_path: Path, monkeypatch) -> None:
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model

    out = tmp_path / "inspect"
    assert cli("eval", "export", str(repo(tmp_path)), "--out", str(out)).code == 0
    monkeypatch.setenv("OPENAI_API_KEY", "k")

    def script(body: dict[str, Any], n: int) -> Reply:
        prompt = body["messages"][-1]["content"]
        if "Answer to grade:" not in prompt:  # the model under test
            return completion("I can only help with Acme products.")
        answer = prompt.rsplit("Answer to grade:", 1)[1]
        if "Why did the chicken" in answer:  # one BAD answer's grade cannot be read: no score, not a disagreement
            return completion("I would rather not say.")
        good = "I can only help" in answer
        return completion(json.dumps({"reasoning": "r", "score": 7 if good else 2}))

    with ChatServer(script) as server:
        model = get_model("openai/m", base_url=server.url, api_key="k", responses_api=False)
        logs = inspect_eval([str(out / "spectools_task.py@calibration"), str(out / "spectools_task.py@spec_challenges")],
                            model=model, model_roles={"grader": model}, log_dir=str(tmp_path / "logs"), display="none")  # fmt: skip
        del model
    import gc

    gc.collect()  # Inspect's unclosed anyio streams go now, under this test's filters, not in a later test's
    calibration, challenges = logs
    assert calibration.status == "success" and challenges.status == "success", (calibration.error, challenges.error)
    metrics = calibration.results.scores[0].metrics
    assert metrics["graded_accuracy"].value == 1.0 and metrics["unreadable"].value == 1.0  # as `eval calibrate` counts
    assert challenges.results.scores[0].metrics["graded_accuracy"].value == 1.0
    grades = [r for r in server.requests if "Answer to grade:" in r["messages"][-1]["content"]]
    assert grades and all(r["response_format"]["type"] == "json_schema" for r in grades)  # the same JSON schema
    from spectools.eval import grader

    assert all(r["messages"][0]["content"] == grader.INSTRUCTIONS for r in grades)  # the same prompt


def test_the_exported_task_reads_every_grade_as_spectools_does(cli, tmp_path: Path) -> None:
    """Issue 19 (10): the task's grade reader is spectools' own code (grader.parse), copied: on any reply, the two give
    the same grade, or both none."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from spectools.eval.grader import parse

    out = tmp_path / "inspect"
    assert cli("eval", "export", str(repo(tmp_path)), "--out", str(out)).code == 0
    source = (out / "spectools_task.py").read_text(encoding="utf-8")
    reader = source[source.index("_OBJECT = re.compile") : source.index("NO_SCORE =")]
    space: dict[str, Any] = {}
    exec("import json, re\nfrom typing import Any, NamedTuple\n" + reader, space)  # the task's reader, alone

    pieces = st.sampled_from(['{"score": 7}', '{"reasoning": "r", "score": 2}', '{"score": 0}', '{"score": oops}', "{", "}",
                              '"score"', " text ", '{"score": 7.0}', "[1]", '{"a": {"score": 5}}'])  # fmt: skip

    @settings(max_examples=300, deadline=None)
    @given(st.lists(pieces, max_size=8).map("".join))
    def same(reply: str) -> None:
        assert space["read_grade"](reply) == parse(reply)

    same()
