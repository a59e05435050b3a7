"""What a GitHub Actions run asks for: which commits to compare and which pull request to comment on.

Read from the runner's environment (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY,
GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_SHA) and the event payload. The payload is GitHub's, but
every field is checked before use, and a missing one is a clear error, not a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spectools.model import SpecError

ZERO = "0" * 40
PR_EVENTS = ("pull_request", "pull_request_target")


@dataclass(frozen=True)
class Context:
    event: str  # the event name, or "local"
    repository: str | None  # owner/name
    api_url: str
    server_url: str
    base: str | None  # a sha or ref; None: nothing to compare against (a first commit)
    head: str | None  # None: nothing to do (a deleted branch or tag)
    number: int | None = None  # the pull request to comment on
    default_branch: str | None = None
    workflow_run_sha: str | None = None  # workflow_run: the head commit of the run that made the report
    workflow_run_prs: tuple[int, ...] = ()
    note: str | None = None  # said as a notice: why the base is what it is
    base_may_be_gone: bool = False  # a push's `before`: a force-push can leave it unreachable

    def blob_url(self, commit: str | None = None) -> str:
        """Where the files of a commit (default: the head) are on GitHub ("" for a local run: links stay relative)."""
        commit = commit or self.head
        if not self.repository or not commit or self.event == "local":
            return ""
        return f"{self.server_url.rstrip('/')}/{self.repository}/blob/{commit}/"

    def link(self, path: str, line: int) -> str | None:
        """A link to path:line at head, for the summary."""
        from urllib.parse import quote

        url = self.blob_url()
        if not url:
            return None
        # the path is the repository's: percent-encoded, a `)` or a space in a file name cannot end the link
        return f"{url}{quote(path, safe='/')}" + (f"?plain=1#L{line}" if line else "")  # plain: a rendered .md has no line ids


def _get(data: Any, dotted: str, kind: type | tuple[type, ...], where: str, optional: bool = False) -> Any:
    value = data
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise SpecError(f"{where}: the event payload has no valid `{dotted}`; is this the event the workflow says it is?")
    return value


def read_payload(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    from pathlib import Path

    from spectools.io.external import read_json

    data = read_json(Path(path), "the event payload GitHub sent (GITHUB_EVENT_PATH)")
    if not isinstance(data, dict):
        raise SpecError(f"{path}: the event payload is not a JSON object")
    return data


def context(env: Mapping[str, str], base: str | None = None, head: str | None = None, number: int | None = None) -> Context:
    """The run's context. --base/--head (and --pr) given on the command line win over the event."""
    event = env.get("GITHUB_EVENT_NAME") or "local"
    where = env.get("GITHUB_EVENT_PATH") or "the event"
    payload = read_payload(env.get("GITHUB_EVENT_PATH")) if event != "local" else {}
    common = _common(env, event, payload, where)
    if event == "workflow_run":  # privileged: what it reviews comes from the event and a verified ticket, never a flag
        if base or head:
            raise SpecError(
                "a workflow_run reviews the commit its event names, checked against the pull request's ticket: "
                "--base and --head are refused here (remove them from the privileged workflow)"
            )
        return _workflow_run(payload, where, number, common)
    if base or head:
        return Context(base=base or None, head=head or env.get("GITHUB_SHA") or "HEAD", number=number, **common)
    if event in PR_EVENTS:
        return Context(
            base=_get(payload, "pull_request.base.sha", str, where),
            head=_get(payload, "pull_request.head.sha", str, where),
            number=_get(payload, "pull_request.number", int, where),
            **common,
        )
    if event == "push":
        return _push(payload, where, common)
    # workflow_dispatch, schedule, a local run: the commit checked out, against the default branch
    return Context(base=None, head=env.get("GITHUB_SHA") or "HEAD", number=number, **common)


def _common(env: Mapping[str, str], event: str, payload: dict[str, Any], where: str) -> dict[str, Any]:
    """What every context has: the event, the repository, GitHub's URLs and the default branch."""
    return {
        "event": event,
        "repository": env.get("GITHUB_REPOSITORY") or None,
        "api_url": env.get("GITHUB_API_URL") or "https://api.github.com",
        "server_url": env.get("GITHUB_SERVER_URL") or "https://github.com",
        "default_branch": _get(payload, "repository.default_branch", str, where, optional=True),
    }


def _workflow_run(payload: dict[str, Any], where: str, number: int | None, common: dict[str, Any]) -> Context:
    """A privileged run after a pull request's: the commit and pull requests the event names, to verify a ticket."""
    prs = _get(payload, "workflow_run.pull_requests", list, where, optional=True) or []
    return Context(
        base=None,
        head=None,
        number=number,
        workflow_run_sha=_get(payload, "workflow_run.head_sha", str, where),
        workflow_run_prs=tuple(p["number"] for p in prs if isinstance(p, dict) and isinstance(p.get("number"), int)),
        **common,
    )


def _push(payload: dict[str, Any], where: str, common: dict[str, Any]) -> Context:
    before, after = _get(payload, "before", str, where), _get(payload, "after", str, where)
    if after == ZERO:
        return Context(base=None, head=None, note="the push deleted a branch or tag: nothing to check", **common)
    if before == ZERO:
        note = "a new branch: compared with the default branch" if common["default_branch"] else "a new branch"
        return Context(base=None, head=after, note=note, **common)
    return Context(base=before, head=after, base_may_be_gone=True, **common)
