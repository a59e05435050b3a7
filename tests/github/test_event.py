"""event.py: what each recorded GitHub event payload asks spectools to compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spectools.github.event import ZERO, context
from spectools.model import SpecError
from tests.conftest import DATA

EVENTS = DATA / "github-events"


def env(name: str, path: Path | None = None, **more: str) -> dict[str, str]:
    return {"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(path or ""), **more}


@pytest.mark.parametrize("name", sorted(p.name for p in EVENTS.glob("pull_request.*.json")))
def test_every_recorded_pull_request_payload_names_its_commits_and_number(name: str) -> None:
    payload = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    for event in ("pull_request", "pull_request_target"):
        ctx = context(env(event, EVENTS / name, GITHUB_REPOSITORY="Codertocat/Hello-World"))
        assert (ctx.base, ctx.head, ctx.number) == (
            payload["pull_request"]["base"]["sha"],
            payload["pull_request"]["head"]["sha"],
            payload["number"],
        )
        assert ctx.link("model_spec.md", 3) == (
            f"https://github.com/Codertocat/Hello-World/blob/{ctx.head}/model_spec.md?plain=1#L3"
        )


def test_push_payloads() -> None:
    deleted = context(env("push", EVENTS / "push.json"))
    assert (deleted.base, deleted.head) == (None, None)
    new_branch = context(env("push", EVENTS / "push.with-new-branch.json"))
    assert new_branch.base is None and new_branch.head == "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
    assert new_branch.default_branch == "master" and new_branch.note == "a new branch: compared with the default branch"
    assert ZERO == "0" * 40


def test_workflow_run_payloads() -> None:
    plain = context(env("workflow_run", EVENTS / "workflow_run.completed.json"))
    assert (plain.workflow_run_sha, plain.workflow_run_prs) == ("3484a3fb816e0859fd6e1cea078d76385ff50625", ())
    listed = context(env("workflow_run", EVENTS / "workflow_run.completed.with-pull-requests.json"))
    assert listed.workflow_run_prs == (2,)


def test_the_command_line_wins_and_github_enterprise_urls_are_used() -> None:
    ctx = context(
        env(
            "pull_request",
            EVENTS / "pull_request.opened.json",
            GITHUB_API_URL="https://ghe.example/api/v3",
            GITHUB_SERVER_URL="https://ghe.example",
            GITHUB_REPOSITORY="acme/spec",
        ),
        base="main",
        head="topic",
        number=4,
    )
    assert (ctx.base, ctx.head, ctx.number, ctx.api_url) == ("main", "topic", 4, "https://ghe.example/api/v3")
    assert ctx.blob_url() == "https://ghe.example/acme/spec/blob/topic/"
    local = context({})
    assert (local.event, local.head, local.base, local.link("a.md", 1)) == ("local", "HEAD", None, None)


def test_a_payload_that_is_not_an_object_or_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    with pytest.raises(SpecError, match=r"list\.json: the event payload is not a JSON object"):
        context(env("push", tmp_path / "list.json"))
    with pytest.raises(SpecError, match=r"missing\.json: cannot read the event payload"):
        context(env("push", tmp_path / "missing.json"))
    (tmp_path / "bool.json").write_text(
        '{"pull_request": {"number": true, "base": {"sha": "a"}, "head": {"sha": "b"}}}', encoding="utf-8"
    )
    with pytest.raises(SpecError, match=r"no valid `pull_request\.number`"):
        context(env("pull_request", tmp_path / "bool.json"))
