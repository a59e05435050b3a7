"""Issue 19 (8): `eval run --batch` through a scripted files and batches server on 127.0.0.1: the answers, then the
grades, as two batches whose custom_ids are the cache keys; a rerun sends nothing, resumes a batch still running
instead of sending it again, and asks directly for exactly the rows a batch did not answer."""

from __future__ import annotations

import json
from typing import Any

from tests.batch_server import BatchServer
from tests.chat_server import Reply, completion
from tests.eval.test_run import challenge, spec


def script(body: dict[str, Any], n: int) -> Reply:
    if body["model"] == "m":
        return completion(f"answer to {body['messages'][-1]['content']} (#{n})")  # each sample its own answer
    return completion(json.dumps({"reasoning": "ok", "score": 7}))


def run(cli: Any, root: Any, url: str, *more: str) -> Any:
    return cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", url, "--batch",
               "--batch-poll", "0.01", "--format", "json", *more)  # fmt: skip


def test_a_batch_run_sends_two_batches_keyed_by_the_cache_and_a_rerun_sends_nothing(cli, tmp_path, monkeypatch) -> None:
    from spectools.eval.endpoint import bounded, cache_key

    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", [f"prompt {i}" for i in range(6)])})
    with BatchServer(script, polls=2) as server:
        first = run(cli, tmp_path, server.url, "--samples", "2")
        assert first.code == 0, first.err
        assert len(server.batches) == 2 and server.alone == []  # every answer and grade came from a batch
        answers, grades = (server.lines(b) for b in sorted(server.batches))
        assert len(answers) == 12 and len(grades) == 12
        body = bounded({"model": "m", "messages": [{"role": "user", "content": "prompt 0"}]}, 4096)
        assert answers[0]["custom_id"] == cache_key(body, server.url, 0, "") and answers[0]["body"] == body
        assert all(line["body"]["response_format"]["type"] == "json_schema" for line in grades)
        doc = json.loads(first.out)
        assert doc["run"]["complete"] and doc["results"][0]["passed"] == 12
        assert doc["run"]["requests"] == 24  # the batches' lines are requests sent
        again = run(cli, tmp_path, server.url, "--samples", "2")
        assert again.code == 0 and len(server.batches) == 2 and server.alone == []  # all from the cache


def test_a_rerun_resumes_a_batch_still_running_instead_of_sending_it_again(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a", "b"])})
    with BatchServer(script, polls=1000) as server:
        waited = run(cli, tmp_path, server.url, "--batch-wait", "0.05")
        assert waited.code == 2 and "is still in_progress" in waited.err and "rerun later to resume it" in waited.err
        assert len(server.batches) == 1
        server.polls = 0  # the batch finishes
        resumed = run(cli, tmp_path, server.url)
    assert resumed.code == 0, resumed.err
    assert len(server.batches) == 2  # the answers' batch resumed, not sent again; then the grades'
    assert server.alone == []


def test_rows_a_batch_did_not_answer_are_asked_for_directly(cli, tmp_path, monkeypatch) -> None:
    """An expired batch (half its rows answered) and failed rows: the run asks directly for exactly those."""
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a", "b", "c", "d"])})

    def flaky(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "g" and "answer to b" in body["messages"][-1]["content"]:
            return Reply(status=500, body={"error": {"message": "overloaded"}})
        return script(body, n)

    with BatchServer(flaky, expire=True) as server:
        result = run(cli, tmp_path, server.url, "--concurrency", "1")
    doc = json.loads(result.out)
    assert doc["run"]["complete"]
    asked = [(b["model"], b["messages"][-1]["content"][-12:]) for b in server.alone]
    answers_alone = [a for a in asked if a[0] == "m"]
    assert len(answers_alone) == 2  # the answers' batch expired after answering half: the other half asked directly
    assert "answers: 2 of 4 from the batch (expired); 2 asked for directly" in result.err
    assert sum(r["errors"] for r in doc["results"]) == 1  # "b"'s grade fails in the batch and alone: its sample's error


def test_batch_is_refused_without_a_cache_or_with_a_budget(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path)
    no_cache = run(cli, tmp_path, "http://127.0.0.1:9/v1", "--no-cache")
    assert no_cache.code == 2 and "drop --no-cache" in no_cache.err
    budget = run(cli, tmp_path, "http://127.0.0.1:9/v1", "--max-requests", "3")
    assert budget.code == 2 and "--max-requests cannot bound it" in budget.err


def test_a_hostile_batch_output_is_skipped_row_by_row_never_a_crash(cli, tmp_path, monkeypatch) -> None:
    """A batch's output file is an endpoint's reply: rows too deep, too long, not ours, not JSON, or a download that
    fails are skipped (and asked for directly); nothing of it reaches the cache but chat completions of our lines."""
    from spectools.eval.batch import rows

    monkeypatch.setenv("OPENAI_API_KEY", "k")
    spec(tmp_path, {"sc01": challenge("sc01", ["a", "b"])})

    class Hostile(BatchServer):
        def _run(self, batch: dict[str, Any]) -> None:
            super()._run(batch)
            ours = self.files[batch["output_file_id"]].decode().splitlines()
            junk = ["[" * 100000, json.dumps({"custom_id": [1], "response": {}}), "not json", "x" * 3_000_000,
                    json.dumps({"custom_id": "f" * 64, "response": {"status_code": 200, "body": completion("forged").body}})]  # fmt: skip
            self.files[batch["output_file_id"]] = ("\n".join(junk + ours[:1]) + "\n").encode()

    with Hostile(script, polls=2) as server:
        server.in_progress = "in_progress\x1b[2J" + "s" * 5000  # said while it runs: escaped, and cut
        result = run(cli, tmp_path, server.url)
    assert result.code == 0 and "internal error" not in result.err, result.err
    assert "\x1b" not in result.err and max(len(line) for line in result.err.splitlines()) < 1000
    assert "answers: 1 of 2 from the batch" in result.err  # the one good row of ours; the other asked for directly
    assert list(rows([b"ab\ncd", b"ef\n" + b"x" * 50, b"y\nz"], limit=10)) == [b"ab", b"cdef", b"z"]  # long line skipped
