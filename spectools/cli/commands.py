"""The commands: typed parameters in, an exit code out. With cli/__init__.py, the only code that prints."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from spectools import __version__

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from spectools.parse.load import Loaded


def _display(root: str) -> Callable[[str], str]:
    import posixpath

    base = root.replace("\\", "/").rstrip("/")
    if base in ("", "."):
        return lambda p: p
    return lambda p: posixpath.normpath(posixpath.join(base, p))


def cmd_validate(path: str, fmt: str, fail_on: str, fix: bool) -> int:
    from pathlib import Path

    from spectools.checks.run import run
    from spectools.model import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
    from spectools.parse.load import load, open_worktree
    from spectools.render import diagnostics as render

    root = Path(path)
    loaded = load(open_worktree(root))
    if fix:
        from spectools.authoring.fix import fix_headers
        from spectools.render.escape import term

        changed = fix_headers(loaded, root)
        for rel in changed:
            sys.stderr.write(f"spectools: fixed the header line of {term(_display(path)(rel))}\n")
        if changed:
            loaded = load(open_worktree(root))
    from spectools.diff.retired import reused

    found = run(loaded, reused(root, loaded))
    display = _display(path)
    files = len(loaded.texts) + (1 if loaded.source.is_file("spectools.yaml") else 0)
    if fmt == "json":
        out = render.as_json(found, display, files)
    elif fmt == "github":
        out = render.github(found, display)
    elif fmt == "sarif":
        out = render.sarif(found, display)
    else:
        out = render.text(found, display)
    sys.stdout.write(out)
    sys.stderr.write(f"spectools: {render.summary_line(found, files)}\n")
    if not loaded.config_ok:
        sys.stderr.write("spectools: spectools.yaml has errors, so the keys that hold them were ignored; fix it (exit code 2)\n")
        return EXIT_USAGE
    threshold = {"error": {"error"}, "warning": {"error", "warning"}, "never": set()}[fail_on]
    return EXIT_FINDINGS if any(d.severity in threshold for d in found) else EXIT_OK


def cmd_export(path: str) -> int:
    from pathlib import Path

    from spectools.model import EXIT_FINDINGS, EXIT_OK
    from spectools.parse.load import load, open_worktree
    from spectools.render.diagnostics import text
    from spectools.render.export import to_json

    loaded = load(open_worktree(Path(path)))
    unread = [d for d in loaded.problems if d.code in UNREAD or d.code == "SPEC014"]
    sys.stdout.write(to_json(loaded.spec))
    if unread:  # the JSON would be silently incomplete: say what is missing, and fail
        sys.stderr.write(text(sorted(unread, key=lambda d: d.sort_key()), _display(path)))
        sys.stderr.write("spectools: the export leaves out the files above; fix them (see `spectools validate`)\n")
        return EXIT_FINDINGS
    return EXIT_OK


UNREAD = {"SPEC002", "SPEC003", "SPEC006", "SPEC007", "SPEC008", "SPEC009"}  # a file left out of the spec


def _warn_unread(sides: list[tuple[str, Loaded]]) -> None:
    """Say, once each, which files could not be read at which side (they are left out of the comparison)."""
    from spectools.render.escape import term

    said = set()
    for side, loaded in sides:
        for d in sorted(loaded.problems, key=lambda d: d.sort_key()):
            line = term(f"spectools: warning: {side}: {d.location}: {d.message}; it is left out of the comparison") + "\n"
            if d.code in UNREAD and line not in said:
                said.add(line)
                sys.stderr.write(line)


def cmd_diff(path: str, old: str, new: str | None, staged: bool, fmt: str) -> int:
    from pathlib import Path

    from spectools.diff.compare import Comparer
    from spectools.render import changes as render
    from spectools.sources.git import GitRepo

    repo = GitRepo(Path(path))
    side_a, side_b = repo.sides(old, new, staged)
    with Comparer(repo) as comparer:
        cs, la, lb = comparer.compare(side_a, side_b)
    _warn_unread(comparer.unread)
    from spectools.render.escape import term

    for side, loaded, other in ((side_a, la, "added"), (side_b, lb, "removed")):
        if loaded is not None and not loaded.doc_paths:
            sys.stderr.write(
                term(
                    f"spectools: warning: {side.label} has no spec documents ({', '.join(loaded.documents)}), so "
                    f"everything at the other side is {other}; check the ref, or `documents:` in spectools.yaml"
                )
                + "\n"
            )
    if fmt == "json":
        sys.stdout.write(render.as_json(cs))
    elif fmt == "markdown":
        sys.stdout.write(render.markdown(cs))
    else:
        sys.stdout.write(render.text(cs))
    sys.stderr.write(f"spectools: {render.summary_line(cs)}\n")
    return 1 if any(c.kind == "id_reused" for c in cs.changes) else 0


def cmd_changelog(path: str, spec_range: str | None, version: str | None, fmt: str, write: str | None, every: bool) -> int:
    import json
    from pathlib import Path

    from spectools.changelog import notes as changelog
    from spectools.diff.compare import Comparer
    from spectools.model import SpecError
    from spectools.render import changes as render
    from spectools.sources.git import GitRepo

    repo = GitRepo(Path(path))
    pattern = changelog.tag_pattern(repo)
    if version is not None:
        changelog.check_version(version)
    if every:
        if spec_range or version:
            raise SpecError("--all writes every release; give no FROM..TO and no --version with it")
        releases = changelog.all_releases(repo, pattern)
    else:
        releases = [changelog.release_for(repo, spec_range, version, pattern)]
    if releases[0].old is None and repo.shallow():
        raise SpecError(
            f"this is a shallow clone, so the release before {releases[0].version} may not have been fetched and it "
            "would be described as the first; fetch the history (`git fetch --unshallow --tags`, or `fetch-depth: 0` "
            "in actions/checkout) and try again"
        )
    with Comparer(repo, releases[-1].new.commit) as comparer:
        comparer.prepare([(rel.old, rel.new) for rel in releases])
        if len(releases) > 1:  # the newest release's authority vocabulary reads every older one
            from spectools.parse.load import config_of

            comparer.aliases = config_of(comparer.source(releases[-1].new)).aliases
        results = [(rel, comparer.compare(rel.old, rel.new)[0]) for rel in releases]
    _warn_unread(comparer.unread)
    code = 1 if any(c.kind == "id_reused" for _, cs in results for c in cs.changes) else 0  # as diff says
    if write:
        target = Path(write)
        changelog.write(
            target,
            repo.top(),
            [(rel.version, changelog.heading(rel), changelog.body(cs, rel.old is None)) for rel, cs in results],
        )
        for rel, _ in results:
            sys.stderr.write(f"spectools: wrote the {rel.version} section of {target}\n")
        return code
    newest_first = list(reversed(results))
    if fmt == "json":
        doc = {
            "schema_version": 1,
            "tool": {"name": "spectools", "version": __version__},
            "releases": [{"version": rel.version, "date": rel.date, **render.changeset_json(cs)} for rel, cs in newest_first],
        }
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("\n".join(changelog.section(rel, cs) for rel, cs in newest_first))
    return code


def cmd_init(
    dir_: str, template_name: str, name: str | None, levels: str | None, git: bool, dry_run: bool, force: bool, list_only: bool
) -> int:
    import re
    from pathlib import Path

    from spectools.authoring import init
    from spectools.model import SpecError

    if list_only:
        for t in init.templates():
            sys.stdout.write(f"{t.name:12} {t.description}\n")
        return 0
    root = Path(dir_)
    if root.exists() and not root.is_dir():
        raise SpecError(f"{dir_}: is a file; give a folder for the new repository")
    template = init.find_template(template_name)
    given = {"name": name, "authority_levels": levels}
    answers = {}
    for key, spec in template.questions.items():
        value = given.get(key)
        if value is None:
            default = str(spec.get("default", ""))
            value = _ask(str(spec.get("help", key)), default) if sys.stdin.isatty() and sys.stdout.isatty() else default
        answers[key] = value
    parts = [p.strip() for p in answers.get("authority_levels", "root").split(",")]
    if not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", p) for p in parts) or len(set(parts)) != len(parts):
        raise SpecError(
            f"--authority-levels '{answers.get('authority_levels')}': give distinct names (letters, digits, _ "
            "and -), highest first, separated by commas, such as root,system,developer,user"
        )
    name_given = answers.get("name", "x")
    if not name_given.strip() or any(c in name_given for c in "{}\r\n"):
        raise SpecError("--name: give the spec a one-line name without { or } (it becomes the title heading)")
    files = init.plan(template, answers)
    clashes = init.conflicts(root, files)
    show = _display(dir_)
    if dry_run:
        for rel, _ in files:
            sys.stdout.write(f"{'overwrite' if rel in clashes else 'write':9} {show(rel)}\n")
        return 0
    if clashes and not force:
        for rel in clashes:
            sys.stderr.write(f"spectools: {show(rel)} exists\n")
        sys.stderr.write(
            f"spectools: nothing was written; {len(clashes)} file{'s' * (len(clashes) != 1)} of the template "
            "already exist (use another folder, or --force to overwrite them)\n"
        )
        return 1
    fresh = not root.exists() or not any(root.iterdir())
    if git:  # refused before anything is written, not after
        from spectools.sources.git import require_git

        require_git()
    init.write(root, files)
    sys.stderr.write(f"spectools: wrote {len(files)} files to {dir_} from the '{template.name}' template\n")
    if git:
        said = init.git_start(root, template.name, [rel for rel, _ in files], fresh)
        sys.stderr.write(f"spectools: {said}\n")
    return 0


def _ask(question: str, default: str) -> str:
    answer = input(f"{question} [{default}]: ").strip()
    return answer or default


def cmd_new_id(path: str, count: int) -> int:
    from pathlib import Path

    from spectools.authoring.ids import new_ids, taken_ids
    from spectools.model import SpecError
    from spectools.parse.load import load, open_worktree

    if count < 1 or count > 10000:
        raise SpecError("--count takes a whole number from 1 to 10000")
    root = Path(path)
    loaded = load(open_worktree(root))
    history: set[str] = set()
    try:
        from spectools.diff.history import IdHistory
        from spectools.sources.git import GitRepo

        repo = GitRepo(root)
        if repo.has_commits():
            history = IdHistory(repo, repo.resolve("HEAD"), loaded.documents).all_ids()
    except SpecError as exc:
        from spectools.render.escape import term

        sys.stderr.write(f"spectools: warning: {term(exc.message)}; so only the current spec was checked for used ids\n")
    _warn_retired(root, loaded)
    for cid in new_ids(count, loaded.config.clause_id, taken_ids(loaded, history)):
        sys.stdout.write(cid + "\n")
    return 0


def _warn_retired(root: Path, loaded: Loaded, only: str | None = None) -> None:
    """Warn (on stderr) about retired ids that the working tree brings back with another meaning."""
    from spectools.diff.retired import reused
    from spectools.render.escape import term

    for d in reused(root, loaded):
        if only is None or f"'{only}'" in d.message:
            sys.stderr.write(term(f"spectools: warning: {d.location}: {d.message}") + "\n")


def cmd_new_challenge(path: str, clause_id: str) -> int:
    from pathlib import Path

    from spectools.authoring.ids import create_challenge
    from spectools.parse.load import load, open_worktree
    from spectools.render.escape import term

    root = Path(path)
    loaded = load(open_worktree(root))
    _warn_retired(root, loaded, clause_id)
    created = create_challenge(root, loaded, clause_id)
    shown = term(_display(path)(str(created.relative_to(root))))  # the folder's name is the repository's
    sys.stderr.write(f"spectools: created {shown}; fill in the example\n")
    return 0
