"""Issue 18 (1): a synthetic release of 100+ changes whose highlights are the six changes the ranking rules
(docs/highlights.md) say they must be, in their order, among link fixes, case fixes, adverbs, examples added and
small rewordings of low authority that must not be."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import check_changelog_json
from tests.gitrepo import GitRepo, section

LEVELS = ["root", "system", "developer", "user", "guideline"]
EXAMPLE = (
    "**Example**: case {n}\n\n~~~xml\n<user>\nQuestion {n}?\n</user>\n<comparison>\n<assistant> <!-- GOOD -->\n"
    "Answer {n}.\n</assistant>\n</comparison>\n~~~\n\n"
)


def _spec(bodies: dict[str, tuple[str, str, str]]) -> str:
    return "".join(section(anchor, title, text, authority=level) for anchor, (title, level, text) in bodies.items())


def _release(tmp_path: Path) -> GitRepo:
    base = {
        f"s{n:02}": (f"Rule {n}", LEVELS[n % 5], f"The assistant should follow [rule {n}](https://example.org/r/{n}) with care.")
        for n in range(60)
    }
    base["s00"] = ("Keep secrets", "root", "The assistant must keep operator secrets[^ks01].")
    base["s05"] = ("Refuse weapons", "root", "The assistant must refuse to design weapons[^rw01].")
    base["s10"] = ("Stay lawful", "root", "The assistant must follow the law[^sl01]. It must not threaten anyone[^sl02].")
    base["s01"] = ("Follow the system", "system", "The assistant should follow system messages[^fs01].")
    base["s02"] = ("Serve developers", "developer", "The assistant should answer in the developer's format[^sd01].")
    repo = GitRepo(tmp_path / "spec")
    repo.commit("v1", {"model_spec.md": _spec(base)})
    repo.tag("v1")
    new = dict(base)
    for n in range(60):
        title, level, text = base[f"s{n:02}"]
        if "[^" in text:
            continue
        if level in ("user", "guideline", "developer", "system"):  # 40 link fixes, case fixes and adverbs
            text = text.replace("https://example.org/r/", "https://example.org/rules/").replace("with care", "also with care")
        if level == "guideline":  # 10 small normative rewordings at the lowest level, each with an example added
            text = text.replace("with care", "with care and patience") + "\n\n" + EXAMPLE.format(n=n)
        if level == "user":  # 10 clauses added at user level
            text += f" It should thank the user{n}[^u{n:03}]."
        if level == "root":  # examples added at root, nothing else
            text += "\n\n" + EXAMPLE.format(n=n)
        if level in ("developer", "guideline"):  # retitled
            title = f"Rule number {n}"
        new[f"s{n:02}"] = (title, level, text)
    new["s00"] = ("Keep secrets", "root", "The assistant should keep operator secrets[^ks01].")  # modal weakened
    new["s05"] = ("Refuse weapons", "root", "The assistant must refuse to design weapons unless they are for a museum[^rw01].")
    new["s10"] = ("Stay lawful", "root", "The assistant must follow the law[^sl01].")  # a root clause removed
    new["s01"] = ("Follow the system", "developer", base["s01"][2])  # demoted from system
    new["s02"] = ("Serve developers", "developer", "The assistant should answer in the developer's or the user's format[^sd01].")
    new["young"] = ("Protect minors", "root", "The assistant must not flirt with minors[^pm01].")  # a root section added
    repo.commit("v2", {"model_spec.md": _spec(new)})
    repo.tag("v2")
    return repo


def test_a_release_of_100_changes_highlights_what_the_rules_say(cli, tmp_path: Path) -> None:
    repo = _release(tmp_path)
    doc = json.loads(cli("changelog", "v2", "--format", "json", cwd=repo.root).out)
    check_changelog_json(doc)
    (release,) = doc["releases"]
    assert len(release["changes"]) >= 100
    assert [(h["subject"], h["score"]) for h in release["highlights"]] == [
        ("young", 18.0),  # a section added at root: 6 x3
        ("s00", 15.0),  # root: normative wording (2) + must -> should (3); x3
        ("s05", 15.0),  # root: normative wording (2) + an exception (3); x3 (a tie: in the notes' order)
        ("s01", 12.5),  # demoted from system: 5 x2.5
        ("s10", 12.0),  # a root clause removed: 4 x3
        ("s02", 8.0),  # developer: normative wording (2) + a party (2); x2
    ]
    kinds = {c["kind"] for c in release["changes"]}
    assert {"section_reworded", "example_added", "clause_added"} <= kinds
    editorial = [c for c in release["changes"] if c["details"].get("normative") is False]
    assert len(editorial) >= 30  # the link, case and adverb edits: editorial, and none of them a highlight
    highlighted = {f for h in release["highlights"] for f in h["changes"]}
    assert not highlighted & {c["fingerprint"] for c in editorial}
    notes = cli("changelog", "v2", cwd=repo.root).out
    top = notes.split("### Highlights\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert top[0] == "- [Protect minors](model_spec.md#young) (root): new section with 1 clause"
    assert top[3] == "- **breaking**: [Follow the system](model_spec.md#s01) (developer): authority system → developer (demoted)"
    assert len(top) == 6  # a guideline rewording with its example and retitle scores 2 + 0.25 + 1: below 4


def test_the_example_in_the_docs_is_what_spectools_prints(cli, tmp_path: Path) -> None:
    """docs/highlights.md shows the highlights of a release that adds a root section, weakens a modal in a root rule
    and fixes links in twenty guideline sections; this is that release."""
    docs = (Path(__file__).parents[2] / "docs" / "highlights.md").read_text(encoding="utf-8")
    shown = docs.split("```text\n", 1)[1].split("```", 1)[0]
    links = {f"g{n:02}": (f"Style {n}", "guideline", f"Use [the guide](https://example.org/g/{n}) for lists.") for n in range(20)}
    base = {"keep_secrets": ("Keep secrets", "root", "The assistant must keep operator secrets[^ks01]."), **links}
    repo = GitRepo(tmp_path / "spec")
    repo.commit("v1", {"model_spec.md": _spec(base)})
    repo.tag("v1")
    new = {k: (t, lv, x.replace("/g/", "/guide/")) for k, (t, lv, x) in base.items()}
    new["keep_secrets"] = ("Keep secrets", "root", "The assistant should keep operator secrets[^ks01].")
    young = "The assistant must not flirt with minors[^py01]. It should suggest a trusted adult[^py02]."
    new = {"protect_younger_users": ("Protect younger users", "root", young), **new}
    repo.commit("v2", {"model_spec.md": _spec(new)})
    repo.tag("v2")
    notes = cli("changelog", "v2", cwd=repo.root).out
    assert "### Highlights\n\n" + notes.split("### Highlights\n\n", 1)[1].split("\n\n", 1)[0] + "\n" == shown
    doc = json.loads(cli("changelog", "v2", "--format", "json", cwd=repo.root).out)
    second = doc["releases"][0]["highlights"][1]
    assert f'"score": {second["score"]}' in docs and json.dumps(second["reasons"], ensure_ascii=False) in docs


def test_one_change_across_sections_is_one_highlight_and_wording_artifacts_score_nothing(cli, tmp_path: Path) -> None:
    """Three sections demoted from root to system are one highlight that links the others; a new part is one
    highlight with its new sections; "should" -> "cannot" is a prohibition, not a weaker modal; a long rewording
    that changes no rule word is quoted, and its volume alone adds nothing; in a tie a section added comes first."""
    base = {f"r{n}": (f"Root rule {n}", "root", f"The assistant must keep rule {n} in mind.") for n in range(3)}
    base["ask"] = ("Ask first", "root", "The assistant should ask before it books a trip.")
    base["long"] = ("Long", "user", "The assistant should write " + " ".join(f"w{i}" for i in range(40)) + ".")
    repo = GitRepo(tmp_path / "spec")
    repo.commit("v1", {"model_spec.md": _spec(base)})
    repo.tag("v1")
    new = {k: (t, "system" if k.startswith("r") else lv, x) for k, (t, lv, x) in base.items()}
    new["ask"] = ("Ask first", "root", "The assistant cannot book a trip before it asks.")
    new["long"] = ("Long", "user", "The assistant should write " + " ".join(f"v{i}" for i in range(40)) + ".")
    teen = section("teens", "Teens", "Parts for teens.", level=1, authority="root")
    teen += section("teen_chat", "Teen chat", "The assistant must not flirt with teens.", level=2, authority="root")
    repo.commit("v2", {"model_spec.md": _spec(new) + teen})
    repo.tag("v2")
    doc = json.loads(cli("changelog", "v2", "--format", "json", cwd=repo.root).out)
    hl = {h["subject"]: h for h in doc["releases"][0]["highlights"]}
    assert hl["r0"]["summary"] == "3 sections: authority root → system (demoted)" and len(hl["r0"]["changes"]) == 3
    assert "r1" not in hl and "r2" not in hl
    assert hl["teens"]["summary"] == "new section" and len(hl["teens"]["changes"]) == 2 and "teen_chat" not in hl
    assert not any("modal" in r for r in hl["ask"]["reasons"])  # should -> cannot: a negation added, no modal shift
    assert "long" not in hl  # 2 points x1.5: the 80 words moved add nothing alone
    notes = cli("changelog", "v2", cwd=repo.root).out
    top = notes.split("### Highlights\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert top[0].startswith("- **breaking**: [Root rule 0](model_spec.md#r0) (system): 3 sections: authority root")
    assert "(also [Root rule 1](model_spec.md#r1), [Root rule 2](model_spec.md#r2))" in top[0]
    assert top[1].startswith("- [Teens](model_spec.md#teens) (root): new section (also [Teen chat](model_spec.md#teen_chat))")
    long_entry = cli("diff", "v1", "v2", "--format", "json", cwd=repo.root).out
    assert '"normative": true' in long_entry
    from spectools.diff.highlights import _excerpt

    assert _excerpt([("keep", "a"), ("delete", "explicitly"), ("insert", "x")]) == ": “explicitly” removed"
