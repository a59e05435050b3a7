"""An OpenAI-compatible chat-completions endpoint, through the official openai client, with an answer
cache on disk.

The client does the retrying: 408, 409, 429 and 5xx answers, timeouts and dropped connections are
retried with exponential backoff and jitter (0.5 s doubling to 8 s, less up to a quarter), honouring
Retry-After and retry-after-ms, at most `retries` times, all within the request's `timeout`: a try may
take the whole of it, and a retry gets what the tries and waits before it left. What still fails is a
RequestFailed, which says why; it is never cached. A reply is cached under the sha256 of the request
body, the base URL, the sample index and the grader prompt's version, so a rerun, or a resume after a
crash, sends no request twice.

Every request is bounded (docs/SECURITY.md, "Bounds"): it carries a max_tokens (max_completion_tokens
for an endpoint that refuses max_tokens, as OpenAI's reasoning models do), at most MAX_REPLY bytes of a
reply are read, and `timeout` is the whole request's.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from spectools.model import SpecError

OPENAI_URL = "https://api.openai.com/v1"
INSTALL_HINT = "spectools eval needs the openai client: pip install 'spectools[eval]'"


REQUEST_THREAD = "spectools-request"  # the name of a request's worker (a test waits for those it left)
_UNPAIRED = re.compile(r"[\ud800-\udfff]")
MAX_REPLY = 1024 * 1024  # bytes of one HTTP reply read at most (an answer is capped by max_tokens besides)
MAX_TOKENS = 4096  # a request's max_tokens, unless it names its own
MAX_BATCH_FILE = 512 * 1024 * 1024  # bytes of a batch's output file read at most


class Reply(NamedTuple):
    text: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    finish_reason: str = ""  # "length": the reply was cut at max_tokens


class ReplyTooLarge(Exception):
    """The endpoint sent more than MAX_REPLY bytes, or kept sending past the request's deadline."""


def _inflater(encoding: str) -> Any:
    """A zlib decompressor for a reply's Content-Encoding (gzip or deflate), None for none; ReplyTooLarge for another
    (asked for none: spectools sends Accept-Encoding: identity, so an endpoint that compresses anyway is refused)."""
    import zlib

    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, told apart by zlib
    raise ReplyTooLarge(f"a reply in an encoding spectools does not read ({encoding[:20]})")


def _http_client(timeout: float, limit: int = 0) -> Any:
    """An httpx client (the openai client's own kind) that reads at most `limit` (MAX_REPLY) bytes of a reply, counted after
    decompression (it decompresses gzip and deflate itself, bounded, so that a small compressed reply cannot become a
    huge one), and stops reading one that is still coming when the request's time is up."""
    import time

    import httpx

    most = limit or MAX_REPLY

    class Capped(httpx.SyncByteStream):
        def __init__(self, inner: Any, deadline: float, inflater: Any) -> None:
            self.inner, self.deadline, self.inflater = inner, deadline, inflater

        def __iter__(self) -> Any:
            read = 0
            for raw in self.inner:
                chunk = raw if self.inflater is None else self.inflater.decompress(raw, most + 1 - read)
                read += len(chunk)
                more = self.inflater is not None and self.inflater.unconsumed_tail
                if read > most or more or time.monotonic() > self.deadline:
                    raise ReplyTooLarge(f"more than {most} bytes, or longer than {timeout:g} s")
                yield chunk

        def close(self) -> None:
            self.inner.close()

    class Transport(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            deadline = time.monotonic() + timeout
            request.headers["Accept-Encoding"] = "identity"
            response = super().handle_request(request)
            inflater = _inflater(response.headers.pop("Content-Encoding", ""))  # decoded here, so not again by httpx
            response.stream = Capped(response.stream, deadline, inflater)
            return response

    return httpx.Client(transport=Transport(), timeout=timeout)


class RequestFailed(Exception):
    """The endpoint did not answer, or answered with an error, after the client's retries. status: the HTTP status
    it answered with, when it answered (a decision is taken on it, never on what the message says)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class OutOfBudget(Exception):
    """--max-requests were sent: the run stops here, and is marked incomplete."""


class Budget:
    """At most `limit` requests sent (None: no limit), shared by every thread of a run."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit
        self.stopped = False  # set on Ctrl-C: no request is sent after it
        self._lock = threading.Lock()

    def stop(self) -> None:
        with self._lock:
            self.stopped = True

    def take(self) -> bool:
        with self._lock:
            if self.stopped:
                return False
            if self.left is None:
                return True
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def bounded(body: dict[str, Any], max_tokens: int, field: str = "max_tokens") -> dict[str, Any]:
    """The request as sent: with a max_tokens (or the field the endpoint takes), unless it names its own."""
    if "max_tokens" in body or "max_completion_tokens" in body:
        return body
    return {**body, field: max_tokens}


def _wants_completion_tokens(failure: RequestFailed) -> bool:
    """Whether the endpoint refused max_tokens and asks for max_completion_tokens (OpenAI's reasoning models)."""
    return failure.status == 400 and "max_completion_tokens" in str(failure)


def cache_key(body: dict[str, Any], base_url: str, sample: int, version: str) -> str:
    """The sha256 of the canonical request: its body (keys sorted), where it goes, which sample, which prompt."""
    canonical = json.dumps(
        {"body": body, "base_url": base_url.rstrip("/"), "sample": sample, "version": version},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


MAX_ENTRY = 4 * 1024 * 1024  # bytes: a cached reply is at most a capped reply, with room to spare


class Cache:
    """Replies on disk, one small JSON file each, under <folder>/<first two hex digits>/<key>.json. The folder is
    the user's (io.cache_home() by default, or --cache-dir), never the repository's: nothing a pull request
    commits is read as a reply. An entry is read only when it is a regular file reached through no link, and is
    written without following one (io.read_entry, io.write_entry)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _parts(self, key: str) -> tuple[str, str]:
        return key[:2], f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached reply, or None (a missing, unreadable, linked or damaged entry is a miss, and is written again)."""
        from spectools.io import read_entry

        raw = read_entry(self.folder, self._parts(key), MAX_ENTRY)
        try:
            data = json.loads(raw.decode("utf-8")) if raw is not None else None
        except (ValueError, RecursionError):
            return None
        ok = isinstance(data, dict) and isinstance(data.get("text"), str)
        return data if ok else None

    def put(self, key: str, data: dict[str, Any]) -> None:
        """Keep a reply; OSError when the file system refuses (the caller warns, and the run goes on)."""
        from spectools.io import write_entry

        write_entry(self.folder, self._parts(key), json.dumps(data, ensure_ascii=False).encode("utf-8"))


class Endpoint:
    """One endpoint (base URL and key). Thread-safe: a run sends several requests at once."""

    def __init__(
        self,
        base_url: str | None,
        api_key: str,
        *,
        timeout: float = 60.0,
        retries: int = 4,
        cache: Cache | None = None,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        try:
            from openai import OpenAI
        except ImportError:
            raise SpecError(INSTALL_HINT) from None
        self.base_url = (base_url or OPENAI_URL).rstrip("/")
        self.cache = cache
        self.timeout, self.max_tokens = timeout, max_tokens
        self.token_field = "max_tokens"  # max_completion_tokens once the endpoint refuses max_tokens
        self.sent = 0  # requests that reached the client (its retries not counted)
        self.hits = 0  # replies taken from the cache
        self.prompt_tokens = 0  # as the replies report them (cached replies not counted again)
        self.completion_tokens = 0
        self.cache_failures: list[str] = []  # why replies could not be kept (the run goes on without them)
        self._lock = threading.Lock()
        self._client = OpenAI(
            base_url=self.base_url,
            api_key=api_key or "none",
            timeout=timeout,
            max_retries=retries,
            http_client=_http_client(timeout),
        )
        self._key, self._retries = api_key or "none", retries

    def files_client(self) -> Any:
        """A client of the same endpoint for the Batch API's files and batches, reading up to MAX_BATCH_FILE a reply."""
        from openai import OpenAI

        return OpenAI(base_url=self.base_url, api_key=self._key, timeout=self.timeout, max_retries=self._retries,
                      http_client=_http_client(self.timeout, MAX_BATCH_FILE))  # fmt: skip

    def key_of(self, body: dict[str, Any], sample: int, version: str = "") -> tuple[str, dict[str, Any]]:
        """(the cache key, the body as it would be sent) of a request, as chat() would send it."""
        sent = bounded(body, self.max_tokens, self.token_field)
        return cache_key(sent, self.base_url, sample, version), sent

    def chat(
        self,
        body: dict[str, Any],
        sample: int = 0,
        version: str = "",
        budget: Budget | None = None,
        good: Callable[[Reply], bool] | None = None,
    ) -> Reply:
        """The reply to one chat-completions request (body: model, messages and parameters). OutOfBudget
        when it is not cached and the budget is spent (or the run was stopped). Every request carries a max_tokens.
        good: which replies are kept in the cache and taken from it (a grade cut off or unreadable is not: a rerun
        asks again); by default every reply."""
        field = self.token_field
        try:
            return self._chat(bounded(body, self.max_tokens, field), sample, version, budget, good)
        except RequestFailed as exc:
            if field != "max_tokens" or not _wants_completion_tokens(exc) or "max_tokens" in body:
                raise
        with self._lock:
            self.token_field = "max_completion_tokens"  # once refused, every later request asks this way
        return self._chat(bounded(body, self.max_tokens, self.token_field), sample, version, budget, good)

    def _chat(
        self, body: dict[str, Any], sample: int, version: str, budget: Budget | None, good: Callable[[Reply], bool] | None
    ) -> Reply:
        key = cache_key(body, self.base_url, sample, version)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            reply = Reply(cached["text"], _count(cached, "prompt_tokens"), _count(cached, "completion_tokens"), True,
                          str(cached.get("finish_reason") or "")[:20])  # fmt: skip
            if good is None or good(reply):
                with self._lock:
                    self.hits += 1
                return reply
        if budget is not None and not budget.take():
            raise OutOfBudget
        with self._lock:
            self.sent += 1
        reply = self._bounded(body)
        with self._lock:
            self.prompt_tokens += reply.prompt_tokens
            self.completion_tokens += reply.completion_tokens
        if self.cache is not None and (good is None or good(reply)):
            self._keep(key, reply)
        return reply

    def _keep(self, key: str, reply: Reply) -> None:
        """Cache a reply; a cache that cannot be written costs a warning, never the reply (it was paid for)."""
        assert self.cache is not None
        try:
            self.cache.put(key, {k: v for k, v in reply._asdict().items() if k != "cached"})
        except OSError as exc:
            with self._lock:
                self.cache_failures.append(f"{exc.filename or self.cache.folder}: {exc.strerror or exc}")

    def _bounded(self, body: dict[str, Any]) -> Reply:
        """_send, given at most `timeout` seconds in all (retries included): a reply that does not come whole in
        time is a RequestFailed (the worker is left to the client's own timeouts, and reads nothing more)."""
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["reply"] = self._send(body)
            except BaseException as exc:  # handed to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=work, daemon=True, name=REQUEST_THREAD)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise RequestFailed(f"{self.base_url} gave no whole answer within {self.timeout:g} s (--timeout)")
        if "error" in box:
            raise box["error"]
        reply: Reply = box["reply"]
        return reply

    def _send(self, body: dict[str, Any]) -> Reply:
        import openai

        try:
            response = self._client.chat.completions.create(**body)
        except openai.APIStatusError as exc:
            raise RequestFailed(f"{self.base_url} answered {exc.status_code}: {_message(exc)}", exc.status_code) from None
        except ReplyTooLarge as exc:
            raise RequestFailed(f"{self.base_url} answered {exc}: not read") from None
        except openai.APITimeoutError:  # the client's own clock ran out first: the same failure, said the same way
            raise RequestFailed(f"{self.base_url} gave no whole answer within {self.timeout:g} s (--timeout)") from None
        except openai.APIConnectionError as exc:
            if isinstance(exc.__cause__, ReplyTooLarge):
                raise RequestFailed(f"{self.base_url} answered {exc.__cause__}: not read") from None
            raise RequestFailed(f"cannot reach {self.base_url}: {exc.__cause__ or exc}") from None
        except (openai.OpenAIError, ValueError, RecursionError) as exc:  # an answer the client cannot read (too deep)
            raise RequestFailed(
                f"{self.base_url} answered something that is not a chat completion ({type(exc).__name__})"
            ) from None
        return self._read(response)

    def _read(self, response: Any) -> Reply:
        """The reply in a chat completion, whatever shape the endpoint gave it (the client does not check)."""
        try:
            choice = response.choices[0]
            text, finish = choice.message.content, getattr(choice, "finish_reason", None)
        except (AttributeError, IndexError, KeyError, TypeError):
            raise RequestFailed(f"{self.base_url} answered something that is not a chat completion") from None
        if not isinstance(text, str):
            raise RequestFailed(f"{self.base_url} answered with no message text")
        text = _UNPAIRED.sub("\ufffd", text)  # valid JSON, but no text: a lone surrogate can be neither hashed nor written
        usage = getattr(response, "usage", None)
        counts = {k: getattr(usage, k, 0) for k in ("prompt_tokens", "completion_tokens")}
        return Reply(text, _count(counts, "prompt_tokens"), _count(counts, "completion_tokens"), False,
                     finish if isinstance(finish, str) else "")  # fmt: skip


def reply_of(body: Any) -> Reply | None:
    """The reply in a chat completion given as JSON (a batch's output line), or None when it is not one."""
    try:
        choice = body["choices"][0]
        text, finish = choice["message"]["content"], choice.get("finish_reason")
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(text, str):
        return None
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    return Reply(_UNPAIRED.sub("\ufffd", text), _count(usage, "prompt_tokens"), _count(usage, "completion_tokens"), False,
                 finish if isinstance(finish, str) else "")  # fmt: skip


def _count(data: dict[str, Any], name: str) -> int:
    """A token count an endpoint (or a cache entry) reports: a whole number from 0 to 10^12, else 0."""
    value = data.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**12 else 0


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])[:200]
    return str(getattr(exc, "message", "") or type(exc).__name__)[:200]
