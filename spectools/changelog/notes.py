"""ChangeSets between releases -> release notes, and edits of CHANGELOG.md that keep every other byte."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from spectools.diff.changes import ChangeSet
from spectools.io import blank, split_lines
from spectools.model import SpecError
from spectools.render.changes import first_release, markdown
from spectools.sources.git import GitRepo, Side

UNRELEASED = "Unreleased"
HEADER = (
    "# Changelog\n\nAll notable changes to this spec are recorded here, newest first. The format follows\n"
    "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n"
)


@dataclass(frozen=True)
class Release:
    version: str
    date: str  # YYYY-MM-DD in UTC: the tag's date (an annotated tag's own), else the commit's
    old: Side | None  # None: the first release, which introduces everything
    new: Side


def tag_pattern(repo: GitRepo) -> str:
    """releases.tag_pattern from spectools.yaml at HEAD (v* by default)."""
    from spectools.sources.config import CONFIG_FILE, parse_config

    if not repo.has_commits():
        return "v*"
    source = repo.source(repo.side("HEAD"))
    if not source.is_file(CONFIG_FILE):
        return "v*"
    text = source.read(CONFIG_FILE, 1 << 20).decode("utf-8", "replace")
    return parse_config(text)[0].tag_pattern


def tags_at(repo: GitRepo, sha: str, pattern: str) -> list[str]:
    out = repo.git("tag", "--points-at", sha, "--list", "--end-of-options", pattern)
    return sorted(t for t in out.split() if t)


def previous_release(repo: GitRepo, to: Side, pattern: str) -> Side | None:
    """The release before `to`: the nearest tag matching pattern among its ancestors, by the history (as `git
    describe` finds it), not by date (tags made in the same second would otherwise tie), not counting tags on
    `to` itself. Of a merge, the nearest over all its parents."""
    from spectools.sources.git import GitError

    starts = [repo.side("HEAD").commit] if to.commit is None else _parents(repo, to.commit)
    nearest: tuple[int, str] | None = None
    for start in starts:
        try:
            out = repo.git("describe", "--tags", "--long", f"--match={pattern}", "--end-of-options", start or "").strip()
        except GitError:  # no release tag among this side's ancestors
            continue
        tag, distance, _ = out.rsplit("-", 2)
        if distance.isdigit() and (nearest is None or int(distance) < nearest[0]):
            nearest = (int(distance), tag)
    return repo.side(nearest[1]) if nearest else None


def _parents(repo: GitRepo, commit: str) -> list[str]:
    return repo.git("rev-list", "--parents", "-n", "1", "--end-of-options", commit).split()[1:]


def release_for(repo: GitRepo, spec_range: str | None, version: str | None, pattern: str) -> Release:
    """`FROM..TO`, `..TO`, `TO`, or nothing (from the last release to HEAD). Its date: the tag's, in UTC (an
    annotated tag's own date), else TO's commit's."""
    old_name, new_name = spec_range.split("..", 1) if spec_range and ".." in spec_range else (None, spec_range)
    new = repo.side(new_name or "HEAD")
    old = repo.side(old_name) if old_name else previous_release(repo, new, pattern)
    tagged = tags_at(repo, new.commit, pattern) if new.commit else []
    if version is None:
        version = tagged[-1] if tagged else UNRELEASED
    if version in tagged:  # an annotated tag's own date, else its commit's
        date = utc_day(repo.git("for-each-ref", "--format=%(creatordate:unix)", "--end-of-options", f"refs/tags/{version}"))
    else:
        date = utc_day(repo.git("show", "-s", "--format=%ct", "--end-of-options", new.commit)) if new.commit else ""
    return Release(version, date, old, new)


def utc_day(seconds: str) -> str:
    """Seconds since the epoch (as git prints them) as the UTC date, YYYY-MM-DD; "" for nothing."""
    from datetime import datetime, timezone

    seconds = seconds.strip().split("\n", 1)[0]
    try:
        return datetime.fromtimestamp(int(seconds), timezone.utc).strftime("%Y-%m-%d") if seconds.isdigit() else ""
    except (ValueError, OverflowError, OSError):  # a date git keeps but a calendar cannot (past the year 9999)
        return ""


def all_releases(repo: GitRepo, pattern: str, none_ok: bool = False) -> list[Release]:
    """One release per tag matching pattern, oldest first (by date; in the same second, by history, then by version),
    each compared with the release before it in the history (`previous_release`, as for one release: not the tag made
    before it); one with none is a first release.

    One `git for-each-ref` gives every tag's commit and date (annotated tags are peeled)."""
    out = repo.git(
        "for-each-ref",
        "--sort=version:refname",  # releases of the same second: v1.2 before v1.10
        "--sort=creatordate",
        f"refs/tags/{pattern}",
        "--format=%(refname:short)%09%(objectname)%09%(*objectname)%09%(creatordate:unix)%09%(objecttype)%09%(*objecttype)",
    )
    releases = []
    seconds: dict[str, str] = {}
    for line in out.splitlines():
        tag, sha, peeled, date, kind, peeled_kind = [*line.split("\t"), "", "", "", "", ""][:6]
        commit = peeled or sha
        if (peeled_kind or kind) != "commit":
            raise SpecError(
                f"tag '{tag}' points at a {peeled_kind or kind}, not a commit; a release tag must name a commit "
                f"(delete it with `git tag -d {tag}`, or narrow releases.tag_pattern in spectools.yaml)"
            )
        if not commit:
            continue
        side = Side(tag, commit)
        releases.append(Release(tag, utc_day(date), previous_release(repo, side, pattern), side))
        seconds[tag] = date
    _by_history(repo, releases, seconds)  # git listed them by date, then by version
    if not releases and not none_ok:
        raise SpecError(
            f"no release tags match '{pattern}'; tag a release (`git tag v1.0`), or set releases.tag_pattern in spectools.yaml"
        )
    return releases


def _by_history(repo: GitRepo, releases: list[Release], seconds: dict[str, str]) -> None:
    """Releases made in the same second (a script, a CI job), ordered by how many commits lie behind each, which grows
    from every commit to its descendants (merges too): the release one is compared with comes before it. One
    `git rev-list --count` per release that shares its second; then by version, as git listed them."""
    start = 0
    while start < len(releases):
        end = start + 1
        while end < len(releases) and seconds[releases[end].version] == seconds[releases[start].version]:
            end += 1
        if end - start > 1:
            count = {r.version: _behind(repo, r.new.commit or "") for r in releases[start:end]}
            releases[start:end] = sorted(releases[start:end], key=lambda r: count[r.version])
        start = end


def _behind(repo: GitRepo, commit: str) -> int:
    """How many commits the commit's history holds, itself included."""
    out = repo.git("rev-list", "--count", "--end-of-options", commit).strip()
    return int(out) if out.isdigit() else 0


_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+/-]{0,99}")


def check_version(version: str, what: str = "--version") -> str:
    """A release name that can stand in a markdown heading and a marker as it is; SpecError otherwise."""
    if version != UNRELEASED and not _VERSION.fullmatch(version):
        shown = version.encode("unicode_escape").decode("ascii")[:100]
        raise SpecError(
            f"{what} '{shown}' cannot be a changelog heading: use letters, digits and . _ + - / only "
            "(such as v1.2.0), starting with a letter or digit"
        )
    return version


def check_date(date: str) -> str:
    """A --date value: a real calendar day as YYYY-MM-DD; SpecError otherwise."""
    from datetime import date as day

    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            return day.fromisoformat(date).isoformat()
    except ValueError:
        pass
    shown = date.encode("unicode_escape").decode("ascii")[:40]
    raise SpecError(f"--date '{shown}' is not a day: give it as YYYY-MM-DD, such as 2026-03-31")


def heading(release: Release) -> str:
    check_version(release.version, "release")
    return f"## {release.version}" + (f" - {release.date}" if release.date and release.version != UNRELEASED else "")


def section(release: Release, cs: ChangeSet, redline: str = "") -> str:
    """The release's notes as markdown: its heading, then the generated entries."""
    return heading(release) + "\n\n" + body(cs, release.old is None, redline)


def body(cs: ChangeSet, first: bool = False, redline: str = "") -> str:
    """The generated entries; a first release's are counted, with the full list folded. redline: the address of
    the release's redline on the published site (spectools site), linked first."""
    link = f"Every word this release changes, marked: [the redline](<{redline}>).\n\n" if redline else ""
    return link + (first_release(cs) if first and cs.changes else markdown(cs)).strip("\n") + "\n"


BEGIN = "<!-- spectools:begin {} -->"
END = "<!-- spectools:end {} -->"
_MARKER = re.compile(r"<!-- spectools:(begin|end) ([^\s\x00-\x1f\x85\u2028\u2029]+) -->[ \t]*\r?")
_LONE_CR = re.compile(r"\r(?!\n)")
_RELEASE = re.compile(r"^\[?([^\]\s]+)\]?")


@dataclass(frozen=True)
class _Layout:
    headings: list[tuple[int, str]]  # (0-based line, version) of every top-level `## ` heading
    markers: list[tuple[int, str, str]]  # (0-based line, begin|end, version) of every marker line


def _layout(text: str) -> _Layout:
    """Where the release headings and the markers are, as markdown sees them: a `## v2` inside an HTML
    comment or a fenced block is not a heading, and a marker inside a fence is not a marker. Lines are counted as
    io.split_lines counts them: markdown-it would end a line at a lone CR too, so it sees a space there."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(_LONE_CR.sub(" ", text))
    headings, markers = [], []
    for i, tok in enumerate(tokens):
        if tok.level or not tok.map:
            continue
        if tok.type == "heading_open" and tok.tag == "h2":
            m = _RELEASE.match(tokens[i + 1].content)
            headings.append((tok.map[0], m.group(1) if m else ""))
        elif tok.type == "html_block":
            for n, line in enumerate(tok.content.split("\n")):
                found = _MARKER.fullmatch(line)
                if found:
                    markers.append((tok.map[0] + n, found.group(1), found.group(2)))
    return _Layout(headings, markers)


def merge(existing: str, version: str, title: str, notes: str) -> str:
    """Put the generated notes of one release into the changelog text, keeping every other byte.

    The notes live between two marker comments inside the release's section. A later run replaces
    only what is between them; a section written by hand keeps its text, with the block under it; a
    release with no section gets one, above the newest release. Where the markers are not a clean
    pair, SpecError: nothing is changed."""
    nl = "\r\n" if "\r\n" in existing.split("\n", 1)[0] + "\n" else "\n"
    lines = split_lines(existing)
    layout = _layout(existing)
    block = [BEGIN.format(version), "", *notes.strip("\n").split("\n"), "", END.format(version)]
    mine = [(at, kind) for at, kind, v in layout.markers if v == version]
    found = [(n, at) for n, (at, v) in enumerate(layout.headings) if v.lower() == version.lower()]
    if len(found) > 1:
        raise SpecError(f"the changelog has {len(found)} sections for {version}; merge them by hand, then write again")
    if found:
        n, start = found[0]
        end = layout.headings[n + 1][0] if n + 1 < len(layout.headings) else len(lines)
        return _into_section(lines, (start, end), mine, version, block, nl)
    if mine:
        raise SpecError(f"the changelog has spectools markers for {version} but no `## {version}` heading; fix it by hand")
    at = len(lines)
    for line, v in layout.headings:
        if version == UNRELEASED or v.lower() != UNRELEASED.lower():
            at = line
            break
    return _splice(lines, at, at, [title, "", *block], nl)


def _into_section(
    lines: list[str], section: tuple[int, int], mine: list[tuple[int, str]], version: str, block: list[str], nl: str
) -> str:
    """The block in place of the one between this release's markers, or under its hand-written text."""
    start, end = section
    if any(not start < at < end for at, _ in mine):
        raise SpecError(f"the changelog has spectools markers for {version} outside its section; move or remove them")
    if [kind for _, kind in mine] == ["begin", "end"]:
        return _splice(lines, mine[0][0], mine[1][0] + 1, block, nl)
    if mine:
        raise SpecError(
            f"the changelog's spectools markers for {version} are not one begin and one end, in that order; "
            "fix them by hand (or remove both, and the notes between them), then write again"
        )
    last = start
    for i in range(start + 1, end):
        if not blank(lines[i]):
            last = i
    return _splice(lines, last + 1, last + 1, ["", *block], nl)


def _splice(lines: list[str], start: int, end: int, new: list[str], nl: str) -> str:
    """lines[start:end] replaced by new (each given the file's line ending), set off by blank lines."""
    before, after = lines[:start], lines[end:]
    if before and not before[-1].endswith("\n"):
        before[-1] += nl  # the file had no final newline: the new text starts on a line of its own
    if before and not blank(before[-1]) and not blank(new[0]):
        new = ["", *new]
    if after and not blank(after[0]):
        new = [*new, ""]
    return "".join(before) + "".join(line + nl for line in new) + "".join(after)


def _seen(text: str, version: str) -> str:
    """text, when markdown sees the section just written: its heading, and one pair of markers. Hand-written text can
    hide it (an HTML comment or block left open above it swallows what follows): SpecError, and nothing is written."""
    layout = _layout(text)
    headings = [v for _, v in layout.headings if v.lower() == version.lower()]
    markers = [kind for _, kind, v in layout.markers if v == version]
    if len(headings) != 1 or markers != ["begin", "end"]:
        raise SpecError(
            f"the {version} section would not show: text above it leaves an HTML comment or block open (`<!--` with no "
            "`-->`, or a tag with no blank line after it), which hides what follows; close it, then write again"
        )
    return text


def write(path: Path, root: Path, sections: list[tuple[str, str, str]]) -> None:
    """Merge (version, heading, notes), given oldest first, into the changelog file at path, under the
    writer's lock (two runs at once take turns). root: the repository; a path out of it is refused."""
    from spectools.io import update

    def change(data: bytes | None) -> bytes:
        if data is None:
            text = HEADER
        else:
            try:
                text = data.decode("utf-8")  # bytes, not read_text: CRLF and every other byte stay as they are
            except UnicodeDecodeError as exc:
                line = data.count(b"\n", 0, exc.start) + 1
                raise SpecError(f"{path}:{line}: not valid UTF-8, so it was not changed; re-save it as UTF-8") from None
        for version, title, notes in sections:
            text = _seen(merge(text, check_version(version), title, notes), version)
        return text.encode("utf-8")

    try:
        update(path, change, root)
    except OSError as exc:
        raise SpecError(f"{path}: cannot write it ({exc.strerror}); nothing was changed") from None
