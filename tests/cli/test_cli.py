"""The command line, in-process with exact output, plus one subprocess smoke test per command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from spectools import __version__
from tests.conftest import INVALID, ROOT, VALID, write

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_version(cli) -> None:
    result = cli("--version")
    assert (result.code, result.out) == (0, f"spectools {__version__}\n")


def test_help_describes_every_option(cli) -> None:
    top = cli("--help")
    assert top.code == 0
    for command in ("validate", "export", "diff", "changelog", "github", "init", "new-id", "new"):
        assert command in top.out
    validate = cli("validate", "--help").out
    for option in ("PATH", "--format", "text", "json", "github", "sarif", "--fail-on", "never", "--fix", "Exit codes"):
        assert option in validate
    assert "schema/spec.schema.json" in cli("export", "--help").out
    diff_help = cli("diff", "--help").out
    for option in ("A", "B", "--staged", "--format", "markdown", "--path", "WORKTREE", "A...B"):
        assert option in diff_help
    assert "--count" in cli("new-id", "--help").out
    init_help = cli("init", "--help").out
    for option in ("DIR", "--template", "--name", "--authority-levels", "--git", "--dry-run", "--force", "--list-templates"):
        assert option in init_help
    assert "challenge" in cli("new", "--help").out
    changelog_help = cli("changelog", "--help").out
    for option in ("FROM..TO", "--version", "--format", "--write", "--all", "--path"):
        assert option in changelog_help
    github_help = cli("github", "--help").out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for option in ("--path", "--base", "--head", "--pr", "--fail-on", "breaking", "--comment", "recreate", "--results",
                   "--dry-run", "--save-report", "--report", "GITHUB_EVENT_PATH"):  # fmt: skip
        assert option in github_help and option in readme, option


def test_no_command_prints_help_and_exits_2(cli) -> None:
    result = cli()
    assert result.code == 2
    assert "usage: spectools" in result.err


def test_usage_errors_exit_2_without_traceback(cli) -> None:
    result = cli("validate", "--format", "xml")
    assert result.code == 2
    assert result.err.startswith("spectools: error: argument --format: invalid choice: 'xml'")
    assert "Traceback" not in result.err
    assert cli("frobnicate").code == 2


def test_validate_clean_spec(cli) -> None:
    result = cli("validate", cwd=VALID / "model-spec")
    assert (result.code, result.out, result.err) == (0, "", "spectools: no problems found in 8 files\n")


def test_validate_text_output_and_summary(cli) -> None:
    result = cli("validate", cwd=INVALID / "references")
    assert result.out == (INVALID / "references" / "expected.txt").read_text(encoding="utf-8")
    assert result.err == "spectools: 5 errors in 2 files\n"
    assert result.code == 1


def test_fail_on(cli, tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"model_spec.md": "# A {#a authority=root}\n\nText.\n\n# Empty {#empty}\n"})
    assert cli("validate", cwd=root).code == 0  # a warning only
    assert cli("validate", "--fail-on", "warning", cwd=root).code == 1
    assert cli("validate", "--fail-on", "never", cwd=INVALID / "ids").code == 0
    assert cli("validate", "--fail-on", "error", cwd=INVALID / "ids").code == 1


def test_broken_config_exits_2_but_still_reports(cli) -> None:
    result = cli("validate", cwd=INVALID / "config-schema")
    assert result.code == 2
    assert result.err.endswith(
        "spectools: spectools.yaml has errors, so the keys that hold them were ignored; fix it (exit code 2)\n"
    )


def test_python_dash_m_and_console_script_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "spectools", "validate", str(INVALID / "ids")],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"{INVALID / 'ids'}/model_spec.md:7:1: error SPEC201")
    proc = subprocess.run(
        [sys.executable, "-m", "spectools", "export", str(VALID / "model-spec")],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.startswith('{\n  "schema_version": 1,')
    proc = subprocess.run([sys.executable, "-m", "spectools", "--version"], capture_output=True, text=True, env=ENV, check=False)
    assert proc.stdout == f"spectools {__version__}\n"


def test_internal_error_exits_3_and_asks_for_a_report(tmp_path: Path) -> None:
    """A broken dependency is a bug, not the user's fault: exit 3, no traceback, how to report it."""
    write(
        tmp_path / "shadow",
        {
            "mdit_py_plugins/__init__.py": "",
            "mdit_py_plugins/admon/__init__.py": "def admon_plugin(md):\n    raise RuntimeError('broken install')\n",
        },
    )
    env = {**ENV, "PYTHONPATH": f"{tmp_path / 'shadow'}{os.pathsep}{ROOT}"}
    env.pop("SPECTOOLS_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "spectools", "validate", "--no-cache", str(VALID / "model-spec")],  # parse: the plugin runs
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 3
    assert proc.stderr.startswith("spectools: internal error: RuntimeError: broken install\nThis is a bug in spectools")
    assert "Traceback" not in proc.stderr


def test_interrupt_exits_130(tmp_path: Path) -> None:
    """SIGINT while validating: exit 130 and a one-line message."""
    big = "".join(
        f"## Section {i} {{#s{i} authority=user}}\n\nThe assistant must do thing {i}[^{i:04d}].\n\n" for i in range(60000)
    )
    write(tmp_path / "r", {"model_spec.md": big})
    proc = subprocess.Popen(
        [sys.executable, "-m", "spectools", "validate", str(tmp_path / "r")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == "spectools: interrupted\n"


def test_every_command_help_lists_its_exit_codes(cli) -> None:
    """Issue 18 (6), in part: `--help` of every command says what each exit code means."""
    from spectools.cli import COMMANDS

    for name in COMMANDS:
        result = cli(name, "--help")
        text = " ".join(result.out.split())
        assert result.code == 0 and "Exit codes: 0 " in text and "3 an internal error" in text, name
