"""Benchmark `spectools site` (issue 21): its build time next to `changelog --all` on the same repository, and the
weight of each release page next to the markdown it comes from.

    python bench/bench_site.py [--repo DIR] [--runs 5] [--keep DIR]

--repo: a repository with release tags, e.g. a clone of openai/model_spec with its five releases tagged
(`git tag v2025.12.18 <commit>` ...); without it, a generated one (bench/synth_history.py: 1,500 sections in one
document, about 270 KB of markdown, 5 release tags).

Time: `farm-bench` (when it is on PATH; else the fastest of --runs) runs `spectools site` and `spectools changelog
--all` in turn on the repository and gives the ratio pair by pair (target: at most 2x). Both are the wheel's, as users
run them, with the same warm parse cache (the first run of each fills it).
Weight: each release page's bytes over its documents' markdown bytes at that tag (target: at most 1.5x).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_validate import best, print_table, setup  # noqa: E402
from bench.synth_history import generate  # noqa: E402


def _tags(repo: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "tag", "--list", "v*"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def _markdown_bytes(repo: Path, tag: str) -> int:
    """The bytes of the spec's documents at the tag: model_spec.md when it is there, else spec/**/*.md."""
    listed = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", tag], capture_output=True, text=True)
    names = listed.stdout.split()
    docs = ["model_spec.md"] if "model_spec.md" in names else [n for n in names if n.startswith("spec/") and n.endswith(".md")]
    return sum(len(subprocess.run(["git", "-C", str(repo), "show", f"{tag}:{n}"], capture_output=True).stdout) for n in docs)


def main() -> None:
    extra = "write the generated repository and the venv here instead of a temporary folder"
    sys.argv, repo_arg = _take_repo(sys.argv)
    args, base, py = setup(__doc__ or "", 5, extra)
    os.environ["SPECTOOLS_CACHE_DIR"] = str(base / "cache")  # the parse cache of these runs, and of no one else
    repo = repo_arg or base / "history"
    if repo_arg is None and not (repo / ".git").exists():
        generate(repo, sections=1500, docs=1, commits=200, tags=5)
    bin_ = Path(py).parent / "spectools"
    out = base / "site"
    site = [str(bin_), "site", "--path", str(repo), "--out", str(out), "--no-worktree"]
    changelog = [str(bin_), "changelog", "--all", "--path", str(repo)]
    built = subprocess.run(site, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    subprocess.run(changelog, capture_output=True, check=False)  # both caches warm (exit 1 is a finding, not a failure)
    print(f"repository: {repo} ({len(_tags(repo))} release tags)")
    print("\npage weight (release page / its markdown; target <= 1.5x)")
    for tag in _tags(repo):
        page = next((p for p in out.glob("*.html") if p.stem == tag), None)
        if page is not None:
            md = _markdown_bytes(repo, tag)
            print(f"  {tag:24} {page.stat().st_size / 1000:8.0f} KB / {md / 1000:6.0f} KB = {page.stat().st_size / md:.2f}x")
    print("\nbuild time (site / changelog --all; target <= 2x)")
    if shutil.which("farm-bench"):
        quoted = " ".join(changelog)
        subprocess.run(["farm-bench", "-n", str(args.runs), "--vs", quoted, "--", *site], check=False)
    else:
        print_table([("site vs changelog --all", best(site, args.runs), best(changelog, args.runs), 2.0)])


def _take_repo(argv: list[str]) -> tuple[list[str], Path | None]:
    """--repo DIR, taken out before bench_validate's parser reads the rest."""
    if "--repo" in argv:
        i = argv.index("--repo")
        return argv[:i] + argv[i + 2 :], Path(argv[i + 1]).resolve()
    return argv, None


if __name__ == "__main__":
    main()
