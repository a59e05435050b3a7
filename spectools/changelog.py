"""ChangeSets between releases -> release notes, and edits of CHANGELOG.md that keep every other byte."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from spectools.errors import SpecError
from spectools.fsio import write_atomic
from spectools.gitsource import GitRepo, Side
from spectools.model import ChangeSet
from spectools.render.changes import markdown

UNRELEASED = "Unreleased"
HEADER = (
    "# Changelog\n\nAll notable changes to this spec are recorded here, newest first. The format follows\n"
    "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n"
)


@dataclass(frozen=True)
class Release:
    version: str
    date: str  # YYYY-MM-DD of the release's commit
    old: Side | None  # None: the first release, which introduces everything
    new: Side


def tag_pattern(repo: GitRepo) -> str:
    """releases.tag_pattern from spectools.yaml at HEAD (v* by default)."""
    from spectools.config import CONFIG_FILE, parse_config

    if not repo.has_commits():
        return "v*"
    source = repo.source(repo.side("HEAD"))
    if not source.is_file(CONFIG_FILE):
        return "v*"
    text = source.read(CONFIG_FILE, 1 << 20).decode("utf-8", "replace")
    return parse_config(text)[0].tag_pattern


def tags_at(repo: GitRepo, sha: str, pattern: str) -> list[str]:
    out = repo.git("tag", "--points-at", sha, "--list", pattern)
    return sorted(t for t in out.split() if t)


def previous_release(repo: GitRepo, to: Side, pattern: str) -> Side | None:
    """The newest tag matching pattern that is reachable from `to`, not counting tags on `to` itself."""
    if to.commit is None:
        head = repo.side("HEAD").commit
        skip = set()
    else:
        head = to.commit
        skip = set(tags_at(repo, head, pattern))
    assert head is not None
    out = repo.git("tag", "--merged", head, "--list", pattern, "--sort=-creatordate")
    for tag in out.split():
        if tag not in skip:
            return repo.side(tag)
    return None


def release_for(repo: GitRepo, spec_range: str | None, version: str | None, pattern: str) -> Release:
    """`FROM..TO`, `..TO`, `TO`, or nothing (from the last release to HEAD)."""
    old_name, new_name = spec_range.split("..", 1) if spec_range and ".." in spec_range else (None, spec_range)
    new = repo.side(new_name or "HEAD")
    old = repo.side(old_name) if old_name else previous_release(repo, new, pattern)
    if version is None:
        tagged = tags_at(repo, new.commit, pattern) if new.commit else []
        version = tagged[-1] if tagged else UNRELEASED
    date = repo.commit_date(new.commit) if new.commit else ""
    return Release(version, date, old, new)


def all_releases(repo: GitRepo, pattern: str) -> list[Release]:
    """One release per tag matching pattern, oldest first; the first one has no predecessor.

    One `git for-each-ref` gives every tag's commit and date (annotated tags are peeled)."""
    out = repo.git(
        "for-each-ref",
        "--sort=creatordate",
        f"refs/tags/{pattern}",
        "--format=%(refname:short)%09%(objectname)%09%(*objectname)%09%(committerdate:short)%09%(*committerdate:short)",
    )
    releases, previous = [], None
    for line in out.splitlines():
        tag, sha, peeled, date, peeled_date = [*line.split("\t"), "", "", "", ""][:5]
        commit = peeled or sha
        if not commit:
            continue
        side = Side(tag, commit)
        releases.append(Release(tag, peeled_date or date, previous, side))
        previous = side
    if not releases:
        raise SpecError(
            f"no release tags match '{pattern}'; tag a release (`git tag v1.0`), or set releases.tag_pattern in spectools.yaml"
        )
    return releases


def section(release: Release, cs: ChangeSet) -> str:
    title = f"## {release.version}" + (f" - {release.date}" if release.date and release.version != UNRELEASED else "")
    return markdown(cs, title).rstrip("\n") + "\n"


_HEADING = re.compile(r"^## \[?([^\]\s]+)\]?(?:\s|$)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _headings(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, version) of every `## ` release heading outside code fences."""
    out, fence = [], None
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if m:
            fence = None if fence == m.group(1) else (fence or m.group(1))
            continue
        if fence is None:
            h = _HEADING.match(line)
            if h:
                out.append((i, h.group(1)))
    return out


def merge(existing: str, version: str, body: str) -> str:
    """Replace version's section in existing (or insert it above the newest release), keeping every other byte."""
    lines = existing.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    heads = _headings(lines)
    new = body.splitlines(keepends=True)
    for n, (i, v) in enumerate(heads):
        if v == version:
            end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
            tail = lines[end:]
            return "".join(lines[:i] + new + (["\n"] if tail else []) + tail)
    releases = [(i, v) for i, v in heads if v.lower() != UNRELEASED.lower()]
    if releases:
        at = releases[0][0]
    elif heads:  # only an Unreleased section: the release goes after it
        at = len(lines)
    else:
        at = len(lines)
    before = lines[:at]
    if before and before[-1].strip():
        before.append("\n")
    tail = lines[at:]
    return "".join(before + new + (["\n"] if tail else []) + tail)


def write(path: Path, sections: list[tuple[str, str]]) -> None:
    """Merge (version, body) sections, given oldest first, into the changelog file at path."""
    text = HEADER
    if path.exists():
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")  # bytes, not read_text: CRLF and every other byte stay as they are
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise SpecError(f"{path}:{line}: not valid UTF-8, so it was not changed; re-save it as UTF-8") from None
    for version, body in sections:
        text = merge(text, version, body)
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise SpecError(f"{path}: cannot write it ({exc.strerror}); nothing was changed") from None
