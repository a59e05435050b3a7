"""Real temporary git repositories for tests, with isolated git config and fixed dates."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

ISOLATED = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Spec Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Spec Author",
    "GIT_COMMITTER_EMAIL": "author@example.invalid",
}


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write the files (text as UTF-8) under root, making folders as needed."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


class GitRepo:
    def __init__(self, root: Path, init: bool = True) -> None:
        self.root = root
        self.day = 0
        root.mkdir(parents=True, exist_ok=True)
        if init:
            self.git("init", "-q", "-b", "main")

    def git(self, *args: str, check: bool = True) -> str:
        date = (datetime(2026, 1, 1, 12, tzinfo=timezone.utc) + timedelta(days=self.day)).isoformat()
        env = {**os.environ, **ISOLATED, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        proc = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, check=False)
        if check and proc.returncode:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
        return proc.stdout.decode("utf-8", "surrogateescape")

    def write(self, files: dict[str, str | bytes]) -> GitRepo:
        write(self.root, files)
        return self

    def remove(self, *paths: str) -> GitRepo:
        for rel in paths:
            (self.root / rel).unlink()
        return self

    def commit(self, message: str = "change", files: dict[str, str | bytes] | None = None) -> str:
        if files:
            self.write(files)
        self.day += 1
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def tag(self, name: str) -> GitRepo:
        self.git("tag", name)
        return self


MODELSPEC_RELEASES = (("v1", "v2025.03.01"), ("v2", "v2025.09.12"), ("v3", "v2025.12.18"))


def modelspec_history(root: Path) -> GitRepo:
    """A repository shaped like the public Model Spec: tests/data/modelspec's three versions, each a commit with its
    release tag."""
    import shutil

    releases = Path(__file__).resolve().parent / "data" / "modelspec"
    repo = GitRepo(root)
    for version, tag in MODELSPEC_RELEASES:
        for old in [p for p in root.iterdir() if p.name != ".git"]:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        shutil.copytree(releases / version, root, dirs_exist_ok=True)
        repo.commit(f"Release {tag}")
        repo.tag(tag)
    return repo


def section(anchor: str, title: str, text: str, level: int = 2, authority: str | None = "user", extra: str = "") -> str:
    attrs = f" authority={authority}" if authority else ""
    return f"{'#' * level} {title} {{#{anchor}{attrs}{extra}}}\n\n{text}\n\n"


def challenge(cid: str, title: str, examples: str = "") -> str:
    return f"Examples for [^{cid}] in {title}:\n\n{examples}"


def example(title: str, good: str = "GOOD", bad: str = "BAD", answer: str = "Sure.") -> str:
    return (
        f"**Example**: {title}\n\n~~~xml\n<user>\nPlease help.\n</user>\n<comparison>\n<assistant> <!-- {good} -->\n"
        f"I can help with that.\n</assistant>\n<assistant> <!-- {bad} -->\n{answer}\n</assistant>\n</comparison>\n~~~\n\n"
    )
