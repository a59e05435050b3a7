"""The adversarial tests' fixtures (their helpers are in harness.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.harness import SHIM, GitLog


@pytest.fixture
def git_log(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> GitLog:
    """Put the recording shim first on PATH; the log starts empty."""
    real = shutil.which("git")
    assert real is not None
    bin_dir = tmp_path_factory.mktemp("shim")
    log = bin_dir / "calls.log"
    shim = bin_dir / "git"
    shim.write_text(SHIM.format(log=log, git=real), encoding="utf-8")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return GitLog(log)


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    """A folder beside the repository that nothing may write to."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_text("outside\n", encoding="utf-8")
    yield folder
