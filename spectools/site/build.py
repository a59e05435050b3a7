"""`spectools site`: the spec as a static site. Every release tag (releases.tag_pattern, or the pattern given) is read
from git, oldest first, with the working tree when it differs from the newest release; each gets a page, each
release and the one before it in the history a redline, and the index lists them newest first.

Reading goes through the Comparer (diff/compare.py), the parse cache and the history scan that `changelog --all` uses,
so a site costs a little more than the release notes; drawing is Jinja2 over the plain data of site/views.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from spectools.changelog.pages import check_base_url, redline_name, release_pages
from spectools.model import Spec, SpecError
from spectools.site.compliance import MAX_MODELS, Compliance, compliance
from spectools.site.views import Entry, PageRef, SectionView, add_history, redline, release_sections

TEMPLATES = Path(__file__).resolve().parent / "templates"
OWN_FOLDER = ".spectools-site"  # in the output folder: the files of the last build (only such a folder is written over)
UNRELEASED = "Unreleased"


class Options(NamedTuple):
    pattern: str | None = None  # release tags to read (default: releases.tag_pattern)
    results: Sequence[tuple[str, list[dict[str, Any]]]] = ()  # (file name, rows of io.results.load)
    base_url: str | None = None
    title: str | None = None
    worktree: bool = True  # a page for the working tree when it differs from the newest release
    between: tuple[Any, Any] | None = None  # two git Sides (their labels name the pages): these two and their redline only


class Built(NamedTuple):
    files: dict[str, bytes]  # file name in the output folder -> its bytes
    pages: tuple[PageRef, ...]  # newest first
    redlines: int
    notes: tuple[str, ...]  # what the user should know (results matching no page, ...)
    read: tuple[tuple[str, Any], ...] = ()  # (page label, Loaded) of each page: the files it could not read


class _Release(NamedTuple):
    ref: PageRef
    loaded: Any  # parse.load.Loaded
    old: PageRef | None
    changes: Any  # ChangeSet
    opening: tuple[str, str]  # the first document's title (its first `# ` heading) and the text before its sections
    redline: str = ""  # its redline's file (from the page before it), "" for the first


def _opening(source: Any, spec: Spec, limit: int) -> tuple[str, str]:
    """(title, preamble): the first document's text before its first section, without its front matter; its title is
    the front matter's `title`, else its first `# ` heading, else "". A tag's is read through the run's one `git
    cat-file` (sources/git.ObjectReader), a request, not a process, per page."""
    if not spec.documents:
        return "", ""
    doc = spec.documents[0]
    try:
        text = source.read(doc.path, limit).decode("utf-8", "replace")
    except (OSError, SpecError):
        return "", ""
    lines = text.split("\n")[: doc.sections[0].location.line - 1 if doc.sections else None]
    if lines and lines[0].strip() == "---" and doc.front_matter is not None:
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), len(lines) - 1)
        lines = lines[end + 1 :]
    from spectools.site.prose import first_heading

    title = str((doc.front_matter or {}).get("title") or "").strip()
    heading = first_heading("\n".join(lines))  # as markdown reads it: a `# ` line in a code block is no heading
    if heading is not None:
        title = title or heading[0]
        lines = lines[: heading[1]] + lines[heading[2] :]
    return title, "\n".join(lines).strip()


# control characters, and the bidirectional embeddings, overrides and isolates that would show a reader text in
# another order than it is (the marks U+200E/U+200F, which right-to-left text needs, stay)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _read(repo: Any, options: Options, tick: Callable[[str], None]) -> tuple[list[_Release], dict[str, Any]]:
    """Every page's spec and each one's changes from the release before it, and the site settings."""
    from spectools.changelog.notes import Release, all_releases, tag_pattern
    from spectools.diff.compare import Comparer
    from spectools.parse.load import config_of
    from spectools.sources.git import WORKTREE

    if options.between is not None:
        a, b = options.between
        releases = [Release(a.label, "", None, a), Release(b.label, "", a, b)]
        options = options._replace(worktree=False)
    else:
        releases = all_releases(repo, options.pattern or tag_pattern(repo), none_ok=True) if repo.has_commits() else []
    names = release_pages(releases)  # the names the release notes link too (changelog/pages.py)
    refs = {rel.version: PageRef(rel.version, names[rel.version][0], rel.date, rel.new.commit or "") for rel in releases}
    out: list[_Release] = []
    with Comparer(repo, releases[-1].new.commit if releases else None) as comparer:
        comparer.prepare([(rel.old, rel.new) for rel in releases])
        newest = comparer.source(releases[-1].new) if releases else None
        aliases = config_of(newest).aliases if newest is not None and len(releases) > 1 else None
        for rel in releases:
            tick(rel.version)
            found = comparer.compare(rel.old, rel.new, aliases)
            old = refs.get(rel.old.label) if rel.old is not None else None
            loaded = comparer.full(rel.new)
            opening = _opening(loaded.source, loaded.spec, loaded.config.max_file_bytes)
            out.append(_Release(refs[rel.version], loaded, old, found.changes, opening, names[rel.version][1]))
        settings: dict[str, Any] = {}
        if options.worktree and not repo.bare:
            wt = repo.side(WORKTREE)
            settings = dict(getattr(config_of(comparer.source(wt)), "site", {}) or {})
            base = releases[-1].new if releases else None
            found = comparer.compare(base, wt, config_of(comparer.source(wt)).aliases)  # the newest vocabulary
            if found.changes.changes or not releases:
                tick(UNRELEASED)
                ref = PageRef(UNRELEASED, "unreleased.html", "", "")
                loaded = comparer.full(wt)
                opening = _opening(loaded.source, loaded.spec, loaded.config.max_file_bytes)
                old = out[-1].ref if out else None
                taken = {name.lower() for _, name in names.values()}
                red = redline_name(old.file, ref.file, taken) if old is not None else ""
                out.append(_Release(ref, loaded, old, found.changes, opening, red))
        elif newest is not None:
            settings = dict(getattr(config_of(newest), "site", {}) or {})
    return out, settings


Rows = Sequence[tuple[str, list[dict[str, Any]]]]  # results files: (name, rows of io.results.load)


def _compliance_for(pages: list[_Release], files: Rows) -> tuple[dict[str, Compliance], list[str]]:
    """Each page's results: a file's rows go to the page whose commit they were made at; rows made at no page's
    commit go to the newest page, and a note says so."""
    by_page: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
    notes = []
    # a commit as results name it (whole, or a prefix of 4 or more) -> the newest page made at it
    at_page = {p.ref.commit[:n]: p.ref.file for p in pages for n in range(4, len(p.ref.commit) + 1)}
    for name, rows in files:
        at: dict[str, list[dict[str, Any]]] = {}  # each commit's rows, in one pass
        for r in rows:
            at.setdefault(str(r.get("spec_commit") or ""), []).append(r)
        strays = 0
        for commit, mine in sorted(at.items()):
            page = at_page.get(commit) if commit else None
            if page is None:
                page, strays = pages[-1].ref.file, strays + 1
                if strays <= 3:  # a few are news; thousands are one note
                    notes.append(
                        f"{name}: results made at {'commit ' + commit[:12] if commit else 'an unknown commit'}, which is "
                        f"no release's; shown on the newest page ({pages[-1].ref.label})"
                    )
            by_page.setdefault(page, []).append((name, mine))
        if strays > 3:
            notes.append(f"{name}: and {strays - 3} more commits that are no release's; shown on the newest page")
    found = {page: compliance(rows) for page, rows in by_page.items()}
    for page, c in found.items():
        if c.left_out:
            notes.append(f"{page}: results of {c.left_out} more models than {MAX_MODELS} are not shown")
    return found, notes


def build(repo: Any, options: Options, tick: Callable[[str], None] = lambda _: None) -> Built:
    """The site's files, in memory (nothing is written here: see publish)."""
    releases, settings = _read(repo, options, tick)
    if not releases:
        raise SpecError("nothing to show: no release tags and no working tree; tag a release (`git tag v1.0`)")
    title = options.title or str(settings.get("title") or "") or releases[-1].opening[0] or "Spec"
    base_url = options.base_url or ""
    if not base_url and settings.get("base_url"):
        base_url = check_base_url(str(settings["base_url"]), "spectools.yaml: site.base_url")
    results, notes = _compliance_for(releases, options.results)
    pages = _Pages(title, base_url)
    history: dict[str, list[Entry]] = {}
    redlines: dict[str, str] = {}  # release page -> its redline
    tops: dict[str, tuple[Any, ...]] = {}  # release page -> its redline's highlights, for the index
    anchors = {r.ref.file: {s.anchor for d in r.loaded.spec.documents for s in d.sections} for r in releases}
    for rel in releases:
        if rel.old is None:
            for d in rel.loaded.spec.documents:
                for s in d.sections:
                    history.setdefault(s.anchor, []).append(Entry(rel.ref.label, "in the first release", ""))
        else:
            redlines[rel.ref.file] = rel.redline
            top, groups = redline(rel.changes, rel.old, rel.ref, anchors)
            tops[rel.ref.file] = top
            pages.add(redlines[rel.ref.file], "redline.html", old=rel.old, new=rel.ref, highlights=top, groups=groups,
                      notes=rel.changes.notes, summary=_summary(rel.changes))  # fmt: skip
            add_history(history, rel.changes, rel.ref.label, redlines[rel.ref.file])
        found = results.get(rel.ref.file)
        sections, contents, preamble = release_sections(rel.loaded.spec, history, found, rel.opening[1])
        pages.add(rel.ref.file, "release.html", release=rel.ref, sections=sections, toc=contents, old=rel.old,
                  redline=redlines.get(rel.ref.file, ""), compliance=found, spec_title=rel.opening[0] or title,
                  preamble=preamble, section=pages.section)  # fmt: skip
    _index(pages, releases, redlines, tops, results)
    pages.files["style.css"] = (TEMPLATES / "style.css").read_bytes()
    read = tuple((r.ref.label, r.loaded) for r in releases)
    return Built(pages.files, tuple(r.ref for r in reversed(releases)), len(redlines), tuple(notes), read)


class _Pages:
    """The Jinja2 environment and the pages drawn with it."""

    def __init__(self, title: str, base_url: str) -> None:
        self.env = _environment()
        self.common = {"site_title": title, "base_url": base_url}
        self.files: dict[str, bytes] = {}
        self._sections: dict[SectionView, Any] = {}

    def section(self, view: SectionView) -> Any:
        """A section's HTML (macros.html's `section`), drawn once for all the releases that show it the same way:
        the view holds everything drawn, already resolved for its page (links, permalinks, history, rates)."""
        if view not in self._sections:
            self._sections[view] = self.env.get_template("macros.html").module.section(view)
        return self._sections[view]

    def add(self, name: str, template: str, **data: Any) -> None:
        from spectools.render.escape import printable

        text = self.env.get_template(template).render(file=name, **self.common, **data)
        self.files[name] = _CONTROL.sub("\ufffd", printable(text)).encode("utf-8")


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def _index(
    pages: _Pages,
    releases: list[_Release],
    redlines: dict[str, str],
    tops: dict[str, tuple[Any, ...]],
    results: dict[str, Compliance],
) -> None:
    """The index: the releases newest first with their highlights, and the newest results' table."""
    rows = []
    for rel in reversed(releases):
        rows.append((rel.ref, redlines.get(rel.ref.file, ""), tops.get(rel.ref.file, ())[:3], _summary(rel.changes)))
    shown = next((r for r in reversed(releases) if r.ref.file in results), None)
    found = results[shown.ref.file] if shown is not None else None
    table = _table(shown, found) if shown and found else None
    pages.add("index.html", "index.html", rows=rows, newest=releases[-1].ref, table=table,
              table_page=shown.ref if shown else None, table_models=found.models if found else ())  # fmt: skip


def _summary(cs: Any) -> str:
    from spectools.render.changes import summary_line

    return summary_line(cs)


def _table(rel: _Release, found: Compliance) -> list[tuple[Any, ...]]:
    """The index's table: each section with clauses graded, its rate for each model (None: not graded)."""
    rows = []
    for d in rel.loaded.spec.documents:
        for s in d.sections:
            rates = {r.model: r for r in found.section(s.clauses)}
            if rates:
                rows.append((s, tuple(rates.get(m) for m in found.models)))
    return rows


def _environment(compiled: bool = True) -> Any:
    """The one Jinja2 environment: the templates as tools/templates.py compiled them into site/compiled/ while they
    are what it compiled, else compiled here (a template edited since)."""
    return _made(compiled and _compiled_fresh())


@lru_cache(maxsize=2)
def _made(from_modules: bool) -> Any:
    """One environment of each kind per process, kept: jinja2's ModuleLoader puts a weak proxy of the templates'
    package in sys.modules, which would be left dead there (for whatever reads sys.modules next) were its
    environment freed. Nothing is kept in it between builds but the compiled templates."""
    from jinja2 import Environment, FileSystemLoader, ModuleLoader, StrictUndefined

    env = Environment(
        loader=ModuleLoader(str(TEMPLATES.parent / "compiled")) if from_modules else FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every {{ }} is escaped: spec text is untrusted (docs/SECURITY.md, "The site")
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda x: f"{x:.0%}"
    return env


def _compiled_fresh() -> bool:
    import hashlib

    import jinja2

    try:
        from spectools.site.compiled import JINJA2, SOURCES
    except ImportError:
        return False
    if jinja2.__version__ != JINJA2:
        return False
    found = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in TEMPLATES.glob("*.html")}
    return bool(found == SOURCES)


def publish(out: Path, built: Built, root: Path | None) -> list[str]:
    """Write the files into out. out must be new, empty, or a folder this command wrote before (it holds
    OWN_FOLDER); never a folder of someone else's files, and never a file through a link: a link in out (which a
    pull request can commit) is replaced by the page, never followed. Returns the files written."""
    import os

    from spectools import io

    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise SpecError(f"{out}: not a folder; give --out a new or empty folder")
    marker = out / OWN_FOLDER
    if out.is_dir() and any(out.iterdir()) and (marker.is_symlink() or not marker.is_file()):
        raise SpecError(
            f"{out}: holds files that spectools site did not write; give --out a new or empty folder (nothing was written)"
        )
    io.target_of(marker, root)  # refuses a folder outside the repository it is given in, or in .git
    linked = io.link_inside(out, root) if root is not None else None
    if linked is not None:
        raise SpecError(f"{out}: {linked} on its way is a link; give --out a folder reached through none")
    out.mkdir(parents=True, exist_ok=True)
    try:  # the marker first: a run that fails half way leaves a folder the next run may write again
        io.write_entry(out, (OWN_FOLDER,), (json.dumps(sorted(built.files), indent=0) + "\n").encode(), 0o644 & ~_umask())
        for name, data in sorted(built.files.items()):
            io.write_entry(out, (name,), data, 0o644 & ~_umask())
    except OSError as e:
        raise SpecError(f"{out}: could not write the site: {os.strerror(e.errno or 0) or e}") from None
    return sorted(built.files)
