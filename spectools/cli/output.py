"""What the commands share: the parser class, how paths are shown, and warnings on stderr."""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

from spectools.model import SpecError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from spectools.model import Diagnostic
    from spectools.parse.load import Loaded

UNREAD = {"SPEC002", "SPEC003", "SPEC006", "SPEC007", "SPEC008", "SPEC009", "SPEC016"}  # a file left out of the spec
PATH_HELP = "root of the spec repository (default: .)"
DIR_HELP = "the spec's folder inside the repository (default: .)"


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error raised as SpecError (exit code 2, one line, no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SpecError(f"{message} (see `{self.prog} --help`)")


def cache_flags(p: argparse.ArgumentParser) -> None:
    """--cache-dir and --no-cache: where spectools keeps what it can compute again (parsed files by their bytes,
    io/parsecache.py), never in a working tree."""
    p.add_argument(
        "--cache-dir",
        dest="caches",
        metavar="DIR",
        help="the folder of spectools' caches (default: $SPECTOOLS_CACHE_DIR, else $XDG_CACHE_HOME/spectools, else "
        "~/.cache/spectools); parsed files are kept in parse/ there, by the git id of their bytes",
    )
    p.add_argument("--no-cache", action="store_true", help="parse every file again, and keep nothing")


FORMATS = ("text", "json", "github", "sarif")


def format_flag(p: argparse.ArgumentParser) -> None:
    """--format of the commands that print findings (validate, lint): what `report` writes."""
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text: one finding a line (default); json: schema/report.schema.json; "
        "github: workflow commands that annotate a pull request; sarif: SARIF 2.1.0 for code scanning",
    )


def report(found: Sequence[Diagnostic], fmt: str, root: str, files: int) -> None:
    """Findings in the chosen format on stdout (text, json, github or sarif), the one-line summary on stderr: what
    `validate` and `lint` print."""
    from spectools.render import diagnostics as render

    show = display(root)
    if fmt in ("json", "sarif"):
        write_json(render.as_json(found, show, files) if fmt == "json" else render.sarif(found, show))
    elif fmt == "github":
        commands(render.github(found, show))
    else:
        sys.stdout.write(render.text(found, show))
    sys.stderr.write(f"spectools: {render.summary_line(found, files)}\n")


def display(root: str) -> Callable[[str], str]:
    """How a path inside the repository is shown: from where the user stands, as they named the root."""
    import posixpath

    base = root.replace("\\", "/").rstrip("/")
    if base in ("", "."):
        return lambda p: p
    return lambda p: posixpath.normpath(posixpath.join(base, p))


# The one gate of printed text (docs/SECURITY.md, "Workflow commands"): while a command runs, sys.stdout and
# sys.stderr are Guards, so every line spectools prints, whoever wrote it, passes through escape.inert. The only
# lines that pass as commands are those handed to `commands()` that have the exact shape of an annotation
# (or stop-commands) with escaped values: spectools' own.
_COMMAND = re.compile(
    r"::(?:error|warning|notice|stop-commands|[0-9a-f]{32})(?: [a-z]+=[^,:\r\n]*(?:,[a-z]+=[^,:\r\n]*)*)?::[^\r\n]*\n?"
)
_LINE_END = re.compile(r"[\r\n]")


class Guard:
    """A text stream in front of stdout or stderr that writes everything through escape.inert, line by line,
    across writes (a `#` in one write and `#[` in the next are one `##[`)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._line = ""  # what the current line has shown so far, as far as the runner cares: "", ":" or "x##"

    def write(self, text: str) -> int:
        from spectools.render.escape import inert, printable

        seen = self._line + printable(text)
        self.stream.write(inert(seen)[len(self._line) :])
        last = seen[max(seen.rfind("\n"), seen.rfind("\r")) + 1 :]
        start = last.lstrip()
        self._line = "" if not start else ":" if start == ":" else "x" + "#" * (len(last) - len(last.rstrip("#")))
        return len(text)

    def commands(self, text: str) -> None:
        """Workflow commands that spectools made (annotations, stop-commands): each line passes as it is when it has
        a command's exact shape and holds no `##[`; any other line is written as text, inert."""
        if self._line:
            self.write("\n")
        for line in text.splitlines(keepends=True):
            if _COMMAND.fullmatch(line) and "##[" not in line:
                self.stream.write(line if line.endswith("\n") else line + "\n")
            else:
                self.write(line)

    def writelines(self, lines: Any) -> None:
        for line in lines:  # through write, not to the stream's own writelines: no way round the gate
            self.write(line)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, ...: the stream's own
        return getattr(self.stream, name)


def guarded(stream: IO[str]) -> Guard:
    return stream if isinstance(stream, Guard) else Guard(stream)


def commands(text: str) -> None:
    """Write workflow commands on stdout (see Guard.commands); outside a guard, as inert text."""
    out = sys.stdout
    if isinstance(out, Guard):
        out.commands(text)
    else:
        guarded(out).write(text)


def quoted(text: str) -> None:
    """Text echoed into a runner's log inside ::stop-commands::, so that no line of it is obeyed (and each is inert)."""
    import secrets

    token = secrets.token_hex(16)
    commands(f"::stop-commands::{token}\n")
    sys.stdout.write(text.rstrip("\n") + "\n")
    commands(f"::{token}::\n")


def write_json(text: str) -> None:
    """JSON on stdout, with `##[` written as `#\\u0023[`: inert to a runner, the same data to a reader."""
    from spectools.render.escape import inert

    sys.stdout.write(inert(text, json=True))


def reused_ids(cs: object, where: str) -> None:
    """Say why the exit code is 1 when a retired clause id comes back with another meaning (diff and changelog)."""
    from spectools.diff.changes import Kind

    ids = sorted({c.subject for c in getattr(cs, "changes", ()) if c.kind is Kind.ID_REUSED and not c.details.get("accepted")})
    if ids:
        said = ", ".join(f"[^{cid}]" for cid in ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        say(
            f"exit code 1: {where} brings back retired clause id{'s' * (len(ids) != 1)} {said} with another meaning; "
            "give each clause a new id (`spectools new-id`)"
        )


def say(message: str) -> None:
    """A line on stderr, escaped for the terminal (it may name the repository's files)."""
    from spectools.render.escape import term

    sys.stderr.write(f"spectools: {term(message)}\n")


def warn(message: str) -> None:
    say(f"warning: {message}")


def _on_runner(level: str, message: str, prefix: str) -> None:
    """A line on stderr, and on a GitHub runner also the workflow command of that level (escaped)."""
    from spectools.render.escape import term
    from spectools.render.escape import workflow_data as escape_data

    if os.environ.get("GITHUB_ACTIONS") == "true":
        commands(f"::{level} title=spectools::{escape_data(message)}\n")
    sys.stderr.write(f"spectools: {prefix}{term(message)}\n")


def runner_warn(message: str) -> None:
    """A warning, also as a workflow command when on a GitHub runner."""
    _on_runner("warning", message, "warning: ")


def runner_notice(message: str) -> None:
    """A notice, also as a workflow command when on a GitHub runner."""
    _on_runner("notice", message, "")


def warn_unread(sides: Sequence[tuple[str, Loaded]], left_out_of: str = "the comparison") -> None:
    """Say, once each, which files could not be read at which side (they are left out of the comparison, or of
    what left_out_of names)."""
    from spectools.render.escape import term

    said = set()
    for side, loaded in sides:
        for d in sorted(loaded.problems, key=lambda d: d.sort_key()):
            line = term(f"spectools: warning: {side}: {d.location}: {d.message}; it is left out of {left_out_of}") + "\n"
            if d.code in UNREAD and line not in said:
                said.add(line)
                sys.stderr.write(line)


def warn_retired(root: Path, loaded: Loaded, only: str | None = None) -> None:
    """Warn about retired ids that the working tree brings back with another meaning."""
    from spectools.diff.retired import reused
    from spectools.render.escape import term

    for d in reused(root, loaded):
        if only is None or f"'{only}'" in d.message:
            sys.stderr.write(term(f"spectools: warning: {d.location}: {d.message}") + "\n")


class Progress:
    """Progress of a long run on stderr: a bar on a terminal (tqdm); elsewhere (a CI log) a line every `every`
    seconds, from a timer, so a log shows life while requests are slow: done of total, errors, requests a second,
    and the time left at that pace."""

    def __init__(self, total: int, every: float, requests: Callable[[], int], what: str = "samples") -> None:
        self.total, self.every, self.requests, self.what = total, every, requests, what
        self.done = self.errors = 0
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._bar: Any = None
        if sys.stderr.isatty():
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=total, unit=what.rstrip("s"), file=sys.stderr, leave=False)
            except ImportError:
                pass
        if self._bar is None and every > 0:
            threading.Thread(target=self._tick, daemon=True, name="spectools-progress").start()

    def update(self, failed: bool = False) -> None:
        self.done += 1
        self.errors += failed
        if self._bar is not None:
            self._bar.update(1)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = self.requests() / elapsed
        left = (self.total - self.done) * elapsed / self.done if self.done else None
        eta = f"about {left:.0f} s left" if left is not None else "time left unknown yet"
        return f"progress: {self.done} of {self.total} {self.what}, {self.errors} errors, {rate:.1f} requests/s, {eta}"

    def _tick(self) -> None:
        while not self._stop.wait(self.every):
            say(self.line())

    def close(self) -> None:
        self._stop.set()
        if self._bar is not None:
            self._bar.close()
