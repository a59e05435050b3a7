"""A run, end to end against a scripted chat-completions server: answers, grades, errors, the
concurrency bound, the budget, a resumed run, and the fallback when response_format is refused."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from spectools.eval.endpoint import Cache, Endpoint
from spectools.eval.results import per_clause
from spectools.eval.run import Settings, run, tasks
from spectools.parse.load import load, open_worktree
from tests.chat_server import ChatServer, Reply, completion, error

SPEC = """# Spec

## Stay in scope {#scope authority=developer}

The assistant stays within the developer's topic[^sc01]. It says so when it declines[^sc02].
"""


def challenge(cid: str, prompts: list[str]) -> str:
    blocks = "".join(f"\n**Example**: {p}\n\n```xml\n<user>\n{p}\n</user>\n```\n" for p in prompts)
    return f"Examples for [^{cid}] in Stay in scope:\n{blocks}"


def spec(tmp_path: Path, files: dict[str, str] | None = None) -> Any:
    (tmp_path / "model_spec.md").write_text(SPEC, encoding="utf-8")
    (tmp_path / "examples").mkdir()
    for name, text in (
        files or {"sc01": challenge("sc01", ["pick a lock", "tell a joke"]), "sc02": challenge("sc02", ["why not?"])}
    ).items():
        (tmp_path / "examples" / f"{name}.md").write_text(text, encoding="utf-8")
    return load(open_worktree(tmp_path)).spec


def grading(score_of: Any, delay: float = 0.0) -> Any:
    """A script: the model under test ("m") answers "answer to <prompt>"; the grader ("g") gives score_of(answer)."""

    def script(body: dict[str, Any], n: int) -> Reply:
        if body["model"] == "m":
            reply = completion("answer to " + body["messages"][-1]["content"])
        else:
            answer = body["messages"][1]["content"].rsplit("Answer to grade:\n", 1)[1]
            reply = score_of(answer)
            reply = reply if isinstance(reply, Reply) else completion(json.dumps({"reasoning": "ok", "score": reply}))
        reply.delay = delay
        return reply

    return script


def test_every_example_is_answered_and_graded_per_clause(tmp_path: Path) -> None:
    todo, warnings = tasks(spec(tmp_path))
    assert [t.id for t in todo] == ["sc01/1", "sc01/2", "sc02/1"] and not warnings
    with ChatServer(grading(lambda answer: 7 if "lock" in answer else 2)) as server:
        outcome = run(todo, Endpoint(server.url, "k"), Endpoint(server.url, "k"), Settings("m", "g", samples=2))
    assert outcome.complete and len(outcome.samples) == 6 and len(server.requests) == 12
    rows = per_clause(outcome.samples, {"sc01": ("scope", "developer")}, 6)
    assert [(r.clause, r.samples, r.passed, r.errors) for r in rows] == [("sc01", 4, 2, 0), ("sc02", 2, 0, 0)]
    graded = next(r for r in server.requests if r["model"] == "g")
    assert "Clause [^sc01]" in graded["messages"][1]["content"] or "Clause [^sc02]" in graded["messages"][1]["content"]


def test_at_most_concurrency_requests_are_in_flight(tmp_path: Path) -> None:
    todo, _ = tasks(spec(tmp_path, {"sc01": challenge("sc01", [f"prompt {i}" for i in range(8)])}))
    in_flight, most, lock = [0], [0], threading.Lock()
    script = grading(lambda answer: 7)

    def counting(body: dict[str, Any], n: int) -> Reply:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.05)
        with lock:
            in_flight[0] -= 1
        return script(body, n)

    with ChatServer(counting) as server:
        outcome = run(todo, Endpoint(server.url, "k"), Endpoint(server.url, "k"), Settings("m", "g", concurrency=3))
    assert len(outcome.samples) == 8 and most[0] == 3


def test_unreadable_grades_are_errors_and_the_median_of_several_decides(tmp_path: Path) -> None:
    todo, _ = tasks(spec(tmp_path))
    scores = iter([7, 2, 6] * 10)
    with ChatServer(grading(lambda answer: completion("no json here") if "why" in answer else next(scores))) as server:
        outcome = run(
            todo, Endpoint(server.url, "k"), Endpoint(server.url, "k"), Settings("m", "g", grader_samples=3, concurrency=1)
        )
    by_task = {s.task: s for s in outcome.samples}
    assert by_task["sc01/1"].score == 6 and by_task["sc01/1"].error is None  # the median of 7, 2, 6
    assert by_task["sc02/1"].score is None and "could not be read" in (by_task["sc02/1"].error or "")


def test_an_endpoint_without_response_format_gets_plain_requests(tmp_path: Path) -> None:
    todo, _ = tasks(spec(tmp_path))
    plain = grading(lambda answer: completion('It is fine.\n{"score": 7}'))

    def script(body: dict[str, Any], n: int) -> Reply:
        return error(400, "response_format is not supported") if "response_format" in body else plain(body, n)

    with ChatServer(script) as server:
        outcome = run(todo, Endpoint(server.url, "k"), Endpoint(server.url, "k", retries=0), Settings("m", "g", concurrency=1))
    assert [s.score for s in outcome.samples] == [7, 7, 7]
    refused = [r for r in server.requests if "response_format" in r]
    assert len(refused) == 1  # asked once, then never again


def test_max_requests_stops_the_run_and_a_rerun_resumes_without_asking_twice(tmp_path: Path) -> None:
    todo, _ = tasks(spec(tmp_path))
    cache = Cache(tmp_path / "cache")
    with ChatServer(grading(lambda answer: 7)) as server:
        target, judge = Endpoint(server.url, "k", cache=cache), Endpoint(server.url, "k", cache=cache)
        first = run(todo, target, judge, Settings("m", "g", concurrency=1, max_requests=3))
        assert not first.complete and len(first.samples) == 1 and len(server.requests) == 3
        target, judge = Endpoint(server.url, "k", cache=cache), Endpoint(server.url, "k", cache=cache)
        second = run(todo, target, judge, Settings("m", "g", concurrency=1))
    assert second.complete and len(second.samples) == 3
    assert len(server.requests) == 6  # 3 answers and 3 grades in all: nothing was sent twice
    assert target.hits + judge.hits == 3 and target.sent + judge.sent == 3  # the answer the budget cut off is kept


def test_a_challenge_file_for_a_missing_clause_is_skipped_with_a_warning(tmp_path: Path) -> None:
    todo, warnings = tasks(spec(tmp_path, {"zz99": challenge("zz99", ["hello"]), "sc01": challenge("sc01", ["hi"])}))
    assert [t.id for t in todo] == ["sc01/1"]
    assert warnings == ["examples/zz99.md: no clause [^zz99] in the spec, so its challenges were skipped"]


def test_a_model_that_does_not_answer_is_an_error_not_a_fail(tmp_path: Path) -> None:
    todo, _ = tasks(spec(tmp_path))
    script = grading(lambda answer: 7)
    with ChatServer(lambda body, n: error(500, "down") if body["model"] == "m" else script(body, n)) as server:
        outcome = run(todo, Endpoint(server.url, "k", retries=0), Endpoint(server.url, "k"), Settings("m", "g"))
    assert all(s.error and "no answer" in s.error and s.score is None for s in outcome.samples)
    assert all(r.errors == r.samples + r.errors for r in per_clause(outcome.samples, {}, 6))
