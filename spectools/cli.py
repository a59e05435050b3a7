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


def dispatch(args: "argparse.Namespace") -> int:
    from spectools.errors import EXIT_USAGE

    if args.command == "validate":
        return cmd_validate(args.path, args.format, args.fail_on, args.fix)
    if args.command == "export":
        return cmd_export(args.path)
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
