"""`spectools eval run`, end to end: a spec repository, a scripted chat-completions server on 127.0.0.1,
the results file, and the pull-request summary that shows it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.chat_server import ChatServer, Reply, completion
from tests.github.test_pullrequest import make_repo


def script(body: dict[str, Any], n: int) -> Reply:
    """The model under test ("m") declines; the grader ("g") passes every answer that declines."""
    if body["model"] == "m":
        return completion("I can't help with that.", 20, 8)
    answer = body["messages"][1]["content"].rsplit("Answer to grade:\n", 1)[1]
    return completion(json.dumps({"reasoning": "It declines.", "score": 7 if "can't" in answer else 2}), 50, 10)


def test_eval_run_writes_results_the_pull_request_summary_shows(cli, tmp_path: Path, monkeypatch) -> None:
    repo, _, head = make_repo(tmp_path / "spec")
    repo.git("checkout", "-q", "feature")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    out = tmp_path / "results.json"
    with ChatServer(script) as server:
        args = ("eval", "run", str(repo.root), "--model", "m", "--grader-model", "g", "--base-url", server.url)
        first = cli(*args, "--out", str(out), "--cache-dir", str(tmp_path / "cache"), "--format", "json")
        sent = len(server.requests)
        again = cli(*args, "--cache-dir", str(tmp_path / "cache"))  # a rerun sends nothing
        dry = cli(*args, "--cache-dir", str(tmp_path / "cache"), "--dry-run")
    assert first.code == 0, first.err
    assert again.code == 0 and len(server.requests) == sent > 0
    assert "0 requests" in again.err and "from the cache" in again.err
    assert f"{sent // 2} answers ({sent // 2} cached) and {sent // 2} grades ({sent // 2} cached); up to 0 requests" in dry.out
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc == json.loads(first.out)
    assert doc["schema_version"] == 3 and doc["run"]["complete"] and doc["run"]["spec_commit"] == head
    assert doc["run"]["tokens"] == {"prompt": 70 * sent // 2, "completion": 18 * sent // 2}
    assert all(r["passed"] == r["samples"] > 0 for r in doc["results"])
    with ChatServer(script) as server:  # the default cache, outside the repository, leaves the commit clean
        inside = cli(
            "eval", "run", str(repo.root), "--model", "m", "--grader-model", "g", "--base-url", server.url, "--format", "json"
        )
        inside_again = cli(
            "eval", "run", str(repo.root), "--model", "m", "--grader-model", "g", "--base-url", server.url, "--format", "json"
        )
    assert not (repo.root / ".spectools").exists()
    refused = cli("eval", "run", str(repo.root), "--model", "m", "--cache-dir", str(repo.root / "cache"), "--dry-run")
    assert refused.code == 2 and "inside the repository" in refused.err and "give a --cache-dir outside it" in refused.err
    assert json.loads(inside.out)["run"]["spec_commit"] == json.loads(inside_again.out)["run"]["spec_commit"] == head
    audit = (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(audit) == sent // 2 and json.loads(audit[0])["answer"] == "I can't help with that."
    review = cli("github", "--path", str(repo.root), "--base", "main", "--head", "feature", "--dry-run", "--results", str(out))
    assert "### Compliance: 100%" in review.out and "Answers by **m**, graded by **g** (prompt grader-1)" in review.out
    assert "I can't help" not in review.out  # never an answer in the comment
    sections = sorted({r["section"] for r in doc["results"]})
    report = {"sections": [{"section": sections[0], "calibrated": True}], "kappa": 0.8, "tpr": 0.9, "tnr": 0.85}
    (tmp_path / "calibration.json").write_text(json.dumps(report), encoding="utf-8")
    with ChatServer(script) as server:
        args = (
            "eval",
            "run",
            str(repo.root),
            "--model",
            "m",
            "--grader-model",
            "g",
            "--base-url",
            server.url,
            "--cache-dir",
            str(tmp_path / "cache"),
        )
        marked = cli(*args, "--calibration", str(tmp_path / "calibration.json"), "--format", "json")
        sent = len(server.requests)
        broken = cli(*args, "--calibration", str(out))  # a results file is no calibration report
        assert len(server.requests) == sent  # refused before anything was sent
    rows = json.loads(marked.out)["results"]
    assert all(r["calibrated"] == (r["section"] == sections[0]) for r in rows)
    (tmp_path / "marked.json").write_text(marked.out, encoding="utf-8")
    shown = cli(
        "github",
        "--path",
        str(repo.root),
        "--base",
        "main",
        "--head",
        "feature",
        "--dry-run",
        "--results",
        str(tmp_path / "marked.json"),
    )
    assert "its agreement with the spec's own labels: kappa 0.80, GOOD passed 90%, BAD failed 85%" in shown.out
    assert ("(uncalibrated)" in shown.out) == any(not r["calibrated"] for r in rows)
    assert broken.code == 2 and "not a calibration report" in broken.err
    for text, said in (
        ("{\n  nope", "calibration.json:2: not valid JSON"),
        ('{"sections": [], "kappa": 0.5, "tpr": 5, "tnr": 0}', "tpr and tnr from 0 to 1"),
    ):
        (tmp_path / "calibration.json").write_text(text, encoding="utf-8")
        bad = cli("eval", "run", str(repo.root), "--model", "m", "--calibration", str(tmp_path / "calibration.json"))
        assert bad.code == 2 and said in bad.err, bad.err


def test_eval_run_says_what_a_dry_run_would_send_and_what_fails(cli, tmp_path: Path, monkeypatch) -> None:
    repo, _, _ = make_repo(tmp_path / "spec")
    dry = cli(
        "eval",
        "run",
        str(repo.root),
        "--model",
        "m",
        "--grader-model",
        "g",
        "--samples",
        "2",
        "--grader-samples",
        "3",
        "--dry-run",
    )
    assert dry.code == 0 and "2 answers each, each graded 3 times:" in dry.out and "requests would be sent" in dry.out
    typo = cli("eval", "run", str(repo.root), "--model", "m", "--clauses", "zz99", "--dry-run")
    assert typo.out.startswith("0 prompts") and "warning: --clauses: no clause [^zz99] in the spec" in typo.err
    unchanged = cli("eval", "run", str(repo.root), "--model", "m", "--grader-model", "g", "--changed-since", "HEAD", "--dry-run")
    assert unchanged.code == 0 and unchanged.out.startswith("0 prompts from 0 clauses")
    bad = cli("eval", "run", str(repo.root), "--model", "m", "--threshold", "9")
    assert bad.code == 2 and "--threshold takes a score from 1 to 7" in bad.err
    with ChatServer(lambda body, n: completion("I can't help.") if body["model"] == "m" else completion("no score")) as server:
        monkeypatch.setenv("KEY_VAR", "k")
        weak = cli("eval", "run", str(repo.root), "--model", "m", "--grader-model", "g", "--base-url", server.url,
                   "--api-key-env", "KEY_VAR", "--no-cache", "--fail-under", "0.5")  # fmt: skip
    assert weak.code == 2 and "every sample failed" in weak.err  # every grade unreadable: the run measured nothing
    assert "error" in weak.out and server.headers[0]["authorization"] == "Bearer k"


def test_ctrl_c_keeps_what_is_done_and_a_rerun_resumes(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.eval.test_run import challenge, spec

    (tmp_path / "spec").mkdir()
    spec(tmp_path / "spec", {"sc01": challenge("sc01", [f"prompt {i}" for i in range(16)])})

    def slow(body: dict[str, Any], n: int) -> Reply:
        reply = script(body, n)
        reply.delay = 0.02
        return reply

    out = tmp_path / "results.json"
    with ChatServer(slow) as server:
        argv = [sys.executable, "-m", "spectools", "eval", "run", str(tmp_path / "spec"), "--model", "m", "--grader-model", "g",
                "--base-url", server.url, "--concurrency", "1", "--out", str(out), "--format", "json"]  # fmt: skip
        env = {**os.environ, "OPENAI_API_KEY": "k"}
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while len(server.requests) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        at_signal = len(server.requests)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 130 and "no request was sent after Ctrl-C" in err, err
        # at most what a worker had begun while the signal was on its way (a loaded machine delays it); none after
        assert len(server.requests) <= at_signal + 2
        first = json.loads(out.read_text(encoding="utf-8"))
        done = sum(r["samples"] for r in first["results"])
        assert not first["run"]["complete"] and 0 < done < 16
        sent = len(server.requests)
        again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    second = json.loads(out.read_text(encoding="utf-8"))
    assert second["run"]["complete"] and sum(r["samples"] for r in second["results"]) == 16
    # 16 answers and 16 grades in all: what the first run finished was kept; the one request in flight at the
    # interrupt was abandoned (issue 19: Ctrl-C stops now), so it may be asked again
    assert sent >= 2 * done and len({json.dumps(r, sort_keys=True) for r in server.requests}) == 32
    assert len(server.requests) <= 33


def test_ctrl_c_abandons_a_request_in_flight_and_exits_at_once(tmp_path: Path) -> None:
    """Issue 19 (5): an endpoint that takes ten minutes to answer does not keep an interrupted run alive: the run
    writes what it has, says so and exits 130, and sends nothing after the interrupt."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.eval.test_run import challenge, spec

    (tmp_path / "spec").mkdir()
    spec(tmp_path / "spec", {"sc01": challenge("sc01", [f"prompt {i}" for i in range(8)])})
    out = tmp_path / "results.json"
    with ChatServer(lambda body, n: Reply(delay=600.0, body=completion("late").body)) as server:
        argv = [sys.executable, "-m", "spectools", "eval", "run", str(tmp_path / "spec"), "--model", "m", "--grader-model", "g",
                "--base-url", server.url, "--concurrency", "2", "--out", str(out), "--no-cache", "--timeout", "600"]  # fmt: skip
        proc = subprocess.Popen(
            argv, env={**os.environ, "OPENAI_API_KEY": "k"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 30
        while len(server.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)  # before: alive until the request's own timeout and retries ran out
        assert proc.returncode == 130 and "interrupted" in err, err
        assert len(server.requests) == 2  # the two in flight; none after
    assert json.loads(out.read_text(encoding="utf-8"))["run"]["complete"] is False


def test_eval_calibrate_reports_how_far_the_grader_agrees_with_the_labels(cli, tmp_path: Path, monkeypatch) -> None:
    from tests.eval.test_calibrate import DOC

    (tmp_path / "model_spec.md").write_text(DOC, encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "k")

    def grades(body: dict[str, Any], n: int) -> Reply:
        good = any(t in body["messages"][1]["content"] for t in ("I can only help", "Sorry, no."))
        return completion(json.dumps({"reasoning": "r", "score": 7 if good else 5}))

    out = tmp_path / "calibration.json"
    with ChatServer(grades) as server:
        args = ("eval", "calibrate", str(tmp_path), "--grader-model", "g", "--model", "g", "--base-url", server.url, "--no-cache")
        result = cli(*args, "--out", str(out))
    assert result.code == 0, result.err
    assert "the grader is the model under test" in result.err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {k: doc[k] for k in ("tpr", "tnr", "n_good", "n_bad", "threshold")} == {
        "tpr": 1.0,
        "tnr": 1.0,
        "n_good": 1,
        "n_bad": 2,
        "threshold": 6,
    }
    assert "GOOD passed 100% of 1, BAD failed 100% of 2" in result.out and "#scope:" in result.out


def test_spectools_yaml_gives_defaults_but_never_an_endpoint_or_a_key(cli, tmp_path: Path, monkeypatch) -> None:
    from tests.eval.test_run import challenge, spec

    spec(tmp_path, {"sc01": challenge("sc01", ["hello"])})
    config = "eval:\n  model: m\n  grader_model: g\n  samples: 2\n  concurrency: 1\n"
    (tmp_path / "spectools.yaml").write_text(config, encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    with ChatServer(script) as server:
        result = cli("eval", "run", str(tmp_path), "--base-url", server.url, "--format", "json")
    assert result.code == 0, result.err
    # 2 answers, one after the other (concurrency 1); both say the same, so the second grade is the first's, cached
    assert [r["model"] for r in server.requests] == ["m", "g", "m"]
    assert not (tmp_path / ".spectools").exists()  # the cache is the user's, outside the repository
    (tmp_path / "spectools.yaml").write_text(config + "  base_url: https://attacker.example/v1\n", encoding="utf-8")
    refused = cli("validate", str(tmp_path))
    assert refused.code == 2 and "unknown key 'eval.base_url'" in refused.out
    (tmp_path / "spectools.yaml").write_text(config + "  cache_dir: .spectools/cache\n", encoding="utf-8")
    placed = cli("validate", str(tmp_path))
    assert "eval.cache_dir is not read: the answer cache lives outside the repository" in placed.out
