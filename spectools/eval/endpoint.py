"""An OpenAI-compatible chat-completions endpoint, through the official openai client, with an answer
cache on disk.

The client does the retrying: 408, 409, 429 and 5xx answers, timeouts and dropped connections are
retried with exponential backoff and jitter (0.5 s doubling to 8 s, less up to a quarter), honouring
Retry-After and retry-after-ms up to two minutes, at most `retries` times. What still fails is a
RequestFailed, which says why; it is never cached. A reply is cached under the sha256 of the request
body, the base URL, the sample index and the grader prompt's version, so a rerun, or a resume after a
crash, sends no request twice.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any, NamedTuple

from spectools.model import SpecError

OPENAI_URL = "https://api.openai.com/v1"
INSTALL_HINT = "spectools eval needs the openai client: pip install 'spectools[eval]'"


class Reply(NamedTuple):
    text: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool


class RequestFailed(Exception):
    """The endpoint did not answer, or answered with an error, after the client's retries."""


class OutOfBudget(Exception):
    """--max-requests were sent: the run stops here, and is marked incomplete."""


class Budget:
    """At most `limit` requests sent (None: no limit), shared by every thread of a run."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.left is None:
                return True
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def cache_key(body: dict[str, Any], base_url: str, sample: int, version: str) -> str:
    """The sha256 of the canonical request: its body (keys sorted), where it goes, which sample, which prompt."""
    canonical = json.dumps(
        {"body": body, "base_url": base_url.rstrip("/"), "sample": sample, "version": version},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Cache:
    """Replies on disk, one small JSON file each, under <folder>/<first two hex digits>/<key>.json. With a root
    (a cache inside the repository, which a pull request can fill with symlinks), nothing is read or written
    outside it: SpecError."""

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        from spectools.io import inside

        if root is not None and not inside(folder, root):
            raise SpecError(
                f"{folder}: the answer cache leads outside the repository {root}; give --cache-dir, or remove the link"
            )
        self.folder, self.root = folder, root

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached reply, or None (a missing, unreadable or damaged entry is a miss, and is written again)."""
        if self.root is not None:
            from spectools.io import inside

            if not inside(self._path(key), self.root):
                return None  # a link out of the repository is never read
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        ok = isinstance(data, dict) and isinstance(data.get("text"), str)
        return data if ok else None

    def put(self, key: str, data: dict[str, Any]) -> None:
        from spectools.io import target_of, write_atomic

        path = self._path(key)
        if self.root is not None:
            target_of(path, self.root)  # a folder on the way that is a symlink out of the repository: SpecError
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, ensure_ascii=False).encode("utf-8"), self.root)


class Endpoint:
    """One endpoint (base URL and key). Thread-safe: a run sends several requests at once."""

    def __init__(
        self, base_url: str | None, api_key: str, *, timeout: float = 60.0, retries: int = 4, cache: Cache | None = None
    ) -> None:
        try:
            from openai import OpenAI
        except ImportError:
            raise SpecError(INSTALL_HINT) from None
        self.base_url = (base_url or OPENAI_URL).rstrip("/")
        self.cache = cache
        self.sent = 0  # requests that reached the client (its retries not counted)
        self.hits = 0  # replies taken from the cache
        self.prompt_tokens = 0  # as the replies report them (cached replies not counted again)
        self.completion_tokens = 0
        self._lock = threading.Lock()
        self._client = OpenAI(base_url=self.base_url, api_key=api_key or "none", timeout=timeout, max_retries=retries)

    def chat(self, body: dict[str, Any], sample: int = 0, version: str = "", budget: Budget | None = None) -> Reply:
        """The reply to one chat-completions request (body: model, messages and parameters). OutOfBudget
        when it is not cached and the budget is spent."""
        key = cache_key(body, self.base_url, sample, version)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            with self._lock:
                self.hits += 1
            return Reply(cached["text"], int(cached.get("prompt_tokens", 0)), int(cached.get("completion_tokens", 0)), True)
        if budget is not None and not budget.take():
            raise OutOfBudget
        with self._lock:
            self.sent += 1
        reply = self._send(body)
        with self._lock:
            self.prompt_tokens += reply.prompt_tokens
            self.completion_tokens += reply.completion_tokens
        if self.cache is not None:
            self.cache.put(
                key, {"text": reply.text, "prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens}
            )
        return reply

    def _send(self, body: dict[str, Any]) -> Reply:
        import openai

        try:
            response = self._client.chat.completions.create(**body)
        except openai.APIStatusError as exc:
            raise RequestFailed(f"{self.base_url} answered {exc.status_code}: {_message(exc)}") from None
        except openai.APITimeoutError:
            raise RequestFailed(f"{self.base_url} did not answer in time") from None
        except openai.APIConnectionError as exc:
            raise RequestFailed(f"cannot reach {self.base_url}: {exc.__cause__ or exc}") from None
        except (openai.OpenAIError, ValueError) as exc:  # an answer the client cannot read
            raise RequestFailed(
                f"{self.base_url} answered something that is not a chat completion ({type(exc).__name__})"
            ) from None
        choices = getattr(response, "choices", None) or []
        text = choices[0].message.content if choices and choices[0].message else None
        if not isinstance(text, str):
            raise RequestFailed(f"{self.base_url} answered with no message text")
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        return Reply(text, prompt, completion, False)


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])[:200]
    return str(getattr(exc, "message", "") or type(exc).__name__)[:200]
