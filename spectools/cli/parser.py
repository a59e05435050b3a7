"""The command line's arguments: every command and option, with its help."""

from __future__ import annotations

import argparse

from spectools import __version__
from spectools.model import SpecError


def build_parser() -> argparse.ArgumentParser:

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

    g = sub.add_parser(
        "github",
        help="the pull-request summary: findings and spec changes, posted as one sticky comment",
        description="Check a pull request (or a push, or --base/--head), compare it with its merge base, and "
        "post one comment that updates in place, plus the job summary, outputs and annotations. It reads the "
        "runner's environment (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, "
        "GITHUB_TOKEN, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT); every file is read through git, so nothing from "
        "the pull request is run. Exit code 1 when --fail-on says so, 2 for a repository or event problem.",
    )
    g.add_argument("--path", default=".", metavar="DIR", help="the spec's folder inside the repository (default: .)")
    g.add_argument("--base", metavar="REF", help="compare with the merge base of REF and the head (default: from the event)")
    g.add_argument("--head", metavar="REF", help="the commit to check (default: from the event, else HEAD)")
    g.add_argument("--pr", type=int, metavar="N", help="the pull request to comment on, with --base/--head")
    g.add_argument(
        "--fail-on",
        choices=("error", "warning", "breaking", "never"),
        default="error",
        help="exit 1 on errors (default); on errors or warnings; on errors or breaking changes; or never",
    )
    g.add_argument(
        "--comment",
        choices=("update", "recreate", "off"),
        default="update",
        help="edit the comment in place (default), delete and post it again (to bring it to the bottom), or post none",
    )
    g.add_argument(
        "--results",
        action="append",
        default=[],
        metavar="FILE",
        help="eval results (schema/results.schema.json) for the compliance section; repeat for base and head",
    )
    g.add_argument("--dry-run", action="store_true", help="print the comment instead of posting it")
    g.add_argument(
        "--save-report",
        metavar="DIR",
        help="write the report for a privileged workflow_run to post (fork pull requests), instead of posting",
    )
    g.add_argument("--report", metavar="PATH", help="post the report saved by --save-report in a pull request's run")

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
