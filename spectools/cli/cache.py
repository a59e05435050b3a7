"""`spectools cache info|clear`: what spectools keeps in its cache folder, and emptying it."""

from __future__ import annotations

import argparse

from spectools.cli.output import say


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = sub.add_parser(
        "cache",
        help="show or empty spectools' cache (parsed files, the stat index, eval's answers)",
        description="spectools keeps what it can compute again outside every repository: parsed files by the git id "
        "of their bytes (parse/), a stat index per working tree (parse/index/), and eval's answers and grades "
        "(eval/). `info` shows where and how much; `clear` empties the parse cache (and, with --all, eval's answers, "
        "which cost requests to make again).",
    )
    c.add_argument("action", choices=("info", "clear"), help="info: where the cache is and what it holds; clear: empty it")
    c.add_argument("--cache-dir", dest="caches", metavar="DIR", help="the caches' folder (default: as for every command)")
    c.add_argument("--all", action="store_true", help="with clear: also remove eval's cached answers and grades")


def _size(folder: object) -> tuple[int, int]:
    """(files, bytes) under folder, links not followed."""
    import os
    from pathlib import Path

    files = size = 0
    for base, _dirs, names in os.walk(Path(str(folder)), followlinks=False):
        for name in names:
            try:
                size += os.lstat(os.path.join(base, name)).st_size
                files += 1
            except OSError:
                continue
    return files, size


def run(args: argparse.Namespace) -> int:
    import shutil
    from pathlib import Path

    from spectools.io import cache_home
    from spectools.io.parsecache import MAX_BYTES

    home = Path(args.caches) if args.caches else cache_home()
    parse, answers = home / "parse", home / "eval"
    if args.action == "info":
        entries, size = _size(parse)
        answered, answer_bytes = _size(answers)
        say(f"cache folder: {home}")
        say(f"parsed files and stat indexes: {entries} files, {size / 1e6:.1f} MB (kept under {MAX_BYTES / 1e6:.0f} MB, "
            "least recently used removed first)")  # fmt: skip
        say(f"eval answers and grades: {answered} files, {answer_bytes / 1e6:.1f} MB")
        return 0
    targets = [parse, answers] if args.all else [parse]
    for folder in targets:
        if folder.is_symlink():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
    say(f"emptied {', '.join(str(t) for t in targets)}" + ("" if args.all else " (eval's answers kept: --all removes them)"))
    return 0
