"""Command line: argparse; main(argv) -> int. The only module that prints or exits."""

# `spectools --version` must start about as fast as Python itself (each module imported costs
# about half a millisecond here), so this module imports only sys at the top and no __future__;
# everything else is imported where it is used, and annotations that name them are strings.
import sys

from spectools import __version__

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (6 ms)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from spectools.loader import Loaded

ISSUES_URL = "https://github.com/spectools/spectools/issues"


def build_parser() -> "argparse.ArgumentParser":
    import argparse

    from spectools.errors import SpecError

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            raise SpecError(f"{message} (see `{self.prog} --help`)")

    parser = _Parser(
        prog="spectools",
        description="Schema checks, clause-level diffs and release notes for behaviour-spec repositories.",
    )
    parser.add_argument("--version", action="version", version=f"spectools {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    v = sub.add_parser(
        "validate",
        help="check a spec repository: schema, ids, references, coverage, examples",
        description="Check every document and challenge file of a spec repository and report each "
        "finding with its file, line and column. Exit codes: 0 clean, 1 findings at or above "
        "--fail-on, 2 usage or configuration error, 3 internal error, 130 interrupted.",
    )
    v.add_argument("path", nargs="?", default=".", metavar="PATH", help="root of the spec repository (default: .)")
    v.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif"),
        default="text",
        help="text: one finding a line (default); json: schema/report.schema.json; "
        "github: workflow commands that annotate a pull request; sarif: SARIF 2.1.0 for code scanning",
    )
    v.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    v.add_argument(
        "--fix",
        action="store_true",
        help="rewrite stale 'Examples for [^id] in <title>:' header lines of challenge files "
        "(atomically, nothing else is touched), then report what is left",
    )

    e = sub.add_parser(
        "export",
        help="print the parsed spec as JSON (schema/spec.schema.json)",
        description="Print the parsed spec (documents, sections, clauses, examples, challenge files) "
        "as JSON that conforms to schema/spec.schema.json.",
    )
    e.add_argument("path", nargs="?", default=".", metavar="PATH", help="root of the spec repository (default: .)")
    e.add_argument("--format", choices=("json",), default="json", help="output format (default: json)")

    d = sub.add_parser(
        "diff",
        help="clause-level changes between two git refs (or a ref and the working tree)",
        description="Compare the spec at two sides, section by section and clause by clause. A side is a "
        "branch, tag or commit, WORKTREE (the files on disk) or, with --staged, the index. `A..B` compares "
        "A with B; `A...B` compares the merge base of A and B with B. Exit code 1 when a retired clause "
        "id comes back with another meaning; 2 for an unknown ref or a repository problem.",
    )
    d.add_argument("old", metavar="A", help="the old side: a ref, `A..B`, or `A...B`")
    d.add_argument("new", metavar="B", nargs="?", help="the new side (default: WORKTREE, or the index with --staged)")
    d.add_argument("--staged", action="store_true", help="compare with the index (what `git commit` would record)")
    d.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text: one change a line (default); markdown: grouped as in the changelog; json: schema/changes.schema.json",
    )
    d.add_argument("--path", default=".", metavar="DIR", help="the spec's folder inside the repository (default: .)")

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
    c.add_argument("--path", default=".", metavar="DIR", help="the spec's folder inside the repository (default: .)")

    i = sub.add_parser(
        "init",
        help="create a spec repository from a template",
        description="Create a spec repository in DIR from a template (see --list-templates). Nothing is overwritten: if "
        "any file the template would write exists, the conflicts are listed and nothing is written (exit 1); --force "
        "overwrites those files and only those. Run in a terminal with --name or --authority-levels missing, it asks.",
    )
    i.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the new repository's folder (default: .)")
    i.add_argument(
        "--template",
        default="model-spec",
        metavar="NAME|PATH",
        help="a shipped template (model-spec, the default, or minimal) or a template folder",
    )
    i.add_argument("--name", help="the spec's name, its title (default: My Assistant Spec)")
    i.add_argument(
        "--authority-levels",
        metavar="LEVELS",
        help="authority levels, highest first, separated by commas (default: root,system,developer,user,guideline)",
    )
    i.add_argument("--git", action="store_true", help="git init (unless DIR is a repository), a first commit, and tag v0.1.0")
    i.add_argument("--dry-run", action="store_true", help="list the files that would be written, and write none")
    i.add_argument("--force", action="store_true", help="overwrite the template's files where they exist (never others)")
    i.add_argument("--list-templates", action="store_true", help="list the shipped templates and exit")

    n = sub.add_parser(
        "new-id",
        help="print fresh clause ids that were never used",
        description="Print clause ids that match ids.clause (default ^[a-z0-9]{4}$) and are unique: "
        "against every clause and challenge file of the spec, and, in a git repository, against every id "
        "that any commit ever had (retired ids are never reused).",
    )
    n.add_argument("--count", type=int, default=1, metavar="N", help="how many ids (default: 1)")
    n.add_argument("--path", default=".", metavar="DIR", help="root of the spec repository (default: .)")

    w = sub.add_parser(
        "new",
        help="create a file for the spec: `spectools new challenge ID`",
        description="Create a new file. `challenge ID` writes <challenges>/ID.md with the header line for "
        "the clause's section and a GOOD/BAD example to fill in; it refuses when the clause does not exist "
        "or the file does.",
    )
    what = w.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=type(parser))
    wc = what.add_parser(
        "challenge",
        help="a challenge file for a clause",
        description="Create the challenge file for clause ID, starting with 'Examples for [^ID] in <section title>:'.",
    )
    wc.add_argument("clause_id", metavar="ID", help="the clause id, as in its tag [^ID]")
    wc.add_argument("--path", default=".", metavar="DIR", help="root of the spec repository (default: .)")
    return parser


def _display(root: str) -> "Callable[[str], str]":
    import posixpath

    base = root.replace("\\", "/").rstrip("/")
    if base in ("", "."):
        return lambda p: p
    return lambda p: posixpath.normpath(posixpath.join(base, p))


def cmd_validate(path: str, fmt: str, fail_on: str, fix: bool) -> int:
    from pathlib import Path

    from spectools.checks.run import run
    from spectools.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
    from spectools.loader import load, open_worktree
    from spectools.render import diagnostics as render

    root = Path(path)
    loaded = load(open_worktree(root))
    if fix:
        from spectools.fix import fix_headers

        changed = fix_headers(loaded, root)
        for rel in changed:
            sys.stderr.write(f"spectools: fixed the header line of {_display(path)(rel)}\n")
        if changed:
            loaded = load(open_worktree(root))
    found = run(loaded)
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

    from spectools.errors import EXIT_OK
    from spectools.export import to_json
    from spectools.loader import load, open_worktree

    loaded = load(open_worktree(Path(path)))
    sys.stdout.write(to_json(loaded.spec))
    return EXIT_OK


UNREAD = {"SPEC002", "SPEC003", "SPEC006", "SPEC007", "SPEC008", "SPEC009"}  # a file left out of the spec


def _warn_unread(sides: "list[tuple[str, Loaded]]") -> None:
    """Say, once each, which files could not be read at which side (they are left out of the comparison)."""
    said = set()
    for side, loaded in sides:
        for d in sorted(loaded.problems, key=lambda d: d.sort_key()):
            line = f"spectools: warning: {side}: {d.location}: {d.message}; it is left out of the comparison\n"
            if d.code in UNREAD and line not in said:
                said.add(line)
                sys.stderr.write(line)


def cmd_diff(path: str, old: str, new: str | None, staged: bool, fmt: str) -> int:
    from pathlib import Path

    from spectools.compare import Comparer
    from spectools.gitsource import GitRepo
    from spectools.render import changes as render

    repo = GitRepo(Path(path))
    side_a, side_b = repo.sides(old, new, staged)
    comparer = Comparer(repo)
    cs, _, _ = comparer.compare(side_a, side_b)
    _warn_unread(comparer.unread)
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

    from spectools import changelog
    from spectools.compare import Comparer
    from spectools.errors import SpecError
    from spectools.gitsource import GitRepo
    from spectools.render import changes as render

    repo = GitRepo(Path(path))
    pattern = changelog.tag_pattern(repo)
    if every:
        if spec_range or version:
            raise SpecError("--all writes every release; give no FROM..TO and no --version with it")
        releases = changelog.all_releases(repo, pattern)
    else:
        releases = [changelog.release_for(repo, spec_range, version, pattern)]
    comparer = Comparer(repo, releases[-1].new.commit)
    results = [(rel, comparer.compare(rel.old, rel.new)[0]) for rel in releases]
    _warn_unread(comparer.unread)
    if write:
        target = Path(write)
        changelog.write(target, [(rel.version, changelog.section(rel, cs)) for rel, cs in results])
        for rel, _ in results:
            sys.stderr.write(f"spectools: wrote the {rel.version} section of {target}\n")
        return 0
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
    return 0


def cmd_init(
    dir_: str, template_name: str, name: str | None, levels: str | None, git: bool, dry_run: bool, force: bool, list_only: bool
) -> int:
    import re
    from pathlib import Path

    from spectools import init
    from spectools.errors import SpecError

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
    if not answers.get("name", "x").strip():
        raise SpecError("--name: give the spec a name")
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
    init.write(root, files)
    sys.stderr.write(f"spectools: wrote {len(files)} files to {dir_} from the '{template.name}' template\n")
    if git:
        tag = init.git_start(root, template.name)
        sys.stderr.write(f"spectools: committed them and tagged {tag}\n")
    return 0


def _ask(question: str, default: str) -> str:
    answer = input(f"{question} [{default}]: ").strip()
    return answer or default


def cmd_new_id(path: str, count: int) -> int:
    from pathlib import Path

    from spectools.authoring import new_ids, taken_ids
    from spectools.errors import SpecError
    from spectools.loader import load, open_worktree

    if count < 1 or count > 10000:
        raise SpecError("--count takes a whole number from 1 to 10000")
    root = Path(path)
    loaded = load(open_worktree(root))
    history: set[str] = set()
    try:
        from spectools.gitsource import GitRepo
        from spectools.history import IdHistory

        repo = GitRepo(root)
        if repo.has_commits():
            history = IdHistory(repo, repo.resolve("HEAD"), loaded.documents).all_ids()
    except SpecError:
        sys.stderr.write("spectools: not a git repository, so only the current spec was checked for used ids\n")
    for cid in new_ids(count, loaded.config.clause_id, taken_ids(loaded, history)):
        sys.stdout.write(cid + "\n")
    return 0


def cmd_new_challenge(path: str, clause_id: str) -> int:
    from pathlib import Path

    from spectools.authoring import create_challenge
    from spectools.loader import load, open_worktree

    root = Path(path)
    created = create_challenge(root, load(open_worktree(root)), clause_id)
    sys.stderr.write(f"spectools: created {_display(path)(str(created.relative_to(root)))}; fill in the example\n")
    return 0


def dispatch(args: "argparse.Namespace") -> int:
    from spectools.errors import EXIT_USAGE

    if args.command == "validate":
        return cmd_validate(args.path, args.format, args.fail_on, args.fix)
    if args.command == "export":
        return cmd_export(args.path)
    if args.command == "diff":
        return cmd_diff(args.path, args.old, args.new, args.staged, args.format)
    if args.command == "init":
        return cmd_init(
            args.dir, args.template, args.name, args.authority_levels, args.git, args.dry_run, args.force, args.list_templates
        )
    if args.command == "new-id":
        return cmd_new_id(args.path, args.count)
    if args.command == "new":
        return cmd_new_challenge(args.path, args.clause_id)
    if args.command == "changelog":
        return cmd_changelog(args.path, args.range, args.release_name, args.format, args.write, args.all)
    build_parser().print_help(sys.stderr)
    return EXIT_USAGE


def main(argv: "Sequence[str] | None" = None) -> int:
    args_in = sys.argv[1:] if argv is None else list(argv)
    if args_in == ["--version"]:  # answered before argparse is even imported
        sys.stdout.write(f"spectools {__version__}\n")
        return 0
    import os

    from spectools.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, SpecError

    try:
        args = build_parser().parse_args(args_in)
        return dispatch(args)
    except SpecError as exc:
        sys.stderr.write(f"spectools: error: {exc.message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("spectools: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except Exception as exc:
        if os.environ.get("SPECTOOLS_DEBUG"):
            raise
        sys.stderr.write(
            f"spectools: internal error: {type(exc).__name__}: {exc}\n"
            f"This is a bug in spectools {__version__}. Please report it at {ISSUES_URL} with the command you ran "
            "(set SPECTOOLS_DEBUG=1 for the traceback).\n"
        )
        return EXIT_INTERNAL
