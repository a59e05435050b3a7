"""Class "Keys" (docs/SECURITY.md): a key goes only to its own endpoint.

Two real chat-completions servers on 127.0.0.1 (so another port) stand for the model's endpoint and the grader's;
generated keys, with or without a trailing slash on the grader's URL, and a named key variable.
The invariant: the grader's server never sees the model's key; without a grader key for another endpoint
the run is refused before any request, with a message that says what to set.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.chat_server import ChatServer, completion
from tests.security.harness import spec_repo

SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def answers(body: dict, n: int):
    return completion("ok" if body["model"] == "m" else json.dumps({"reasoning": "fine", "score": 7}))


@SETTINGS
@given(
    key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=8, max_size=40).map(lambda s: "sk-" + s),
    suffix=st.sampled_from(["", "/"]),
    command=st.sampled_from(["run", "calibrate"]),
)
def test_the_model_key_never_reaches_another_endpoint(key: str, suffix: str, command: str, cli, tmp_path, monkeypatch) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.delenv("SPECTOOLS_GRADER_API_KEY", raising=False)
    with ChatServer(answers) as model, ChatServer(answers) as judge:
        args = ["eval", command, str(root), "--model", "m", "--grader-model", "g", "--base-url", model.url,
                "--grader-base-url", judge.url + suffix, "--no-cache"]  # fmt: skip
        refused = cli(*args)
        assert refused.code == 2 and "SPECTOOLS_GRADER_API_KEY" in refused.err and key not in refused.err
        assert judge.requests == [] and model.requests == []  # refused before anything was sent
        monkeypatch.setenv("SPECTOOLS_GRADER_API_KEY", "grader-key")
        done = cli(*args)
        monkeypatch.delenv("SPECTOOLS_GRADER_API_KEY")
    assert done.code == 0, done.err
    assert {h["authorization"] for h in judge.headers} == {"Bearer grader-key"}
    assert all(h["authorization"] == f"Bearer {key}" for h in model.headers)


def test_one_endpoint_for_both_takes_the_one_key(cli, tmp_path, monkeypatch) -> None:
    root = spec_repo(tmp_path / "repo").root
    monkeypatch.setenv("OPENAI_API_KEY", "sk-one")
    with ChatServer(answers) as server:
        result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", server.url, "--no-cache")
    assert result.code == 0, result.err
    assert {h["authorization"] for h in server.headers} == {"Bearer sk-one"}


def test_the_grader_key_variable_can_be_named(cli, tmp_path, monkeypatch) -> None:
    root = spec_repo(tmp_path / "repo").root
    monkeypatch.setenv("OPENAI_API_KEY", "sk-model")
    monkeypatch.setenv("MY_GRADER_KEY", "sk-grader")
    with ChatServer(answers) as model, ChatServer(answers) as judge:
        result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", model.url,
                     "--grader-base-url", judge.url, "--grader-api-key-env", "MY_GRADER_KEY", "--no-cache")  # fmt: skip
    assert result.code == 0, result.err
    assert {h["authorization"] for h in judge.headers} == {"Bearer sk-grader"}
    assert {h["authorization"] for h in model.headers} == {"Bearer sk-model"}


def test_spectools_yaml_cannot_name_an_endpoint_or_a_key(cli, tmp_path) -> None:
    root = spec_repo(tmp_path / "repo").root
    for key in ("base_url", "grader_base_url", "api_key_env", "grader_api_key_env", "api_key"):
        (root / "spectools.yaml").write_text(f"eval:\n  {key}: x\n", encoding="utf-8")
        assert f"unknown key 'eval.{key}'" in cli("validate", str(root)).out
