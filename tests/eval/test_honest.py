"""Issue 19 (1-4): requests bounded and checked, only good replies cached, structured output dropped only for the
reason it failed, and outcomes said as they are; each through a scripted chat-completions server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.chat_server import ChatServer, Reply, completion
from tests.eval.test_run import challenge, spec


def cut(text: str) -> Reply:
    """A completion the server stopped at max_tokens."""
    reply = completion(text)
    reply.body["choices"][0]["finish_reason"] = "length"
    return reply


def run(cli: Any, root: Path, url: str, *more: str) -> Any:
    return cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", url, *more)


def test_a_grade_cut_at_max_tokens_is_an_error_never_cached_and_a_rerun_asks_again(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["pick a lock"])})
    state = {"grades": 0}

    def script(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "m":
            return cut("Here is a long answer that") if "lock" in str(body) else completion("fine")
        state["grades"] += 1
        if state["grades"] == 1:
            return cut('{"reasoning": "The answer starts to')  # cut inside the reasoning
        return completion('{"reasoning": "ok", "score": 7}')

    with ChatServer(script) as server:
        first = run(cli, tmp_path, server.url, "--grader-max-tokens", "64", "--format", "json")
        doc = json.loads(first.out)
        assert first.code == 2 and "cut at max_tokens (raise --grader-max-tokens)" in first.err  # the only sample failed
        assert doc["results"][0]["errors"] == 1 and doc["results"][0]["cut_off"] == 1  # and its answer was cut, counted
        assert doc["run"]["setup"]["grader_max_tokens"] == 64
        assert [r["max_tokens"] for r in server.requests] == [4096, 64]
        second = run(cli, tmp_path, server.url, "--grader-max-tokens", "64", "--format", "json")
    doc = json.loads(second.out)
    assert second.code == 0 and doc["results"][0]["passed"] == 1  # the answer came from the cache, the grade was asked again
    assert [r["model"] for r in server.requests] == ["m", "g", "g"]
    assert doc["run"]["cut_off"] == 1  # a cut answer is graded, and flagged


def test_an_unreadable_grade_is_not_cached_but_good_ones_are(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a", "b"])})
    state = {"grades": 0}

    def script(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "m":
            return completion("answer to " + body["messages"][-1]["content"])
        state["grades"] += 1
        unreadable = "answer to a" in body["messages"][-1]["content"] and state["grades"] <= 2
        return completion("I think it is fine." if unreadable else '{"reasoning": "ok", "score": 6}')

    with ChatServer(script) as server:
        run(cli, tmp_path, server.url, "--concurrency", "1")
        sent = len(server.requests)
        again = run(cli, tmp_path, server.url, "--concurrency", "1")
        retried = server.requests[sent:]
    assert [r["model"] for r in retried] == ["g"]  # exactly the unreadable grade is asked again, nothing else
    assert again.code == 0 and "overall: 2 of 2 graded answers passed (100%); 0 errors, 0 cut off; complete" in again.out


def test_structured_output_falls_back_only_when_the_endpoint_says_it_cannot_take_it(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a", "b", "c"])})

    def script(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "m":
            return completion("answer to " + body["messages"][-1]["content"])
        if "answer to a" in body["messages"][-1]["content"]:  # one grade too long for the grader's context
            return Reply(status=400, body={"error": {"message": "the request exceeds the available context size"}})
        return completion('Fine. {"reasoning": "ok", "score": 7}')

    with ChatServer(script) as server:
        result = run(cli, tmp_path, server.url, "--concurrency", "1", "--no-cache", "--format", "json")
    doc = json.loads(result.out)
    assert doc["run"]["grading"] == {"json_schema": 2, "plain": 0}  # the other grades kept the JSON schema
    assert doc["run"]["errors"] == 1 and doc["results"][0]["errors"] == 1  # that 400 is its own sample's error
    assert all("response_format" in r for r in server.requests if r["model"] == "g")

    def no_schema(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "m":
            return completion("answer")
        if "response_format" in body:
            return Reply(status=400, body={"error": {"message": "'response_format' of type 'json_schema' is not supported"}})
        return completion('Fine. {"reasoning": "ok", "score": 7}')

    with ChatServer(no_schema) as server:
        result = run(cli, tmp_path, server.url, "--concurrency", "1", "--no-cache", "--format", "json")
    doc = json.loads(result.out)
    assert doc["run"]["grading"]["plain"] == 3 and "json_schema' is not supported" in doc["run"]["grading"]["fell_back"]
    assert "asked for as plain text" in result.err and result.code == 0


def test_an_endpoint_out_of_reach_is_exit_2_with_the_first_error_and_no_grade_is_never_0_percent(
    cli, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a"])})
    with ChatServer(lambda body, n: completion("x")) as server:
        url = server.url  # closed when the block ends: nothing listens there any more
    result = run(cli, tmp_path, url, "--timeout", "2", "--no-cache")  # the client retries a refused connection
    assert result.code == 2 and "every sample failed, so the run measured nothing; the first failure: no answer:" in result.err
    assert "cannot reach" in result.err or "gave no whole answer within 2 s" in result.err
    assert "sc01     no grade, 1 error" in result.out and "0%" not in result.out
    assert result.out.rstrip().endswith("overall: 0 of 0 graded answers passed; 1 errors, 0 cut off; complete")


def test_off_a_terminal_progress_is_a_line_every_few_seconds_and_its_total_honours_the_budget(cli, tmp_path, monkeypatch) -> None:
    """Issue 19 (7): a CI log shows life while requests are slow; the total is what the budget can pay for."""
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a", "b", "c", "d"])})

    def slow(body: dict[str, Any], n: int) -> Reply:
        reply = completion('{"reasoning": "ok", "score": 7}' if body["model"] == "g" else "answer")
        reply.delay = 0.2
        return reply

    with ChatServer(slow) as server:
        result = run(cli, tmp_path, server.url, "--progress-every", "0.05", "--concurrency", "1", "--no-cache",
                     "--max-requests", "4")  # fmt: skip
    lines = [line for line in result.err.splitlines() if line.startswith("spectools: progress: ")]
    assert lines and all(" of 2 samples, " in line and "requests/s" in line for line in lines), result.err
    quiet = run(cli, tmp_path, "http://127.0.0.1:9/v1", "--progress-every", "0", "--dry-run")
    assert "progress:" not in quiet.err


def test_the_openai_preset_grades_five_times_with_the_whole_spec_before_the_clause(cli, tmp_path, monkeypatch) -> None:
    """Issue 19 (9): --preset openai-model-spec (the whole spec as context, five grades, their median, passing at 6);
    a flag still wins, and the results say how they were made."""
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a"])})
    scores = iter([7, 2, 6, 6, 3])

    def script(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "m":
            return completion("answer")
        return completion(json.dumps({"reasoning": "r", "score": next(scores)}))

    with ChatServer(script) as server:
        result = run(cli, tmp_path, server.url, "--preset", "openai-model-spec", "--no-cache", "--format", "json")
        grades = [r for r in server.requests if r["model"] == "g"]
    doc = json.loads(result.out)
    assert len(grades) == 5 and all(g["messages"][1]["content"].startswith("The whole spec:\n") for g in grades)
    assert doc["run"]["setup"]["grader_samples"] == 5 and doc["run"]["setup"]["grader_context"] == "spec"
    assert doc["run"]["threshold"] == 6 and doc["results"][0]["passed"] == 1  # the median of 7, 2, 6, 6, 3 is 6
    with ChatServer(lambda body, n: completion('{"reasoning": "r", "score": 7}' if body["model"] == "g" else "x")) as server:
        run(cli, tmp_path, server.url, "--preset", "openai-model-spec", "--grader-samples", "2", "--no-cache")
        assert sum(r["model"] == "g" for r in server.requests) == 2


def test_only_a_real_400_switches_to_plain_text_whatever_a_message_says(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a"])})

    def lying(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "m":
            return completion("answer")
        return Reply(status=500, body={"error": {"message": "upstream said: answered 400: response_format"}})

    with ChatServer(lying) as server:
        result = run(cli, tmp_path, server.url, "--no-cache", "--timeout", "5", "--format", "json")
    doc = json.loads(result.out)
    assert "fell_back" not in doc["run"]["grading"] and "plain text" not in result.err
    assert all("response_format" in r for r in server.requests if r["model"] == "g")


def test_a_gate_passes_only_on_a_whole_measure_and_says_why_it_fails(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a", "b", "c"])})
    grades = {"a": 7, "b": 2, "c": 2}

    def script(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "m":
            return completion("answer to " + body["messages"][-1]["content"])
        said = body["messages"][1]["content"].rsplit("answer to ", 1)[1]
        return completion(json.dumps({"reasoning": "r", "score": grades[said]}))

    with ChatServer(script) as server:
        part = run(cli, tmp_path, server.url, "--no-cache", "--max-requests", "2", "--concurrency", "1", "--fail-under", "0.5")
        low = run(cli, tmp_path, server.url, "--no-cache", "--fail-under", "0.5")
    assert part.code == 1 and "the run is incomplete, so it cannot pass --fail-under 0.5" in part.err
    assert low.code == 1 and "the pass rate 0.33 is under --fail-under 0.5" in low.err


def test_calibrate_reads_the_challenge_files_labelled_answers_and_refuses_nothing_to_grade(cli, tmp_path) -> None:
    demo = tmp_path / "demo"
    assert cli("init", str(demo), "--git").code == 0
    dry = cli("eval", "calibrate", str(demo), "--grader-model", "g", "--dry-run")
    assert dry.code == 0 and dry.out.startswith("15 labelled answers in scope"), dry.out  # all in examples/*.md
    none = cli("eval", "calibrate", str(demo), "--grader-model", "g", "--sections", "nosuch", "--dry-run")
    assert none.code == 2 and "no section #nosuch" in none.err and "no labelled answers to calibrate on" in none.err


def test_a_grade_that_failed_among_others_is_kept_in_the_audit_file(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a"])})
    replies = iter(["I cannot say.", '{"reasoning": "r", "score": 7}', '{"reasoning": "r", "score": 6}'])

    def script(body: dict[str, Any], n: int) -> Reply:
        return completion("answer") if body["model"] == "m" else completion(next(replies))

    out = tmp_path / "results.json"
    with ChatServer(script) as server:
        result = run(cli, tmp_path, server.url, "--grader-samples", "3", "--concurrency", "1", "--no-cache", "--out", str(out))
    assert result.code == 0
    audit = [json.loads(line) for line in out.with_name("results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert audit[0]["score"] == 6 and audit[0]["grade_failures"] == ["the grader's reply could not be read"]
