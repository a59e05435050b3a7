"""Benchmark `changelog --all` and `diff` over a long history against their floors, as ratios from one run.

    python bench/bench_history.py [--runs 3] [--keep DIR]

History: bench/synth_history.py (5,000 sections in 50 documents, 2,000 commits, 50 release tags).
Floors, each in a fresh interpreter, measured with two parsers: spectools' own (`parse_document`,
`parse_challenge`: what the commands cannot avoid doing) and markdown-it-py alone (the stricter one):
- changelog --all: parsing every distinct blob (documents and challenge files) of the 50 releases once,
  the blobs read with one `git cat-file --batch`. Target 1.3x.
- diff between two tags: `git diff --name-status` between them, plus reading and parsing only the
  changed files. Target 1.5x.
spectools runs from a wheel installed into a new virtual environment, as in bench_validate.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_validate import best, print_table, setup  # noqa: E402
from bench.synth_history import generate  # noqa: E402

PARSERS = {
    "markdown-it": (
        "from markdown_it import MarkdownIt\n_md = MarkdownIt('commonmark')\ndef parse(path, text):\n    _md.parse(text)\n"
    ),
    "spectools": (
        "from spectools.parse.files import parse_challenge, parse_document\n"
        "def parse(path, text):\n"
        "    if path.startswith('examples/'):\n        parse_challenge(path, path[9:-3], text)\n"
        "    else:\n        parse_document(path, text)\n"
    ),
}

FLOOR_ALL = r"""
import subprocess, sys
root = sys.argv[1]
def git(*a):
    return subprocess.run(["git", *a], cwd=root, capture_output=True, check=True).stdout
blobs = {}
for tag in git("tag", "--list", "v*").split():
    for line in git("ls-tree", "-r", tag.decode()).splitlines():
        meta, path = line.split(b"\t", 1)
        if path.endswith(b".md"):
            blobs.setdefault(meta.split()[2], path.decode())
shas = sorted(blobs)
out = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=b"\n".join(shas) + b"\n",
                     capture_output=True, check=True).stdout
pos = 0
for sha in shas:
    header_end = out.index(b"\n", pos)
    size = int(out[pos:header_end].split()[2])
    parse(blobs[sha], out[header_end + 1 : header_end + 1 + size].decode("utf-8"))
    pos = header_end + 1 + size + 1
"""

FLOOR_DIFF = r"""
import subprocess, sys
root, a, b = sys.argv[1:4]
def git(*args, data=None):
    return subprocess.run(["git", *args], cwd=root, input=data, capture_output=True, check=True).stdout
names = git("diff", "--name-status", a, b)
wanted = []
for line in names.decode().splitlines():
    status, path = line.split("\t")[0], line.split("\t")[-1]
    if path.endswith(".md"):
        if status != "A":
            wanted.append(f"{a}:{path}")
        if status != "D":
            wanted.append(f"{b}:{path}")
out = git("cat-file", "--batch", data=("\n".join(wanted) + "\n").encode())
pos = 0
for name in wanted:
    header_end = out.index(b"\n", pos)
    size = int(out[pos:header_end].split()[2])
    parse(name.split(":", 1)[1], out[header_end + 1 : header_end + 1 + size].decode("utf-8"))
    pos = header_end + 1 + size + 1
"""


def main() -> None:
    args, base, py = setup(__doc__ or "", 3, "keep the generated repository and venv here")
    os.environ["SPECTOOLS_CACHE_DIR"] = str(base / "cache")  # the parse cache of these runs, and of no one else
    exe = str(Path(py).parent / "spectools")
    repo = base / "history"
    if not (repo / ".git").exists():
        generate(repo)
    check = subprocess.run([exe, "changelog", "--all"], cwd=repo, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    rows = []
    for label, cmd, floor_code, floor_args, target in (
        ("changelog --all (50 releases, 2,000 commits)", [exe, "changelog", "--all"], FLOOR_ALL, [str(repo)], 1.3),
        ("diff v20 v30", [exe, "diff", "v20", "v30"], FLOOR_DIFF, [str(repo), "v20", "v30"], 1.5),
        ("diff v49 v50 (one release)", [exe, "diff", "v49", "v50"], FLOOR_DIFF, [str(repo), "v49", "v50"], 1.5),
    ):
        cold = best([*cmd, "--no-cache"], args.runs, repo)
        subprocess.run(cmd, cwd=repo, capture_output=True, check=False)  # the parse cache warm
        warm = best(cmd, args.runs, repo)
        for parser, prelude in PARSERS.items():
            floor = best([py, "-c", prelude + floor_code, *floor_args], args.runs, repo)
            rows.append((f"cold {label}, floor {parser}", cold, floor, target))
            rows.append((f"warm {label}, floor {parser}", warm, floor, 1.2 if label.startswith("diff") else target))
    print_table(rows)


if __name__ == "__main__":
    main()
