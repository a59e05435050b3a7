"""`spectools diff` on real git repositories: every kind of change, with exact output."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import GitRepo, challenge, example, section

TONE = section("tone", "Keep a kind tone", "The assistant should be kind[^tn01]. It may joke[^tn02].", authority="guideline")
PRIVACY = section("privacy", "Protect privacy", "The assistant must not reveal personal data[^pv01].", authority="developer")
SPEC = (
    "# Rules {#rules}\n\nThe rules.\n\n"
    + section("honesty", "Be honest", "The assistant must not lie[^hn01]. It should cite sources[^hn02].", authority="system")
    + PRIVACY
    + TONE
)
TITLES = {
    "hn01": "Be honest",
    "hn02": "Be honest",
    "pv01": "Protect privacy",
    "tn01": "Keep a kind tone",
    "tn02": "Keep a kind tone",
}
CHALLENGES = {f"examples/{c}.md": challenge(c, t, example("a request")) for c, t in TITLES.items()}


def two_commits(
    tmp_path: Path, new: dict[str, str | bytes], remove: tuple[str, ...] = (), base: dict[str, str | bytes] | None = None
) -> GitRepo:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("base", base or {"model_spec.md": SPEC, **CHALLENGES})
    repo.write(new)
    repo.remove(*remove)
    repo.commit("change")
    return repo


def diff(cli, repo: GitRepo, *args: str) -> str:
    result = cli("diff", *(args or ("HEAD~1", "HEAD")), cwd=repo.root)
    assert result.code == 0, result.err
    return result.out


def test_authority_promoted_demoted_added_removed(cli, tmp_path: Path) -> None:
    spec = (
        SPEC.replace("{#privacy authority=developer}", "{#privacy authority=system}")
        .replace("{#tone authority=guideline}", "{#tone authority=user}")
        .replace("{#honesty authority=system}", "{#honesty}")
    )
    repo = two_commits(tmp_path, {"model_spec.md": spec})
    assert diff(cli, repo) == (
        "notable   authority_removed  #honesty: authority system removed  (model_spec.md:5 -> model_spec.md:5)\n"
        "breaking  authority_promoted #privacy: authority developer → system (promoted)  (model_spec.md:9 -> model_spec.md:9)\n"
        "breaking  authority_promoted #tone: authority guideline → user (promoted)  (model_spec.md:13 -> model_spec.md:13)\n"
    )
    back = cli("diff", "HEAD", "HEAD~1", cwd=repo.root).out
    assert "authority_demoted  #privacy: authority system → developer (demoted)" in back
    assert "authority_added    #honesty: authority system added" in back


def test_an_alias_is_one_note_and_more_than_the_alias_is_still_reported(cli, tmp_path: Path) -> None:
    spec = SPEC.replace("{#honesty authority=system}", "{#honesty authority=platform}").replace(
        "{#privacy authority=developer}", "{#privacy authority=platform}"
    )
    config = "authority:\n  levels: [platform, developer, user, guideline]\n  aliases: {system: platform}\n"
    repo = two_commits(tmp_path, {"model_spec.md": spec, "spectools.yaml": config})
    assert diff(cli, repo) == (
        "breaking  authority_promoted #privacy: authority developer → platform (promoted)  (model_spec.md:9 -> model_spec.md:9)\n"
        "note: Authority level 'system' is now called 'platform'; sections that only changed the name keep their authority.\n"
    )


def test_sections_and_clauses_added_and_removed(cli, tmp_path: Path) -> None:
    spec = SPEC.replace(TONE, "") + section(
        "safety", "Stay safe", "The assistant must refuse weapons help[^sf01].", authority="root"
    )
    repo = two_commits(tmp_path, {"model_spec.md": spec})
    assert diff(cli, repo) == (
        "notable   section_added      #safety: section “Stay safe” added (root; clauses [^sf01])  (- -> model_spec.md:13)\n"
        "breaking  section_removed    #tone: section “Keep a kind tone” removed (clauses [^tn01], [^tn02])  (model_spec.md:13 -> -)\n"
    )  # issue 18 (4, 5): one entry per edit, naming its clauses; a new section's authority shown


def test_renamed_by_clause_ids_by_prose_and_by_config(cli, tmp_path: Path) -> None:
    repo = two_commits(
        tmp_path / "a", {"model_spec.md": SPEC.replace("{#honesty authority=system}", "{#truthful authority=system}")}
    )
    assert (
        diff(cli, repo)
        == "notable   section_renamed    #truthful: anchor #honesty renamed #truthful  (model_spec.md:5 -> model_spec.md:5)\n"
    )

    untagged = SPEC.replace(
        "The assistant must not lie[^hn01]. It should cite sources[^hn02].", "The assistant must not lie and should cite sources."
    )
    repo = two_commits(
        tmp_path / "b", {"model_spec.md": untagged.replace("{#honesty", "{#honest")}, base={"model_spec.md": untagged}
    )
    assert (
        diff(cli, repo)
        == "notable   section_renamed    #honest: anchor #honesty renamed #honest  (model_spec.md:5 -> model_spec.md:5)\n"
    )

    spec = SPEC.replace("{#tone authority=guideline}", "{#voice authority=guideline}").replace(
        "The assistant should be kind[^tn01]. It may joke[^tn02].", "The assistant should be kind[^tn01]. Never sarcastic[^tn03]."
    )
    repo = two_commits(tmp_path / "c", {"model_spec.md": spec, "spectools.yaml": "renames:\n  tone: voice\n"})
    assert diff(cli, repo).splitlines()[:2] == [
        "notable   clause_added       [^tn03]: clause [^tn03] added: Never sarcastic.  (- -> model_spec.md:15)",
        "breaking  clause_removed     [^tn02]: clause [^tn02] removed: It may joke.  (model_spec.md:15 -> -)",
    ]
    assert "section_renamed    #voice: anchor #tone renamed #voice" in diff(cli, repo)


def test_moved_retitled_and_moved_to_another_file(cli, tmp_path: Path) -> None:
    repo = two_commits(
        tmp_path / "a", {"model_spec.md": SPEC.replace("## Keep a kind tone {#tone", "### Keep a friendly tone {#tone")}
    )
    assert diff(cli, repo) == (
        "notable   section_moved      #tone: moved from under #rules to under #privacy  (model_spec.md:13 -> model_spec.md:13)\n"
        "notable   section_retitled   #tone: retitled “Keep a kind tone” → “Keep a friendly tone”  (model_spec.md:13 -> model_spec.md:13)\n"
    )
    base = {
        "spec/core.md": SPEC.replace(TONE, ""),
        "spec/style.md": "# Style {#style}\n\nHow it sounds.\n\n" + TONE,
        **CHALLENGES,
    }
    repo = two_commits(tmp_path / "b", {"spec/core.md": SPEC, "spec/style.md": "# Style {#style}\n\nHow it sounds.\n"}, base=base)
    assert diff(cli, repo) == (
        "notable   section_moved      #tone: moved from under #style to under #rules and from spec/style.md to spec/core.md  "
        "(spec/style.md:5 -> spec/core.md:13)\n"
    )


def test_a_document_split_into_two_files_is_moves_not_removals(cli, tmp_path: Path) -> None:
    repo = two_commits(tmp_path, {"spec/core.md": SPEC.replace(TONE, ""), "spec/style.md": TONE}, remove=("model_spec.md",))
    assert diff(cli, repo) == (
        "notable   section_moved      #rules: moved from model_spec.md to spec/core.md  (model_spec.md:1 -> spec/core.md:1)\n"
        "notable   section_moved      #honesty: moved from model_spec.md to spec/core.md  (model_spec.md:5 -> spec/core.md:5)\n"
        "notable   section_moved      #privacy: moved from model_spec.md to spec/core.md  (model_spec.md:9 -> spec/core.md:9)\n"
        "notable   section_moved      #tone: moved from under #rules to under the top and from model_spec.md to spec/style.md  "
        "(model_spec.md:13 -> spec/style.md:1)\n"
    )


def test_split_and_merged_mirror_each_other(cli, tmp_path: Path) -> None:
    two = section("kind", "Be kind", "The assistant should be kind[^tn01].") + section("humour", "Humour", "It may joke[^tn02].")
    repo = two_commits(tmp_path, {"model_spec.md": SPEC.replace(TONE, two.replace("authority=user", "authority=guideline"))})
    assert diff(cli, repo) == (
        "notable   section_added      #kind: section “Be kind” added (guideline)  (- -> model_spec.md:13)\n"
        "notable   section_added      #humour: section “Humour” added (guideline)  (- -> model_spec.md:17)\n"
        "notable   clause_moved       [^tn01]: clause [^tn01] moved from #tone to #kind  (model_spec.md:15 -> model_spec.md:15)\n"
        "notable   clause_moved       [^tn02]: clause [^tn02] moved from #tone to #humour  (model_spec.md:15 -> model_spec.md:19)\n"
        "notable   section_split      #tone: split into #humour, #kind  (model_spec.md:13 -> model_spec.md:17)\n"
    )
    back = cli("diff", "HEAD", "HEAD~1", cwd=repo.root).out
    assert "notable   section_merged     #tone: merged from #humour, #kind  (model_spec.md:17 -> model_spec.md:13)\n" in back
    # issue 18 (5): their clauses all went into #tone: merged into it, not a breaking removal
    assert "notable   section_merged_into #kind: section “Be kind” merged into #tone" in back
    assert "notable   section_merged_into #humour: section “Humour” merged into #tone" in back
    assert "section_removed" not in back


def test_wording_normative_and_editorial_with_a_word_diff(cli, tmp_path: Path) -> None:
    spec = SPEC.replace("It should cite sources", "It must cite sources").replace(
        "The assistant should be kind", "The assistant should be warm"
    )
    repo = two_commits(tmp_path, {"model_spec.md": spec})
    assert diff(cli, repo) == (
        "notable   section_reworded   #honesty: normative wording change (clauses [^hn02])  (model_spec.md:5 -> model_spec.md:5)\n"
        "                             The assistant must not lie. It [-should-] {+must+} cite sources.\n"
        "editorial section_reworded   #tone: editorial wording change (clauses [^tn01])  (model_spec.md:13 -> model_spec.md:13)\n"
        "                             The assistant should be [-kind.-] {+warm.+} It may joke.\n"
    )  # issue 18 (4): a clause reworded in its reworded section is one entry, not two


def test_a_moved_clause_is_a_move_not_a_wording_change(cli, tmp_path: Path) -> None:
    spec = SPEC.replace(" It may joke[^tn02].", "").replace("personal data[^pv01].", "personal data[^pv01]. It may joke[^tn02].")
    repo = two_commits(tmp_path, {"model_spec.md": spec})
    assert diff(cli, repo) == (
        "notable   clause_moved       [^tn02]: clause [^tn02] moved from #tone to #privacy  (model_spec.md:15 -> model_spec.md:11)\n"
    )


def test_challenges_examples_and_label_flips(cli, tmp_path: Path) -> None:
    repo = two_commits(
        tmp_path,
        {
            "examples/hn01.md": "---\nseverity: high\n---\n" + CHALLENGES["examples/hn01.md"],
            "examples/hn02.md": challenge("hn02", "Be honest", example("a request") + example("another request")),
            "examples/pv01.md": challenge("pv01", "Protect privacy", example("a request", answer="Here is their address.")),
            "examples/tn01.md": challenge("tn01", "Keep a kind tone", example("a request", good="BAD", bad="GOOD")),
            "examples/tn02.md": challenge("tn02", "Keep a kind tone", ""),
            "examples/zz01.md": challenge("zz01", "Nothing", example("x")),
        },
    )
    assert diff(cli, repo) == (
        "notable   challenge_changed  [^hn01]: challenge file for [^hn01]: severity (none) → high  "
        "(examples/hn01.md:1 -> examples/hn01.md:1)\n"
        "notable   example_added      [^hn02]: example “another request” added  (- -> examples/hn02.md:19)\n"
        "notable   example_changed    [^pv01]: example “a request” changed: candidate 2 (BAD) text  (examples/pv01.md:3 -> examples/pv01.md:3)\n"
        "breaking  label_flipped      [^tn01]: example “a request”, candidate 1: label GOOD → BAD  (examples/tn01.md:3 -> examples/tn01.md:3)\n"
        "breaking  label_flipped      [^tn01]: example “a request”, candidate 2: label BAD → GOOD  (examples/tn01.md:3 -> examples/tn01.md:3)\n"
        "notable   example_removed    [^tn02]: example “a request” removed  (examples/tn02.md:3 -> -)\n"
        "notable   challenge_added    [^zz01]: challenge file for [^zz01] added (1 example)  (- -> examples/zz01.md:1)\n"
    )
    repo.remove("examples/zz01.md").commit("remove")
    assert diff(cli, repo) == (
        "notable   challenge_removed  [^zz01]: challenge file for [^zz01] removed (1 example)  (examples/zz01.md:1 -> -)\n"
    )


def test_examples_in_a_section_are_compared_too(cli, tmp_path: Path) -> None:
    spec = SPEC.replace("It should cite sources[^hn02].\n\n", "It should cite sources[^hn02].\n\n" + example("inline one"))
    repo = two_commits(tmp_path, {"model_spec.md": spec.replace("<!-- GOOD -->", "<!-- OK -->")}, base={"model_spec.md": spec})
    assert diff(cli, repo) == (
        "breaking  label_flipped      #honesty: example “inline one”, candidate 1: label GOOD → OK  (model_spec.md:9 -> model_spec.md:9)\n"
    )


def test_rewriting_only_the_header_line_after_a_retitle_is_no_change(cli, tmp_path: Path) -> None:
    repo = two_commits(
        tmp_path,
        {
            "model_spec.md": SPEC.replace("## Keep a kind tone {#tone", "## Keep a warm tone {#tone"),
            "examples/tn01.md": CHALLENGES["examples/tn01.md"].replace("Keep a kind tone", "Keep a warm tone"),
            "examples/tn02.md": CHALLENGES["examples/tn02.md"].replace("Keep a kind tone", "Keep a warm tone"),
        },
    )
    assert diff(cli, repo) == (
        "notable   section_retitled   #tone: retitled “Keep a kind tone” → “Keep a warm tone”  (model_spec.md:13 -> model_spec.md:13)\n"
    )


REUSED = SPEC.replace(" It may joke[^tn02].", "").replace(
    "personal data[^pv01].", "personal data[^pv01]. It must refuse malware[^tn02]."
)  # tn02, retired, back with another meaning


def _retired(tmp_path: Path, tag: str) -> GitRepo:
    """A history where tn02 is retired at `tag`."""
    repo = GitRepo(tmp_path / "spec")
    repo.commit("base", {"model_spec.md": SPEC, **CHALLENGES})
    repo.remove("examples/tn02.md").commit("retire tn02", {"model_spec.md": SPEC.replace(" It may joke[^tn02].", "")})
    repo.tag(tag)
    return repo


def test_a_retired_id_reused_with_another_meaning_is_an_error(cli, tmp_path: Path) -> None:
    repo = _retired(tmp_path, "v2")
    repo.commit("reuse", {"model_spec.md": REUSED})
    result = cli("diff", "v2", "HEAD", cwd=repo.root)
    assert result.code == 1
    assert result.out.splitlines() == [  # one entry per edit: the reuse, not also a clause added
        "breaking  id_reused          [^tn02]: clause id [^tn02] was retired and now comes back with another meaning "
        "(it was: “It may joke.”); give this clause a new id  (- -> model_spec.md:11)"
    ]
    restored = SPEC.replace(" It may joke[^tn02].", " It may joke[^tn02].")
    repo.commit("restore the old meaning instead", {"model_spec.md": restored})
    assert cli("diff", "v2", "HEAD", cwd=repo.root).code == 0  # same meaning: a restored clause, not a reuse


def test_diff_of_a_spec_with_itself_is_empty(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("base", {"model_spec.md": SPEC, **CHALLENGES})
    result = cli("diff", "HEAD", cwd=repo.root)
    assert (result.code, result.out, result.err) == (0, "", "spectools: no spec changes between HEAD and WORKTREE\n")


def test_an_id_still_used_in_an_unchanged_file_is_a_duplicate_not_a_retired_id(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("base", {"spec/a.md": SPEC, "spec/b.md": section("extra", "Extra", "Another rule[^xx01]."), **CHALLENGES})
    repo.tag("v1")
    repo.commit("duplicate", {"spec/a.md": SPEC.replace("personal data[^pv01].", "personal data[^pv01]. Be brief[^xx01].")})
    result = cli("diff", "v1", "HEAD", cwd=repo.root)
    assert "id_reused" not in result.out and result.code == 0  # spec/b.md is unchanged and still has xx01
    # (a duplicate id has no single right reading: validate reports it as SPEC202)


def test_candidates_are_matched_by_text_never_by_position() -> None:
    """Issue 11 (3): deleting the first of three candidates is one removal, not two label flips; a flip is the
    same reply with another verdict; an example whose title alone changed is retitled."""
    from spectools.diff.engine import diff
    from spectools.model import Spec
    from spectools.parse.files import parse_document
    from spectools.sources.config import Config

    def spec(candidates: str, title: str = "a request") -> Spec:
        text = (
            "# A {#a authority=user}\n\nRule[^ab12].\n\n"
            f"**Example**: {title}\n\n~~~xml\n<user>\nhelp\n</user>\n<comparison>\n{candidates}</comparison>\n~~~\n"
        )
        return Spec((parse_document("m.md", text),), ())

    good = "<assistant> <!-- GOOD -->\nI can help with the refund form.\n</assistant>\n"
    ok = "<assistant> <!-- OK -->\nHere is a generic answer about refunds.\n</assistant>\n"
    bad = "<assistant> <!-- BAD -->\nRefunds are never possible, go away.\n</assistant>\n"
    kinds = lambda a, b: [(c.kind, c.summary.split(": ", 1)[-1]) for c in diff(a, b, Config(), Config()).changes]  # noqa: E731
    assert kinds(spec(good + ok + bad), spec(ok + bad)) == [
        ("candidate_removed", "example “a request”, candidate 1 (GOOD) removed")
    ]
    assert kinds(spec(ok + bad), spec(ok + bad + good)) == [("candidate_added", "example “a request”, candidate 3 (GOOD) added")]
    flipped = kinds(spec(good + bad), spec(bad.replace("BAD", "GOOD") + good.replace("GOOD", "BAD")))
    assert sorted(k for k, _ in flipped) == ["label_flipped", "label_flipped"]  # each reply kept its text, changed verdict
    assert kinds(spec(good + bad), spec(good + bad, "a refund request")) == [
        ("example_retitled", "example “a request” retitled “a refund request”")
    ]


def test_an_accepted_reuse_is_listed_and_exits_0_but_a_change_cannot_accept_its_own(cli, tmp_path: Path) -> None:
    """Issue 18 (6): ids.accepted_reuse, read from the base of a comparison (diff, the PR comment) and from HEAD
    for changelog; the reuse stays in the notes, marked accepted."""
    repo = _retired(tmp_path, "v1")
    reused = REUSED
    accept = {"spectools.yaml": "ids:\n  accepted_reuse: [tn02]\n"}
    repo.commit("reuse, and accept it in the same change", {"model_spec.md": reused, **accept})
    repo.tag("v2")
    own = cli("diff", "v1", "v2", cwd=repo.root)
    assert own.code == 1 and "brings back retired clause id [^tn02]" in own.err  # the change accepted its own reuse
    notes = cli("changelog", "--all", cwd=repo.root)  # HEAD, the maintainers' branch, accepts it
    assert notes.code == 0, notes.err
    assert (
        "clause id [^tn02] was retired and comes back with another meaning (it was: “It may joke.”), accepted in "
        "ids.accepted_reuse" in notes.out
    )
    assert "exit code 1" not in notes.err and "give this clause a new id" not in notes.out  # said as accepted, not an error
    assert "1 retired clause id reused" in notes.out.split("### Highlights", 1)[1].split("###", 1)[0]
    repo.commit("later work", {"model_spec.md": reused + "\nMore.\n"})
    assert cli("diff", "v2", "HEAD", cwd=repo.root).code == 0  # the base accepts it now
    repo.commit("a bad list", {"spectools.yaml": "ids:\n  accepted_reuse: tn02\n"})
    checked = cli("validate", str(repo.root))
    assert "SPEC001" in checked.out and "accepted_reuse" in checked.out


def test_a_clause_added_or_removed_is_not_also_a_wording_change_of_its_section(cli, tmp_path: Path) -> None:
    """Issue 18 (4): one entry per edit. A new sentence with its tag is a clause added (not also its section
    reworded); an old sentence that only gets a tag is a clause added and nothing else; a sentence removed with its
    clause is the clause removed."""
    tagged = SPEC.replace("It may joke[^tn02].", "It may joke[^tn02]. It should answer briefly[^tn03].")
    repo = two_commits(tmp_path / "a", {"model_spec.md": tagged})
    assert diff(cli, repo) == (
        "notable   clause_added       [^tn03]: clause [^tn03] added: It should answer briefly.  (- -> model_spec.md:15)\n"
    )
    untagged = SPEC.replace("It may joke[^tn02].", "It may joke[^tn02]. It should answer briefly.")
    repo = two_commits(tmp_path / "b", {"model_spec.md": tagged}, base={"model_spec.md": untagged, **CHALLENGES})
    assert diff(cli, repo) == (
        "notable   clause_added       [^tn03]: clause [^tn03] added: It should answer briefly.  (- -> model_spec.md:15)\n"
    )
    repo = two_commits(tmp_path / "c", {"model_spec.md": SPEC}, base={"model_spec.md": tagged, **CHALLENGES})
    assert diff(cli, repo) == (
        "breaking  clause_removed     [^tn03]: clause [^tn03] removed: It should answer briefly.  (model_spec.md:15 -> -)\n"
    )


@pytest.mark.parametrize(
    "moved",
    [
        {"spectools.yaml": "documents: ['./model_spec.md']\n"},
        {"spectools.yaml": "documents: ['model_spec*.md']\n"},
        {"spectools.yaml": "documents: ['rules.md']\n", "rules.md": REUSED},
    ],
    ids=["dot-slash", "glob", "moved-file"],
)
def test_a_change_cannot_hide_a_reuse_by_spelling_or_moving_its_documents(cli, tmp_path: Path, moved: dict[str, str]) -> None:
    """The retired-id scan reads the history where either side keeps its documents, as the loader spells them: a
    pull request that respells the glob, or moves the spec to another file, is still caught."""
    repo = _retired(tmp_path, "base")
    files = {"model_spec.md": REUSED, **moved}
    if "rules.md" in moved:
        repo.remove("model_spec.md")
        files.pop("model_spec.md")
    repo.commit("reuse", files)
    result = cli("diff", "base", "HEAD", cwd=repo.root)
    assert result.code == 1 and "id_reused          [^tn02]" in result.out, (result.out, result.err)


def test_a_section_gone_with_rules_of_its_own_is_removed_not_merged(cli, tmp_path: Path) -> None:
    """A section whose clauses all moved to one other section was merged into it only when nothing it still said
    binds the model; a rule left untagged in its prose is gone, and that is a breaking removal."""
    safety = section(
        "safety", "Safety", "It must never help build weapons. Never help hide them. Be brief[^tn03].", authority="root"
    )
    base = SPEC + safety
    moved = SPEC.replace("It may joke[^tn02].", "It may joke[^tn02]. Be brief[^tn03].")
    repo = two_commits(tmp_path, {"model_spec.md": moved}, base={"model_spec.md": base, **CHALLENGES})
    out = diff(cli, repo)
    assert "breaking  section_removed    #safety" in out and "merged_into" not in out
