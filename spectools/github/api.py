"""The only network caller: one sticky comment per pull request, through PyGithub.

- Only comments written by the token's own identity and carrying the marker count; anybody else's
  comment, even one that quotes the marker, is never touched.
- Finding it pages through every comment. Duplicates (from two runs racing) collapse to the oldest.
- An unchanged body sends no request. A create is never retried blindly: after a failed POST the
  comments are listed again first, since the comment may have been made and only the reply lost.
- 5xx and secondary rate limits (403/429 with Retry-After) are retried with bounded backoff for
  reads, edits and deletes. A refusal (403 on a fork's read-only token) is CommentRefused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spectools.github.summary import MARKER


class CommentRefused(Exception):
    """GitHub would not let this token write the comment (a fork's pull request, a read-only token)."""


@dataclass(frozen=True)
class Posted:
    comment_id: int | None
    action: str  # created, updated, unchanged, recreated


def client(token: str, api_url: str, retries: int = 3, backoff: float = 0.5) -> Any:
    from github import Auth, Github, GithubRetry

    retry = GithubRetry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=[429, 500, 502, 503, 504],
        allowed_methods=frozenset({"GET", "PATCH", "DELETE"}),
        secondary_rate_wait=5,
    )
    return Github(
        auth=Auth.Token(token),
        base_url=api_url.rstrip("/"),
        per_page=100,
        retry=retry,
        timeout=20,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def _mine(issue: Any, me: str, marker: str) -> list[Any]:
    found = [c for c in issue.get_comments() if c.user is not None and c.user.login == me and marker in (c.body or "")]
    return sorted(found, key=lambda c: (c.created_at, c.id))


def _delete(comment: Any) -> None:
    from github import GithubException

    try:
        comment.delete()
    except GithubException as exc:
        if exc.status != 404:  # already gone: another run collapsed it
            raise


def post(gh: Any, repo: str, number: int, body: str, mode: str = "update", marker: str = MARKER) -> Posted:
    """Create or update the one comment of ours on pull request `number`; mode: update or recreate."""
    from github import GithubException

    if marker not in body:
        body = body.rstrip("\n") + "\n\n" + marker + "\n"
    try:
        me = gh.get_user().login
        issue = gh.get_repo(repo).get_issue(number)
        mine = _mine(issue, me, marker)
        for extra in mine[1:]:
            _delete(extra)
        if mine and mode == "recreate":
            _delete(mine[0])
            return _create(issue, me, marker, body, "recreated")
        if mine:
            if mine[0].body == body:
                return Posted(mine[0].id, "unchanged")
            mine[0].edit(body)
            return Posted(mine[0].id, "updated")
        return _create(issue, me, marker, body, "created")
    except GithubException as exc:
        if exc.status in (403, 404) and not _is_rate_limit(exc):
            message = exc.data.get("message") if isinstance(exc.data, dict) else None
            raise CommentRefused(f"GitHub refused to write the comment ({exc.status}: {message or 'forbidden'})") from None
        raise


def _create(issue: Any, me: str, marker: str, body: str, action: str) -> Posted:
    """Post the comment, never twice: a failed POST is followed by a look for it, and a twin that another
    run made at the same time is deleted (the oldest is kept, with this body)."""
    from github import GithubException

    try:
        made = issue.create_comment(body)
    except GithubException as exc:
        if exc.status in (403, 404, 422):
            raise
        again = _mine(issue, me, marker)  # the POST may have landed and only its reply been lost
        made = again[0] if again else issue.create_comment(body)
    after = _mine(issue, me, marker)  # another run may have created one at the same time
    for extra in after[1:]:
        _delete(extra)
    keep = after[0] if after else made
    if keep.id != made.id and keep.body != body:
        keep.edit(body)
    return Posted(keep.id, action)


def _is_rate_limit(exc: Any) -> bool:
    message = str(exc.data.get("message", "")) if isinstance(exc.data, dict) else ""
    return "rate limit" in message.lower()
