"""`spectools changelog`: release notes from the clause-level changes between release tags."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from spectools.cli.output import DIR_HELP, cache_flags, reused_ids, say, warn, warn_unread, write_json

if TYPE_CHECKING:
    from spectools.changelog.notes import Release
    from spectools.diff.changes import ChangeSet
    from spectools.sources.git import GitRepo


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = sub.add_parser(
        "changelog",
        help="release notes from the clause-level changes between release tags",
        description="Write release notes (Keep a Changelog) from the changes between two refs. FROM "
        "defaults to the newest release tag reachable from TO (tags match releases.tag_pattern, "
        "default v*), TO to HEAD.",
    )
    c.add_argument("range", nargs="?", metavar="FROM..TO", help="the release to describe: `FROM..TO`, `..TO` or `TO`")
    c.add_argument(
        "--version", dest="release_name", metavar="NAME", help="the version heading (default: the tag on TO, else Unreleased)"
    )
    c.add_argument(
        "--date", metavar="YYYY-MM-DD", help="the release date in the heading (default: the tag's date in UTC, else the commit's)"
    )
    c.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="markdown (default) or json (schema/changelog.schema.json)",
    )
    c.add_argument(
        "--write",
        metavar="FILE",
        help="replace or insert just this version's section in FILE "
        "(e.g. CHANGELOG.md), atomically; every other byte of the file is kept",
    )
    c.add_argument(
        "--all", action="store_true", help="one section per release tag, newest first; the first release lists what it introduced"
    )
    c.add_argument("--path", default=".", metavar="DIR", help=DIR_HELP)
    cache_flags(c)


def _releases(repo: GitRepo, args: argparse.Namespace) -> list[Release]:
    import dataclasses

    from spectools.changelog import notes as changelog
    from spectools.model import SpecError

    pattern = changelog.tag_pattern(repo)
    if args.release_name is not None:
        changelog.check_version(args.release_name)
    if args.all:
        if args.range or args.release_name or args.date:
            raise SpecError("--all writes every release; give no FROM..TO, --version or --date with it")
        releases = changelog.all_releases(repo, pattern)
    else:
        releases = [changelog.release_for(repo, args.range, args.release_name, pattern)]
        if args.date is not None:
            releases = [dataclasses.replace(releases[0], date=changelog.check_date(args.date))]
    if releases[0].old is None and repo.shallow():
        raise SpecError(
            f"this is a shallow clone, so the release before {releases[0].version} may not have been fetched and it "
            "would be described as the first; fetch the history (`git fetch --unshallow --tags`, or `fetch-depth: 0` "
            "in actions/checkout) and try again"
        )
    return releases


def _compare(repo: GitRepo, releases: list[Release]) -> tuple[list[tuple[Release, ChangeSet]], str | None]:
    """Each release's changes, and HEAD's site.base_url (the release notes link the published redlines)."""
    from spectools.diff.compare import Comparer
    from spectools.parse.load import config_of

    with Comparer(repo, releases[-1].new.commit) as comparer:
        comparer.prepare([(rel.old, rel.new) for rel in releases])
        # with --all, the newest release's authority vocabulary reads every older one
        aliases = config_of(comparer.source(releases[-1].new)).aliases if len(releases) > 1 else None
        # the reuses the maintainers accept: HEAD's spectools.yaml (the branch they release from) says
        head = config_of(comparer.source(repo.side("HEAD"))) if repo.has_commits() else None
        accepted = head.accepted_reuse if head is not None else frozenset()
        found = [comparer.compare(rel.old, rel.new, aliases, accepted) for rel in releases]
    warn_unread([side for comparison in found for side in comparison.sides])
    base = (getattr(head, "site", None) or {}).get("base_url")  # the published site (spectools site), from HEAD
    changes = [(rel, comparison.changes) for rel, comparison in zip(releases, found, strict=True)]
    return changes, base if isinstance(base, str) and base else None


def _redlines(repo: GitRepo, base: str | None, versions: list[str]) -> dict[str, str]:
    """{version: the address of its redline on the published site}, when HEAD's spectools.yaml names the site's
    base URL (site.base_url): the names `spectools site` gives its pages, from every release tag in order."""
    from spectools.changelog.notes import all_releases, tag_pattern
    from spectools.changelog.pages import check_base_url, release_pages
    from spectools.model import SpecError

    if base is None:
        return {}
    try:
        base = check_base_url(base, "spectools.yaml: site.base_url")
    except SpecError as e:
        warn(f"{e.message}; the notes link no redline")
        return {}
    pages = release_pages(all_releases(repo, tag_pattern(repo), none_ok=True))
    return {v: base + pages[v][1] for v in versions if v in pages and pages[v][1]}


def _json(results: list[tuple[Release, ChangeSet]]) -> str:
    import json

    from spectools import __version__
    from spectools.render.changes import CHANGES_SCHEMA_VERSION, changeset_json

    doc = {
        "schema_version": CHANGES_SCHEMA_VERSION,
        "tool": {"name": "spectools", "version": __version__},
        "releases": [{"version": rel.version, "date": rel.date, **changeset_json(cs)} for rel, cs in results],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.changelog import notes as changelog
    from spectools.render.changes import summary_line
    from spectools.sources.git import GitRepo

    repo = GitRepo(Path(args.path))
    results, base = _compare(repo, _releases(repo, args))
    redlines = _redlines(repo, base, [rel.version for rel, _ in results])
    code = 1 if any(cs.reuses_an_id for _, cs in results) else 0  # as diff says, and says why
    if args.write:
        target = Path(args.write)
        sections = [
            (rel.version, changelog.heading(rel), changelog.body(cs, rel.old is None, redlines.get(rel.version, "")))
            for rel, cs in results
        ]
        changelog.write(target, repo.top(), sections)
    else:
        newest_first = list(reversed(results))
        if args.format == "json":
            write_json(_json(newest_first))
        else:
            sys.stdout.write("\n".join(changelog.section(rel, cs, redlines.get(rel.version, "")) for rel, cs in newest_first))
    for rel, cs in results:  # the same count, in the same units, as diff and the comment
        say(
            f"wrote the {rel.version} section of {args.write}: {summary_line(cs)}"
            if args.write
            else f"{rel.version}: {summary_line(cs)}"
        )
        reused_ids(cs, rel.version)
    return code
