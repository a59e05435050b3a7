"""Talking to the GitHub Actions runner: outputs, the job summary, annotations, and stop-commands.

See GitHub's "Workflow commands for GitHub Actions". Values that may hold spec text are written
so that the runner can never read them as commands.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from spectools.model import Diagnostic
from spectools.render.diagnostics import workflow_command

SUMMARY_LIMIT = 1024 * 1024  # bytes; GitHub rejects a larger job summary
ANNOTATIONS_PER_SEVERITY = 10  # the runner shows only the first few; the rest are counted in the summary


def output_lines(name: str, value: str) -> str:
    """One output for $GITHUB_OUTPUT. A multiline value gets a random delimiter it cannot contain."""
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(path: Path, outputs: dict[str, str]) -> None:
    with open(path, "a", encoding="utf-8") as fh:  # the runner's file: appended to, as the runner expects
        for name, value in outputs.items():
            fh.write(output_lines(name, value))


def fit_summary(markdown: str, limit: int = SUMMARY_LIMIT) -> str:
    """The job summary, cut at a line boundary (with a note) when it would pass GitHub's 1 MiB limit."""
    data = markdown.encode("utf-8")
    if len(data) <= limit:
        return markdown
    note = "\n\n_The summary was cut here: it was larger than GitHub allows (1 MiB)._\n"
    closes = min(markdown.count("<details>"), 64)  # room for closing every block the cut could leave open
    room = max(limit - len(note.encode("utf-8")) - closes * len("\n</details>\n"), 0)
    cut = data[:room].decode("utf-8", "ignore")
    cut = cut[: cut.rfind("\n") + 1 if "\n" in cut else len(cut)]
    opened = min(cut.count("<details>") - cut.count("</details>"), closes)  # a block the cut left open is closed
    return cut + "\n</details>\n" * max(opened, 0) + note


def append_summary(path: Path, markdown: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(fit_summary(markdown))


def annotate(findings: Sequence[Diagnostic]) -> tuple[str, dict[str, int]]:
    """Workflow commands for at most ANNOTATIONS_PER_SEVERITY findings of each severity, and how many were left out."""
    shown: dict[str, int] = {}
    left: dict[str, int] = {}
    lines = []
    for d in findings:
        if shown.get(d.severity, 0) >= ANNOTATIONS_PER_SEVERITY:
            left[d.severity] = left.get(d.severity, 0) + 1
            continue
        shown[d.severity] = shown.get(d.severity, 0) + 1
        lines.append(workflow_command(d, d.location.path, d.code, d.location.col or 1))
    return "".join(lines), left
