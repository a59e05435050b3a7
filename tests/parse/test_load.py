"""What a load leaves behind. A run that ends with os._exit freezes what its loads and checks built (load.paused_gc):
sound only while they make no garbage cycles, which the cyclic collector alone could free and a frozen heap keeps."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest

from spectools.checks.lint import lint
from spectools.checks.run import run
from spectools.io.parsecache import ParseCache
from spectools.parse import load as load_module
from spectools.parse.load import Loaded, load, open_worktree
from spectools.sources.git import GitRepo as Repo
from spectools.sources.git import Side
from tests.conftest import INVALID, VALID
from tests.gitrepo import GitRepo

CASES = sorted(p for p in [*VALID.iterdir(), *INVALID.iterdir()] if p.is_dir())


def _cycles(work: Callable[[], object]) -> list[str]:
    """The types of the garbage cycles `work` leaves (the first 20)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        work()
        gc.collect()
        return [type(o).__name__ for o in gc.garbage[:20]]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


@pytest.mark.parametrize("cached", [False, True], ids=["cold", "warm"])
def test_loads_and_checks_make_no_garbage_cycles(cached: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if cached:
        monkeypatch.setattr(load_module, "PARSE_CACHE", ParseCache(tmp_path / "cache" / "parse"))

    def everything() -> None:
        for case in CASES:
            loaded = load(open_worktree(case))
            run(loaded)
            lint(loaded)

    everything()  # imports done and the cache written: what follows is the work alone
    assert _cycles(everything) == []


def test_a_load_from_git_makes_no_garbage_cycles(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    files = {str(p.relative_to(VALID / "model-spec")): p.read_bytes() for p in (VALID / "model-spec").rglob("*") if p.is_file()}
    repo.commit("first", files)
    head = repo.git("rev-parse", "HEAD").strip()

    def from_git() -> Loaded:
        git = Repo(repo.root)
        try:
            return load(git.source(Side("HEAD", head)))
        finally:
            git.close()

    from_git()
    assert _cycles(from_git) == []


def test_a_run_that_ends_at_once_freezes_what_its_load_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """With load.KEPT set (cli.entry), the model is kept and frozen out of the cyclic collector's sight; a library
    caller's load (KEPT None) freezes nothing."""
    gc.unfreeze()
    load(open_worktree(VALID / "model-spec"))
    assert gc.get_freeze_count() == 0
    monkeypatch.setattr(load_module, "KEPT", [])
    try:
        loaded = load(open_worktree(VALID / "model-spec"))
        assert gc.get_freeze_count() > 0
        assert load_module.KEPT is not None and load_module.KEPT[-1] is loaded
    finally:
        gc.unfreeze()
