"""Class "Hand-written bytes" (docs/SECURITY.md): one line model, and one writer that never writes into .git.

Generated hand-written paragraphs hold the separators some line models split on (U+2028, U+2029, form feed,
vertical tab, NEL, a lone CR, the ASCII separators), marker-like and heading-like text included; generated
link trees point CHANGELOG.md into .git or out of the repository. The invariants: every hand-written byte is
kept, a second write changes nothing, and no byte inside .git or outside the repository changes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.io import split_lines, write_atomic
from spectools.model import SpecError
from tests.security.harness import snapshot, spec_repo
from tests.security.strategies import SEPARATORS, hand_written

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(paragraphs=st.lists(hand_written(), min_size=1, max_size=3), crlf=st.booleans(), under=st.booleans())
def test_changelog_write_keeps_every_hand_written_byte(paragraphs: list[str], crlf: bool, under: bool, cli, tmp_path) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    nl = "\r\n" if crlf else "\n"
    prose = nl.join(paragraphs)
    heading = "## Unreleased" + nl + nl + prose + nl + nl if under else ""
    text = "# Changelog" + nl + nl + prose + nl + nl + heading + "## v1" + nl + nl + "Written by hand." + nl
    path = root / "CHANGELOG.md"
    path.write_bytes(text.encode("utf-8"))
    first = cli("changelog", "--path", str(root), "--write", str(path))
    if first.code == 2:  # hand-written text left a comment open above where the section goes: refused, nothing written
        assert "would not show" in first.err and path.read_bytes() == text.encode("utf-8")
        return
    assert first.code == 0, first.err
    written = path.read_bytes()
    for paragraph in paragraphs:
        assert written.count(paragraph.encode("utf-8")) >= text.count(paragraph)  # kept whole, never split
    assert inserted_once(text, written.decode("utf-8"))  # the file is the hand-written one plus one new run of text
    again = cli("changelog", "--path", str(root), "--write", str(path))
    assert again.code == 0 and path.read_bytes() == written  # the second write finds its own block, and keeps it


def inserted_once(old: str, new: str) -> bool:
    """Whether new is old with one run of text put in somewhere (every byte of old kept, in order, unsplit)."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix + suffix == len(old)


@given(st.text(alphabet=st.sampled_from(["a", "\n", "\r", *SEPARATORS]), max_size=40))
def test_the_line_model_splits_at_newline_only_and_loses_nothing(text: str) -> None:
    lines = split_lines(text)
    assert "".join(lines) == text
    assert all(line.count("\n") == (1 if line.endswith("\n") else 0) for line in lines)
    assert len(lines) == text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def test_a_marker_after_a_line_separator_is_text_not_a_marker(cli, tmp_path) -> None:
    root = spec_repo(tmp_path / "repo").root
    path = root / "CHANGELOG.md"
    hand = "Note\u2028<!-- spectools:end Unreleased -->\u2029more"
    path.write_text(f"# Changelog\n\n## Unreleased\n\n{hand}\n\n## v1\n\nWritten by hand.\n", encoding="utf-8")
    result = cli("changelog", "--path", str(root), "--write", str(path))
    assert result.code == 0, result.err
    assert hand in path.read_text(encoding="utf-8")


TARGETS = [".git/config", ".git/HEAD", ".git/hooks/post-checkout", ".git", ".git/info/exclude", "../outside/keep.txt"]


@st.composite
def link_chains(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """(what --write names, [(link, where it points)]): a direct path into .git, or links (and links to links)."""
    target = draw(st.sampled_from(TARGETS))
    kind = draw(st.sampled_from(["direct", "dotdot", "link", "chain", "folder"]))
    if kind == "direct":
        return target, []
    if kind == "dotdot":
        return f"docs/../{target}", []
    if kind == "link":
        return "CHANGELOG.md", [("CHANGELOG.md", target)]
    if kind == "chain":
        return "CHANGELOG.md", [("CHANGELOG.md", "notes.md"), ("notes.md", target)]
    return "docs/CHANGELOG.md", [("docs", target.rsplit("/", 1)[0] if "/" in target else ".git")]


@SETTINGS
@given(chain=link_chains())
def test_the_writer_never_writes_into_git_or_out_of_the_repository(chain, cli, tmp_path, outside) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    name, links = chain
    for link, _ in links:
        if (root / link).is_symlink() or (root / link).is_dir():
            (root / link).unlink() if (root / link).is_symlink() else None
        elif (root / link).exists():
            (root / link).unlink()
    for link, target in links:
        (root / link).symlink_to(root / target if not target.startswith("/") else target)
    before = snapshot(root / ".git", outside)
    result = cli("changelog", "--path", str(root), "--write", str(root / name))
    assert result.code in (0, 2), result.err
    assert snapshot(root / ".git", outside) == before
    if result.code == 2:
        assert ".git folder" in result.err or "outside the repository" in result.err or "is a folder" in result.err
    for link, _ in links:
        (root / link).unlink()


def test_write_atomic_refuses_git_folders_whatever_the_spelling(tmp_path) -> None:
    (tmp_path / ".git").mkdir()
    for name in (".git/config", "a/../.git/x", ".GIT/config"):
        with pytest.raises(SpecError, match=r"inside a \.git folder|outside the repository"):
            write_atomic(tmp_path / name, b"x", tmp_path)
    assert not (tmp_path / ".git" / "config").exists()


def test_a_path_outside_is_still_refused(tmp_path) -> None:
    (tmp_path / "repo").mkdir()
    with pytest.raises(SpecError, match="outside the repository"):
        write_atomic(tmp_path / "repo" / ".." / "elsewhere.md", b"x", tmp_path / "repo")
    assert not Path(tmp_path / "elsewhere.md").exists()


def test_a_section_that_a_comment_left_open_would_hide_is_refused(cli, tmp_path) -> None:
    root = spec_repo(tmp_path / "repo").root
    path = root / "CHANGELOG.md"
    text = "# Changelog\n\n<!-- Fixed the intro\n\n## v1\n\nWritten by hand.\n"
    path.write_text(text, encoding="utf-8")
    result = cli("changelog", "--path", str(root), "--write", str(path))
    assert result.code == 2 and "would not show" in result.err and "close it" in result.err
    assert path.read_text(encoding="utf-8") == text


OUTPUTS = {  # the four commands that write a file the user names
    "eval run --out": "eval run . --model m --grader-model g --base-url {url} --no-cache --out results.json",
    "eval calibrate --out": "eval calibrate . --grader-model g --base-url {url} --no-cache --out results.json",
    "eval export --out": "eval export . --to inspect --out exported",
    "github --save-report": "github --base HEAD~1 --pr 5 --save-report exported",
}


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_output_the_user_names_in_the_repository_never_follows_a_committed_link_out(command, cli, tmp_path, outside,
                                                                                        monkeypatch) -> None:  # fmt: skip
    """The README's own usage, `eval run . --out results.json`, in a checkout of the pull request: a link the pull
    request committed at that name (or a folder link for export and the ticket) may not lead the write anywhere
    outside the repository, nor into .git."""
    from tests.chat_server import ChatServer, completion

    repo = spec_repo(tmp_path / "repo")
    monkeypatch.chdir(repo.root)
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    for target in (outside / "keep.txt", outside, repo.root / ".git" / "config", repo.root / ".git"):
        for name in ("results.json", "results.jsonl", "exported"):
            if (repo.root / name).is_symlink() or (repo.root / name).is_file():
                (repo.root / name).unlink()
            elif (repo.root / name).is_dir():
                shutil.rmtree(repo.root / name)
        folder_like = target.is_dir()
        (repo.root / ("exported" if folder_like else "results.json")).symlink_to(target)
        (repo.root / "results.jsonl").symlink_to(outside / "keep.txt")
        before = snapshot(repo.root / ".git", outside)
        with ChatServer(lambda body, n: completion("ok" if body["model"] == "m" else '{"reasoning": "x", "score": 7}')) as s:
            result = cli(*OUTPUTS[command].format(url=s.url).split())
        assert result.code in (0, 1, 2), result.err
        assert snapshot(repo.root / ".git", outside) == before, (command, target)
