"""Bad input that git cannot hold in a corpus: built here in a temporary folder.

Each gets a finding with its path (and line where there is one), never a
traceback, and every other file is still checked.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from tests.conftest import run_as_nobody, write

GOOD = "# Good {#good authority=root}\n\nThe assistant must be kind[^gd01].\n"
HEADER = "Examples for [^gd01] in Good:\n"


def repo(tmp_path: Path, **extra: str) -> Path:
    return write(tmp_path / "r", {"spec/good.md": GOOD, "examples/gd01.md": HEADER, **extra})


def test_symlink_loop_is_reported_and_not_followed(cli, tmp_path: Path) -> None:
    root = repo(tmp_path)
    os.symlink("b.md", root / "spec" / "a.md")
    os.symlink("a.md", root / "spec" / "b.md")
    os.symlink("..", root / "spec" / "up")  # a directory loop
    result = cli("validate", cwd=root)
    assert result.out == (
        "spec/a.md: warning SPEC007 symlink loop; not followed (point the link at a real file)\n"
        "spec/b.md: warning SPEC007 symlink loop; not followed (point the link at a real file)\n"
        "spec/up: warning SPEC007 symlinked directory is not followed; list its real path in `documents` instead\n"
    )
    assert result.code == 0


def test_symlink_out_of_the_repository_is_not_followed(cli, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"secret.md": "# Secret {#secret}\n\nDo not read me[^zz11].\n"})
    root = repo(tmp_path)
    os.symlink(outside / "secret.md", root / "spec" / "secret.md")
    os.symlink(outside, root / "spec" / "elsewhere")
    result = cli("validate", cwd=root)
    target = (outside / "secret.md").resolve()
    assert result.out == (
        f"spec/elsewhere: error SPEC008 symlink points outside the repository (to {outside.resolve()}); not followed. "
        "Copy the file into the repository instead\n"
        f"spec/secret.md: error SPEC008 symlink points outside the repository (to {target}); not followed. "
        "Copy the file into the repository instead\n"
    )
    assert "zz11" not in result.out
    assert result.code == 1


def test_dangling_symlink_and_symlink_inside_the_repository(cli, tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        **{
            "docs/extra.md": "# Extra {#extra authority=user}\n\nThe assistant may wave[^ex22].\n",
            "examples/ex22.md": "Examples for [^ex22] in Extra:\n",
        },
    )
    os.symlink("../docs/extra.md", root / "spec" / "extra.md")  # inside: read
    os.symlink("missing.md", root / "spec" / "gone.md")
    result = cli("validate", cwd=root)
    assert result.out == "spec/gone.md: warning SPEC007 symlink to 'missing.md', which does not exist; not followed\n"


def test_a_folder_named_like_a_file_is_unreadable(cli, tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "model_spec.md").mkdir()
    result = cli("validate", cwd=root)
    assert result.out == (
        "examples/gd01.md:1:1: error SPEC101 challenge file for 'gd01', but no clause carries [^gd01]; "
        "tag the clause or delete the file\n"
        "model_spec.md: error SPEC009 cannot read the file: it is a folder, not a file\n"
    )
    assert result.code == 1


def test_a_fifo_is_not_opened(cli, tmp_path: Path) -> None:
    root = repo(tmp_path)
    os.mkfifo(root / "spec" / "pipe.md")
    result = cli("validate", cwd=root)
    assert result.out == "spec/pipe.md: error SPEC009 cannot read the file: it is not a regular file (a pipe, socket or device)\n"


def test_a_file_without_read_permission(cli, tmp_path: Path) -> None:
    """Root ignores file permissions, so as root the check runs in a forked child that drops to 'nobody'.

    Everything spectools imports lazily is imported first (by validating another
    repository), so the child needs to read nothing but the repository under test.
    """
    base = Path(tempfile.mkdtemp(prefix="spectools-perm-"))
    try:
        root = repo(base)
        write(root, {"spec/locked.md": GOOD.replace("good", "locked").replace("gd01", "lk01")})
        for p in [base, *base.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        (root / "spec" / "locked.md").chmod(0)
        cli("validate", str(repo(tmp_path)))  # warm every lazy import and cached schema
        if os.geteuid() != 0:
            result = cli("validate", str(root))
            out, code = result.out, result.code
        else:
            out, _, code = run_as_nobody(["validate", str(root)])
        assert out == f"{root}/spec/locked.md: error SPEC009 cannot read the file: Permission denied; check its permissions\n"
        assert code == 1
    finally:
        (base / "r" / "spec" / "locked.md").chmod(0o644)
        shutil.rmtree(base)


def test_missing_path_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("validate", str(tmp_path / "nope"))
    assert result.out == ""
    assert result.err == f"spectools: error: {tmp_path / 'nope'}: no such file or folder; give the root of a spec repository\n"
    assert result.code == 2


def test_a_file_instead_of_a_folder_is_a_usage_error(cli, tmp_path: Path) -> None:
    write(tmp_path, {"model_spec.md": GOOD})
    result = cli("validate", str(tmp_path / "model_spec.md"))
    assert result.err.endswith("is a file; give the folder at the root of the spec repository\n")
    assert result.code == 2


def test_empty_repository(cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("validate", cwd=tmp_path / "empty")
    assert result.out == (
        "model_spec.md: error SPEC014 no spec documents found; create model_spec.md or spec/<name>.md, "
        "or list your documents under `documents:` in spectools.yaml\n"
    )
    assert result.code == 1


def test_documents_listed_in_config_that_do_not_exist(cli, tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"spectools.yaml": "documents:\n  - rules.md\n"})
    result = cli("validate", cwd=root)
    assert result.out == (
        "spectools.yaml:1:1: error SPEC014 no spec documents found; create model_spec.md or spec/<name>.md, "
        "or list your documents under `documents:` in spectools.yaml\n"
        "spectools.yaml:2:1: warning SPEC015 documents: 'rules.md' matches no file; fix the glob or remove it\n"
    )


def test_bad_files_do_not_stop_the_others_being_checked(cli, tmp_path: Path) -> None:
    root = repo(tmp_path, **{"spec/broken.md": "# Broken {#broken"})
    write(root, {"spec/binary.md": b"\x00\x01", "spec/links.md": "# Links {#links authority=user}\n\nSee [?](#nowhere).\n"})
    result = cli("validate", cwd=root)
    assert result.out == (
        "spec/binary.md:1:1: error SPEC003 file is binary (it has a NUL byte); spec files must be UTF-8 text\n"
        "spec/broken.md:1:10: error SPEC013 attribute block is never closed; end the heading with '}'\n"
        "spec/links.md:3:5: error SPEC301 link to '#nowhere', which no section has; fix the anchor or add the section\n"
    )
