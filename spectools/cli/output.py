"""What the commands share: the parser class, how paths are shown, and warnings on stderr."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from spectools.model import SpecError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from spectools.parse.load import Loaded

UNREAD = {"SPEC002", "SPEC003", "SPEC006", "SPEC007", "SPEC008", "SPEC009"}  # a file left out of the spec
PATH_HELP = "root of the spec repository (default: .)"
DIR_HELP = "the spec's folder inside the repository (default: .)"


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error raised as SpecError (exit code 2, one line, no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SpecError(f"{message} (see `{self.prog} --help`)")


def display(root: str) -> Callable[[str], str]:
    """How a path inside the repository is shown: from where the user stands, as they named the root."""
    import posixpath

    base = root.replace("\\", "/").rstrip("/")
    if base in ("", "."):
        return lambda p: p
    return lambda p: posixpath.normpath(posixpath.join(base, p))


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
        sys.stdout.write(f"::{level} title=spectools::{escape_data(message)}\n")
    sys.stderr.write(f"spectools: {prefix}{term(message)}\n")


def runner_warn(message: str) -> None:
    """A warning, also as a workflow command when on a GitHub runner."""
    _on_runner("warning", message, "warning: ")


def runner_notice(message: str) -> None:
    """A notice, also as a workflow command when on a GitHub runner."""
    _on_runner("notice", message, "")


def warn_unread(sides: list[tuple[str, Loaded]]) -> None:
    """Say, once each, which files could not be read at which side (they are left out of the comparison)."""
    from spectools.render.escape import term

    said = set()
    for side, loaded in sides:
        for d in sorted(loaded.problems, key=lambda d: d.sort_key()):
            line = term(f"spectools: warning: {side}: {d.location}: {d.message}; it is left out of the comparison") + "\n"
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
