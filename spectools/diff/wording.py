"""Word-level diffs of prose, and whether a change is normative (docs/wording.md has the rule).

Typography is folded before anything is compared: dash spellings (`--`, `---`, en and em dashes),
curly and straight quotes, emphasis markers and white space. An edit of typography alone is no change.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

from spectools.model import CLAUSE_TAG

MODALS = frozenset(
    (
        "must should may might can could shall will would ought need needs require requires required allowed "
        "permitted forbidden prohibited mandatory optional"
    ).split()
)
NEGATIONS = frozenset("not never no none nothing nobody neither nor without".split())
QUANTIFIERS = frozenset("all any every each only except always some sometimes both either even exclusively solely".split())
CONDITIONS = frozenset("if unless when whenever where wherever until before after once provided otherwise".split())
PARTIES = frozenset(
    (
        "root platform system developer developers user users guideline guidelines operator operators third "
        "party parties people person anyone everyone someone human humans child children minor minors adult "
        "adults"
    ).split()
)
NORMATIVE = MODALS | NEGATIONS | QUANTIFIERS | CONDITIONS | PARTIES
LIGHT_VERBS = frozenset("make makes made take takes took have has had get gets got".split())  # carry no meaning alone
# adverbs that stress or connect but do not change who must do what, or when (docs/wording.md)
NEUTRAL = frozenset(
    "also too very really simply indeed actually certainly clearly truly further furthermore additionally moreover "
    "however therefore thus hence still please".split()
)
STOPWORDS = (
    NEUTRAL
    | LIGHT_VERBS
    | frozenset(
        (
            "a an the of to in on for and or but with by at from as that this these those it its is are be been "
            "was were do does did what which who whom their there they them he she his her we our you your i so "
            "than then into about up out over just very more most such"
        ).split()
    )
)
_TAG = re.compile(CLAUSE_TAG)
_LEAD = re.compile(r"[^\w']+")  # matched at the start only; the end is stripped by hand (`[^\w']+$` is quadratic)
_WORDISH = re.compile(r"[\w']")


def _edgeless(word: str) -> str:
    """word without the marks at its ends (what is neither a word character nor an apostrophe), in one pass."""
    lead = _LEAD.match(word)
    start, end = (lead.end() if lead else 0), len(word)
    while end > start and not _WORDISH.match(word, end - 1):
        end -= 1
    return word[start:end]


_DASHES = re.compile(
    r"(?<!\s)\s*(?:---?|\u2014|\s\u2013\s)\s*"
)  # from a run's first space only: linear  # `--`, `---`, an em dash, a spaced en dash
_EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")
_QUOTE_PAIRS = (("\u201c", '"'), ("\u201d", '"'), ("\u201e", '"'), ("\u2018", "'"), ("\u2019", "'"), ("\u2013", "-"))
_NOT = re.compile(r"^(.*?)(?:n't|not)$")


def fold(text: str) -> str:
    """Text with its typography folded: one dash, straight quotes, no emphasis markers. Each step runs only when its
    marks are there (a regex tried at every character, or `translate` on non-ASCII text, costs more than the
    `in` tests that skip it); the result is the same as folding everything always (tests/diff/test_wording.py)."""
    if "--" in text or "\u2014" in text or "\u2013" in text:
        text = _DASHES.sub(" \u2014 ", text)
    if not text.isascii():
        for mark, plain in _QUOTE_PAIRS:
            if mark in text:
                text = text.replace(mark, plain)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub("", text)
    return text


def words(text: str) -> list[str]:
    """The words of text, typography folded and clause tags left out (clauses are compared on their own)."""
    return fold(_TAG.sub("", text) if "[^" in text else text).split()


def normalise(text: str) -> str:
    return " ".join(words(text))


@lru_cache(maxsize=65536)
def lexemes(word: str) -> tuple[str, ...]:
    """A word as the rule reads it: lower case, no edge punctuation or 's, parts of a compound
    (`root-level`), and a contraction or `cannot` as its verb and `not`."""
    w = _edgeless(word.lower())
    out = []
    for part in re.split(r"[-/]", w.removesuffix("'s")):
        if part == "cannot" or part.endswith("n't"):
            stem = {"cannot": "can", "won't": "will", "can't": "can", "shan't": "shall"}.get(part, _NOT.sub(r"\1", part))
            out += [stem, "not"]
        elif part:
            out.append(part)
    return tuple(out)


def _content(ws: list[str]) -> list[str]:
    return [t for w in ws for t in lexemes(w) if t not in STOPWORDS]


def _sentences(ws: list[str]) -> tuple[list[int], list[bool], list[int]]:
    """(sentence number of each word, whether each sentence carries an obligation, the index of each
    sentence's first modal or -1)."""
    number, obliged, first_modal = [], [False], [-1]
    for i, w in enumerate(ws):
        number.append(len(obliged) - 1)
        tokens = lexemes(w)
        if any(t in MODALS or t in NEGATIONS for t in tokens):
            obliged[-1] = True
        if first_modal[-1] < 0 and any(t in MODALS for t in tokens):
            first_modal[-1] = i
        if w.endswith((".", "!", "?", ".)", '."')) and i + 1 < len(ws):
            obliged.append(False)
            first_modal.append(-1)
    return number, obliged, first_modal


def normative_change(a: list[str], b: list[str], ops: list[tuple[str, int, int, int, int]] | None = None) -> bool:
    """Whether the edit from a to b changes what the model must, should or may do, for whom, or when:
    - a word of obligation, negation, quantity, condition or party comes or goes (counted, so that a
      reordered sentence keeps its words);
    - part of a sentence that carries an obligation is added or removed: a content word inserted or
      deleted (a word that only moved cancels out), or a rewording that adds or drops two or more;
    - the subject right before the obligation's modal is replaced by another word (not a spelling fix)."""
    count_a = Counter(t for w in a for t in lexemes(w) if t in NORMATIVE)
    count_b = Counter(t for w in b for t in lexemes(w) if t in NORMATIVE)
    if count_a != count_b:
        return True
    if ops is None:  # the word diff is needed only now (most normative edits are decided above)
        ops = opcodes(a, b)
    return _obligation_edited(a, b, ops)


def _obligation_edited(a: list[str], b: list[str], ops: list[tuple[str, int, int, int, int]]) -> bool:
    """Whether an edit inside a sentence that carries an obligation adds or drops content, or replaces its subject."""
    sa, oa, ma = _sentences(a)
    sb, ob, mb = _sentences(b)
    inserted: Counter[str] = Counter()
    deleted: Counter[str] = Counter()
    for tag, i1, i2, j1, j2 in ops:
        obliged = (oa[sa[min(i1, len(a) - 1)]] if a else False) or (ob[sb[min(j1, len(b) - 1)]] if b else False)
        if tag == "equal" or not obliged:
            continue
        removed, added = _content(a[i1:i2]), _content(b[j1:j2])
        if tag == "insert":
            inserted.update(added)
        elif tag == "delete":
            deleted.update(removed)
        elif abs(len(added) - len(removed)) >= 2 or _new_subject(a, b, (i1, i2, j1, j2), (sa, ma, sb, mb)):
            return True
    return bool((inserted - deleted) or (deleted - inserted))


def _new_subject(a: list[str], b: list[str], span: tuple[int, int, int, int], at: tuple[list[int], ...]) -> bool:
    """A replacement that ends right before the modal of its sentence on both sides, by other words (not a
    spelling fix): the obligation is someone else's."""
    i1, i2, j1, j2 = span
    sa, ma, sb, mb = at
    if i2 < len(a) and i2 == ma[sa[i2]] and j2 < len(b) and j2 == mb[sb[j2]]:
        if max(i2 - i1, j2 - j1) > SPELLING_WORDS:  # no spelling fix rewrites that many words: compared no further
            return True
        old, new = " ".join(a[i1:i2]).lower(), " ".join(b[j1:j2]).lower()
        if max(len(old), len(new)) > SPELLING_CHARS:
            return True
        return SequenceMatcher(None, old, new).ratio() < 0.8  # letter by letter, on at most SPELLING_CHARS each
    return False


SPELLING_WORDS = 6  # a subject replaced by a spelling fix is compared letter by letter, when this short
SPELLING_CHARS = 120
SMALL = 90_000  # a changed stretch up to this many word pairs (300 by 300) is compared word by word
BUDGET = 20  # beyond that, unique-word anchors; at most this many visits per word, then what is left is replaced


Span = tuple[str, int, int, int, int]  # (tag, i1, i2, j1, j2), as SequenceMatcher's opcodes


def opcodes(a: list[str], b: list[str]) -> list[Span]:
    """SequenceMatcher's opcodes for two word lists, in time linear in their length whatever the words.

    The common head and tail are cut off first. A small changed stretch goes to SequenceMatcher (which
    is quadratic, so only small ones). A large one is split at words that occur once in each side, in
    the same order (the longest increasing run of them: patience diff), and each gap is handled the
    same way; a gap with no such word, or once the work budget is spent, is one replacement."""
    spans: list[Span] = []
    budget = BUDGET * (len(a) + len(b) + 1)
    pending = [(0, len(a), 0, len(b))]
    while pending:
        i1, i2, j1, j2 = pending.pop()
        if (i2 - i1) * (j2 - j1) > SMALL:
            i1, i2, j1, j2 = _trim(a, b, i1, i2, j1, j2, spans)
        if i1 == i2 or j1 == j2 or (i2 - i1) * (j2 - j1) <= SMALL:
            spans += _small(a, b, i1, i2, j1, j2)
            continue
        budget -= (i2 - i1) + (j2 - j1)
        anchors = _anchors(a, b, i1, i2, j1, j2) if budget > 0 else []
        if not anchors:
            spans.append(("replace", i1, i2, j1, j2))
            continue
        prev_i, prev_j = i1, j1
        for ai, bj in anchors:
            pending.append((prev_i, ai, prev_j, bj))
            spans.append(("equal", ai, ai + 1, bj, bj + 1))
            prev_i, prev_j = ai + 1, bj + 1
        pending.append((prev_i, i2, prev_j, j2))
    return _joined(spans)


def _small(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[Span]:
    """SequenceMatcher's opcodes for a[i1:i2] and b[j1:j2], in their places."""
    matcher = SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
    return [(tag, i1 + p1, i1 + p2, j1 + q1, j1 + q2) for tag, p1, p2, q1, q2 in matcher.get_opcodes()]


def _trim(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int, spans: list[Span]) -> tuple[int, int, int, int]:
    """The stretch without its common head and tail (added to spans as equal)."""
    start = i1
    while i1 < i2 and j1 < j2 and a[i1] == b[j1]:
        i1, j1 = i1 + 1, j1 + 1
    if i1 > start:
        spans.append(("equal", start, i1, j1 - (i1 - start), j1))
    k = 0
    while i2 - k > i1 and j2 - k > j1 and a[i2 - k - 1] == b[j2 - k - 1]:
        k += 1
    i2, j2 = i2 - k, j2 - k
    if k:
        spans.append(("equal", i2, i2 + k, j2, j2 + k))
    return i1, i2, j1, j2


def _joined(spans: list[Span]) -> list[Span]:
    """The spans in order, empty ones dropped, equal stretches that border each other made one, as SequenceMatcher's."""
    merged: list[Span] = []
    for span in sorted((s for s in spans if s[1] < s[2] or s[3] < s[4]), key=lambda s: (s[1], s[3], s[2], s[4])):
        if merged and merged[-1][0] == span[0] == "equal" and merged[-1][2] == span[1]:
            merged[-1] = ("equal", merged[-1][1], span[2], merged[-1][3], span[4])
        else:
            merged.append(span)
    return merged


def _anchors(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """(i, j) of words that occur once in a[i1:i2] and once in b[j1:j2], the longest run in the same order."""
    from bisect import bisect_left
    from collections import Counter

    ca, cb = Counter(a[i1:i2]), Counter(b[j1:j2])
    where_b = {b[j]: j for j in range(j1, j2) if cb[b[j]] == 1 and ca[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(i1, i2) if a[i] in where_b]
    tails: list[int] = []  # longest increasing subsequence of the j's, with back links
    tail_at: list[int] = []
    back = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k], tail_at[k] = j, n
        back[n] = tail_at[k - 1] if k else -1
    out = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        out.append(pairs[n])
        n = back[n]
    return out[::-1]


def _bare(ws: list[str], aliases: dict[str, str]) -> list[str]:
    """Words as the rule compares them: lexemes joined, punctuation gone (`name.` is `name`), sentence ends kept,
    an authority level's old name read as its new one, a word said twice in a row read once."""
    out: list[str] = []
    for w in ws:
        for t in lexemes(w):
            t = aliases.get(t, t)
            if not out or t != out[-1]:
                out.append(t)
        if w.endswith((".", "!", "?", ".)", '."')):
            out.append(".")  # a sentence end of its own, for _sentences
    return out


_CROSS_REF = re.compile(r"\(\s*(?:see(?:\s+also)?|cf\.?|compare)\b[^()\n]{0,300}\)", re.I)  # "(see also [x](#y))"
_LINK = re.compile(r"!?\[([^\[\]\n]{0,300})\](?:\([^()\s]{0,2000}(?:\s+\"[^\"\n]{0,300}\")?\)|\[[^\[\]\n]{0,300}\])")
_URL = re.compile(r"<?https?://[^\s>]{1,2000}>?")


def plain(text: str) -> str:
    """text as its rules read it: cross-references in parentheses gone, a link read as its text (`[?]` as
    nothing), URLs gone. Bounded patterns: linear in the text."""
    text = _LINK.sub(lambda m: "" if m.group(1).strip() in ("?", "") else m.group(1), text)
    return _URL.sub(" ", _CROSS_REF.sub(" ", text))


def is_normative(
    old: str, new: str, aliases: dict[str, str] | None = None, read: tuple[list[str], list[str]] | None = None
) -> bool:
    """normative_change on the rule's reading of both texts (`plain`), words with their punctuation set aside (so
    `risks.` and `risks and more.` differ by an insertion, not a replacement). read: the words of old and new,
    when the caller has them (used where `plain` changes nothing)."""
    names = aliases or {}
    sides = []
    for n, text in enumerate((old, new)):
        seen = plain(text)
        sides.append(_bare(read[n] if read is not None and seen == text else words(seen), names))
    return normative_change(sides[0], sides[1])


def classify(old: str, new: str, aliases: dict[str, str] | None = None) -> str:
    """ "typography" (no change once typography is folded), "normative" or "editorial"."""
    a, b = words(old), words(new)
    if a == b:
        return "typography"
    return "normative" if is_normative(old, new, aliases, (a, b)) else "editorial"


DiffOp = tuple[str, str]  # ("keep" | "delete" | "insert" | "skip", the words): one run of a word diff
CONTEXT = 6  # words of kept text shown on each side of a change; the rest of a kept run is one "skip"


def word_diff(old: str, new: str, aliases: dict[str, str] | None = None) -> tuple[list[DiffOp], bool]:
    """(the word diff over the changed stretch as runs, normative?). A run is ("keep", words), ("delete",
    words), ("insert", words) or ("skip", "") for kept words left out between changes. The words are data:
    a renderer shows them as it must (render/changes.py), never reads markers back out of them."""
    a, b = words(old), words(new)
    out: list[DiffOp] = []
    ops = opcodes(a, b)
    normative = a != b and is_normative(old, new, aliases, (a, b))
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            kept = a[i1:i2]
            head = kept[:CONTEXT] if n else []
            tail = kept[-CONTEXT:] if n < len(ops) - 1 else []
            if len(kept) <= 2 * CONTEXT:
                out.append(("keep", " ".join(kept)))
                continue
            out += [("keep", " ".join(head))] if head else []
            out.append(("skip", ""))
            out += [("keep", " ".join(tail))] if tail else []
            continue
        if i1 < i2:
            out.append(("delete", " ".join(a[i1:i2])))
        if j1 < j2:
            out.append(("insert", " ".join(b[j1:j2])))
    return out, normative


def similarity(old: str, new: str) -> float:
    """0..1, how alike two texts are word by word."""
    a, b = words(old), words(new)
    if not a and not b:
        return 1.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < 0.85 or m.quick_ratio() < 0.85:
        return m.quick_ratio()
    same = sum(p2 - p1 for tag, p1, p2, _, _ in opcodes(a, b) if tag == "equal")
    return 2.0 * same / (len(a) + len(b))
