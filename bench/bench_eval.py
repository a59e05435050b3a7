"""Benchmark `spectools eval run` against a scripted chat-completions server on 127.0.0.1.

    python bench/bench_eval.py [--requests 200] [--prompts 300]

- spectools' own overhead per request: Endpoint.chat (cache on, so every reply is also written to disk)
  against the openai client alone sending the same requests to the same server; target under 5 ms.
- a 300-prompt run at concurrency 8 (300 answers and 300 grades, the server answering at once, the
  cache empty): target under 10 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def script(body: dict[str, Any], n: int) -> Any:
    from tests.chat_server import completion  # the scripted server the tests use

    if body["model"] == "m":
        return completion("I can't help with that.")
    return completion(json.dumps({"reasoning": "It declines.", "score": 7}))


def overhead(requests: int) -> tuple[float, float]:
    """(seconds per request through Endpoint.chat with a cache, through the bare openai client)."""
    from openai import OpenAI

    from spectools.eval.endpoint import Cache, Endpoint
    from tests.chat_server import ChatServer

    bodies = [{"model": "m", "messages": [{"role": "user", "content": f"prompt {i}"}]} for i in range(requests)]
    with ChatServer(script) as server, tempfile.TemporaryDirectory() as tmp:
        bare = OpenAI(base_url=server.url, api_key="k")
        ours = Endpoint(server.url, "k", cache=Cache(Path(tmp)))
        bare.chat.completions.create(**bodies[0])  # warm both up: connections, imports
        ours.chat({"model": "m", "messages": [{"role": "user", "content": "warm up"}]})
        start = time.perf_counter()
        for body in bodies:
            bare.chat.completions.create(**body)
        floor = time.perf_counter() - start
        start = time.perf_counter()
        for body in bodies:
            ours.chat(body)
        spent = time.perf_counter() - start
    return spent / requests, floor / requests


def full_run(prompts: int) -> float:
    from spectools.eval.endpoint import Cache, Endpoint
    from spectools.eval.run import Settings, Task, run
    from spectools.model import Clause, Location
    from tests.chat_server import ChatServer

    clause = Clause("ab12", "The assistant declines to help pick locks.", None, Location("model_spec.md", 1, 1))
    todo = [Task(f"ab12/{i}", clause, None, [{"role": "user", "content": f"prompt {i}"}]) for i in range(prompts)]
    with ChatServer(script) as server, tempfile.TemporaryDirectory() as tmp:
        cache = Cache(Path(tmp))
        start = time.perf_counter()
        outcome = run(todo, Endpoint(server.url, "k", cache=cache), Endpoint(server.url, "k", cache=cache), Settings("m", "g"))
        spent = time.perf_counter() - start
    assert outcome.complete and len(outcome.samples) == prompts
    return spent


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--prompts", type=int, default=300)
    args = p.parse_args()
    ours, bare = overhead(args.requests)
    seconds = full_run(args.prompts)
    extra = (ours - bare) * 1000
    verdict = "ok" if extra < 5 else "OVER"
    print(f"per request: spectools {ours * 1000:.2f} ms, the openai client alone {bare * 1000:.2f} ms")
    print(f"spectools' overhead per request: {extra:.2f} ms (target 5 ms) {verdict}")
    print(f"{args.prompts} prompts at concurrency 8: {seconds:.2f} s (target 10 s) {'ok' if seconds < 10 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
