"""`spectools site`: the spec as a static site, a page per release, redlines between releases, compliance."""

from __future__ import annotations

import argparse

from spectools.cli.output import DIR_HELP, cache_flags, say, warn, warn_unread


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "site",
        help="build a static site: a page per release, redlines between releases, compliance",
        description="Build a self-contained static site from the release tags (releases.tag_pattern, default v*) and "
        "the working tree when it differs from the newest release: a page per release, a redline between each release "
        "and the one before it, and an index. Nothing is fetched from elsewhere when it is read. --out must be a new or "
        "empty folder, or one this command wrote before.",
    )
    s.add_argument("--out", default="_site", metavar="DIR", help="where to write the site (default: _site)")
    s.add_argument("--path", default=".", metavar="DIR", help=DIR_HELP)
    s.add_argument("--releases", metavar="PATTERN", help="the release tags to show (a glob; default: releases.tag_pattern)")
    s.add_argument(
        "--results",
        action="append",
        default=[],
        metavar="FILE",
        help="a results file of `spectools eval` (repeat for more models): pass rates beside each clause, shown on the "
        "page of the release they were made at (else the newest)",
    )
    s.add_argument("--base-url", metavar="URL", help="where the site is published, for canonical links (default: site.base_url)")
    s.add_argument("--title", help="the site's title (default: site.title, else the spec's title)")
    s.add_argument("--no-worktree", action="store_true", help="release tags only: no page for the working tree")
    cache_flags(s)


def run(args: argparse.Namespace) -> int:
    import os
    import time
    from pathlib import Path

    from spectools import io
    from spectools.changelog.pages import check_base_url
    from spectools.io.external import read_capped
    from spectools.io.results import load as load_results
    from spectools.site.build import Options, build, publish
    from spectools.sources.git import GitRepo

    results = [(name, load_results(read_capped(Path(name), "a results file"), name)) for name in args.results]
    base_url = check_base_url(args.base_url, "--base-url") if args.base_url else None
    repo = GitRepo(Path(args.path))
    started = time.monotonic()
    out = Path(args.out)
    root = io.root_for(out, repo.top()) if not repo.bare else None
    options = Options(args.releases, results, base_url, args.title, not args.no_worktree)
    built = build(repo, options, lambda label: say(f"reading {label}"))
    warn_unread(built.read, "that page")
    for note in built.notes:
        warn(note)
    written = publish(out, built, root)
    size = sum(len(b) for b in built.files.values())
    say(
        f"wrote {len(written)} files ({size // 1024} KiB) to {os.path.normpath(args.out)}: {len(built.pages)} release "
        f"pages, {built.redlines} redlines and the index, in {time.monotonic() - started:.1f} s; open "
        f"{os.path.join(os.path.normpath(args.out), 'index.html')}"
    )
    return 0
