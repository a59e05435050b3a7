"""Benchmark hostile inputs against their benign twins, as ratios from one run (target: within 3x).

    python bench/bench_hostile.py [--runs 3] [--scale 1.0]

Each case (see bench/hostile.py) is the same amount of text twice: shaped to make a naive run
superlinear, and shaped not to. Both run in this process through the code the commands use
(`validate`'s load and checks; `diff`'s comparison of two git commits), fastest of --runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.hostile import Case, Files, cases  # noqa: E402


def write(root: Path, files: Files) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def runner(case: Case, trees: tuple[Files, ...], where: Path) -> Callable[[], object]:
    """What the command does on these trees, ready to be timed."""
    from spectools.checks.run import run
    from spectools.parse.load import load, open_worktree

    where.mkdir(parents=True)
    if case.command == "validate":
        write(where, trees[0])
        return lambda: run(load(open_worktree(where)))
    import subprocess

    from spectools.diff.compare import Comparer
    from spectools.sources.git import GitRepo

    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    ident = ["-c", "user.name=b", "-c", "user.email=b@b.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=where, check=True, env=env)
    for n, files in enumerate(trees):
        write(where, files)
        subprocess.run(["git", "add", "-A"], cwd=where, check=True, env=env)
        subprocess.run(["git", *ident, "commit", "-qm", str(n)], cwd=where, check=True, env=env)
    repo = GitRepo(where)

    def diff() -> object:
        with Comparer(repo) as comparer:
            return comparer.compare(*repo.sides("HEAD~1", "HEAD", False))

    return diff


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="size of every case, relative to the issue's")
    args = parser.parse_args()
    print(f"{'case':36} {'hostile':>9} {'benign':>9} {'ratio':>7}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for n, case in enumerate(cases(args.scale)):
            hostile = best(runner(case, case.hostile, Path(tmp) / f"{n}h"), args.runs)
            benign = best(runner(case, case.benign, Path(tmp) / f"{n}b"), args.runs)
            worst = max(worst, hostile / benign)
            print(f"{case.name:36} {hostile * 1000:7.0f}ms {benign * 1000:7.0f}ms {hostile / benign:6.2f}x", flush=True)
    print(f"worst ratio: {worst:.2f}x (target 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
