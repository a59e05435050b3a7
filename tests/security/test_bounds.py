"""Class "Bounds" (docs/SECURITY.md): everything that comes from outside is bounded.

Endpoint replies (size, tokens, time) come from real servers on 127.0.0.1; generated hostile grader replies
and long rewritten sentences measure the work done by counting it, never by the clock: the bytes read, the
letters compared, the requests that carry max_tokens.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.diff import wording
from spectools.eval.endpoint import MAX_REPLY, Endpoint, RequestFailed
from spectools.eval.grader import parse
from spectools.parse.conversation import parse_conversation
from spectools.parse.files import parse_challenge
from tests.chat_server import ChatServer, Reply, completion, error
from tests.security.harness import spec_repo

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BODY = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}


def test_every_request_of_a_run_carries_max_tokens(cli, tmp_path, monkeypatch) -> None:
    root = spec_repo(tmp_path / "repo").root
    monkeypatch.setenv("OPENAI_API_KEY", "k")

    def script(body: dict, n: int) -> Reply:
        if body["model"] == "m":
            return completion("ok")
        if "response_format" in body:
            return Reply(status=400, body={"error": {"message": "response_format is not supported"}})
        return completion('{"reasoning": "fine", "score": 7}')

    with ChatServer(script) as server:
        result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", server.url,
                     "--max-tokens", "300", "--no-cache")  # fmt: skip
        calibrated = cli("eval", "calibrate", str(root), "--grader-model", "g", "--base-url", server.url, "--no-cache")
    assert result.code == 0 and calibrated.code == 0, result.err + calibrated.err
    assert server.requests and all(r.get("max_tokens") in (300, 1024) for r in server.requests)  # answers, grades
    assert any("response_format" not in r for r in server.requests)  # the plain fallback is bounded too


@SETTINGS
@given(extra=st.integers(min_value=1, max_value=4 * MAX_REPLY))
def test_a_reply_larger_than_the_cap_is_refused_not_kept(extra: int) -> None:
    text = "x" * (MAX_REPLY + extra)
    with ChatServer(lambda body, n: completion(text)) as server:
        endpoint = Endpoint(server.url, "k", retries=0)
        with pytest.raises(RequestFailed, match=f"more than {MAX_REPLY} bytes"):
            endpoint.chat(dict(BODY))


def test_an_endpoint_that_refuses_max_tokens_is_bounded_by_max_completion_tokens() -> None:
    """OpenAI's reasoning models answer 400 to max_tokens and ask for max_completion_tokens: asked once, then always."""

    def script(body: dict, n: int) -> Reply:
        if "max_tokens" in body:
            return error(400, "Unsupported parameter: 'max_tokens' is not supported with this model. "
                              "Use 'max_completion_tokens' instead.")  # fmt: skip
        return completion("ok")

    with ChatServer(script) as server:
        endpoint = Endpoint(server.url, "k", retries=0)
        assert endpoint.chat(dict(BODY)).text == "ok" and endpoint.chat({**BODY, "model": "n"}).text == "ok"
    sent = [(r.get("max_tokens"), r.get("max_completion_tokens")) for r in server.requests]
    assert sent == [(4096, None), (None, 4096), (None, 4096)]


class Compressing:
    """A chat endpoint on 127.0.0.1 that compresses its reply (gzip or deflate) whatever the request asked."""

    def __init__(self, text: str, encoding: str) -> None:
        import zlib
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        body = json.dumps(completion(text).body).encode("utf-8")
        packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
        payload = packer.compress(body) + packer.flush()
        self.asked: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.asked.append(self.headers.get("Accept-Encoding", ""))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.compressed = len(payload)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compressed_reply_is_capped_after_decompression(encoding: str) -> None:
    """A few kilobytes of gzip can hold hundreds of megabytes: the cap counts what they decompress to."""
    big = Compressing("A" * (8 * MAX_REPLY), encoding)
    small = Compressing("compressed, and small", encoding)
    try:
        assert big.compressed < MAX_REPLY // 10
        with pytest.raises(RequestFailed, match=f"more than {MAX_REPLY} bytes"):
            Endpoint(big.url, "k", retries=0).chat(dict(BODY))
        assert Endpoint(small.url, "k", retries=0).chat(dict(BODY)).text == "compressed, and small"
    finally:
        big.close()
        small.close()
    assert set(big.asked) == {"identity"}  # asked for no compression at all


def test_a_reply_within_the_cap_is_whole() -> None:
    text = "y" * (MAX_REPLY // 2)
    with ChatServer(lambda body, n: completion(text)) as server:
        assert Endpoint(server.url, "k", retries=0).chat(dict(BODY)).text == text


def test_an_answer_cut_at_max_tokens_is_recorded(cli, tmp_path, monkeypatch) -> None:
    root = spec_repo(tmp_path / "repo").root
    monkeypatch.setenv("OPENAI_API_KEY", "k")

    def script(body: dict, n: int) -> Reply:
        if body["model"] == "m":
            reply = completion("a long answer that was cut")
            reply.body["choices"][0]["finish_reason"] = "length"
            return reply
        return completion('{"reasoning": "fine", "score": 7}')

    out = tmp_path / "results.json"
    with ChatServer(script) as server:
        result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", server.url,
                     "--no-cache", "--out", str(out))  # fmt: skip
    assert result.code == 0, result.err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert sum(r["cut_off"] for r in doc["results"]) == sum(r["samples"] for r in doc["results"]) > 0
    assert all(json.loads(line)["cut_off"] for line in (tmp_path / "results.jsonl").read_text("utf-8").splitlines())
    assert "cut at max_tokens" in result.err


class Drip:
    """An HTTP server on 127.0.0.1 that sends its headers, then one byte of body every 50 ms, for ever (each read
    is well within any read timeout; only a total one ends it)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{")
            while not self.stop.is_set():
                conn.sendall(b" ")
                time.sleep(0.05)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def test_timeout_bounds_the_whole_request_not_one_read() -> None:
    drip = Drip()
    try:
        with pytest.raises(RequestFailed, match=r"no whole answer within 0.5 s \(--timeout\)"):
            Endpoint(drip.url, "k", timeout=0.5, retries=0).chat(dict(BODY))
    finally:
        drip.close()


@given(n=st.integers(min_value=1, max_value=20000), opened=st.sampled_from(["{", '{"score" ']), closing=st.booleans())
def test_a_hostile_grader_reply_gives_no_grade_and_a_later_one_still_does(n: int, opened: str, closing: bool) -> None:
    """`{"score" "score" ...` (one brace, or a brace each; no closing brace, or one far away) gives no grade, and a
    flat object after it still does."""
    hostile = ("{" + '"score" ' * n if opened == "{" else opened * n) + ("}" if closing else "")
    assert parse(hostile) is None or closing
    assert parse(hostile + ' {"reasoning": "ok", "score": 6}') == (6, "ok")


def test_the_issue_grader_reply_costs_linear_work() -> None:
    """The issue's reply, `{` then 20,000 `"score" ` and no closing brace, took 11 s of CPU (quadratic matching); it is
    read in one pass now (about 0.03 s). The CPU time of this process is the measure of work, not the clock on the
    wall, and the bound leaves a hundredfold margin, so a busy machine cannot fail it."""
    hostile = "{" + '"score" ' * 20000
    started = time.process_time()
    assert parse(hostile) is None
    assert time.process_time() - started < 3.0


@given(st.text(alphabet=st.sampled_from(list('{}[]"score:0123456789 ,')), max_size=400))
def test_any_grader_reply_gives_a_grade_or_none(reply: str) -> None:
    got = parse(reply)
    assert got is None or 1 <= got.score <= 7


class Counting(wording.SequenceMatcher):  # type: ignore[misc]
    """SequenceMatcher that counts the letter pairs it could compare (len(a) * len(b) for texts)."""

    letters = 0

    def set_seqs(self, a, b) -> None:  # type: ignore[no-untyped-def]
        if isinstance(a, str) and isinstance(b, str):
            Counting.letters += len(a) * len(b)
        super().set_seqs(a, b)


@given(n=st.integers(min_value=10, max_value=3000), word=st.sampled_from(["party", "user", "bank", "the"]))
def test_the_word_diff_never_compares_long_text_letter_by_letter(n: int, word: str) -> None:
    """One long sentence whose subject, right before its modal, is rewritten whole: the diff compares words, and
    letters only within a short, bounded stretch."""
    old = "The " + " ".join(f"{word}{i}" for i in range(n)) + " must not reveal secrets."
    new = "The " + " ".join(f"other{i}" for i in range(n)) + " must not reveal secrets."
    original = wording.SequenceMatcher
    wording.SequenceMatcher = Counting
    Counting.letters = 0
    try:
        diff, normative = wording.word_diff(old, new)
    finally:
        wording.SequenceMatcher = original
    assert normative and any(op == "insert" and w.startswith("other0") for op, w in diff)
    assert Counting.letters <= wording.SPELLING_CHARS**2


def test_blobs_over_the_file_limit_are_never_held_whole(cli, tmp_path) -> None:
    """A pull request can commit many files just under GitHub's 100 MB: spectools reads at most the file limit of
    each (git tells the size first), so memory is bounded by the limit, not by what was committed. Measured as the
    peak of Python's own allocations (tracemalloc), not by the clock."""
    import tracemalloc

    repo = spec_repo(tmp_path / "repo")
    (repo.root / "spectools.yaml").write_text(
        "documents: [model_spec.md, 'spec/*.md']\nlimits:\n  max_file_bytes: 4096\n", "utf-8"
    )
    (repo.root / "spec").mkdir()
    for i in range(3):
        (repo.root / "spec" / f"big{i}.md").write_bytes(b"# Big\n\n" + b"a" * (8 * 1024 * 1024))
    repo.commit("big files")
    for args in (["diff", "HEAD~1", "HEAD"], ["validate"], ["github", "--base", "HEAD~1", "--dry-run"]):
        tracemalloc.start()
        try:
            result = cli(*args, cwd=repo.root)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert result.code in (0, 1), result.err
        assert peak < 8 * 1024 * 1024, f"{args[0]}: {peak // 1024} KiB at the peak for 3 files of 8 MiB"
    assert "SPEC006" in cli("validate", cwd=repo.root).out


def test_many_mixed_tags_cost_linear_work(cli, tmp_path) -> None:
    """uniqueItems over 16,000 tags of mixed types took 28 s of CPU (jsonschema compares every pair); now one pass.
    CPU time of this process, with a tenfold margin: a busy machine cannot fail it."""
    root = spec_repo(tmp_path / "repo").root
    tags = ", ".join(f"{i}, s{i}" for i in range(8000))
    text = (root / "examples" / "hn01.md").read_text("utf-8")
    (root / "examples" / "hn01.md").write_text(f"---\ntags: [{tags}]\n---\n{text}", "utf-8")
    started = time.process_time()
    result = cli("validate", str(root))
    assert time.process_time() - started < 3.0
    assert "SPEC403" in result.out


def test_an_unclosed_comment_repeated_in_a_conversation_costs_linear_work() -> None:
    """`<!--` 40,000 times with no `-->` took 43 s of CPU (each looked for an end to the text's end); now one pass."""
    from spectools.parse.conversation import parse_conversation

    started = time.process_time()
    turns, problems = parse_conversation("<user>\nhi\n</user>\n" + "<!--" * 40000, "x.md", 1)
    assert time.process_time() - started < 2.0
    assert len(turns) == 1 and problems


def _document(body: str) -> object:
    from spectools.parse.files import parse_document

    return parse_document("m.md", f"# S\n\n## A {{#a authority=root}}\n\n{body}\n")


SHAPES = {  # name: (what the old code took, the work) -- each linear now, by CPU time with a wide margin
    "20,000 tags in one paragraph, no full stop (84 s, 900 MB)": lambda: _document(
        " ".join(f"w[^m{i:05d}]" for i in range(20000))
    ),
    "40,000 dots before a tag (61 s)": lambda: _document("The assistant must wait" + "." * 40000 + "x [^dt01]."),
    "a word of 40,000 marks in a diff (46 s)": lambda: wording.lexemes("a" + "%" * 40000 + "a"),
    "40,000 spaces before a dash (27 s)": lambda: wording.fold("x" + " " * 40000 + " - y"),
    "a challenge header of 80,000 spaces (30 s)": lambda: parse_challenge(
        "examples/hn01.md", "hn01", "Examples for [^hn01] in x" + " " * 80000 + "y\n"
    ),
    "an attribute-less tag of 80,000 letters (74 s)": lambda: parse_conversation(
        "<user " + "a" * 80000 + ">\nq\n</user>\n", "x.md", 1
    ),
    "80,000 tags in a code fence (12 s)": lambda: _document("```\n" + "[^a]\n" * 80000 + "```"),
    "80,000 distinct unknown elements (29 s)": lambda: parse_conversation("".join(f"<f{i}>" for i in range(80000)), "x.md", 1),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_hostile_shape_of_spec_text_costs_linear_work(shape: str) -> None:
    """Shapes the second attack round found quadratic (seconds to minutes at a few hundred kilobytes, the figure in
    the name); each now a pass or two. CPU time of this process, with a margin of ten to a hundred: no wall clock."""
    started = time.process_time()
    SHAPES[shape]()
    assert time.process_time() - started < 3.0, shape


_ROW = st.one_of(
    st.just("[" * 5000),
    st.just("x" * 2000),
    st.text(max_size=50),
    st.builds(lambda k, v: json.dumps({"custom_id": k, "response": v}),
              st.one_of(st.sampled_from(["k1", "k2", "other"]), st.integers(), st.lists(st.integers(), max_size=2), st.none()),
              st.one_of(st.none(), st.integers(), st.just({"status_code": 200, "body": {"choices": [{"message": {"content": "ok"}}]}}),
                        st.just({"status_code": 200, "body": [1]}), st.just({"status_code": 500, "body": {}}),
                        st.just({"status_code": 200, "body": {"choices": [{"message": {"content": 5}}]}}))),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_ROW, max_size=12), cut=st.integers(1, 64))
def test_a_batch_output_file_of_any_shape_caches_only_completions_of_its_own_lines(lines, cut, tmp_path_factory) -> None:
    """docs/SECURITY.md, "Bounds": a batch's output is an endpoint's reply. Whatever its rows (not JSON, too deep, too
    long, ids that are not ours or not strings, bodies that are no chat completion), reading it never raises, and the
    cache gets only chat completions of the requests the batch was sent with; the stream is cut anywhere."""
    from spectools.eval.batch import _keep, rows
    from spectools.eval.endpoint import Cache

    cache = Cache(tmp_path_factory.mktemp("cache"))
    data = ("\n".join(lines) + "\n").encode()
    chunks = [data[i : i + cut] for i in range(0, len(data), cut)]
    ours = {"k1": {}, "k2": {}}
    assert list(rows(chunks, limit=10**6)) == data.split(b"\n")[:-1]
    assert all(len(raw) <= 1000 for raw in rows(chunks, limit=1000))  # a longer row is skipped, never held
    kept = sum(_keep(raw, ours, cache, None) for raw in rows(chunks, limit=1000))
    assert kept <= len(lines)
    assert cache.get("other") is None
    for key in ours:
        entry = cache.get(key)
        assert entry is None or entry["text"] == "ok"
