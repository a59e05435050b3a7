"""The documentation says what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from spectools.cli.github import DRY_RUN_RULE
from spectools.model import CHECKS
from tests.conftest import ROOT

CHECKS_MD = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_check_is_documented_with_its_default_severity() -> None:
    rows = dict(re.findall(r"^\| \[(SPEC\d{3})\]\(#spec\d{3}\) \| \w+ \| (\w+) \|", CHECKS_MD, re.M))
    assert rows == {code: check.severity for code, check in CHECKS.items()}
    for code in CHECKS:
        assert f"\n### {code}\n" in CHECKS_MD


def test_every_config_key_is_documented_in_the_readme() -> None:
    import json

    schema = json.loads((ROOT / "schema" / "config.schema.json").read_text(encoding="utf-8"))
    for key, spec in schema["properties"].items():
        subs = spec.get("properties", {})
        if not subs:
            assert f"| `{key}` |" in README, key
        for sub in subs:
            assert f"| `{key}.{sub}` |" in README, f"{key}.{sub}"


_TEST = re.search(r"<!-- test-command -->\n```sh\n(.+?)\n```", README, re.S)
TEST_COMMAND = _TEST.group(1).strip() if _TEST else ""


def test_readme_test_command_is_what_ci_runs() -> None:
    command = re.search(r"<!-- test-command -->\n```sh\n(.+?)\n```", README, re.S)
    assert command is not None
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command.group(1).strip() in ci


def test_readme_documents_every_validate_option() -> None:
    for option in ("--format", "text", "json", "github", "sarif", "--fail-on", "--fix", "export"):
        assert option in README


def test_readme_example_comment_is_what_spectools_github_prints(cli, tmp_path) -> None:
    import subprocess

    demo = tmp_path / "demo"
    assert cli("init", str(demo), "--git").code == 0
    spec = demo / "model_spec.md"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("{#protect_privacy authority=system}", "{#protect_privacy authority=developer}")
    text = text.replace("must not reveal personal data", "should not reveal personal data")
    text = text.replace(
        "say what it can help with instead[^sc01].",
        "say what it can help with instead[^sc01]. It must not pretend to be a general assistant[^sc02].",
    )
    spec.write_text(text, encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", "Review example"], cwd=demo, check=True)  # as the isolated_git fixture set up
    result = cli("github", "--path", str(demo), "--base", "HEAD~1", "--head", "HEAD", "--dry-run")
    assert result.code == 1
    shown = re.search(r"<!-- example-comment -->\n\n((?:>.*\n)+)", README)
    assert shown is not None
    comment, rule, summary = result.out.partition(DRY_RUN_RULE)
    assert rule and summary.startswith(comment.split("\n", 1)[0])  # issue 18 (8): the job summary follows the comment
    quoted = "".join(("> " + line if line else ">") + "\n" for line in comment.split("\n") if "spectools:summary" not in line)
    assert quoted.rstrip(">\n") == shown.group(1).rstrip(">\n")


def _readme_commands() -> list[str]:
    """Every shell command the README shows: the lines of its ```sh blocks, and inline `.venv/bin/...` commands."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    lines = [line for block in blocks for line in block.splitlines() if line.strip()]
    inline = re.findall(r"`(\.venv/bin/[^`]+)`", README)
    return lines + [c for c in inline if c not in lines]


def test_every_command_the_readme_shows_runs(tmp_path) -> None:
    """Issue 11 (8): run in order, as a newcomer would after the quick start, with this interpreter's spectools
    standing in for `.venv/bin` (the install itself is what CI runs: the test command). The test command is
    not run again from here, and the benchmarks and tools only start (`--help`): they take minutes, or write."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.gitrepo import ISOLATED

    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "spectools").symlink_to(Path(sys.executable).parent / "spectools")
    (venv / "python").symlink_to(sys.executable)
    shutil.copytree(ROOT / "tests" / "data" / "invalid" / "references", tmp_path / "tests/data/invalid/references")
    shutil.copytree(ROOT / "bench", tmp_path / "bench")
    shutil.copytree(ROOT / "tools", tmp_path / "tools")
    install = "python3 -m venv .venv && .venv/bin/pip install -q -U pip && .venv/bin/pip install -q -e . && "
    commands = _readme_commands()
    assert any(c.startswith(install) for c in commands)
    env = {**os.environ, **ISOLATED}
    ran = 0
    for command in commands:
        if command == TEST_COMMAND:
            continue
        if "pytest" in command:  # a selection of the suite: it must select, but is not run again from inside it
            quick = command.replace(".venv/bin/python", sys.executable) + " --collect-only -q"
            proc = subprocess.run(["bash", "-c", quick], cwd=ROOT, env=env, capture_output=True, text=True)
            assert proc.returncode == 0 and " deselected" in proc.stdout, proc.stdout[-500:]
            continue
        command = command.removeprefix(install)
        if command.startswith((".venv/bin/python bench/", ".venv/bin/python tools/")):  # they take minutes, or write
            command += " --help"
        proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True)
        expected = (0, 1) if "validate tests/data/invalid" in command or "github" in command else (0,)
        assert proc.returncode in expected, f"{command}: {proc.returncode}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr and "error:" not in proc.stderr, f"{command}\n{proc.stderr}"
        ran += 1
    assert ran >= 7
