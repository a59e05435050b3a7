"""A small GitHub REST API on 127.0.0.1 for tests, spoken to through PyGithub's real HTTP stack.

It serves the shapes of `shared/reference/github-rest-recorded/` and GitHub's documentation: the
authenticated user, issues, issue comments with `Link` pagination, rate-limit headers, and errors
injected on demand (403, 422, 429 with Retry-After, 5xx). State is kept in memory and guarded by a lock.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Failure:
    method: str
    path: str  # a regex on the path, after the prefix
    status: int
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Server Error"
    then_apply: bool = False  # do the work, then fail anyway (a reply lost on the way back)


class GitHubServer:
    def __init__(self, login: str = "spectools-bot", token: str = "secret-token", prefix: str = "") -> None:
        self.login, self.token, self.prefix = login, token, prefix
        self.comments: dict[int, dict[str, Any]] = {}
        self.pulls: dict[int, dict[str, str]] = {}  # number -> {"head": sha, "base": sha}
        self.next_id = 1000
        self.clock = 0
        self.failures: list[Failure] = []
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def __enter__(self) -> GitHubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_comment(self, number: int, body: str, login: str | None = None) -> int:
        with self.lock:
            return self._create(number, body, login or self.login)["id"]

    def on_issue(self, number: int) -> list[dict[str, Any]]:
        return sorted((c for c in self.comments.values() if c["number"] == number), key=lambda c: c["id"])

    def _create(self, number: int, body: str, login: str) -> dict[str, Any]:
        self.next_id += 1
        self.clock += 1
        stamp = f"2026-01-01T00:{self.clock // 60:02d}:{self.clock % 60:02d}Z"
        comment = {"id": self.next_id, "number": number, "body": body, "login": login, "created_at": stamp, "updated_at": stamp}
        self.comments[self.next_id] = comment
        return comment

    def _user(self, login: str) -> dict[str, Any]:
        return {"login": login, "id": abs(hash(login)) % 100000, "type": "Bot", "url": f"{self.url}/users/{login}"}

    def _comment_json(self, owner: str, repo: str, c: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": c["id"],
            "node_id": f"IC_{c['id']}",
            "body": c["body"],
            "user": self._user(c["login"]),
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "url": f"{self.url}/repos/{owner}/{repo}/issues/comments/{c['id']}",
            "html_url": f"https://github.invalid/{owner}/{repo}/pull/{c['number']}#issuecomment-{c['id']}",
            "issue_url": f"{self.url}/repos/{owner}/{repo}/issues/{c['number']}",
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, data: Any = None, headers: dict[str, str] | None = None) -> None:
                payload = b"" if data is None else json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in {
                    "X-RateLimit-Limit": "5000",
                    "X-RateLimit-Remaining": "4999",
                    "X-RateLimit-Reset": "4102444800",
                    **(headers or {}),
                }.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _route(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                if not url.path.startswith(server.prefix + "/"):  # GitHub Enterprise: the API lives under /api/v3
                    server.requests.append((method, "(outside the API) " + url.path))
                    return self._send(404, {"message": "Not Found"})
                path = url.path[len(server.prefix) :]
                with server.lock:
                    server.requests.append((method, path))
                    auth = self.headers.get("Authorization", "")
                    if auth not in (f"token {server.token}", f"Bearer {server.token}"):
                        return self._send(401, {"message": "Bad credentials"})
                    failure = next((f for f in server.failures if f.method == method and re.fullmatch(f.path, path)), None)
                    if failure and not failure.then_apply:
                        return self._fail(failure)
                    status, data, headers = self._serve(method, path, parse_qs(url.query), body)
                    if failure:
                        return self._fail(failure)
                    return self._send(status, data, headers)

            def _fail(self, failure: Failure) -> None:
                failure.times -= 1
                if failure.times <= 0:
                    server.failures.remove(failure)
                self._send(
                    failure.status, {"message": failure.message, "documentation_url": "https://docs.github.com"}, failure.headers
                )

            def _serve(
                self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any]
            ) -> tuple[int, Any, dict[str, str]]:
                if method == "GET" and path == "/user":
                    return 200, server._user(server.login), {}
                m = re.fullmatch(r"/repos/([^/]+)/([^/]+)", path)
                if m and method == "GET":
                    owner, repo = m.group(1), m.group(2)
                    return (
                        200,
                        {
                            "id": 42,
                            "name": repo,
                            "full_name": f"{owner}/{repo}",
                            "owner": server._user(owner),
                            "url": f"{server.url}/repos/{owner}/{repo}",
                            "private": False,
                        },
                        {},
                    )
                m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/pulls/(\d+)", path)
                if m and method == "GET":
                    owner, repo, number = m.group(1), m.group(2), int(m.group(3))
                    if number not in server.pulls:
                        return 404, {"message": "Not Found"}, {}
                    url = f"{server.url}/repos/{owner}/{repo}/pulls/{number}"
                    return (
                        200,
                        {
                            "number": number,
                            "id": 9000 + number,
                            "url": url,
                            "state": "open",
                            "head": {"sha": server.pulls[number]["head"], "ref": "feature", "label": f"{owner}:feature"},
                            "base": {"sha": server.pulls[number]["base"], "ref": "main", "label": f"{owner}:main"},
                            "user": server._user("author"),
                        },
                        {},
                    )
                m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)", path)
                if m and method == "GET":
                    owner, repo, number = m.group(1), m.group(2), int(m.group(3))
                    base = f"{server.url}/repos/{owner}/{repo}/issues/{number}"
                    return (
                        200,
                        {
                            "number": number,
                            "id": 5000 + number,
                            "url": base,
                            "comments_url": base + "/comments",
                            "title": "A pull request",
                            "state": "open",
                            "user": server._user("author"),
                        },
                        {},
                    )
                m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments", path)
                if m:
                    owner, repo, number = m.group(1), m.group(2), int(m.group(3))
                    if method == "POST":
                        return 201, server._comment_json(owner, repo, server._create(number, body["body"], server.login)), {}
                    per_page = min(int(query.get("per_page", ["30"])[0]), 100)
                    page = int(query.get("page", ["1"])[0])
                    items = server.on_issue(number)
                    last = max(1, -(-len(items) // per_page))
                    chunk = items[(page - 1) * per_page : page * per_page]
                    links = []
                    link = f"{server.url}/repos/{owner}/{repo}/issues/{number}/comments?per_page={per_page}&page="
                    if page < last:
                        links += [f'<{link}{page + 1}>; rel="next"', f'<{link}{last}>; rel="last"']
                    headers = {"Link": ", ".join(links)} if links else {}
                    return 200, [server._comment_json(owner, repo, c) for c in chunk], headers
                m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", path)
                if m:
                    owner, repo, cid = m.group(1), m.group(2), int(m.group(3))
                    if cid not in server.comments:
                        return 404, {"message": "Not Found"}, {}
                    if method == "DELETE":
                        del server.comments[cid]
                        return 204, None, {}
                    if method == "PATCH":
                        server.clock += 1
                        server.comments[cid].update(body=body["body"])
                        return 200, server._comment_json(owner, repo, server.comments[cid]), {}
                return 404, {"message": "Not Found"}, {}

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PATCH(self) -> None:
                self._route("PATCH")

            def do_DELETE(self) -> None:
                self._route("DELETE")

        return Handler
