"""`validate --fix` rewrites only stale header lines, atomically."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import INVALID, run_as_nobody, write

BODY = b"\r\n**Example**: x\r\n\r\n~~~xml\r\n<user>\r\nhi\r\n</user>\r\n~~~\r\n"
SPEC = "# Be helpful {#helpful authority=user}\n\nThe assistant should answer[^hp01]. And be brief[^hp02].\n"


def test_fix_rewrites_only_the_stale_header_line(cli, copy_of) -> None:
    root = copy_of(INVALID / "coverage")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = cli("validate", "--fix", cwd=root)
    assert result.err.startswith("spectools: fixed the header line of examples/hp03.md\n")
    assert "SPEC104" not in result.out
    assert "SPEC103" in result.out  # a wrong clause id is not --fix's to guess
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    changed = {p.name for p in before if before[p] != after[p]}
    assert changed == {"hp03.md"}
    assert after[root / "examples" / "hp03.md"] == b"Examples for [^hp03] in Be helpful:\n\nMore text.\n"
    assert set(after) == set(before)  # no temporary file left behind


def test_fix_keeps_crlf_bom_trailing_text_and_mode(cli, tmp_path: Path) -> None:
    root = write(
        tmp_path / "r",
        {
            "model_spec.md": SPEC,
            "examples/hp01.md": b"\xef\xbb\xbfExamples for [^hp01] in Old title:\r\n" + BODY,
            "examples/hp02.md": b"---\nseverity: low\n---\nExamples for [^hp02] in Old title\n\nNotes kept: [^hp02] here.\n",
        },
    )
    os.chmod(root / "examples" / "hp02.md", 0o640)
    cli("validate", "--fix", cwd=root)
    assert (root / "examples" / "hp01.md").read_bytes() == (b"\xef\xbb\xbfExamples for [^hp01] in Be helpful:\r\n" + BODY)
    assert (root / "examples" / "hp02.md").read_bytes() == (
        b"---\nseverity: low\n---\nExamples for [^hp02] in Be helpful:\n\nNotes kept: [^hp02] here.\n"
    )
    assert (root / "examples" / "hp02.md").stat().st_mode & 0o777 == 0o640
    second = cli("validate", "--fix", cwd=root)
    assert "fixed" not in second.err  # nothing left to fix


def test_without_fix_nothing_is_written(cli, copy_of) -> None:
    root = copy_of(INVALID / "coverage")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    cli("validate", cwd=root)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_fix_in_a_folder_it_cannot_write_says_so_and_changes_nothing(cli, tmp_path) -> None:
    """As root, permissions do not apply: the run is forked and drops to 'nobody' (see conftest)."""
    import os
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="spectools-fix-"))
    try:
        root = base / "coverage"
        shutil.copytree(INVALID / "coverage", root)
        for p in [base, *base.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        (root / "examples").chmod(0o555)
        before = (root / "examples" / "hp03.md").read_bytes()
        cli("validate", "--fix", str(INVALID / "valid-does-not-exist-so-nothing-is-written"))  # warm the lazy imports
        cli("validate", str(root))
        if os.geteuid() == 0:
            _, err, code = run_as_nobody(["validate", "--fix", str(root)])
        else:
            result = cli("validate", "--fix", str(root))
            err, code = result.err, result.code
        assert code == 2
        assert (
            err
            == f"spectools: error: {root}/examples/hp03.md: cannot rewrite its header line (Permission denied); the file is unchanged\n"
        )
        assert (root / "examples" / "hp03.md").read_bytes() == before
        assert sorted(p.name for p in (root / "examples").iterdir()) == ["hp01.md", "hp02.md", "hp03.md", "hp04.md", "zz99.md"]
    finally:
        (base / "coverage" / "examples").chmod(0o755)
        shutil.rmtree(base)
