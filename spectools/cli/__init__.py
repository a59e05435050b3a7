"""Command line: main(argv) -> int. With cli/commands.py, the only code that prints or exits."""

# `spectools --version` must start about as fast as Python itself (each module imported costs
# about half a millisecond here), so this module imports only sys at the top and no __future__;
# everything else is imported where it is used, and annotations that name them are strings.
import sys

from spectools import __version__

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (6 ms)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

ISSUES_URL = "https://github.com/spectools/spectools/issues"


def dispatch(args: "argparse.Namespace") -> int:
    from spectools.cli.commands import cmd_changelog, cmd_diff, cmd_export, cmd_init, cmd_new_challenge, cmd_new_id, cmd_validate
    from spectools.cli.parser import build_parser
    from spectools.model import EXIT_USAGE

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
    if args.command == "github":
        from spectools.cli.pullrequest import cmd_github

        return cmd_github(
            args.path, args.base, args.head, args.pr, args.fail_on, args.comment, args.results, args.dry_run,
            args.save_report, args.report,
        )  # fmt: skip
    build_parser().print_help(sys.stderr)
    return EXIT_USAGE


def main(argv: "Sequence[str] | None" = None) -> int:
    args_in = sys.argv[1:] if argv is None else list(argv)
    if args_in == ["--version"]:  # answered before argparse is even imported
        sys.stdout.write(f"spectools {__version__}\n")
        return 0
    import os
    import signal

    from spectools.model import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, SpecError

    def terminated(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # so that every `finally` runs: no temporary file is left behind

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, terminated)
    try:
        from spectools.cli.parser import build_parser

        args = build_parser().parse_args(args_in)
        return dispatch(args)
    except SpecError as exc:
        from spectools.render.escape import term

        sys.stderr.write(f"spectools: error: {term(exc.message)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("spectools: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # the file system refused (a name too long, a device gone): the user's to fix, not a bug
        from spectools.model import EXIT_USAGE
        from spectools.render.escape import term

        name = str(exc.filename or "")
        shown = name if len(name) <= 120 else name[:60] + "..." + name[-40:]
        where = f"{term(shown)}: " if name else ""
        sys.stderr.write(f"spectools: error: {where}{exc.strerror or exc}; check the path and try again\n")
        return EXIT_USAGE
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
