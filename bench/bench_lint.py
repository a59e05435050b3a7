"""Benchmark `spectools lint`: linear in the spec's size, and its cost next to `validate`'s.

    python bench/bench_lint.py [--runs 3] [--sizes 1000,10000,50000]

For each size, a synthetic spec (bench/synth.py: random sentences over a small vocabulary that holds the modals, so
most clauses carry force and share words, the worst case for the conflict index), and a hostile twin in which every
clause speaks of the same action with alternating force ("must share the seat number of passenger xab12" / "must
never share ...": each pair a conflict, and every other word shared by all).
In this process, fastest of --runs, after the spec is loaded: the lint checks alone, in microseconds per clause.
Linear means the figure stays flat as the spec grows (a quadratic pass would grow it 10x from 1k to 10k).

The cost next to validate on a real spec is measured with farm-bench, as users run it:

    farm-bench --vs 'spectools validate SPEC' -- spectools lint SPEC
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import generate

HOSTILE = "The assistant must {force}share the seat number of passenger {pair} in cabin {pair}y with the crew[^{cid}].\n"


def hostile(out: Path, clauses: int) -> None:
    from bench.synth import clause_id

    out.mkdir(parents=True, exist_ok=True)
    body = "".join(
        HOSTILE.format(force="never " if n % 2 else "", pair="x" + clause_id(n // 2), cid=clause_id(n)) for n in range(clauses)
    )
    (out / "model_spec.md").write_text("# Spec {#spec}\n\n## Seats {#seats authority=user}\n\n" + body, encoding="utf-8")


def per_clause(root: Path, runs: int) -> tuple[float, int, int]:
    """(microseconds of lint per clause, fastest of runs; clauses; findings)."""
    from spectools.checks.lint import lint
    from spectools.parse.load import load, open_worktree

    loaded = load(open_worktree(root))
    n = len(loaded.spec.clauses())
    best, found = float("inf"), 0
    for _ in range(runs):
        start = time.process_time()
        found = len(lint(loaded))
        best = min(best, time.process_time() - start)
    return best / n * 1e6, n, found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--sizes", default="1000,10000,50000")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("synthetic", "hostile"):
            first = None
            for size in sizes:
                root = Path(tmp) / f"{kind}-{size}"
                if kind == "synthetic":
                    generate(root, sections=max(1, size // 2), clauses=size, words=25)
                    (root / "spectools.yaml").write_text("limits:\n  max_file_bytes: 104857600\n", encoding="utf-8")
                else:
                    hostile(root, size)
                us, n, found = per_clause(root, args.runs)
                first = first or us
                print(f"{kind:9} {n:6} clauses: {us:7.1f} us per clause ({us / first:4.2f}x the smallest), {found} findings")


if __name__ == "__main__":
    main()
