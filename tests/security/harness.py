"""What the adversarial tests share: a small spec repository with a release and an `origin`, a record of every
git process spectools starts (the real git, run through a shim that logs its arguments), and a snapshot of
every byte outside the repository's working files (to prove nothing outside it, or inside .git, changed)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from tests.gitrepo import GitRepo

SPEC = (
    "# Model spec\n\n## Honesty {#honesty authority=root}\n\nThe assistant must not lie[^hn01].\n\n"
    "**Example**: a fact\n\n```xml\n<user>\nIs it true?\n</user>\n<comparison>\n<assistant> <!-- GOOD -->\nYes.\n"
    "</assistant>\n</comparison>\n```\n\n"
    "## Style {#style authority=guideline}\n\nThe assistant should be brief[^st01].\n"
)
CHALLENGE = "Examples for [^{cid}] in {title}:\n\n**Example**: asked\n\n```xml\n<user>\nq\n</user>\n```\n"
FILES = {
    "model_spec.md": SPEC,
    "examples/hn01.md": CHALLENGE.format(cid="hn01", title="Honesty"),
    "examples/st01.md": CHALLENGE.format(cid="st01", title="Style"),
    "CHANGELOG.md": "# Changelog\n\n## v1\n\nWritten by hand.\n",
}


def spec_repo(root: Path) -> GitRepo:
    """A spec with a tagged release, a second commit, and an origin (a bare clone) that git could fetch from."""
    repo = GitRepo(root)
    repo.commit("first", FILES)
    repo.git("tag", "v1")
    repo.commit("second", {"model_spec.md": SPEC.replace("brief", "brief and kind")})
    origin = root.parent / f"{root.name}-origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(origin)], check=True, capture_output=True)
    repo.git("remote", "add", "origin", str(origin))
    return repo


SHIM = """#!/bin/sh
# records every git process spectools starts, then runs the real git; one printf, so one write: git processes that run
# at once (the history's `git log` beside the reads) never interleave their records
printf '%s\\037' "$@" "$(printf '\\036')" >> "{log}"
exec "{git}" "$@"
"""


class GitLog:
    """The argument lists of the git processes started since it was made (through the shim on PATH)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def reset(self) -> None:
        self.path.unlink(missing_ok=True)

    def calls(self) -> list[list[str]]:
        if not self.path.exists():
            return []
        raw = self.path.read_bytes().decode("utf-8", "surrogateescape")
        return [[a for a in call.split("\x1f")[:-1]] for call in raw.split("\x1e\x1f") if call]

    def before_the_end(self) -> list[str]:
        """Every argument git got before `--end-of-options` or `--` (where it reads options)."""
        seen = []
        for call in self.calls():
            for arg in call:
                if arg in ("--", "--end-of-options"):
                    break
                seen.append(arg)
        return seen

    def options_before_the_end(self) -> list[str]:
        """Every argument that git read as an option: before `--end-of-options` or `--`, starting with a dash."""
        return [arg for arg in self.before_the_end() if arg.startswith("-")]


def snapshot(*roots: Path) -> dict[str, str]:
    """{path: sha256 of its bytes, or '->target' for a link} of every file under roots (links not followed)."""
    out: dict[str, str] = {}
    for root in roots:
        for folder, dirs, files in os.walk(root, followlinks=False):
            for name in dirs + files:
                path = Path(folder) / name
                if path.is_symlink():
                    out[str(path)] = "->" + os.readlink(path)
                elif path.is_file():
                    out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
