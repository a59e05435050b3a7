"""Class "The linter's input" (docs/SECURITY.md, 11): spec text, spectools.yaml's word lists and a model's replies are
data to `spectools lint`. Generated hostile clauses never crash it; its conflict index looks at a number of pairs
that grows with the spec, never with its square (work counted, not timed); word lists match literally, whatever
characters they hold; a model's reply is read into one short printable line or not at all."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.checks.lint import lexicon, lint, units
from spectools.checks.lint.conflicts import POSTINGS_CAP, RAREST, conflicts
from spectools.eval.advice import REASON_CHARS, WORDING_CHARS, parse
from spectools.model import Spec
from spectools.parse.files import parse_document
from spectools.parse.load import load, open_worktree
from tests.conftest import write

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PIECES = st.sampled_from([
    "\u201c", "\u201d", '"', "(", ")", "(e.g. ", "<!--", "-->", "`", "](#x)", "[", "]", "[?](#a)", "**", "*", "must",
    "must not", "never", "should", "always", "may", "It ", "This includes", "etc.", "such as", "not without",
    "The Big Term", "unless", " ", ", ", "a", "share", "seat", "\u2028", "\x1b[31m", "::error::x", "##[group]",
    "don't", "can't", "'s", "-", "\u00e9", "0", "some", "appropriate", "more", "be", "required",
])  # fmt: skip
CLAUSE_TEXT = st.lists(PIECES, max_size=40).map("".join)


@SETTINGS
@given(texts=st.lists(CLAUSE_TEXT, min_size=1, max_size=6))
def test_any_clause_text_is_linted_without_a_crash(texts: list[str]) -> None:
    body = "".join(f"{t.replace(chr(10), ' ')} end[^c{n:03d}].\n\n" for n, t in enumerate(texts))
    doc = parse_document("model_spec.md", "## A {#a authority=user}\n\n" + body + "## B {#b authority=root}\n\n" + body)

    class Loaded:  # what lint reads of a loaded repository
        spec = Spec((doc,), ())

        class config:
            lint: dict = {}
            checks: dict = {}
            levels = ("root", "system", "developer", "user", "guideline")
            aliases: dict = {}
            max_file_bytes = 1 << 20

        class source:
            @staticmethod
            def read(path: str, limit: int) -> bytes:
                raise OSError

    for f in lint(Loaded()):
        assert "\n" not in f.diagnostic.message and f.diagnostic.code.startswith("SPEC6")


def _shape(n: int) -> list:
    """n clauses that all speak of one action with alternating force, each pair with a word of its own."""
    text = "## S {#s authority=user}\n\n" + "".join(
        f"The assistant must {'never ' if k % 2 else ''}share the seat number of passenger p{k // 2}x in cabin c{k // 2}y"
        f"[^{k:04d}].\n"
        for k in range(n)
    )
    lex = lexicon({})
    return units(Spec((parse_document("model_spec.md", text),), ()), lex)


def test_the_conflict_index_looks_at_a_number_of_pairs_linear_in_the_spec() -> None:
    lex = lexicon({})
    small, large = [], []
    found_small = conflicts(_shape(400), lex, small)
    found_large = conflicts(_shape(1600), lex, large)
    assert len(found_small) == 200 and len(found_large) == 800  # every planted pair is found, once
    assert sum(large) <= 4.5 * sum(small)  # 4x the clauses: about 4x the pairs, never 16x
    assert max(large) <= POSTINGS_CAP * RAREST


PHRASE = st.text(st.sampled_from("ab.*+?()[]{}|^$\\ -'"), min_size=1, max_size=12).filter(lambda w: any(c in w for c in "ab"))


@SETTINGS
@given(words=st.lists(PHRASE, min_size=1, max_size=30))
def test_word_lists_from_spectools_yaml_match_literally(words: list[str], tmp_path_factory) -> None:
    root = tmp_path_factory.mktemp("spec")
    config = "lint:\n  words:\n    vague:\n      add: " + json.dumps(words) + "\n"
    write(
        root, {"model_spec.md": "## A {#a authority=user}\n\nThe assistant must ab the axb[^aa01].\n", "spectools.yaml": config}
    )
    loaded = load(open_worktree(root))
    flagged = {w for f in lint(loaded, {"SPEC610"}) for w in f.words}
    assert flagged <= {"ab", "the", "axb", "ab the", "the axb", "ab the axb", "must ab", "must"}
    assert ("axb" in flagged) <= any(w.strip().lower() == "axb" for w in words)  # "a.b" never matches "axb"


@settings(max_examples=200, deadline=None)
@given(reply=st.one_of(
    st.text(max_size=3000),
    st.builds(lambda v, r, w: json.dumps({"verdict": v, "reason": r, "wording": w}),
              st.sampled_from(["confirm", "dismiss", "DELETE", ""]), st.text(max_size=2000), st.text(max_size=2000)),
))  # fmt: skip
def test_a_models_reply_is_one_short_printable_line_or_nothing(reply: str) -> None:
    advice = parse(reply)
    if advice is not None:
        assert advice.verdict in ("confirm", "dismiss")
        assert len(advice.reason) <= REASON_CHARS and len(advice.wording) <= WORDING_CHARS
        assert all(ch.isprintable() for ch in advice.reason + advice.wording)


COMMENT = st.sampled_from(["<!-- spectools: allow SPEC610 -->", "<!-- spectools: allow SPEC640, SPEC621 -->",
                           "<!-- spectools: allow -->", "<!-- spectools: allow SPEC999 -->", "<!-- spectools: allow"])  # fmt: skip
LINES = st.sampled_from([
    "The assistant should usually greet[^aa01].", "The assistant must never share the cabin number[^aa02].",
    "The assistant must always share the cabin number[^aa03].", "", "## More {#more authority=root}", "Plain prose.",
])  # fmt: skip


@SETTINGS
@given(lines=st.lists(st.one_of(LINES, COMMENT, st.tuples(LINES, COMMENT).map(" ".join)), max_size=12))
def test_an_allow_comment_only_ever_takes_its_own_codes_away(lines: list[str], tmp_path_factory) -> None:
    """Wherever allow comments go (and however broken), the findings with them are the findings without them, less
    some of the codes they name, plus SPEC651 for a code that is no lint check."""
    body = "## Safety {#safety authority=root}\n\n" + "\n".join(lines) + "\n"
    plain = body.replace("spectools: allow", "spectools: other")  # the same markdown, with comments that allow nothing
    with_them = {(f.diagnostic.code, f.ids, f.other) for f in found_in(tmp_path_factory.mktemp("a"), body)}
    without = {(f.diagnostic.code, f.ids, f.other) for f in found_in(tmp_path_factory.mktemp("b"), plain)}
    assert {f for f in with_them if f[0] != "SPEC651"} <= without
    named = {"SPEC610", "SPEC640", "SPEC621"}
    assert {f[0] for f in without - with_them} <= named | {"SPEC650"}  # a hint goes with what it was about


def found_in(root, text: str) -> list:
    write(root, {"model_spec.md": text})
    return lint(load(open_worktree(root)))


def test_a_line_of_allows_with_no_comment_is_read_once_and_allows_nothing() -> None:
    from spectools.checks.lint.allow import _comments

    assert _comments("spectools: allow SPEC610 " * 30000) == []  # no `<!--`: not a comment (one find, not 30,000)
    assert _comments("<!-- spectools: allow SPEC610 " * 30000) == []  # never closed: nothing (one find for `-->`)
    assert _comments("x <!-- spectools: allow SPEC610, SPEC640 --> y") == [(2, ["SPEC610", "SPEC640"])]


def test_five_thousand_phrases_on_one_first_word_cost_one_probe_per_length() -> None:
    from spectools.checks.lint.text import Phrases

    phrases = Phrases([f"must q{n}" for n in range(5000)] + ["must"])
    assert phrases.lengths["must"] == [2, 1]  # two probes for any "must", whatever the lists hold
    assert phrases.at(["must", "q4999"], 0) == 2 and phrases.at(["must", "go"], 0) == 1


def test_an_allow_reaches_neither_a_table_row_nor_the_next_list_item_nor_across_a_heading(tmp_path_factory) -> None:
    text = (
        "## Tone {#tone authority=user}\n\n| a | spectools: allow SPEC610 |\n|---|---|\n\n"
        "- <!-- spectools: allow SPEC610 -->\n- The assistant should usually greet[^aa01].\n\n"
        "<!-- spectools: allow SPEC610 -->\n## Refunds {#refunds authority=user}\nThe assistant should often refund[^aa02].\n"
    )
    got = sorted(f.ids for f in found_in(tmp_path_factory.mktemp("t"), text) if f.diagnostic.code == "SPEC610")
    assert got == [("aa01",), ("aa02",)]
