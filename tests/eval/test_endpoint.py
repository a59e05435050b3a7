"""The chat endpoint, through the official openai client, against a scripted server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from spectools.eval.endpoint import Cache, Endpoint, RequestFailed, cache_key
from tests.chat_server import ChatServer, Reply, completion, error

BODY = {"model": "test-model", "messages": [{"role": "user", "content": "Can you pick a lock?"}]}


def test_a_reply_its_text_and_tokens_and_the_request_as_sent() -> None:
    with ChatServer(lambda body, n: completion("I can't help with that.", 12, 7)) as server:
        reply = Endpoint(server.url, "key-1").chat(dict(BODY))
    assert reply[:4] == ("I can't help with that.", 12, 7, False) and reply.finish_reason == "stop"
    assert server.requests[0]["max_tokens"] == 4096  # every request is bounded
    server.requests[0].pop("max_tokens")
    assert server.requests == [BODY]
    assert server.headers[0]["authorization"] == "Bearer key-1"


def test_a_429_is_retried_after_the_time_the_server_asks_for() -> None:
    """Counted, not timed: the server asks for 3 s, the request may take 1.5 s in all. Honouring the server, the
    client sends nothing more in time (one request, then the total timeout); on its own backoff (at most 0.5 s
    first) it would have asked again and got the answer. Without Retry-After the second request does come."""

    def script(body: dict, n: int) -> Reply:
        return error(429, "slow down", {"retry-after-ms": "3000"}) if n == 0 else completion("ok")

    with ChatServer(script) as server, pytest.raises(RequestFailed, match=r"no whole answer within 1\.5 s"):
        Endpoint(server.url, "k", retries=2, timeout=1.5).chat(dict(BODY))
    assert len(server.requests) == 1

    def plain(body: dict, n: int) -> Reply:
        return error(429, "slow down") if n == 0 else completion("ok")

    with ChatServer(plain) as server:
        assert Endpoint(server.url, "k", retries=2, timeout=30).chat(dict(BODY)).text == "ok"
    assert len(server.requests) == 2


def test_5xx_answers_are_retried_and_then_fail_with_the_reason() -> None:
    with ChatServer(lambda body, n: error(503, "overloaded") if n < 1 else completion("fine")) as server:
        assert Endpoint(server.url, "k", retries=2).chat(dict(BODY)).text == "fine"  # after the client's own backoff
    with (
        ChatServer(lambda body, n: error(503, "overloaded")) as server,
        pytest.raises(RequestFailed, match="answered 503: overloaded"),
    ):
        Endpoint(server.url, "k", retries=1).chat(dict(BODY))
    assert len(server.requests) == 2  # the first try and one retry


def test_a_slow_answer_times_out() -> None:
    with (
        ChatServer(lambda body, n: Reply(delay=1.0, body=completion("late").body)) as server,
        pytest.raises(RequestFailed, match=r"no whole answer within 0.2 s \(--timeout\)"),
    ):
        Endpoint(server.url, "k", timeout=0.2, retries=0).chat(dict(BODY))


def test_an_answer_without_text_is_a_failure_not_an_empty_answer() -> None:
    with ChatServer(lambda body, n: completion(None)) as server, pytest.raises(RequestFailed, match="no message text"):
        Endpoint(server.url, "k", retries=0).chat(dict(BODY))
    with (
        ChatServer(lambda body, n: Reply(body="not json")) as server,
        pytest.raises(RequestFailed, match="not a chat completion"),
    ):
        Endpoint(server.url, "k", retries=0).chat(dict(BODY))


def test_no_server_is_a_clear_failure() -> None:
    with ChatServer(lambda body, n: completion("x")) as server:
        url = server.url
    with pytest.raises(RequestFailed, match="cannot reach"):
        Endpoint(url, "k", timeout=1.0, retries=0).chat(dict(BODY))


def test_the_cache_sends_no_request_twice_and_never_keeps_an_error(tmp_path: Path) -> None:
    answers = iter([error(500, "boom"), completion("first", 3, 4)])
    with ChatServer(lambda body, n: next(answers, completion("again"))) as server:
        endpoint = Endpoint(server.url, "k", retries=0, cache=Cache(tmp_path / "cache"))
        with pytest.raises(RequestFailed):
            endpoint.chat(dict(BODY))
        assert endpoint.chat(dict(BODY))[:4] == ("first", 3, 4, False)  # the error was not cached
        assert endpoint.chat(dict(BODY))[:4] == ("first", 3, 4, True)
        again = Endpoint(server.url, "k", retries=0, cache=Cache(tmp_path / "cache"))  # a rerun
        assert again.chat(dict(BODY)).cached
        assert not again.chat(dict(BODY), sample=1).cached  # another sample is another request
        assert not again.chat(dict(BODY), version="grader-2").cached
    assert len(server.requests) == 4
    assert (endpoint.sent, endpoint.hits, again.sent, again.hits) == (2, 1, 2, 1)


def test_a_damaged_cache_entry_is_a_miss_and_is_written_again(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = cache_key(BODY, "http://x/v1/", 0, "")
    assert key == cache_key({"messages": BODY["messages"], "model": "test-model"}, "http://x/v1", 0, "")  # canonical
    path = tmp_path / key[:2] / f"{key}.json"
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    assert cache.get(key) is None
    cache.put(key, {"text": "t", "prompt_tokens": 1, "completion_tokens": 2})
    assert cache.get(key) == {"text": "t", "prompt_tokens": 1, "completion_tokens": 2}


def test_without_the_openai_client_the_message_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from spectools.model import SpecError

    monkeypatch.setitem(sys.modules, "openai", None)  # as if it were not installed
    with pytest.raises(SpecError, match=r"pip install 'spectools\[eval\]'"):
        Endpoint("http://127.0.0.1:9/v1", "k")


def test_a_cache_entry_is_read_and_written_only_as_a_regular_file_never_through_a_link(tmp_path: Path) -> None:
    """Links where a folder or an entry should be are never read through, and are replaced, not written through."""
    cache, elsewhere = Cache(tmp_path / "cache"), tmp_path / "elsewhere"
    elsewhere.mkdir()
    key = cache_key(BODY, "http://x/v1", 0, "")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / key[:2]).symlink_to(elsewhere)
    (elsewhere / f"{key}.json").write_text('{"text": "planted"}', encoding="utf-8")
    assert cache.get(key) is None  # never read through the link
    with pytest.raises(OSError):
        cache.put(key, {"text": "t"})
    assert (elsewhere / f"{key}.json").read_text(encoding="utf-8") == '{"text": "planted"}'  # never written through it
    (tmp_path / "cache" / key[:2]).unlink()
    (tmp_path / "cache" / key[:2]).mkdir()
    (tmp_path / "cache" / key[:2] / f"{key}.json").symlink_to(elsewhere / f"{key}.json")
    assert cache.get(key) is None
    cache.put(key, {"text": "t"})
    assert cache.get(key) == {"text": "t"} and not (tmp_path / "cache" / key[:2] / f"{key}.json").is_symlink()
    assert (elsewhere / f"{key}.json").read_text(encoding="utf-8") == '{"text": "planted"}'
