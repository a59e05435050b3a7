"""What a pull request's unprivileged run hands to a privileged one (GitHub's two-workflow pattern for
forks): written as JSON (schema/handoff.schema.json), uploaded as an artifact, read back as untrusted
data. Whoever opened the pull request could have written any bytes into it, so it holds nothing but a
pull-request number and a commit: the privileged run checks both against the event and the API, then
reviews that commit itself (read through git as data) and renders everything it posts.

`Handoff` is the review a run computed (counts, comment, summary); `Ticket` is what is saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from spectools.model import SpecError

FILE = "spectools-report.json"
MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Handoff:
    pull_request: int
    head_sha: str
    errors: int
    warnings: int
    breaking_changes: int
    exit_code: int
    comment: str
    summary: str


@dataclass(frozen=True)
class Ticket:
    pull_request: int
    head_sha: str


SCHEMA_VERSION = 2


def save(folder: Path, report: Handoff, top: Path) -> Path:
    """Write the ticket into folder; top: the repository, inside which a link the pull request committed must lead."""
    from spectools.io import root_for, target_of, write_atomic

    target = folder / FILE
    root = root_for(target, top)
    target_of(target, root)  # refused before the folder is made
    folder.mkdir(parents=True, exist_ok=True)
    data = {"schema_version": SCHEMA_VERSION, "pull_request": report.pull_request, "head_sha": report.head_sha}
    write_atomic(target, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), root)
    return target


def load(path: Path) -> Ticket:
    """The report at path (a file, or the folder the artifact was unpacked into), checked before any use."""
    from spectools.io import schema

    target = path / FILE if path.is_dir() else path
    try:
        with open(target, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecError(
            f"{target}: cannot read the report ({exc.strerror}); download the artifact of the pull request's run "
            "(actions/download-artifact with `run-id: ${{ github.event.workflow_run.id }}`) and give its folder"
        ) from None
    if len(raw) > MAX_BYTES:
        raise SpecError(f"{target}: the report is larger than {MAX_BYTES // (1024 * 1024)} MiB; it is not one spectools wrote")
    from spectools.io.external import parse_json, validator

    data = parse_json(raw, str(target), "a report spectools wrote")
    if isinstance(data, dict) and data.get("schema_version") == 1:
        raise SpecError(
            f"{target}: a report from an older spectools (schema_version 1); run the same spectools version in both "
            "workflows (the privileged run now reviews the pull request itself)"
        )
    errors = sorted(validator(schema("handoff")).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        message = errors[0].message if len(errors[0].message) < 200 else errors[0].message[:200] + "..."
        raise SpecError(f"{target}: {where}: {message} (see schema/handoff.schema.json)")
    return Ticket(data["pull_request"], data["head_sha"])
