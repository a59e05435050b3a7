"""Issue 11 (4): normative vs editorial by meaning, measured on a labelled corpus of wording edits
(tests/data/wording/edits.yaml, written for these tests). Target: at least 95% right, on the whole corpus
and on the part held out from tuning the rule."""

from __future__ import annotations

import yaml

from spectools.diff.wording import classify, word_diff
from spectools.sources.config import Config
from tests.conftest import DATA

CORPUS = yaml.safe_load((DATA / "wording" / "edits.yaml").read_text(encoding="utf-8"))


ALIASES = Config().aliases  # the built-in ones: platform is root's old name


def _accuracy(edits: list[dict[str, str]]) -> tuple[float, list[str]]:
    misses = [
        f"{e['label']} read as {got}: {e['old']!r} -> {e['new']!r}"
        for e in edits
        if (got := classify(e["old"], e["new"], ALIASES)) != e["label"]
    ]
    return 1 - len(misses) / len(edits), misses


def accuracy_by_category() -> dict[str, tuple[int, float]]:
    """{category: (edits, accuracy)} for each label and each issue-18 category, and "all" (docs/wording.md)."""
    groups: dict[str, list[dict[str, str]]] = {"all": CORPUS}
    for e in CORPUS:
        groups.setdefault(e["label"], []).append(e)
        if "category" in e:
            groups.setdefault(e["category"], []).append(e)
    return {name: (len(edits), _accuracy(edits)[0]) for name, edits in groups.items()}


def test_accuracy_is_at_least_98_percent_in_every_category() -> None:
    """Issue 18 (2): links, link targets, cross-references, alias spellings, case-only and repeated-word fixes and
    adverbs that do not change scope are editorial; the same looks with a real change stay normative."""
    table = accuracy_by_category()
    assert {"link", "cross-reference", "alias", "case", "repeated-word", "adverb"} <= set(table)
    low = {name: row for name, row in table.items() if row[1] < 0.98}
    assert not low, (low, _accuracy(CORPUS)[1])


def test_the_corpus_is_large_and_mixed() -> None:
    labels = [e["label"] for e in CORPUS]
    assert len(CORPUS) >= 60 and {labels.count(k) >= 10 for k in ("normative", "editorial", "typography")} == {True}


def test_accuracy_on_the_whole_corpus() -> None:
    accuracy, misses = _accuracy(CORPUS)
    assert accuracy >= 0.95, misses


def test_accuracy_on_the_held_out_part() -> None:
    accuracy, misses = _accuracy([e for e in CORPUS if e.get("set") == "held-out"])
    assert accuracy >= 0.95, misses


def test_typography_alone_is_no_change_and_the_word_diff_shows_the_real_words() -> None:
    assert classify("It must not lie -- ever.", "It must not lie — ever.") == "typography"
    ops, normative = word_diff("Refusals should never be preachy.", "In all cases, responses should never be preachy.")
    assert normative and ops == [
        ("delete", "Refusals"),
        ("insert", "In all cases, responses"),
        ("keep", "should never be preachy."),
    ]


def test_the_linear_word_diff_is_a_valid_edit_script_and_sequence_matchers_on_small_input() -> None:
    """opcodes: SequenceMatcher's own answer on small input; on large input (forced here by a small SMALL),
    still an edit script that turns a into b, whatever the words."""
    from difflib import SequenceMatcher

    from hypothesis import given, settings
    from hypothesis import strategies as st

    import spectools.diff.wording as wording

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.sampled_from("abcdefgh"), max_size=60),
        st.lists(st.sampled_from("abcdefghxy"), max_size=60),
        st.sampled_from([0, 4, 90_000]),
    )
    def check(a: list[str], b: list[str], small: int) -> None:
        old, wording.SMALL = wording.SMALL, small
        try:
            ops = wording.opcodes(a, b)
        finally:
            wording.SMALL = old
        i = j = 0
        rebuilt: list[str] = []
        for tag, i1, i2, j1, j2 in ops:
            assert (i1, j1) == (i, j) and (tag != "equal" or a[i1:i2] == b[j1:j2])
            rebuilt += b[j1:j2]
            i, j = i2, j2
        assert (i, j) == (len(a), len(b)) and rebuilt == b
        if small == 90_000:
            assert ops == SequenceMatcher(None, a, b, autojunk=False).get_opcodes()

    check()


def _reference_fold(text: str) -> str:
    """The typography fold as it was before issue 20 made it skip what is not there: every step, always."""
    import re

    dashes = re.compile(r"(?<!\s)\s*(?:---?|\u2014|\s\u2013\s)\s*")
    emphasis = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")
    quotes = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u2013": "-"})
    return emphasis.sub("", dashes.sub(" \u2014 ", text).translate(quotes))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = [*"ab _*-'\"\t\n", "--", "---", "\u2014", "\u2013", " \u2013 ", "\u2018", "\u2019", "\u201c", "\u201d",
           "\u201e", "\u00e9", "\u2028", "\x1c", "\u3000", "[^ab12]"]  # fmt: skip
_TYPOGRAPHIC = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=_TYPOGRAPHIC)
def test_the_fast_fold_is_the_old_fold_on_random_text(text: str) -> None:
    import re

    from spectools.diff.wording import fold, words

    assert fold(text) == _reference_fold(text)
    assert words(text) == re.compile(r"\S+").findall(_reference_fold(re.compile(r"\[\^([^\]\s]+)\]").sub("", text)))
