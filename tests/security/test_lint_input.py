"""Class "The linter's input" (docs/SECURITY.md, 11): spec text, spectools.yaml's word lists and a model's replies are
data to `spectools lint`. Generated hostile clauses never crash it; its conflict index looks at a number of pairs
that grows with the spec, never with its square (work counted, not timed); word lists match literally, whatever
characters they hold; a model's reply is read into one short printable line or not at all."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.checks.lint import lexicon, lint, units
from spectools.checks.lint.conflicts import POSTINGS_CAP, conflicts
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
        f"The assistant must {'never ' if k % 2 else ''}share the seat number of passenger p{k // 2}x[^{k:04d}].\n"
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
    words_per_action = 8
    assert max(large) <= POSTINGS_CAP * words_per_action


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
