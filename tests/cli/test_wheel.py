"""The wheel ships schema/ (and templates/): build it, install it in a fresh venv, validate a fixture."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import INVALID, ROOT, VALID


@pytest.mark.slow
def test_wheel_installs_and_validates_from_a_fresh_venv(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".git", ".venv", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "dist", "build"),
    )
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)], check=True, capture_output=True)
    (wheel,) = dist.glob("spectools-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for schema in ("config", "section", "document", "challenge", "report", "spec"):
        assert f"spectools/_data/schema/{schema}.schema.json" in names
    assert "spectools/_data/templates/model-spec/copier.yml" in names
    assert "spectools/_data/templates/model-spec/.github/workflows/spec.yml" in names
    assert "spectools/_data/templates/minimal/{{ _copier_conf.answers_file }}.jinja" in names
    assert "spectools-0.1.0.dist-info/licenses/LICENSE" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    exe = env_dir / "bin" / "spectools"
    run = subprocess.run(
        [str(exe), "validate", str(VALID / "model-spec")], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "spectools: no problems found in 8 files\n")
    run = subprocess.run([str(exe), "validate", "."], capture_output=True, text=True, cwd=INVALID / "schema", check=False)
    assert run.stdout == (INVALID / "schema" / "expected.txt").read_text(encoding="utf-8")
    for template in ("model-spec", "minimal"):  # the templates ship in the wheel too
        made = subprocess.run(
            [str(exe), "init", str(tmp_path / template), "--template", template], capture_output=True, text=True, check=False
        )
        assert made.returncode == 0, made.stderr
        checked = subprocess.run([str(exe), "validate", str(tmp_path / template)], capture_output=True, text=True, check=False)
        assert (checked.returncode, checked.stdout) == (0, "")
    where = subprocess.run(
        [str(py), "-c", "import spectools.io as r; print(r.data_dir('schema'))"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(env_dir))  # the schemas came from the wheel, not the source tree
