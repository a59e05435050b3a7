"""The sticky comment, through PyGithub's real HTTP stack, against a GitHub API server on 127.0.0.1."""

from __future__ import annotations

import threading

import pytest

from spectools.github.api import MARKER, CommentRefused, client, post
from tests.github_server import Failure, GitHubServer

REPO, PR = "acme/spec", 7


def gh(server: GitHubServer) -> object:
    return client(server.token, server.url, retries=3, backoff=0.01)


def test_create_then_edit_then_leave_alone() -> None:
    with GitHubServer() as server:
        first = post(gh(server), REPO, PR, "## Summary one\n")
        assert first.action == "created"
        (comment,) = server.on_issue(PR)
        assert comment["body"] == f"## Summary one\n\n{MARKER}\n"  # it ends with the hidden marker
        assert post(gh(server), REPO, PR, "## Summary two\n").action == "updated"
        assert server.on_issue(PR)[0]["body"].startswith("## Summary two")
        server.requests.clear()
        again = post(gh(server), REPO, PR, "## Summary two\n")
        assert (again.action, again.comment_id) == ("unchanged", comment["id"])
        assert [m for m, _ in server.requests if m != "GET"] == []  # no request when the body is the same


def test_the_marker_on_a_late_page_is_found() -> None:
    with GitHubServer() as server:
        for i in range(150):
            server.add_comment(PR, f"chatter {i}", login="someone")
        ours = server.add_comment(PR, f"old\n{MARKER}\n")
        for i in range(30):
            server.add_comment(PR, f"more {i}", login="someone")
        result = post(gh(server), REPO, PR, "new body")
        assert (result.action, result.comment_id) == ("updated", ours)
        assert ("GET", f"/repos/{REPO}/issues/{PR}/comments") in server.requests
        assert len(server.on_issue(PR)) == 181


def test_someone_elses_comment_that_quotes_the_marker_is_never_touched() -> None:
    with GitHubServer() as server:
        theirs = server.add_comment(PR, f"I copied your bot: {MARKER}", login="mallory")
        result = post(gh(server), REPO, PR, "ours")
        assert result.action == "created" and result.comment_id != theirs
        assert server.comments[theirs]["body"] == f"I copied your bot: {MARKER}"


def test_duplicates_collapse_to_the_oldest() -> None:
    with GitHubServer() as server:
        oldest = server.add_comment(PR, f"a\n{MARKER}")
        server.add_comment(PR, f"b\n{MARKER}")
        server.add_comment(PR, f"c\n{MARKER}")
        result = post(gh(server), REPO, PR, "fresh")
        assert result.comment_id == oldest
        assert [c["id"] for c in server.on_issue(PR)] == [oldest]


def test_two_posts_at_once_end_with_exactly_one_comment() -> None:
    with GitHubServer() as server:
        errors: list[BaseException] = []

        def run(text: str) -> None:
            try:
                post(gh(server), REPO, PR, text)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(f"run {i}",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        assert len([c for c in server.on_issue(PR) if MARKER in c["body"]]) == 1


def test_server_errors_and_secondary_rate_limits_are_retried() -> None:
    with GitHubServer() as server:
        server.failures += [
            Failure("GET", r"/repos/.*/comments", 502, times=2),
            Failure("GET", "/user", 429, headers={"Retry-After": "0"}),
        ]
        assert post(gh(server), REPO, PR, "body").action == "created"
        server.failures.append(Failure("PATCH", r"/repos/.*/issues/comments/\d+", 503))
        assert post(gh(server), REPO, PR, "body 2").action == "updated"


def test_a_create_is_not_blindly_retried() -> None:
    with GitHubServer() as server:
        server.failures.append(Failure("POST", r"/repos/.*/comments", 502, then_apply=True))  # made, reply lost
        assert post(gh(server), REPO, PR, "body").action == "created"
        assert len(server.on_issue(PR)) == 1
        assert [m for m, _ in server.requests].count("POST") == 1


def test_a_refusal_is_comment_refused() -> None:
    with GitHubServer() as server:
        server.failures.append(Failure("POST", r"/repos/.*/comments", 403, message="Resource not accessible by integration"))
        with pytest.raises(CommentRefused, match="403: Resource not accessible by integration"):
            post(gh(server), REPO, PR, "body")


def test_recreate_and_github_enterprise_paths() -> None:
    with GitHubServer(prefix="/api/v3") as server:
        first = post(gh(server), REPO, PR, "one")
        second = post(gh(server), REPO, PR, "two", mode="recreate")
        assert second.action == "recreated" and second.comment_id != first.comment_id
        assert [c["body"] for c in server.on_issue(PR)] == [f"two\n\n{MARKER}\n"]
        assert all(path.startswith("/repos/") or path == "/user" for _, path in server.requests)


def test_the_token_is_never_in_an_error() -> None:
    with GitHubServer() as server:
        server.failures.append(Failure("POST", r"/repos/.*/comments", 403, message="Forbidden"))
        with pytest.raises(CommentRefused) as info:
            post(gh(server), REPO, PR, "body")
        assert server.token not in str(info.value)
