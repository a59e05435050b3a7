from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from spectools.cli import main
from tests.gitrepo import write  # noqa: F401 - the tests import it from here

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
VALID = DATA / "valid"
INVALID = DATA / "invalid"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every git process ignores the machine's global and system git config; every cache is the test's own."""
    from tests.gitrepo import ISOLATED

    for key, value in ISOLATED.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SPECTOOLS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("SPECTOOLS_GRADER_API_KEY", raising=False)


@pytest.fixture(autouse=True)
def no_request_left_running() -> Iterator[None]:
    """A request cut off by its total timeout leaves its worker to the client's own timeouts: wait for it here, so
    that its retries (the client's jitter draws on `random`) never run inside the next test."""
    import threading

    yield
    for thread in threading.enumerate():
        if thread.name == "spectools-request":
            thread.join(timeout=30)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run spectools in-process: cli("validate", ".", cwd=path)."""

    def run(*args: str, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def copy_of(tmp_path: Path) -> Callable[[Path], Path]:
    """A writable copy of a corpus folder."""

    def make(src: Path) -> Path:
        dst = tmp_path / src.name
        shutil.copytree(src, dst, symlinks=True)
        return dst

    return make


def run_as_nobody(argv: list[str]) -> tuple[str, str, int]:
    """main(argv) in a forked child that has dropped to the user 'nobody' (for permission tests as root).

    Import everything spectools imports lazily first (run it once in the parent): the child may be unable
    to read the installed packages.
    """
    import io
    import json
    import os
    import sys

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        ok = False
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            out, err = io.StringIO(), io.StringIO()
            sys.stdout, sys.stderr = out, err
            code = main(argv)
            os.write(write_fd, json.dumps([out.getvalue(), err.getvalue(), code]).encode())
            ok = True
        finally:
            os._exit(0 if ok else 1)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    out, err, code = json.loads(data or b'["", "the child failed", -1]')
    return str(out), str(err), int(code)


def check_changelog_json(doc: object) -> None:
    """doc conforms to schema/changelog.schema.json (which refers to changes.schema.json)."""
    import jsonschema
    import referencing

    from spectools.io import schema

    registry = referencing.Registry().with_resource(
        "https://spectools.dev/schema/changes.schema.json", referencing.Resource.from_contents(schema("changes"))
    )
    jsonschema.Draft202012Validator(schema("changelog"), registry=registry).validate(doc)
