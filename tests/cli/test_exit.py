"""The console script and `python -m spectools` end with os._exit once stdout and stderr are flushed (cli.entry:
nothing the run built is freed object by object). What they print is exactly what main() prints, however large, and a
reader that goes away early costs no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SPEC = "".join(f"## S{i} {{#s{i} authority=user}}\n\nThe assistant must help{i}[^c{i:04}].\n\n" for i in range(3000))


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SPECTOOLS_CACHE_DIR": str(tmp_path / "cache")}


def test_every_byte_is_printed_before_the_process_ends(cli, tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "model_spec.md").write_text(SPEC, encoding="utf-8")  # 3,000 clauses with no challenge file
    inside = cli("validate", str(tmp_path / "spec"), "--format", "json")
    for _ in range(2):  # cold, then warm
        proc = subprocess.run(
            [sys.executable, "-m", "spectools", "validate", str(tmp_path / "spec"), "--format", "json"],
            env=_env(tmp_path), capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (proc.returncode, proc.stdout, proc.stderr) == (inside.code, inside.out, inside.err)
        assert len(proc.stdout) > 1_000_000  # far more than a pipe holds: written as the reader reads


def test_a_reader_that_goes_away_costs_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "model_spec.md").write_text(SPEC, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "spectools", "validate", str(tmp_path / "spec")],
        env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    with proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(100)
        proc.stdout.close()  # as `| head` does
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) in (0, 1)  # findings or none: never a crash
    assert "Traceback" not in err and "Exception ignored" not in err and "internal error" not in err


def test_a_reader_gone_before_the_first_byte_costs_no_traceback(tmp_path: Path) -> None:
    """A short report, to a reader gone before a byte was written."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "model_spec.md").write_text(SPEC[:200], encoding="utf-8")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before a byte is written
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "spectools", "validate", str(tmp_path / "spec")],
            env=_env(tmp_path), stdout=write, stderr=subprocess.PIPE, text=True, check=False, timeout=120,
        )  # fmt: skip
    finally:
        os.close(write)
    assert proc.returncode == 0  # as for any reader that went away (the CLI's rule for a broken pipe)
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr and "internal error" not in proc.stderr


def test_a_profiler_still_gets_its_turn_at_exit(tmp_path: Path) -> None:
    """Under a profiler (or a tracer, a debugger, `python -i`) the process ends through SystemExit, so the tool that
    watches it prints or saves what it gathered."""
    from tests.conftest import VALID

    proc = subprocess.run(
        [sys.executable, "-m", "cProfile", "-s", "calls", "-m", "spectools", "validate", str(VALID / "model-spec")],
        env=_env(tmp_path), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0 and "no problems found" in proc.stderr
    assert "ncalls" in proc.stdout and "function calls" in proc.stdout  # cProfile's report, written after main()


def test_a_closed_stdout_is_written_to_nowhere(tmp_path: Path) -> None:
    """`spectools validate >&-`: the findings go nowhere, as print's would, and the exit code is still theirs."""
    from tests.conftest import INVALID

    proc = subprocess.run(
        [sys.executable, "-m", "spectools", "validate", str(INVALID / "ids")],
        env=_env(tmp_path), stdout=None, stderr=subprocess.PIPE, text=True, check=False, timeout=120,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert proc.returncode == 1 and "internal error" not in proc.stderr and "errors" in proc.stderr


def test_the_version_to_a_closed_stdout_costs_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "spectools", "--version"], env=_env(tmp_path), stdout=None, stderr=subprocess.PIPE,
        text=True, check=False, timeout=60, preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert (proc.returncode, proc.stderr) == (0, "")


def test_the_process_ends_without_tearing_down(tmp_path: Path) -> None:
    """Issue 20, point 4: once its output is flushed, the command ends the process at once; nothing registered for
    the interpreter's exit runs (here a marker that a normal exit would print), and the output is all there."""
    from tests.conftest import INVALID

    code = (
        "import atexit, sys; atexit.register(lambda: sys.stderr.write('torn down\\n'));"
        f"sys.argv = ['spectools', 'validate', {str(INVALID / 'ids')!r}];"
        "from spectools.cli import entry; entry()"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "SPEC201" in proc.stdout and "errors" in proc.stderr
    assert "torn down" not in proc.stderr
