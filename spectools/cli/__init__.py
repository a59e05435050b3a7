"""Command line: main(argv) -> int. cli/ is the only code that prints or maps errors to exit codes."""

# `spectools --version` must start about as fast as Python itself (each module imported costs
# about half a millisecond here), so this module imports only sys at the top and no __future__;
# everything else is imported where it is used, and annotations that name them are strings.
import sys

from spectools import __version__

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (6 ms)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from pathlib import Path
    from types import ModuleType
    from typing import NoReturn

    from spectools.io.parsecache import ParseCache

ISSUES_URL = "https://github.com/spectools/spectools/issues"


# the commands, in the order --help lists them: each module has add_parser(sub) and run(args) -> int
COMMANDS = {
    "validate": "validate",
    "lint": "lint",
    "export": "export",
    "diff": "diff",
    "github": "github",
    "changelog": "changelog",
    "site": "site",
    "init": "init",
    "new-id": "new_id",
    "new": "new",
    "eval": "eval",
    "cache": "cache",
}


# what each command's exit codes mean, shown at the end of its --help (every command: 3 is a bug, 130 Ctrl-C)
EXIT_CODES = {
    "validate": "0 clean; 1 findings at or above --fail-on; 2 usage or configuration error",
    "lint": "0 no finding at or above --fail-on (default: warning); 1 findings at or above it; 2 usage or "
    "configuration error, or an endpoint problem with --model",
    "export": "0 exported; 1 files were left out of the export (they are named on stderr); 2 usage or configuration error",
    "diff": "0 compared; 1 a retired clause id comes back with another meaning (unless ids.accepted_reuse accepts it); "
    "2 an unknown ref or a repository problem",
    "github": "0 the check passes; 1 it fails by --fail-on; 2 a repository, event or report problem",
    "changelog": "0 written or printed; 1 a release brings back a retired clause id; 2 usage, an unknown ref, or a "
    "changelog it cannot merge into (nothing is written)",
    "site": "0 the site is written; 2 usage, a repository problem, a results file that is not one, or an --out folder "
    "holding files spectools did not write (nothing is written)",
    "init": "0 written (or --dry-run); 1 files of the template exist, so nothing was written (--force); 2 usage error",
    "new-id": "0 ids printed; 2 usage or configuration error",
    "new": "0 the file is written; 2 it exists, the clause is unknown, or a usage error",
    "cache": "0 shown or emptied; 2 usage error",
    "eval": "0 done; 1 under --fail-under; 2 usage, configuration or endpoint problem (before anything is sent), every "
    "sample failed (nothing was measured), or a batch still running past --batch-wait (a rerun resumes it)",
}


def _command(name: str) -> "ModuleType":
    from importlib import import_module

    return import_module(f"spectools.cli.{COMMANDS[name]}")


def build_parser(only: "str | None" = None) -> "argparse.ArgumentParser":
    """The parser of every command, or of `only` that one (its help and errors read the same; building the
    other seven costs about 5 ms, a twentieth of a validate run)."""
    from spectools.cli.output import Parser

    parser = Parser(
        prog="spectools",
        description="Schema checks, clause-level diffs and release notes for behaviour-spec repositories.",
    )
    parser.add_argument("--version", action="version", version=f"spectools {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in [only] if only in COMMANDS else COMMANDS:
        _command(name).add_parser(sub)
        sub.choices[
            name
        ].epilog = f"Exit codes: {EXIT_CODES[name]}; 3 an internal error (a bug: please report it); 130 interrupted."
    return parser


def dispatch(args: "argparse.Namespace") -> int:
    from spectools.model import EXIT_USAGE

    if args.command in COMMANDS:
        from spectools.parse import load

        load.PARSE_CACHE = _parse_cache(args)
        if _AT_ONCE:
            load.KEPT = []
        try:
            code: int = _command(args.command).run(args)
        finally:
            store, load.PARSE_CACHE = load.PARSE_CACHE, None
        if store is not None and store.failures:
            from spectools.cli.output import warn

            warn(f"the parse cache could not be written ({store.failures[0]}); the run was not affected")
        return code
    build_parser().print_help(sys.stderr)
    return EXIT_USAGE


def _parse_cache(args: "argparse.Namespace") -> "ParseCache | None":
    """The parse cache of this run: off with --no-cache or $SPECTOOLS_NO_CACHE; in --cache-dir (the caches' folder, not
    eval's answers folder) or the user's cache folder."""
    import os

    if getattr(args, "no_cache", False) or os.environ.get("SPECTOOLS_NO_CACHE") or args.command == "cache":
        return None  # a cold run imports nothing of the cache
    from pathlib import Path

    from spectools.io import inside
    from spectools.io.parsecache import ParseCache
    from spectools.model import SpecError

    store = ParseCache.default(getattr(args, "caches", None))
    root = getattr(args, "path", None)
    try:
        is_dir = isinstance(root, str) and Path(root).is_dir()
    except OSError:  # a path name too long, say: the command says so itself
        is_dir = False
    try:
        if is_dir:
            top = _enclosing_repository(Path(str(root)))
            if inside(store.folder, top) and not inside(store.folder, top / ".git"):
                raise SpecError(
                    f"{store.folder}: the parse cache would be inside the repository {top}, where a pull request could "
                    "commit entries; give a --cache-dir (or $SPECTOOLS_CACHE_DIR) outside it, or under its .git/ folder"
                )
    except (OSError, RuntimeError) as exc:  # a cache folder that is a link loop, say: run without it
        from spectools.cli.output import warn

        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        warn(f"the parse cache cannot be used ({reason}); every file is parsed")
        return None
    return store


def _enclosing_repository(root: "Path") -> "Path":
    """The working tree that holds root: the nearest folder up from it with a `.git` (root itself when none has)."""
    here = root.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def _on_sigterm() -> None:
    """SIGTERM as Ctrl-C, so that every `finally` runs: no temporary file is left behind."""
    import signal

    def terminated(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, terminated)


def _os_error(exc: OSError) -> str:
    """The file system refused (a name too long, a device gone): the user's to fix, not a bug."""
    from spectools.render.escape import term

    name = str(exc.filename or "")
    shown = name if len(name) <= 120 else name[:60] + "..." + name[-40:]
    where = f"{term(shown)}: " if name else ""
    return f"spectools: error: {where}{exc.strerror or exc}; check the path and try again\n"


def main(argv: "Sequence[str] | None" = None) -> int:
    args_in = sys.argv[1:] if argv is None else list(argv)
    if args_in == ["--version"]:  # answered before argparse is even imported
        if sys.stdout is not None:  # `>&-`: nowhere to say it
            sys.stdout.write(f"spectools {__version__}\n")
        return 0
    from spectools.cli.output import Guard

    _on_sigterm()
    out, err = sys.stdout, sys.stderr
    nowhere = None
    if out is None or err is None:  # started with a stream closed (`>&-`): what would go there goes nowhere, as print's
        import os

        nowhere = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        sys.stdout, sys.stderr = out or nowhere, err or nowhere
    sys.stdout, sys.stderr = Guard(sys.stdout), Guard(sys.stderr)  # every line printed from here on is inert to a runner
    try:
        return _main(args_in)
    finally:
        sys.stdout, sys.stderr = out, err
        if nowhere is not None:
            nowhere.close()


_AT_ONCE = False  # set by entry(): the process ends with os._exit, so what a command builds is kept to the end


def entry() -> "NoReturn":
    """The console script and `python -m spectools`: main(), then stdout and stderr flushed and the process ended at once
    (os._exit). A warm run's model, stat index and parse-cache pack are hundreds of thousands of objects that the process
    no longer needs; kept alive to the end (load.KEPT), they are never freed one by one (issue 20, point 4). Nothing else
    is left to do at exit: every file spectools writes is written and closed by io.write_atomic or io.write_entry, and
    every thread still running is a daemon. Under a tracer, a profiler, a debugger or `python -i` (which all have work
    of their own at exit), the process ends as any other: through SystemExit."""
    import os

    global _AT_ONCE
    _AT_ONCE = _alone()
    code = main()
    if not _AT_ONCE or not _alone():  # one may have started during the run
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # `>&-`: no stream at all
                stream.flush()
        except (OSError, ValueError):  # a reader gone (`| head`), or a stream closed: as main() does
            pass
    os._exit(code)


def _alone() -> bool:
    """Whether nothing watches this process: no tracer or profiler (coverage, cProfile, a debugger), no tool on
    sys.monitoring, no `python -i` or $PYTHONINSPECT."""
    import os

    monitoring = getattr(sys, "monitoring", None)
    watched = monitoring is not None and any(monitoring.get_tool(tool) for tool in range(6))
    return not (sys.gettrace() or sys.getprofile() or watched or sys.flags.inspect or os.environ.get("PYTHONINSPECT"))


def _main(args_in: "list[str]") -> int:
    import os

    from spectools.model import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, SpecError

    try:
        return dispatch(build_parser(args_in[0] if args_in else None).parse_args(args_in))
    except SpecError as exc:
        from spectools.render.escape import term

        sys.stderr.write(f"spectools: error: {term(exc.message)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("spectools: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        sys.stderr.write(_os_error(exc))
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except Exception as exc:
        if os.environ.get("SPECTOOLS_DEBUG"):
            raise
        from spectools.render.escape import term

        sys.stderr.write(
            f"spectools: internal error: {type(exc).__name__}: {term(str(exc))[:500]}\n"
            f"This is a bug in spectools {__version__}. Please report it at {ISSUES_URL} with the command you ran "
            "(set SPECTOOLS_DEBUG=1 for the traceback).\n"
        )
        return EXIT_INTERNAL
