"""Record what spectools prints on the demo, the test corpora and the benchmark corpora, to prove that a
change (a restructure, a speed-up) changes no output byte.

    python bench/outputs.py record DIR [--spectools EXE]   # run every command, one file per command in DIR
    python bench/outputs.py compare OLD NEW                 # exit 1, listing the files that differ

Each file holds the command, its exit code, its stdout and its stderr. Temporary paths are replaced by
`<TMP>`, so two runs in different folders compare equal. Record with the code before the change (a
worktree of the old commit: `git worktree add /tmp/old <commit>` and `--spectools` pointing into a venv
that has it installed), then after, then compare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data"
FORMATS = ("text", "json", "github", "sarif")


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z"}
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )


def history(root: Path, releases: list[tuple[Path, str]]) -> Path:
    """A repository with one commit and tag per release folder (fixed dates, so commit ids are stable)."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for folder, tag in releases:
        for old in [p for p in root.iterdir() if p.name != ".git"]:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        shutil.copytree(folder, root, dirs_exist_ok=True)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"Release {tag}")
        git(root, "tag", tag)
    return root


def commands(work: Path) -> Iterator[tuple[str, list[str], Path]]:
    """(name, arguments, folder to run in) for every recorded command."""
    corpora = sorted(p for p in (DATA / "valid").iterdir()) + sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())
    corpora += [DATA / "modelspec" / "v1", DATA / "modelspec" / "v2"]
    from bench.synth import generate

    synth = work / "synth"
    generate(synth, 300, 120, 52)
    corpora.append(synth)
    demo = work / "demo"
    yield "init-demo", ["init", str(demo), "--name", "Demo Spec", "--git"], work
    corpora.append(demo)
    for corpus in corpora:
        name = corpus.relative_to(ROOT).as_posix() if corpus.is_relative_to(ROOT) else corpus.name
        for fmt in FORMATS:
            yield f"validate-{fmt}-{name}", ["validate", "--format", fmt, str(corpus)], work
        yield f"export-{name}", ["export", str(corpus)], work
    repo = history(work / "modelspec", [(DATA / "modelspec" / "v1", "v2025.03.01"), (DATA / "modelspec" / "v2", "v2025.09.12")])
    for fmt in ("text", "markdown", "json"):
        yield f"diff-{fmt}-modelspec", ["diff", "v2025.03.01", "v2025.09.12", "--format", fmt], repo
    for fmt in ("markdown", "json"):
        yield f"changelog-{fmt}-modelspec", ["changelog", "--format", fmt], repo
        yield f"changelog-all-{fmt}-modelspec", ["changelog", "--all", "--format", fmt], repo
    yield (
        "github-dry-run-modelspec",
        ["github", "--base", "v2025.03.01", "--head", "v2025.09.12", "--dry-run", "--comment", "off"],
        repo,
    )
    yield "diff-worktree-modelspec", ["diff", "v2025.03.01"], repo
    from bench.synth_history import generate as generate_history

    long = work / "history"
    generate_history(long)
    for a, b in (("v20", "v30"), ("v49", "v50")):
        yield f"diff-{a}-{b}-history", ["diff", a, b, "--format", "json"], long
    yield "changelog-all-history", ["changelog", "--all"], long


def record(out: Path, exe: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="spectools-outputs-") as tmp:
        work = Path(tmp).resolve()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        for name, args, cwd in commands(work):
            proc = subprocess.run([*exe, *args], cwd=cwd, capture_output=True, env=env, check=False)
            text = f"$ spectools {' '.join(args)}\nexit {proc.returncode}\n--- stdout\n".encode() + proc.stdout
            text += b"\n--- stderr\n" + proc.stderr
            text = text.replace(str(work).encode(), b"<TMP>").replace(str(ROOT).encode(), b"<ROOT>")
            (out / (name.replace("/", "_") + ".txt")).write_bytes(text)
            print(f"{proc.returncode} {name}", file=sys.stderr)


def compare(old: Path, new: Path) -> int:
    names = sorted({p.name for p in old.iterdir()} | {p.name for p in new.iterdir()})
    differ = [
        n for n in names if not (old / n).exists() or not (new / n).exists() or (old / n).read_bytes() != (new / n).read_bytes()
    ]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(names) - len(differ)} of {len(names)} outputs are byte-identical")
    return 1 if differ else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record")
    r.add_argument("out", type=Path)
    r.add_argument("--spectools", default=str(Path(sys.executable).parent / "spectools"))
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = p.parse_args()
    if args.command == "record":
        record(args.out, [args.spectools])
        return 0
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
