"""Benchmark `spectools validate` and `spectools --version` against their floors, as ratios from one run.

    python bench/bench_validate.py [--runs 5] [--keep DIR]

Floors:
- validate: markdown-it-py alone (MarkdownIt("commonmark").parse) on the same files, in a fresh interpreter.
- --version: a bare `python -c pass`.
Each command is run several times, as a fresh process; the minimum wall time counts (these machines are noisy).
Targets: validate <= 1.3x its floor on the Model-Spec-sized corpus (a 270 KB document, 114 challenge files),
1.5x on the 10,000-section one; --version <= 1.3x.

spectools is measured as users run it: the wheel is built and installed, with a current pip, into a
new virtual environment that also holds the floor's markdown-it-py (an editable install adds about
half a millisecond to every import, which is the developer's cost, not the user's).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.synth import generate  # noqa: E402

FLOOR = """
import sys
from pathlib import Path
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark")
root = Path(sys.argv[1])
for path in [root / "model_spec.md", *sorted((root / "examples").glob("*.md"))]:
    md.parse(path.read_text(encoding="utf-8"))
"""


def best(cmd: list[str], runs: int, cwd: Path | None = None) -> float:
    """The fastest of `runs` wall times of cmd, run as a fresh process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
        times.append(time.perf_counter() - start)
    return min(times)


def install_wheel(base: Path) -> Path:
    """Build the wheel of this checkout and install it (with its dependencies) into a venv under base;
    return its python. A kept venv gets the fresh wheel too, so a run never measures an old build."""
    import venv

    env, dist = base / "venv", base / "dist"
    for old in dist.glob("spectools-*.whl"):
        old.unlink()
    subprocess.run(
        [sys.executable, "-m", "build", "-q", "--wheel", "--outdir", str(dist), str(HERE.parent)],
        check=True,
        capture_output=True,
    )
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "-q"]
    wheel = [str(w) for w in dist.glob("spectools-*.whl")]
    if (env / "bin" / "spectools").exists():
        subprocess.run([*pip, "--force-reinstall", "--no-deps", *wheel], check=True, capture_output=True)
    else:
        venv.create(env, with_pip=True)
        subprocess.run([*pip, "-U", "pip"], check=True, capture_output=True)
        subprocess.run([*pip, *wheel], check=True, capture_output=True)
    return env / "bin" / "python"


def setup(doc: str, runs: int, keep: str) -> tuple[argparse.Namespace, Path, str]:
    """Parse --runs and --keep; (the arguments, the working folder, the python of the venv holding the fresh wheel)."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=runs)
    p.add_argument("--keep", type=Path, help=keep)
    args = p.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="spectools-bench-"))
    return args, base, str(install_wheel(base))


def main() -> None:
    args, base, py = setup(__doc__ or "", 5, "write the generated specs here instead of a temporary folder")
    os.environ["SPECTOOLS_CACHE_DIR"] = str(base / "cache")  # the parse cache of these runs, and of no one else
    spectools = [str(Path(py).parent / "spectools")]
    rows = []
    for name, sections, clauses, words, runs, target in (
        ("270 KB, 114 challenge files (Model-Spec-sized)", 300, 114, 57, args.runs, 1.3),
        ("10,000 sections, 20,000 clauses", 10000, 20000, 20, max(2, args.runs // 2), 1.5),
    ):
        out = base / name.split(",")[0].replace(" ", "")
        if not (out / "model_spec.md").exists():
            info = generate(out, sections, clauses, words)
        else:
            info = {"spec_bytes": (out / "model_spec.md").stat().st_size}
        check = subprocess.run([*spectools, "validate", str(out)], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stdout[:2000] + check.stderr  # and the parse cache is warm
        floor = best([py, "-c", FLOOR, str(out)], runs)
        cold = best([*spectools, "validate", "--no-cache", str(out)], runs)
        warm = best([*spectools, "validate", str(out)], runs)
        rows.append((f"cold validate, {name} ({info['spec_bytes'] / 1000:.0f} KB spec)", cold, floor, target))
        rows.append((f"warm validate, {name}", warm, floor, 0.8))
    pass_floor = best([py, "-c", "pass"], args.runs * 4)
    version = best([*spectools, "--version"], args.runs * 4)
    rows.append(("--version vs python -c pass", version, pass_floor, 1.3))
    print_table(rows)


def print_table(rows: list[tuple[str, float, float, float]]) -> None:
    """(label, spectools seconds, floor seconds, target ratio) rows, with the ratio and whether it is met."""
    width = max(len(label) for label, *_ in rows) + 2
    print(f"{'benchmark':{width}} {'spectools':>10} {'floor':>10} {'ratio':>7} {'target':>7}")
    for label, ours, floor, target in rows:
        ratio = ours / floor
        mark = "ok" if ratio <= target else "OVER"
        print(f"{label:{width}} {ours * 1000:9.0f}ms {floor * 1000:9.0f}ms {ratio:6.2f}x {target:5.1f}x {mark}")


if __name__ == "__main__":
    main()
