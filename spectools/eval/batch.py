"""`eval run --batch`: the answers, then the grades, sent as two OpenAI Batch API jobs (files and batches endpoints)
instead of one request at a time, at the batch price.

Each line's custom_id is its request's cache key, and each reply is loaded into the same cache a run reads, so the
run that follows finds them there: what a batch did not answer (a failed or expired row, a grade that cannot be
read) is a cache miss, and is asked for synchronously. The batch ids are kept in the cache as well, keyed by the
requests they hold, so a rerun resumes and waits for a batch already sent instead of sending it again. A batch's
output is an endpoint's reply like any other: read bounded, as data (docs/SECURITY.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from spectools.eval import grader
from spectools.eval.endpoint import MAX_REPLY, Cache, Endpoint, Reply, ReplyTooLarge, reply_of
from spectools.eval.run import Settings, Task
from spectools.model import SpecError

DONE = ("completed", "failed", "expired", "cancelled")
SAID = 200  # characters of an endpoint's batch id or status shown at most
URL = "/v1/chat/completions"


class Waited(NamedTuple):
    sent: int  # lines in the batch (0: nothing was missing from the cache)
    loaded: int  # replies put in the cache
    failed: int  # rows the batch did not answer (asked for again, synchronously, by the run)
    status: str  # the batch's last status ("" when no batch was needed)


def answer_lines(todo: list[Task], settings: Settings, target: Endpoint, cache: Cache) -> dict[str, dict[str, Any]]:
    """{cache key: request body} of every answer the cache lacks."""
    out = {}
    for task in todo:
        for sample in range(settings.samples):
            key, body = target.key_of({"model": settings.model, "messages": task.messages}, sample)
            if cache.get(key) is None:
                out[key] = body
    return out


def grade_lines(
    todo: list[Task], settings: Settings, target: Endpoint, judge: Endpoint, cache: Cache
) -> dict[str, dict[str, Any]]:
    """{cache key: request body} of every grade the cache lacks a usable reply for, for the answers it has."""
    out = {}
    for task in todo:
        for sample in range(settings.samples):
            answer = cache.get(target.key_of({"model": settings.model, "messages": task.messages}, sample)[0])
            if answer is None:
                continue  # not answered yet: the run asks for it, and grades it, synchronously
            body = grader.request(settings.grader_model, task.clause, task.section, task.messages, answer["text"], True,
                                  settings.whole_spec)  # fmt: skip
            for k in range(settings.grader_samples):
                key, sent = judge.key_of(body, k, grader.PROMPT_VERSION)
                kept = cache.get(key)
                if kept is None or not grader.usable(kept["text"], str(kept.get("finish_reason") or "")):
                    out[key] = sent
    return out


def run_batch(
    lines: dict[str, dict[str, Any]],
    endpoint: Endpoint,
    cache: Cache,
    wait: tuple[float, float],
    tell: Callable[[str], None],
    good: Callable[[Reply], bool] | None = None,
) -> Waited:
    """Send the lines as one batch (or find the one already sent for exactly these lines), wait for it (poll every
    wait[0] seconds, at most wait[1] seconds in all), and load its replies into the cache. SpecError when the wait
    runs out: the batch goes on at the endpoint, and a rerun resumes it."""
    if not lines:
        return Waited(0, 0, 0, "")
    client = endpoint.files_client()
    state_key = "batch-" + hashlib.sha256((endpoint.base_url + "\n" + "\n".join(sorted(lines))).encode()).hexdigest()
    kept = cache.get(state_key)
    batch_id = kept["text"] if kept is not None else _submit(client, lines, cache, state_key, tell)
    batch = _wait(client, batch_id, wait, tell)
    loaded, failed = _load(client, batch, lines, cache, good)
    return Waited(len(lines), loaded, failed, str(getattr(batch, "status", "")))


def _submit(client: Any, lines: dict[str, dict[str, Any]], cache: Cache, state_key: str, tell: Callable[[str], None]) -> str:
    import openai

    data = "".join(json.dumps({"custom_id": k, "method": "POST", "url": URL, "body": b}) + "\n" for k, b in lines.items())
    try:
        uploaded = client.files.create(file=("spectools-batch.jsonl", io.BytesIO(data.encode("utf-8"))), purpose="batch")
        batch = client.batches.create(input_file_id=uploaded.id, endpoint=URL, completion_window="24h")
    except openai.OpenAIError as exc:
        raise SpecError(
            f"the endpoint did not take the batch ({type(exc).__name__}: {str(exc)[:200]}); run without --batch"
        ) from None
    batch_id = str(getattr(batch, "id", "") or "")
    if not batch_id or len(batch_id) > SAID:
        raise SpecError("the endpoint answered the batch with no usable id; run without --batch")
    cache.put(state_key, {"text": batch_id, "lines": len(lines)})  # a rerun resumes this batch
    tell(f"sent a batch of {len(lines)} requests ({batch_id})")
    return batch_id


def _wait(client: Any, batch_id: str, wait: tuple[float, float], tell: Callable[[str], None]) -> Any:
    import openai

    every, most = wait
    started = time.monotonic()
    while True:
        try:
            batch = client.batches.retrieve(batch_id)
        except openai.OpenAIError as exc:
            raise SpecError(f"cannot read batch {batch_id} ({type(exc).__name__}); rerun to resume it") from None
        status = str(getattr(batch, "status", ""))[:SAID]  # the endpoint's words: said short (and escaped, by tell)
        if status in DONE:
            return batch
        if time.monotonic() - started > most:
            raise SpecError(f"batch {batch_id} is still {status} after {most:g} s; rerun later to resume it (nothing is lost)")
        counts = getattr(batch, "request_counts", None)
        done = (
            f"{str(getattr(counts, 'completed', 0))[:20]} of {str(getattr(counts, 'total', 0))[:20]} done"
            if counts
            else "waiting"
        )
        tell(f"batch {batch_id}: {status}, {done}")
        time.sleep(every)


def _load(
    client: Any, batch: Any, lines: dict[str, dict[str, Any]], cache: Cache, good: Callable[[Reply], bool] | None
) -> tuple[int, int]:
    """(replies put in the cache, rows not answered). The output file is streamed; a row is read only when it is at
    most MAX_REPLY bytes, names one of this batch's requests, and holds a chat completion: anything else is skipped
    (and asked for again, directly, by the run)."""
    import openai

    output = getattr(batch, "output_file_id", None)
    loaded = 0
    if isinstance(output, str) and output:
        try:
            with client.files.with_streaming_response.content(output) as response:
                for raw in rows(response.iter_bytes()):
                    loaded += _keep(raw, lines, cache, good)
        except (openai.OpenAIError, ReplyTooLarge):
            pass  # no output to read (or too much): every row is asked for directly
    return loaded, len(lines) - loaded


def rows(chunks: Iterable[bytes], limit: int = MAX_REPLY) -> Iterator[bytes]:
    """The lines of a stream, each at most `limit` bytes; a longer one is skipped whole, never held."""
    line, skipping = bytearray(), False
    for chunk in chunks:
        start = 0
        while start <= len(chunk):
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if not skipping:
                line += piece
                skipping = len(line) > limit
                if skipping:
                    line.clear()
            if end < 0:
                break
            if not skipping:
                yield bytes(line)
            line.clear()
            skipping = False
            start = end + 1
    if line and not skipping:
        yield bytes(line)


def _keep(raw: bytes, lines: dict[str, dict[str, Any]], cache: Cache, good: Callable[[Reply], bool] | None) -> int:
    """1 when this output row is a good reply to one of the batch's requests, now in the cache; else 0."""
    try:
        row = json.loads(raw)
        key, response = row["custom_id"], row["response"]
        body = response["body"] if isinstance(response, dict) and response.get("status_code") == 200 else None
    except (ValueError, KeyError, TypeError, RecursionError):  # not JSON, too deep, or not a row
        return 0
    if not isinstance(key, str) or key not in lines or body is None:
        return 0
    reply = reply_of(body)
    if reply is None or (good is not None and not good(reply)):
        return 0
    cache.put(key, {k: v for k, v in reply._asdict().items() if k != "cached"})
    return 1
