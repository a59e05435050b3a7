"""A Model Spec-sized run of `spectools eval run --batch` through the scripted files and batches server on 127.0.0.1.

    python bench/bench_batch.py [--sections 200] [--clauses 400] [--samples 3]

A synthetic spec (bench/synth.py: one challenge file per clause, one prompt each) answered --samples times and every
answer graded once, as two batches; then the same run again, which finds everything in the cache. Prints the
requests each batch held, what was asked for directly, and the time each run took.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def script(body: dict[str, Any], n: int) -> Any:
    from tests.chat_server import completion

    if body["model"] == "m":
        return completion(f"I can't help with that (#{n}).")
    return completion(json.dumps({"reasoning": "It declines.", "score": 7}))


def run(root: Path, url: str, samples: int, cache: Path) -> tuple[int, float, str]:
    from spectools.cli import main as spectools

    argv = ["eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", url, "--batch",
            "--batch-poll", "0.05", "--samples", str(samples), "--cache-dir", str(cache), "--format", "json"]  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = spectools(argv)
    return code, time.perf_counter() - started, err.getvalue()


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--sections", type=int, default=200)
    p.add_argument("--clauses", type=int, default=400)
    p.add_argument("--samples", type=int, default=3)
    a = p.parse_args()
    from bench.synth import generate
    from tests.batch_server import BatchServer

    os.environ.setdefault("OPENAI_API_KEY", "k")
    with tempfile.TemporaryDirectory() as tmp, BatchServer(script, polls=2) as server:
        root = Path(tmp) / "spec"
        sizes = generate(root, a.sections, a.clauses)
        code, first, err = run(root, server.url, a.samples, Path(tmp) / "cache")
        lines = [len(server.lines(b)) for b in sorted(server.batches)]
        alone = len(server.alone)
        code2, second, _ = run(root, server.url, a.samples, Path(tmp) / "cache")
        print(f"spec: {sizes['clauses']} clauses, {sizes['total_bytes'] // 1024} KiB; {a.samples} samples each")
        print(f"first run: exit {code}, {first:.1f} s; batches of {lines} requests; {alone} asked for directly")
        made, directly = len(server.batches), len(server.alone)
        print(f"second run: exit {code2}, {second:.1f} s; batches made in all {made}; directly {directly}")
        print("\n".join(line for line in err.splitlines() if "from the batch" in line))
    return 0 if code == code2 == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
