"""What each lint rule reads and what it leaves alone, case by case (the documented examples are in
tests/checks/test_lint_docs.py, the corpora in test_lint_corpus.py and test_lint_heldout.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spectools.checks.lint import lint
from spectools.parse.load import load, open_worktree
from tests.conftest import write


def found(tmp_path: Path, text: str, select: set[str] | None = None, files: dict[str, str] | None = None) -> list:
    root = tmp_path / "spec"
    write(root, {"model_spec.md": text, **(files or {})})
    return lint(load(open_worktree(root)), select)


def codes(tmp_path: Path, text: str, select: set[str] | None = None) -> set[str]:
    return {f.diagnostic.code for f in found(tmp_path, text, select)}


SECTION = "## Tone {#tone authority=user}\n\n"


def test_a_sentence_with_several_tags_is_read_once_and_names_them_all(tmp_path: Path) -> None:
    got = found(tmp_path, SECTION + "The assistant should usually greet the user[^aa01][^aa02].\n", {"SPEC610"})
    assert [(f.ids, f.diagnostic.message.split(" uses")[0]) for f in got] == [(("aa01", "aa02"), "clause [^aa01] [^aa02]")]


def test_one_tag_per_obligation_is_not_several_obligations(tmp_path: Path) -> None:
    text = SECTION + "The assistant must greet the user and must thank the user[^aa01][^aa02].\n"
    assert "SPEC615" not in codes(tmp_path, text)
    assert "SPEC615" in codes(tmp_path / "b", text.replace("[^aa01][^aa02]", "[^aa01]"))


@pytest.mark.parametrize(
    "sentence",
    [
        'The assistant must refuse requests like "do some appropriate thing, etc." politely[^aa01].',
        "The assistant must refuse harmful requests (e.g., some appropriate ones) politely[^aa01].",
        "The assistant must refuse harmful requests (as they generally cause harm) politely[^aa01].",
    ],
    ids=["quotation", "e.g. aside", "aside"],
)
def test_quotations_and_asides_are_not_read_for_ambiguity(tmp_path: Path, sentence: str) -> None:
    assert codes(tmp_path, SECTION + sentence + "\n") & {"SPEC610", "SPEC611", "SPEC613"} == set()


@pytest.mark.parametrize(
    ("sentence", "code", "flagged"),
    [
        ("Avoid jargon in every reply[^aa01].", "SPEC620", False),  # the imperative carries its own force
        ("Replies use plain words[^aa01].", "SPEC620", True),
        ("The response should be phrased as a direct answer[^aa01].", "SPEC614", False),  # its output binds the assistant
        ("Refunds must be approved within a day[^aa01].", "SPEC614", True),
        ("When the user asks, they can get a refund and the assistant must say so[^aa01].", "SPEC616", False),
        ("In such cases, it should say so[^aa01].", "SPEC616", True),
        ("The assistant should no longer quote old fares[^aa01].", "SPEC612", False),
        ("The assistant should tell the user that a later sailing could be more comfortable[^aa01].", "SPEC612", False),
        ("The assistant should write shorter replies[^aa01].", "SPEC612", True),
        ("The assistant should offer products, such as the ferry pass, to regulars[^aa01].", "SPEC613", False),
        ("The assistant should offer products such as the ferry pass[^aa01].", "SPEC613", True),
        ("If some readings are allowed and others are not, the assistant must ask[^aa01].", "SPEC610", False),
        ("The assistant must not leave a complaint unanswered[^aa01].", "SPEC617", True),
        ("The assistant must not cancel a booking without the passenger's consent[^aa01].", "SPEC617", False),
        ("The assistant should quote more fares than the passenger asked for[^aa01].", "SPEC612", False),
        ("The assistant should ask for more details[^aa01].", "SPEC612", False),
        ("Refunds to passengers are prohibited[^aa01].", "SPEC620", False),  # the passive form carries force
        ("The assistant should convey that help is near, advising that a doctor should be called[^aa01].", "SPEC615", False),
        ("The assistant should convey that help is near and should call a doctor[^aa01].", "SPEC615", True),
        ("Passengers should not be misled about delays[^aa01].", "SPEC614", True),
        ("It is important that the assistant greets the passenger[^aa01].", "SPEC616", False),
    ],
)
def test_each_rule_reads_what_it_should(tmp_path: Path, sentence: str, code: str, flagged: bool) -> None:
    assert (code in codes(tmp_path, SECTION + sentence + "\n", {code})) is flagged


def test_several_obligations_under_one_modal_are_found_through_the_specs_own_verbs(tmp_path: Path) -> None:
    text = SECTION + (
        "The assistant must check the manifest[^aa01]. The assistant must email the receipt[^aa02].\n"
        "The assistant must check the manifest, email the passenger a receipt and close the ticket[^aa03].\n"
        "The assistant must list the date, the time and the price[^aa04].\n"
    )
    assert [f.ids for f in found(tmp_path, text, {"SPEC615"})] == [("aa03",)]


def test_a_platform_section_that_only_says_should_is_a_notice(tmp_path: Path) -> None:
    """Authority aliases apply: `platform` is the default ladder's `root`."""
    got = found(tmp_path, "## Safety {#safety authority=platform}\n\nThe assistant should stop when asked[^aa01].\n")
    assert [(f.diagnostic.code, f.diagnostic.severity) for f in got] == [("SPEC621", "info")]
    assert "has root authority, but its clause ([^aa01]) says 'should'" in got[0].diagnostic.message


def test_a_term_sent_to_a_section_that_never_mentions_it(tmp_path: Path) -> None:
    text = (
        "## Cabins {#cabins authority=user}\n\nThe assistant must honour the quiet hours[^aa01].\n\n"
        "## Dogs {#dogs authority=user}\n\nThe assistant must keep dogs on deck four[^aa02].\n\n"
        '## Noise {#noise authority=user}\n\nUnder the "quiet hours" ([?](#dogs)) the assistant must whisper[^aa03].\n'
        "Under the **quiet hours** (see [?](#cabins)) the assistant must whisper[^aa04].\n"
    )
    got = found(tmp_path, text, {"SPEC631"})
    assert [(f.diagnostic.location.line, f.diagnostic.location.col, f.words) for f in got] == [(11, 11, ("quiet hours",))]
    assert "#dogs ('Dogs') for its meaning" in got[0].diagnostic.message


def test_defined_terms_come_from_titles_bold_links_glossaries_and_config(tmp_path: Path) -> None:
    text = (
        "# Ferry spec {#ferry}\n\nThe Harbor Pass is the season ticket.\n\n"
        "## Definitions {#definitions}\n\nA Quiet Deck is the upper deck.\n\n"
        "## Boarding Zones {#zones authority=user}\n\nThe **Blue Gate** opens first. The [Red Gate](#zones) opens last.\n\n"
        "## Tone {#tone authority=user}\n\n"
        "The assistant must name the Harbor Pass, the Quiet Deck, the Boarding Zones, the Blue Gate and the Red Gate[^aa01].\n"
        "The assistant must follow the Port Rules[^aa02].\n"
    )
    got = found(tmp_path, text, {"SPEC630"})
    assert [(f.ids, f.words) for f in got] == [(("aa02",), ("Port Rules",))]
    root = tmp_path / "configured"
    write(root, {"model_spec.md": text, "spectools.yaml": "lint:\n  terms: [port rules]\n"})
    assert lint(load(open_worktree(root)), {"SPEC630"}) == []


def test_a_conflict_between_levels_that_the_lower_does_not_yield_is_a_warning_naming_both(tmp_path: Path) -> None:
    text = (
        "## Safety {#safety authority=root}\n\nThe assistant must never share a passenger's cabin number[^aa01].\n\n"
        "## Crew {#crew authority=developer}\n\nThe assistant must share a passenger's cabin number with the crew[^aa02].\n"
    )
    (f,) = found(tmp_path, text, {"SPEC640", "SPEC641"})
    assert (f.diagnostic.code, f.ids, f.other) == ("SPEC640", ("aa01",), ("aa02",))
    assert "[^aa01] (root) outranks [^aa02] (developer), which does not say it yields" in f.diagnostic.message
    yielding = text.replace("with the crew[^aa02]", "with the crew unless the passenger objects[^aa02]")
    (g,) = found(tmp_path / "b", yielding, {"SPEC640", "SPEC641"})
    assert g.diagnostic.code == "SPEC641" and "[^aa01] (root) wins" in g.diagnostic.message


def test_should_avoid_forbids_and_must_not_refuse_obliges(tmp_path: Path) -> None:
    text = SECTION + (
        "The assistant should avoid sharing the cabin number of a passenger[^aa01].\n"
        "The assistant must share the cabin number of a passenger with the purser[^aa02].\n"
        "The assistant must not refuse to share the deck plan of the ship[^aa03].\n"
        "The assistant should share the deck plan of the ship[^aa04].\n"
    )
    pairs = [(f.ids, f.other) for f in found(tmp_path, text, {"SPEC640"})]
    assert pairs == [(("aa01",), ("aa02",))]


def test_a_hint_is_given_only_where_no_labelled_answer_touches_the_words(tmp_path: Path) -> None:
    text = SECTION + "The assistant should usually greet the user[^aa01].\n"
    challenge = (
        "Examples for [^aa01] in Tone:\n\n**Example**: a greeting\n\n```xml\n<user>\nhi\n</user>\n<comparison>\n"
        "<assistant> <!-- GOOD: greets, as it usually should -->\nHello!\n</assistant>\n</comparison>\n```\n"
    )
    assert "SPEC650" in codes(tmp_path, text)
    touched = found(tmp_path / "b", text, None, {"examples/aa01.md": challenge})
    assert "SPEC650" not in {f.diagnostic.code for f in touched} and "SPEC610" in {f.diagnostic.code for f in touched}


def test_suppression_is_per_clause_per_section_and_at_either_side_of_a_conflict(tmp_path: Path) -> None:
    text = (
        "## Safety {#safety authority=root}\n\nThe assistant should stop[^aa01].\n\n<!-- spectools: allow SPEC621 -->\n\n"
        "## Other {#other authority=root}\n\nThe assistant should usually go[^aa02]. The assistant should often wait[^aa03]. "
        "<!-- spectools: allow SPEC610 -->\n\n"
        "## Tone {#tone authority=user}\n\n<!-- spectools: allow SPEC640 -->\n"
        "The assistant must not use exclamation marks[^aa04].\n\n"
        "The assistant must always use exclamation marks in greetings[^aa05].\n"
    )
    got = [(f.diagnostic.code, f.ids) for f in found(tmp_path, text, {"SPEC610", "SPEC621", "SPEC640"})]
    assert got == [("SPEC621", ()), ("SPEC610", ("aa02",))]  # Other's notice; aa03's word allowed; the conflict allowed
    elsewhere = text.replace("<!-- spectools: allow SPEC640 -->\n", "").replace(
        "in greetings[^aa05].", "in greetings[^aa05]. <!-- spectools: allow SPEC640 -->"
    )
    got = [f.diagnostic.code for f in found(tmp_path / "b", elsewhere, {"SPEC640"})]
    assert got == ["SPEC640"]  # the clause that brings a conflict cannot silence it


def test_an_allow_comment_that_names_no_lint_code_is_reported(tmp_path: Path) -> None:
    text = SECTION + "The assistant should usually greet[^aa01]. <!-- spectools: allow SPEC6100, SPEC102 -->\n"
    got = [(f.diagnostic.code, f.diagnostic.location.line) for f in found(tmp_path, text, {"SPEC651"})]
    assert got == [("SPEC651", 3), ("SPEC651", 3)]


def test_spectools_yaml_can_change_every_word_list_and_only_those() -> None:
    import json

    import yaml

    from tests.conftest import ROOT

    lists = yaml.safe_load((ROOT / "spectools" / "checks" / "lint" / "words.yaml").read_text(encoding="utf-8"))
    config = json.loads((ROOT / "schema" / "config.schema.json").read_text(encoding="utf-8"))
    assert set(config["properties"]["lint"]["properties"]["words"]["properties"]) == set(lists)
