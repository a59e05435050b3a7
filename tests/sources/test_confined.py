"""Issue 10 (2): every path from config, arguments or git stays inside the repository, symlinks resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import challenge, example, section, write

SPEC = "# Rules {#rules}\n\n" + section("honesty", "Be honest", "The assistant must not lie[^hn01].")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository, with a secret and a challenge-like file that must never be read or written."""
    out = write(tmp_path / "outside", {"secret.md": "# Secret {#secret}\n\nTOP SECRET[^zz99].\n", "hn01.md": "not yours\n"})
    return out


@pytest.mark.parametrize(
    "config",
    [
        'documents: ["../outside/secret.md"]\n',
        "documents: ['{abs}']\n",
        'documents: ["model_spec.md", "../outside/*.md"]\n',
        "challenges: ../outside\n",
        "challenges: '{absdir}'\n",
        "schemas:\n  section: ../outside/secret.md\n",
    ],
)
def test_config_paths_out_of_the_repository_are_findings_and_never_read(cli, tmp_path: Path, outside: Path, config: str) -> None:
    config = config.format(abs=outside / "secret.md", absdir=outside)
    root = write(
        tmp_path / "repo",
        {"model_spec.md": SPEC, "examples/hn01.md": challenge("hn01", "Be honest", example("x")), "spectools.yaml": config},
    )
    result = cli("validate", str(root))
    assert result.code == 2 and "is outside the repository; give a path relative to the repository's root" in result.out
    assert "SECRET" not in result.out + result.err
    exported = cli("export", str(root))
    assert "SECRET" not in exported.out + exported.err and "zz99" not in exported.out


def test_fix_and_new_challenge_never_write_through_a_folder_that_leads_out(cli, tmp_path: Path, outside: Path) -> None:
    root = write(tmp_path / "repo", {"model_spec.md": SPEC.replace("[^hn01]", "[^hn01]. And[^ab12]")})
    (root / "examples").symlink_to(outside)  # the challenge folder is a link out of the repository
    fixed = cli("validate", str(root), "--fix")
    assert "hn01.md" not in fixed.err or "fixed" not in fixed.err
    created = cli("new", "challenge", "ab12", "--path", str(root))
    assert created.code == 2 and "outside the repository" in created.err
    assert sorted(p.name for p in outside.iterdir()) == ["hn01.md", "secret.md"]
    assert (outside / "hn01.md").read_text() == "not yours\n"


def test_fix_writes_through_a_symlink_to_its_target_inside_the_repository(cli, tmp_path: Path) -> None:
    root = write(
        tmp_path / "repo",
        {"model_spec.md": SPEC, "shared/hn01.md": challenge("hn01", "An old title", example("x")).replace("\n", "\r\n")},
    )
    (root / "examples").mkdir()
    (root / "examples" / "hn01.md").symlink_to("../shared/hn01.md")
    result = cli("validate", str(root), "--fix")
    assert "fixed the header line of" in result.err
    assert (root / "examples" / "hn01.md").is_symlink()  # still a link
    text = (root / "shared" / "hn01.md").read_bytes()
    assert text.startswith(b"Examples for [^hn01] in Be honest:\r\n") and b"\n" not in text.replace(b"\r\n", b"")


def test_a_document_symlink_out_of_the_repository_is_not_read(cli, tmp_path: Path, outside: Path) -> None:
    root = write(tmp_path / "repo", {"spectools.yaml": 'documents: ["model_spec.md", "linked/*.md"]\n', "model_spec.md": SPEC})
    (root / "linked").symlink_to(outside)
    result = cli("export", str(root))
    assert "SECRET" not in result.out
