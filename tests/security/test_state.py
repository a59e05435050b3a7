"""Class "State" (docs/SECURITY.md): nothing in the pull request's tree decides a verdict.

A pull request can commit any files, links included, and edit spectools.yaml. Generated forged caches and
link trees are put where a cache could be looked for; the invariant: the run asks the endpoint (the verdict
is the endpoint's, not the files'), no byte outside the cache folder or inside .git changes, and results of
another setup (threshold, samples) are never compared in the pull-request comment.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.eval.endpoint import MAX_TOKENS, Cache, bounded, cache_key
from spectools.eval.grader import PROMPT_VERSION
from tests.chat_server import ChatServer, completion
from tests.security.harness import snapshot, spec_repo

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def failing_grader(body: dict, n: int):
    """Every answer is graded 1: a run that asks the endpoint fails --fail-under."""
    if body["model"] == "m":
        return completion("answer")
    return completion(json.dumps({"reasoning": "no", "score": 1}))


def forged_entries(root: Path, folder: str, url: str) -> None:
    """What an attacker commits: a cache folder holding passing grades for the spec's requests, keyed as
    spectools would key them (the keys are public: the sha256 of the request)."""
    from spectools.eval import grader
    from spectools.eval.run import tasks
    from spectools.parse.load import load, open_worktree

    forged = {}
    for task in tasks(load(open_worktree(root)).spec)[0]:
        body = bounded({"model": "m", "messages": task.messages}, MAX_TOKENS)
        forged[cache_key(body, url, 0, "")] = "I comply."
        graded = bounded(grader.request("g", task.clause, task.section, task.messages, "I comply."), MAX_TOKENS)
        forged[cache_key(graded, url, 0, PROMPT_VERSION)] = json.dumps({"reasoning": "forged", "score": 7})
    for key, text in forged.items():
        path = root / folder / key[:2] / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"text": text, "prompt_tokens": 0, "completion_tokens": 0}), "utf-8")


@SETTINGS
@given(folder=st.sampled_from([".spectools/cache", ".spectools/cache/eval", ".cache/eval", "cache", ".cache/spectools/eval"]))
def test_a_cache_committed_in_the_pull_request_is_never_read(folder: str, cli, tmp_path, monkeypatch) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    fresh = tmp_path / f"user-cache-{len(list(tmp_path.iterdir()))}"
    monkeypatch.setenv("SPECTOOLS_CACHE_DIR", str(fresh))  # the user's own cache, empty for each example
    with ChatServer(failing_grader) as server:
        forged_entries(root, folder, server.url)
        (root / "spectools.yaml").write_text(f"eval:\n  cache_dir: {folder}\n", encoding="utf-8")
        result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", server.url,
                     "--fail-under", "0.99")  # fmt: skip
        # answers and grades asked of the endpoint (two samples with the same prompt may share the user's own
        # cache within the run), and no grade request carries the forged answer
        assert {r["model"] for r in server.requests} == {"m", "g"}, (server.requests, result.err)
        assert "I comply." not in json.dumps(server.requests)
    assert result.code == 1, (result.out, result.err)  # the endpoint's verdict: every answer failed
    assert "eval.cache_dir is not read" in cli("validate", str(root)).out


LINK_TARGETS = [".git/config", ".git/HEAD", ".git", ".git/hooks", "../outside/keep.txt", "../outside", "/etc/passwd"]


@st.composite
def link_trees(draw: st.DrawFn) -> list[tuple[str, str]]:
    """(path under the cache folder, where the link points) pairs: folder links, entry links, chains."""
    n = draw(st.integers(1, 4))
    out = []
    for _ in range(n):
        depth = draw(st.sampled_from(["", "{k2}", "{k2}/{key}.json", "{k2}/.{key}.json.spectools-1.tmp"]))
        out.append((depth, draw(st.sampled_from(LINK_TARGETS))))
    return out


@SETTINGS
@given(tree=link_trees())
def test_a_cache_folder_full_of_links_never_reads_or_writes_through_them(tree, tmp_path, outside) -> None:
    """Even the user's own cache folder, if someone planted links in it, is neither read nor written through."""
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    cache_dir = tmp_path / f"cache-{len(list(tmp_path.iterdir()))}"
    cache_dir.mkdir()
    body = {"model": "m", "messages": [{"role": "user", "content": "q"}]}
    key = cache_key(body, "http://x/v1", 0, "")
    for where, target in tree:
        path = cache_dir / where.format(k2=key[:2], key=key) if where else cache_dir / "x"
        if path.parent.is_symlink() or path.exists() or path.is_symlink():
            continue  # an earlier link already stands where this one would go
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target if target.startswith("/") else root / target)
    before = snapshot(root / ".git", outside)
    cache = Cache(cache_dir)
    assert cache.get(key) is None  # only links are there: nothing is read through them
    try:
        cache.put(key, {"text": "new"})
        written = True
    except OSError:
        written = False  # a link where the entry's folder should be: not written through (the run warns)
    assert snapshot(root / ".git", outside) == before
    if written:
        entry = cache_dir / key[:2] / f"{key}.json"
        assert not entry.is_symlink() and cache.get(key) == {"text": "new"}


def test_a_cache_write_that_fails_is_a_warning_and_the_run_keeps_its_answers(cli, tmp_path, monkeypatch) -> None:
    root = spec_repo(tmp_path / "repo").root
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    with ChatServer(lambda body, n: completion("ok" if body["model"] == "m" else '{"reasoning": "fine", "score": 7}')) as s:
        result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", s.url,
                     "--cache-dir", str(blocker / "cache"), "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    assert "replies could not be kept in the cache (the run has them" in result.err
    doc = json.loads(result.out)
    assert sum(r["passed"] for r in doc["results"]) == sum(r["samples"] for r in doc["results"]) > 0


@pytest.mark.parametrize("inside", [".spectools/cache", "cache", "."])
def test_a_cache_dir_inside_the_repository_is_refused(inside: str, cli, tmp_path, monkeypatch) -> None:
    root = spec_repo(tmp_path / "repo").root
    result = cli("eval", "run", str(root), "--model", "m", "--cache-dir", str(root / inside), "--dry-run")
    assert result.code == 2 and "inside the repository" in result.err


@SETTINGS
@given(
    head=st.fixed_dictionaries(
        {"threshold": st.integers(1, 7), "samples": st.integers(1, 5), "grader_samples": st.integers(1, 3)}
    ),
    base=st.fixed_dictionaries(
        {"threshold": st.integers(1, 7), "samples": st.integers(1, 5), "grader_samples": st.integers(1, 3)}
    ),
)
def test_results_of_another_setup_are_never_compared(head: dict, base: dict) -> None:
    """spectools.yaml can set the threshold or the sample counts; the comment then names each side's setup and
    shows no regression or improvement between them."""
    from spectools.github.summary import Inputs, render
    from spectools.io.results import load as load_results

    def results(setup: dict, passed: int, commit: str) -> list:
        doc = {"schema_version": 3, "run": {
            "spec_commit": commit, "model": "m", "grader": "g", "grader_prompt_version": PROMPT_VERSION,
            "threshold": setup["threshold"], "started": "s", "ended": "e", "complete": True, "requests": 1,
            "cache_hits": 0, "tokens": {"prompt": 1, "completion": 1},
            "setup": {"samples": setup["samples"], "grader_samples": setup["grader_samples"], "max_requests": None,
                      "max_tokens": MAX_TOKENS}},
            "results": [{"clause": "hn01", "section": "honesty", "authority": "root", "samples": 100, "passed": passed,
                         "errors": 0, "cut_off": 0, "score": passed / 100, "interval": [0, 1]}]}  # fmt: skip
        return load_results(json.dumps(doc), "r.json")

    text = render(Inputs(head=[], results=results(head, 100, "a" * 40), base_results=results(base, 0, "b" * 40)))
    same = head == base
    assert ("Improvements" in text) == same
    assert f"passing at score {head['threshold']}" in text and f"passing at score {base['threshold']}" in text
    if not same:
        assert "another setup" in text


def test_forged_grades_in_a_results_file_cannot_claim_more_passes_than_samples(tmp_path: Path) -> None:
    from spectools.io.results import load as load_results
    from spectools.model import SpecError

    doc = {"schema_version": 1, "results": [{"clause": "a", "model": "m", "grader": "g", "samples": 1, "passed": 5,
                                              "score": 1, "spec_commit": "a" * 40}]}  # fmt: skip
    with pytest.raises(SpecError, match="more than samples"):
        load_results(json.dumps(doc), "r.json")


def test_a_threshold_from_spectools_yaml_is_shown_and_never_reported_as_an_improvement(cli, tmp_path, monkeypatch) -> None:
    """The issue's case: `eval: {threshold: 1}` turns every answer into a pass. The results say so, and the comment
    compares them with nothing measured at another threshold; `eval.fail_under` from the file is not read at all."""
    repo = spec_repo(tmp_path / "repo")
    root = repo.root
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    base_out, head_out = tmp_path / "base.json", tmp_path / "head.json"
    with ChatServer(failing_grader) as server:
        args = ("--model", "m", "--grader-model", "g", "--base-url", server.url)
        repo.git("checkout", "-q", "HEAD~1")
        assert cli("eval", "run", str(root), *args, "--out", str(base_out)).code == 0
        repo.git("checkout", "-q", "-")
        (root / "spectools.yaml").write_text("eval:\n  threshold: 1\n  fail_under: 0\n", encoding="utf-8")
        repo.commit("lower the bar", {})
        head = cli("eval", "run", str(root), *args, "--out", str(head_out))
    assert head.code == 0
    assert json.loads(head_out.read_text("utf-8"))["run"]["threshold"] == 1
    comment = cli("github", "--path", str(root), "--base", "HEAD~2", "--dry-run",
                  "--results", str(head_out), "--results", str(base_out))  # fmt: skip
    assert "passing at score 1" in comment.out and "passing at score 6" in comment.out
    assert "Improvements" not in comment.out and "another setup" in comment.out
    assert "eval.fail_under is not read" in cli("validate", str(root)).out
    with ChatServer(failing_grader) as server:
        gated = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", server.url,
                    "--fail-under", "0.5", "--threshold", "6")  # fmt: skip
    assert gated.code == 1  # the workflow's own gate, at the workflow's threshold


@SETTINGS
@given(
    config=st.fixed_dictionaries(
        {},
        optional={
            "threshold": st.integers(1, 5),
            "model": st.just("strong"),
            "grader_model": st.just("lenient"),
            "samples": st.integers(1, 2),
            "grader_samples": st.integers(1, 3),
        },
    ).filter(bool)
)
def test_a_gated_run_reads_nothing_spectools_yaml_says(config: dict, cli, tmp_path, monkeypatch) -> None:
    """With --fail-under, what the pull request's spectools.yaml says (a lower threshold, a stronger model, a lenient
    grader) is not read: the gate measures what the workflow's flags say, and fails."""
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    (root / "spectools.yaml").write_text("eval:\n" + "".join(f"  {k}: {v}\n" for k, v in config.items()), "utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "k")

    def script(body: dict, n: int):
        if body["model"] in ("m", "strong"):
            return completion("answer")
        return completion(json.dumps({"reasoning": "ok", "score": 7 if body["model"] == "lenient" else 2}))

    with ChatServer(script) as server:
        result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", server.url,
                     "--fail-under", "0.99", "--no-cache")  # fmt: skip
        asked = {r["model"] for r in server.requests}
    assert result.code == 1, result.err
    assert asked == {"m", "g"} and "are not read" in result.err


def test_older_results_without_a_setup_are_not_compared_with_new_ones() -> None:
    from spectools.github.summary import Inputs, render
    from spectools.io.results import load as load_results

    old = {"schema_version": 2, "run": {"spec_commit": "b" * 40, "model": "m", "grader": "g", "grader_prompt_version": PROMPT_VERSION,
           "threshold": 6, "started": "s", "ended": "e", "complete": True, "requests": 1, "cache_hits": 0,
           "tokens": {"prompt": 1, "completion": 1}},
           "results": [{"clause": "hn01", "section": "honesty", "authority": "root", "samples": 100, "passed": 0,
                        "errors": 0, "score": 0, "interval": [0, 1]}]}  # fmt: skip
    new = json.loads(json.dumps(old))
    new["schema_version"], new["run"]["spec_commit"] = 3, "a" * 40
    new["run"]["setup"] = {"samples": 1, "grader_samples": 1, "max_requests": None, "max_tokens": MAX_TOKENS}
    new["results"][0].update(passed=100, score=1, cut_off=0)
    text = render(
        Inputs(head=[], results=load_results(json.dumps(new), "h.json"), base_results=load_results(json.dumps(old), "b.json"))
    )
    assert "Improvements" not in text and "another setup" in text and "unknown (results from an older spectools)" in text
