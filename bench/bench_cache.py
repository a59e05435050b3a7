"""Benchmark the parse cache (issue 20): what a warm run saves, as users meet it.

    python bench/bench_cache.py [--runs 5] [--keep DIR] [--doorstop]

Fixtures (made once under --keep):
- precommit/: a 10,000-clause spec in 100 documents (spec/part*.md) with a challenge file per clause. The
  measure is pre-commit's: one document edited, then `validate` (every other file comes from the cache), against a
  cold `validate --no-cache`. Target <= 0.25x.
- doorstop/: 2,000 requirements, as a Doorstop 3.2 tree (one YAML file each) and as a spec of 2,000 clauses; with
  --doorstop (Doorstop installed in this interpreter: `pip install doorstop==3.2`), warm `spectools validate`
  against `doorstop` checking its tree. Target: spectools >= 10x faster.
Each command is a fresh process, fastest of --runs (wall time); the cache is this benchmark's own folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import clause_id, sentence


def best(cmd: list[str], runs: int, cwd: Path, before: list[str] | None = None) -> float:
    times = []
    for _ in range(runs):
        if before:
            subprocess.run(before, cwd=cwd, check=True)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return min(times)


def precommit_spec(root: Path, docs: int = 100, per_doc: int = 100) -> None:
    import random

    rng = random.Random(1)
    (root / "spec").mkdir(parents=True, exist_ok=True)
    (root / "examples").mkdir(exist_ok=True)
    n = 0
    for d in range(docs):
        parts = [f"# Part {d} {{#part{d}}}\n\n"]
        for s in range(10):
            parts.append(f"## Section {d}.{s} {{#s{d}_{s} authority=user}}\n\n")
            for _ in range(per_doc // 10):
                cid = clause_id(n)
                parts.append(f"{sentence(rng, 20)}[^{cid}].\n")
                (root / "examples" / f"{cid}.md").write_text(
                    f"Examples for [^{cid}] in Section {d}.{s}:\n\n**Example**: e\n\n```xml\n<user>\nq\n</user>\n```\n",
                    encoding="utf-8",
                )
                n += 1
            parts.append("\n")
        (root / "spec" / f"part{d:03d}.md").write_text("".join(parts), encoding="utf-8")


def doorstop_tree(root: Path, items: int = 2000) -> None:
    """The same requirements twice: a Doorstop document (REQ/) and a spec (model_spec.md, examples/)."""
    import random

    rng = random.Random(2)
    req = root / "reqs"
    req.mkdir(parents=True, exist_ok=True)
    (req / ".doorstop.yml").write_text("settings:\n  digits: 4\n  prefix: REQ\n  sep: ''\n", encoding="utf-8")
    (root / "examples").mkdir(exist_ok=True)
    spec = ["# Requirements {#requirements}\n\n"]
    for n in range(items):
        text = sentence(rng, 20)
        (req / f"REQ{n + 1:04d}.yml").write_text(
            f"active: true\nderived: false\nheader: ''\nlevel: 1.{n + 1}\nlinks: []\nnormative: true\nref: ''\n"
            f"reviewed: null\ntext: |\n  {text}\n",
            encoding="utf-8",
        )
        if n % 20 == 0:
            spec.append(f"## Group {n // 20} {{#g{n // 20} authority=user}}\n\n")
        cid = clause_id(n)
        spec.append(f"{text}[^{cid}].\n")
        (root / "examples" / f"{cid}.md").write_text(
            f"Examples for [^{cid}] in Group {n // 20}:\n\n**Example**: e\n\n```xml\n<user>\nq\n</user>\n```\n",
            encoding="utf-8",
        )
    (root / "model_spec.md").write_text("".join(spec), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # Doorstop finds its tree from a repository's root


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--keep", type=Path)
    p.add_argument("--doorstop", action="store_true")
    args = p.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="spectools-cache-bench-"))
    os.environ["SPECTOOLS_CACHE_DIR"] = str(base / "cache")
    spectools = [sys.executable, "-m", "spectools"]
    pre = base / "precommit"
    if not (pre / "spec").exists():
        precommit_spec(pre)
    edit = [sys.executable, "-c", "import pathlib, time; p = pathlib.Path('spec/part050.md'); "
            "p.write_text(p.read_text() + f'The assistant must log {time.time_ns()}.\\n')"]  # fmt: skip
    subprocess.run([*spectools, "validate", "."], cwd=pre, capture_output=True, check=False)  # warm
    cold = best([*spectools, "validate", "--no-cache", "."], args.runs, pre)
    edited = best([*spectools, "validate", "."], args.runs, pre, before=edit)
    print(f"pre-commit, 10,000 clauses in 100 files: cold {cold * 1000:.0f} ms, one file edited {edited * 1000:.0f} ms, "
          f"{edited / cold:.2f}x (target 0.25x)")  # fmt: skip
    if args.doorstop:
        door = base / "doorstop"
        if not (door / "reqs").exists():
            doorstop_tree(door)
        subprocess.run([*spectools, "validate", "."], cwd=door, capture_output=True, check=False)  # warm
        ours = best([*spectools, "validate", "."], args.runs, door)
        theirs = best([shutil.which("doorstop") or "doorstop", "--no-reformat"], max(1, args.runs // 2), door)
        print(f"2,000 requirements: warm spectools validate {ours * 1000:.0f} ms, doorstop {theirs * 1000:.0f} ms, "
              f"{theirs / ours:.1f}x faster (target 10x)")  # fmt: skip


if __name__ == "__main__":
    main()
