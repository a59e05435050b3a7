"""`spectools changelog` on real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema

from spectools.io import schema
from tests.conftest import ROOT, check_changelog_json
from tests.gitrepo import ISOLATED, GitRepo, challenge, example, section

V1 = "# Rules {#rules}\n\nThe rules.\n\n" + section(
    "honesty", "Be honest", "The assistant must not lie[^hn01].", authority="system"
)
V2 = V1.replace("authority=system", "authority=root") + section("tone", "Tone", "The assistant should be kind[^tn01].")
V3 = V2.replace("should be kind", "must be kind")
CH = {"examples/hn01.md": challenge("hn01", "Be honest", example("a lie"))}


def released(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("v1", {"model_spec.md": V1, **CH})
    repo.tag("v1.0")
    repo.commit("work", {"model_spec.md": V2})
    repo.tag("v2.0")
    repo.commit("more", {"model_spec.md": V3, "examples/tn01.md": challenge("tn01", "Tone", example("rude user"))})
    return repo


V2_NOTES = (
    "## v2.0 - 2026-01-03\n\n"
    "### Highlights\n\n"  # issue 18 (1): the promotion to root (5 x3) before the new user-level section (6 x1.5)
    "- **breaking**: [Be honest](model_spec.md#honesty) (root): authority system → root (promoted)\n"
    "- [Tone](model_spec.md#tone) (user): new section with 1 clause\n\n"
    "### Authority changes\n\n"
    "- **breaking**: [Be honest](model_spec.md#honesty): authority system → root (promoted)\n\n"
    "### Added\n\n"
    "- [Tone](model_spec.md#tone): section “Tone” added (user; clauses [^tn01])\n"
)


def marked(notes: str) -> str:
    """Release notes as --write puts them: the heading, then the generated entries between markers."""
    title, _, body = notes.partition("\n\n")
    version = title.split()[1]
    return f"{title}\n\n<!-- spectools:begin {version} -->\n\n{body}\n<!-- spectools:end {version} -->\n"


UNRELEASED = (
    "## Unreleased\n\n"
    "### Highlights\n\n"
    "- [Tone](model_spec.md#tone) (user): reworded (modal strengthened: should → must); 1 challenge file added\n\n"
    "### Changed wording\n\n"
    "- [Tone](model_spec.md#tone): normative wording change (clauses [^tn01])\n"
    "  - The assistant <del>should</del> <ins>must</ins> be kind.\n\n"
    "### Challenges and examples\n\n"
    "- [^tn01] in Tone: challenge file for [^tn01] added (1 example)\n"
)


def test_default_range_is_from_the_last_release_to_head(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    result = cli("changelog", cwd=repo.root)
    assert (result.code, result.out) == (0, UNRELEASED)


def test_a_tagged_head_is_that_release_from_the_one_before(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    assert cli("changelog", "v2.0", cwd=repo.root).out == V2_NOTES
    assert cli("changelog", "v1.0..v2.0", cwd=repo.root).out == V2_NOTES
    named = cli("changelog", "v2.0..HEAD", "--version", "v3.0", cwd=repo.root).out
    assert named.startswith("## v3.0 - 2026-01-04\n\n### Highlights\n")


def test_all_releases_newest_first_and_the_first_lists_what_it_introduced(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    out = cli("changelog", "--all", cwd=repo.root).out
    # the first release: a short summary, counts per kind, with the full list folded
    assert out.startswith(
        V2_NOTES + "\n## v1.0 - 2026-01-02\n\nThe first release: 2 sections, 1 clause, 1 challenge file.\n\n"
        "<details><summary>Everything it introduces (3)</summary>\n\n### Added\n\n"
    )
    assert out.endswith(
        "- [Be honest](model_spec.md#honesty): section “Be honest” added (system; clauses [^hn01])\n\n"
        "### Challenges and examples\n\n"
        "- [^hn01] in Be honest: challenge file for [^hn01] added (1 example)\n\n</details>\n"
    )


def test_write_replaces_or_inserts_one_section_and_keeps_every_other_byte(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    target = repo.root / "CHANGELOG.md"
    hand = "# Changelog\n\nHand-written intro.\r\n\n## Unreleased\n\n- a note by hand\n\n## v1.0 - 2026-01-02\n\nOld notes, edited by hand.\n"
    target.write_bytes(hand.encode())
    result = cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root)
    assert (result.code, result.out) == (0, "")
    assert result.err == (
        "spectools: wrote the v2.0 section of CHANGELOG.md: 2 changes (one per edit of a section, clause, example or "
        "challenge file) between v1.0 and v2.0: 1 breaking, 1 notable\n"
    )  # issue 18 (4): the count, in the units diff and the comment use
    after = target.read_bytes().decode()
    assert after == hand.replace("## v1.0", marked(V2_NOTES) + "\n## v1.0")
    cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root)
    assert target.read_bytes().decode() == after  # idempotent: the section is replaced, not added again
    repo.git("tag", "v3.0")
    cli("changelog", "--write", "CHANGELOG.md", cwd=repo.root)
    third = target.read_bytes().decode()
    assert third.index("## v3.0 - 2026-01-04") < third.index("## v2.0") < third.index("## v1.0")
    assert "- a note by hand\n" in third and "Old notes, edited by hand.\n" in third and "Hand-written intro.\r\n" in third
    assert sorted(p.name for p in repo.root.iterdir() if p.name.startswith(".CHANGELOG")) == []


def test_write_creates_the_file_and_writes_all_releases(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    cli("changelog", "--all", "--write", "CHANGELOG.md", cwd=repo.root)
    text = (repo.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n\nAll notable changes to this spec are recorded here, newest first.")
    assert text.index("## v2.0 - 2026-01-03") < text.index("## v1.0 - 2026-01-02")


def test_json_conforms_to_its_schema(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    doc = json.loads(cli("changelog", "--all", "--format", "json", cwd=repo.root).out)
    check_changelog_json(doc)
    assert [r["version"] for r in doc["releases"]] == ["v2.0", "v1.0"]
    assert doc["releases"][0]["summary"] == {"breaking": 1, "notable": 1, "editorial": 0}
    changes = json.loads(cli("diff", "v1.0", "HEAD", "--format", "json", cwd=repo.root).out)
    jsonschema.Draft202012Validator(schema("changes")).validate(changes)
    assert [c["kind"] for c in changes["changes"]][:1] == ["authority_promoted"]


def test_no_tags(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("one", {"model_spec.md": V1, **CH})
    result = cli("changelog", cwd=repo.root)
    assert result.code == 0 and result.out.startswith(
        "## Unreleased\n\nThe first release: 2 sections, 1 clause, 1 challenge file.\n"
    )
    result = cli("changelog", "--all", cwd=repo.root)
    assert (result.code, result.err) == (
        2,
        "spectools: error: no release tags match 'v*'; tag a release (`git tag v1.0`), "
        "or set releases.tag_pattern in spectools.yaml\n",
    )


def test_tag_pattern_from_the_config(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    repo.commit("config", {"spectools.yaml": "releases:\n  tag_pattern: 'release-*'\n"})
    repo.tag("release-1")
    out = cli("changelog", "--all", cwd=repo.root).out
    assert out.startswith("## release-1 - 2026-01-05\n\nThe first release: ")  # the v* tags are not releases here


def test_markdown_diff_groups_and_folds_editorial_wording(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    repo.commit("editorial", {"model_spec.md": V3.replace("The rules.", "The rules we keep.")})
    out = cli("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo.root).out
    assert out == (
        "### Changed wording\n\n"
        "<details><summary>1 editorial change</summary>\n\n"
        "- [Rules](model_spec.md#rules): editorial wording change\n"
        "  - The <del>rules.</del> <ins>rules we keep.</ins>\n\n"
        "</details>\n"
    )


def test_write_refuses_a_changelog_that_is_not_utf8(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    target = repo.root / "CHANGELOG.md"
    target.write_bytes(b"# Changelog\n\nnot \xff utf-8\n")
    result = cli("changelog", "--write", "CHANGELOG.md", cwd=repo.root)
    assert (result.code, result.err) == (
        2,
        "spectools: error: CHANGELOG.md:3: not valid UTF-8, so it was not changed; re-save it as UTF-8\n",
    )
    assert target.read_bytes() == b"# Changelog\n\nnot \xff utf-8\n"


def test_write_into_a_missing_folder_is_a_clear_error(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    result = cli("changelog", "--write", "no/such/dir/CHANGELOG.md", cwd=repo.root)
    assert (result.code, result.err) == (
        2,
        "spectools: error: no/such/dir/CHANGELOG.md: cannot write it (No such file or directory); nothing was changed\n",
    )


def test_path_that_is_a_file(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    result = cli("diff", "v1.0", "--path", "model_spec.md", cwd=repo.root)
    assert (result.code, result.err) == (2, "spectools: error: model_spec.md: is a file; give the spec's folder (--path DIR)\n")


# --- issue 10 (5): the changelog writer never loses what a person wrote --------------------------------


def test_a_heading_inside_an_html_comment_or_a_fence_is_not_a_release(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    target = repo.root / "CHANGELOG.md"
    hand = "# Changelog\n\n<!--\n## v2.0\nA draft, hidden on purpose.\n-->\n\n```\n## v2.0\n```\n\n## v1.0 - 2026-01-02\n\nOld.\n"
    target.write_text(hand, encoding="utf-8")
    assert cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root).code == 0
    after = target.read_text(encoding="utf-8")
    assert after == hand.replace("## v1.0 - 2026", marked(V2_NOTES) + "\n## v1.0 - 2026")


def test_a_hand_written_section_keeps_its_prose_and_gets_the_block_beneath(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    target = repo.root / "CHANGELOG.md"
    hand = "# Changelog\n\n## Unreleased\n\nWe are rewriting the tone section.\n\n## v2.0 - 2026-01-03\n\nThe big one: honesty is root now.\n"
    target.write_text(hand, encoding="utf-8")
    cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root)
    cli("changelog", "--write", "CHANGELOG.md", cwd=repo.root)  # the Unreleased notes, from v2.0 to HEAD
    after = target.read_text(encoding="utf-8")
    assert after.startswith(
        "# Changelog\n\n## Unreleased\n\nWe are rewriting the tone section.\n\n<!-- spectools:begin Unreleased -->\n"
    )
    assert "## v2.0 - 2026-01-03\n\nThe big one: honesty is root now.\n\n<!-- spectools:begin v2.0 -->\n\n### Highlights" in after
    # a person edits the prose around the block; the next run replaces the block only
    edited = after.replace("The big one", "The biggest one").replace(
        "<!-- spectools:end v2.0 -->\n", "<!-- spectools:end v2.0 -->\n\nThanks to all.\n"
    )
    target.write_text(edited, encoding="utf-8")
    cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root)
    assert target.read_text(encoding="utf-8") == edited


def test_markers_that_are_not_a_clean_pair_are_refused_and_the_file_is_unchanged(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    target = repo.root / "CHANGELOG.md"
    hand = "# Changelog\n\n## v2.0 - 2026-01-03\n\n<!-- spectools:begin v2.0 -->\n\nmine, with no end marker\n"
    target.write_bytes(hand.encode())
    result = cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root)
    assert result.code == 2 and "markers for v2.0 are not one begin and one end" in result.err
    assert target.read_bytes() == hand.encode()


def test_a_version_that_would_inject_markup_is_refused(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    target = repo.root / "CHANGELOG.md"
    target.write_bytes(b"# Changelog\n")
    for bad in ("v3\n## v9", "v3 <img src=x>", "@team", "[v3](https://example.invalid)"):
        result = cli("changelog", "v2.0..HEAD", "--version", bad, "--write", "CHANGELOG.md", cwd=repo.root)
        assert result.code == 2 and "cannot be a changelog heading" in result.err, bad
        assert "\n## v9" not in result.err
    assert target.read_bytes() == b"# Changelog\n"


def test_line_endings_outside_the_written_span_are_kept(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    target = repo.root / "CHANGELOG.md"
    hand = b"# Changelog\r\n\r\nIntro.\r\n\r\n## v1.0 - 2026-01-02\r\n\r\nOld notes, no final newline."
    target.write_bytes(hand)
    cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root)
    after = target.read_bytes()
    assert after.startswith(b"# Changelog\r\n\r\nIntro.\r\n\r\n## v2.0 - 2026-01-03\r\n\r\n<!-- spectools:begin v2.0 -->\r\n")
    assert after.endswith(b"<!-- spectools:end v2.0 -->\r\n\r\n## v1.0 - 2026-01-02\r\n\r\nOld notes, no final newline.")
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line ending the file's own


def test_writes_through_a_symlink_to_its_target_and_never_out_of_the_repository(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    (repo.root / "docs").mkdir()
    (repo.root / "docs" / "CHANGELOG.md").write_text("# Changelog\n", encoding="utf-8")
    (repo.root / "CHANGELOG.md").symlink_to("docs/CHANGELOG.md")
    assert cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root).code == 0
    assert (repo.root / "CHANGELOG.md").is_symlink()
    assert "## v2.0 - 2026-01-03" in (repo.root / "docs" / "CHANGELOG.md").read_text(encoding="utf-8")
    outside = tmp_path / "outside.md"
    outside.write_text("not the spec's\n", encoding="utf-8")
    (repo.root / "OUT.md").symlink_to(outside)
    for target in ("OUT.md", str(outside), "../outside.md"):
        result = cli("changelog", "v2.0", "--write", target, cwd=repo.root)
        assert result.code == 2 and "outside the repository" in result.err, target
    assert outside.read_text(encoding="utf-8") == "not the spec's\n"


def test_write_given_a_folder_is_a_clear_error(cli, tmp_path: Path) -> None:
    repo = released(tmp_path)
    (repo.root / "notes").mkdir()
    result = cli("changelog", "v2.0", "--write", "notes", cwd=repo.root)
    assert (result.code, result.err) == (2, "spectools: error: notes: is a folder; give a file name\n")


def test_a_temporary_file_left_by_a_killed_run_is_removed_by_the_next_write(cli, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    repo = released(tmp_path)
    target = repo.root / "CHANGELOG.md"
    target.write_bytes(b"# Changelog\n")
    # a real writer, stopped with SIGKILL while it holds the folder's lock with its temporary file written
    code = (
        "import os, sys, time\nfrom pathlib import Path\nfrom spectools import io as fsio\n"
        "def stuck(target, data, exclusive):\n"
        "    tmp = target.parent / f'.{target.name}.spectools-{os.getpid()}.tmp'\n"
        "    tmp.write_bytes(data); print('written', flush=True); time.sleep(60)\n"
        "fsio._replace = stuck\nfsio.update(Path(sys.argv[1]), lambda old: old + b'more', Path(sys.argv[2]))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(target), str(repo.root)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"written\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    time.sleep(0.05)
    left = [p.name for p in repo.root.iterdir() if p.name.startswith(".CHANGELOG.md.spectools-")]
    assert len(left) == 1 and target.read_bytes() == b"# Changelog\n"  # the target was never truncated
    assert cli("changelog", "v2.0", "--write", "CHANGELOG.md", cwd=repo.root).code == 0
    assert [p.name for p in repo.root.iterdir() if p.name.startswith(".CHANGELOG.md.")] == []


def test_concurrent_writers_take_turns_and_lose_no_section(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    repo = released(tmp_path)
    (repo.root / "CHANGELOG.md").write_bytes(b"# Changelog\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    versions = [f"v2.{n}" for n in range(1, 7)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "spectools", "changelog", "v1.0..v2.0", "--version", v, "--write", "CHANGELOG.md"],
            cwd=repo.root,
            env=env,
            stderr=subprocess.PIPE,
        )
        for v in versions
    ]
    for proc in procs:
        code, err = proc.wait(), proc.stderr.read() if proc.stderr else b""
        if proc.stderr:
            proc.stderr.close()
        assert code == 0, err
    text = (repo.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert all(f"<!-- spectools:end {v} -->" in text for v in versions), text


def test_the_previous_release_is_the_nearest_ancestor_tag_not_the_newest_by_date(cli, tmp_path: Path) -> None:
    """Issue 18 (7): tags made in the same second (or with dates out of order) must not make a release repeat the
    one before it: FROM is the nearest release tag among TO's ancestors, as `git describe` finds it."""
    repo = GitRepo(tmp_path / "spec")
    texts = [V1, V2, V3]
    for n, text in enumerate(texts):
        repo.day = 0  # every commit, and so every lightweight tag, at the same second
        repo.commit(f"v{n}", {"model_spec.md": text, **CH})
        repo.tag(f"v0.{n + 1}.0")
    notes = cli("changelog", "v0.3.0", cwd=repo.root)
    assert notes.code == 0, notes.err
    assert "should</del> <ins>must</ins>" in notes.out  # v0.2.0 -> v0.3.0 only
    assert "authority system → root" not in notes.out and "section “Tone” added" not in notes.out
    merged = GitRepo(tmp_path / "merge")  # a release reached through a merge: the nearest tag on either side
    merged.commit("base", {"model_spec.md": V1, **CH})
    merged.tag("v1")
    merged.git("checkout", "-q", "-b", "side")
    merged.commit("side", {"model_spec.md": V2})
    merged.tag("v2")
    merged.git("checkout", "-q", "main")
    merged.git("merge", "-q", "--no-ff", "-m", "merge", "side")
    merged.commit("after", {"model_spec.md": V3})
    merged.tag("v3")
    after = cli("changelog", "v3", cwd=merged.root)
    assert after.code == 0 and "section “Tone” added" not in after.out, after.out


def test_an_exit_code_of_1_says_why(cli, tmp_path: Path) -> None:
    """Issue 18 (6), in part: a retired clause id brought back with another meaning exits 1, and says so."""
    from tests.security.test_git_boundary import _retired_and_reused

    repo = _retired_and_reused(tmp_path / "spec")
    repo.git("tag", "v1", "base")
    repo.tag("v2")
    for args in (["diff", "v1", "v2"], ["changelog", "v2"], ["changelog", "--all"]):
        result = cli(*args, cwd=repo.root)
        assert result.code == 1 and "exit code 1:" in result.err and "[^ab01]" in result.err, (args, result.err)


def test_the_release_date_is_the_tags_in_utc_unless_given(cli, tmp_path: Path) -> None:
    """Issue 18 (5): a commit made late in the evening west of Greenwich is released on the next UTC day; an
    annotated tag made days after its commit dates the release; --date says it outright, and is checked."""
    repo = GitRepo(tmp_path / "spec")
    repo.commit("v1", {"model_spec.md": V1, **CH})
    repo.tag("v1.0")
    repo.write({"model_spec.md": V2}).git("add", "-A")
    late = {"GIT_COMMITTER_DATE": "2026-02-03T22:30:00-05:00", "GIT_AUTHOR_DATE": "2026-02-03T22:30:00-05:00"}
    env = {**os.environ, **ISOLATED, **late}
    subprocess.run(["git", "commit", "-qm", "late"], cwd=repo.root, env=env, check=True)
    subprocess.run(["git", "tag", "v2.0"], cwd=repo.root, env=env, check=True)
    assert cli("changelog", "v2.0", cwd=repo.root).out.startswith("## v2.0 - 2026-02-04\n")
    assert cli("changelog", "v2.0", "--date", "2026-03-01", cwd=repo.root).out.startswith("## v2.0 - 2026-03-01\n")
    tagged = {**env, "GIT_COMMITTER_DATE": "2026-02-10T09:00:00+09:00"}  # an annotated tag's own date: 10 Feb, 00:00 UTC
    subprocess.run(["git", "tag", "-a", "-m", "release", "v2.1"], cwd=repo.root, env=tagged, check=True)
    assert cli("changelog", "v1.0..v2.1", cwd=repo.root).out.startswith("## v2.1 - 2026-02-10\n")
    assert "## v2.1 - 2026-02-10\n" in cli("changelog", "--all", cwd=repo.root).out
    bad = cli("changelog", "v2.0", "--date", "2026-02-30", cwd=repo.root)
    assert bad.code == 2 and "--date '2026-02-30' is not a day" in bad.err and bad.out == ""


def test_every_release_of_all_is_compared_with_the_one_before_it_in_the_history(cli, tmp_path: Path) -> None:
    """changelog --all pairs releases as `changelog TAG` does (git describe), not by the order of their dates: tags made
    in the same second, and a backport tagged after a newer release, are each compared with their own ancestor."""
    repo = GitRepo(tmp_path / "spec")
    repo.commit("v1", {"model_spec.md": V1, **CH})
    repo.tag("v1.0")
    repo.commit("v1.1", {"model_spec.md": V2})
    repo.tag("v1.1")
    repo.git("checkout", "-q", "-b", "maint", "v1.0")
    repo.commit("fix", {"model_spec.md": V1.replace("The rules.", "The rules we keep.")})
    repo.tag("v1.0.1")  # tagged after v1.1, on a branch of v1.0
    out = cli("changelog", "--all", cwd=repo.root).out
    backport = out.split("## v1.0.1", 1)[1].split("\n## ", 1)[0]
    assert "editorial wording change" in backport and "Tone" not in backport and "authority" not in backport
    alone = cli("changelog", "v1.0.1", cwd=repo.root).out
    assert alone.rstrip("\n") == ("## v1.0.1" + backport).rstrip("\n")


def test_a_date_no_calendar_holds_is_no_crash(cli, tmp_path: Path) -> None:
    """A commit dated past the year 9999 (git keeps it): the release has no date, and the command works."""
    repo = GitRepo(tmp_path / "spec")
    repo.commit("v1", {"model_spec.md": V1, **CH})
    repo.tag("v1.0")
    repo.write({"model_spec.md": V2}).git("add", "-A")
    far = {**os.environ, **ISOLATED, "GIT_COMMITTER_DATE": "@300000000000 +0000", "GIT_AUTHOR_DATE": "@300000000000 +0000"}
    subprocess.run(["git", "commit", "-qm", "far"], cwd=repo.root, env=far, check=True)
    subprocess.run(["git", "tag", "v2.0"], cwd=repo.root, env=far, check=True)
    for args in (("changelog", "v2.0"), ("changelog", "--all"), ("changelog", "v2.0", "--date", "2026-01-01")):
        result = cli(*args, cwd=repo.root)
        assert result.code == 0 and "internal error" not in result.err, (args, result.err)
    assert cli("changelog", "v2.0", cwd=repo.root).out.startswith("## v2.0\n")
