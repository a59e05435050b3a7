"""`spectools eval export --to inspect`: the challenges and the calibration cases for Inspect."""

from __future__ import annotations

import argparse

from spectools.cli.output import PATH_HELP, Parser, say


def add_export(what: argparse._SubParsersAction[Parser]) -> None:
    x = what.add_parser(
        "export",
        help="write the challenges and the calibration cases for another eval engine (Inspect)",
        description="Write an Inspect (inspect_ai) dataset of the challenges (one sample per prompt, id <clause>/<n>), "
        "a dataset of the spec's labelled answers for calibration, and a task file that grades as spectools does (the "
        "same prompt and JSON schema; an unreadable grade is no score). Files that exist are not overwritten without --force.",
    )
    x.add_argument("path", nargs="?", default=".", metavar="PATH", help=PATH_HELP)
    x.add_argument("--to", choices=("inspect",), default="inspect", help="the engine (default: inspect)")
    x.add_argument("--out", required=True, metavar="DIR", help="the folder to write the files to")
    from spectools.eval.grader import THRESHOLD

    x.add_argument(
        "--threshold",
        type=int,
        default=THRESHOLD,
        metavar="SCORE",
        help=f"the score from which an answer passes (default: {THRESHOLD})",
    )
    x.add_argument("--force", action="store_true", help="overwrite the files where they exist")


def export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.eval.export import TASK, inspect_files
    from spectools.io import create, root_for, target_of, write_atomic
    from spectools.model import SpecError
    from spectools.parse.load import load, open_worktree
    from spectools.sources.git import toplevel

    if not 1 <= args.threshold <= 7:
        raise SpecError("--threshold takes a score from 1 to 7")
    files = inspect_files(load(open_worktree(Path(args.path))).spec, args.threshold)
    out = Path(args.out)
    root = root_for(out, toplevel(Path(args.path)))  # a folder link the pull request committed leads only inside
    for name in files:
        target_of(out / name, root)  # refused before anything, a folder included, is made
    clashes = [name for name in files if (out / name).exists()]
    if clashes and not args.force:
        raise SpecError(f"{', '.join(str(out / n) for n in clashes)} exist; nothing was written (--force overwrites them)")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (write_atomic if args.force else create)(out / name, text.encode("utf-8"), root)
    say(f"wrote {', '.join(str(out / n) for n in files)}")
    say(f"run them with: inspect eval {out / TASK} --model openai/MODEL --model-role grader=openai/GRADER")
    return 0
