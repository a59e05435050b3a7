"""A clause's sentence as lint reads it: markup taken off, words lower-cased with contractions opened, the stretches
that only illustrate (quotations, "(e.g. ...)" asides) masked, and the spec's words of force found.

Everything here is linear in the sentence: phrases are found by their first word in a dict, never by a pattern built
from data, so a repository's word lists cannot make a run slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")
_OPEN = {'"': '"', "\u201c": "\u201d"}
_OPENER = re.compile('["\u201c(]')
_ASIDE = ("e.g", "for example", "for instance", "such as")  # a parenthesis opening on these illustrates ("i.e." restates)
_CONTRACTED = {"can't": ("can", "not"), "won't": ("will", "not"), "shan't": ("shall", "not"), "cannot": ("can", "not")}


def _cut(text: str, start: str, stop: str) -> str:
    """text without each stretch from `start` to the next `stop` (to the end when none closes it), in one pass."""
    out, pos = [], 0
    while (i := text.find(start, pos)) >= 0:
        out.append(text[pos:i])
        j = text.find(stop, i + len(start))
        if j < 0:
            return " ".join(out)
        out.append(" ")
        pos = j + len(stop)
    out.append(text[pos:])
    return "".join(out)


def _unlink(text: str) -> str:
    """Links to sections as their text; `[?](#x)` (a title a renderer fills in) as nothing. One pass."""
    out, pos = [], 0
    while (j := text.find("](#", pos)) >= 0:
        i = text.rfind("[", pos, j)
        close = text.find(")", j)
        if close < 0:
            break
        if i < 0:
            out.append(text[pos : close + 1])
        else:
            label = text[i + 1 : j]
            out.append(text[pos:i] + ("" if label == "?" else label))
        pos = close + 1
    out.append(text[pos:])
    return "".join(out)


def clean(text: str) -> str:
    """The sentence as a reader sees it: no comments, links as their text ("?" links dropped), no code, no emphasis."""
    text = _cut(_cut(text, "<!--", "-->"), "`", "`")
    return _unlink(text).replace("**", "").replace("*", "")


class Token(NamedTuple):
    word: str  # lower-cased, contractions opened
    raw: str  # as written
    masked: bool  # inside a quotation or an illustrating aside
    at: int = 0  # offset in the cleaned sentence (the two tokens of "shouldn't" share it)


def masks(text: str) -> list[tuple[int, int]]:
    """Spans of quotations and of parentheses that open on an illustration, in one pass."""
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()  # closers that no longer occur: never searched for again (linear)
    i = 0
    while (m := _OPENER.search(text, i)) is not None:
        i = m.start()
        ch = m.group(0)
        close = _OPEN.get(ch, ")")
        if close not in unclosed and (ch != "(" or text[i + 1 : i + 20].lower().startswith(_ASIDE)):
            end = text.find(close, i + 1)
            if end < 0:
                unclosed.add(close)
            else:
                spans.append((i, end + 1))
                i = end
        i += 1
    return spans


def tokens(text: str) -> list[Token]:
    """The words of a cleaned sentence, in order."""
    spans = masks(text)
    out: list[Token] = []
    k = 0
    for m in _WORD.finditer(text):
        while k < len(spans) and spans[k][1] <= m.start():
            k += 1
        masked = k < len(spans) and spans[k][0] <= m.start()
        raw = m.group(0).rstrip("-'\u2019")
        word = raw.lower().replace("\u2019", "'")
        if word.endswith("'s"):
            word = word[:-2]
        at = m.start()
        if word in _CONTRACTED:
            out.extend(Token(w, raw, masked, at) for w in _CONTRACTED[word])
        elif word.endswith("n't") and len(word) > 3:
            out.append(Token(word[:-3], raw, masked, at))
            out.append(Token("not", raw, masked, at))
        else:
            out.append(Token(word, raw, masked, at))
    return out


class Phrases:
    """A list of words and phrases, found in a token list by their first word (longest match first)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.by_first: dict[str, dict[int, set[tuple[str, ...]]]] = {}  # first word -> length -> phrases
        for phrase in phrases:
            words = tuple(t.word for t in tokens(phrase.lower()))
            if words:
                self.by_first.setdefault(words[0], {}).setdefault(len(words), set()).add(words)
        self.lengths = {first: sorted(by_length, reverse=True) for first, by_length in self.by_first.items()}

    def at(self, words: Sequence[str], i: int) -> int:
        """The length of the longest phrase that starts at words[i], or 0: one probe per distinct length (a phrase
        is at most 80 characters, so at most 40 words), however many phrases share the first word."""
        by_length = self.by_first.get(words[i])
        if by_length is None:
            return 0
        for n in self.lengths[words[i]]:
            if tuple(words[i : i + n]) in by_length[n]:
                return n
        return 0

    def find(self, toks: Sequence[Token], words: Sequence[str] | None = None, masked: bool = False) -> list[tuple[int, int]]:
        """Every (start, end) match, left to right, not overlapping; masked tokens are skipped unless asked."""
        words = [t.word for t in toks] if words is None else words
        found, i = [], 0
        while i < len(words):
            n = self.at(words, i) if (masked or not toks[i].masked) and words[i] in self.by_first else 0
            if n and (masked or not any(t.masked for t in toks[i : i + n])):
                found.append((i, i + n))
                i += n
            else:
                i += 1
        return found


class Modal(NamedTuple):
    force: str  # oblige, forbid or permit
    start: int  # token index of its first word
    end: int  # token index after its last word


FORCES = ("forbid", "oblige", "permit")  # a longer phrase wins; on a tie, the first of these


def modals(toks: Sequence[Token], lists: dict[str, Phrases]) -> list[Modal]:
    """The words of force in the sentence, outside quotations; adjacent ones merge ("should always", "must also not")."""
    words = [t.word for t in toks]
    found: list[Modal] = []
    i = 0
    while i < len(words):
        if toks[i].masked:
            i += 1
            continue
        best, force = 0, ""
        for name in FORCES:
            n = lists[name].at(words, i)
            if n > best:
                best, force = n, name
        if not best:
            i += 1
            continue
        end = i + best
        if force != "forbid" and any(w in ("not", "never") for w in words[end : end + 2]):  # "should also not"
            end = next(j for j in range(end, end + 2) if words[j] in ("not", "never")) + 1
            force = "forbid"
        if force == "forbid" and words[end - 1] == "not" and end < len(words) and words[end] == "only":  # "not only"
            force = "oblige"
        if found and found[-1].end == i:  # "should always": one modal
            prev = found[-1]
            merged = min((prev.force, force), key=FORCES.index)
            found[-1] = Modal(merged, prev.start, end)
        else:
            found.append(Modal(force, i, end))
        i = end
    return _imperative(words, toks, lists) + found if toks and not (found and found[0].start == 0) else found


def _imperative(words: Sequence[str], toks: Sequence[Token], lists: dict[str, Phrases]) -> list[Modal]:
    """A sentence that opens on a verb of instruction ("Avoid jargon", "Do not guess") carries its own force."""
    if toks[0].masked or not toks[0].raw[:1].isupper():
        return []
    for name, force in (("imperative_forbid", "forbid"), ("imperative_oblige", "oblige")):
        n = lists[name].at(words, 0)
        if n:
            return [Modal(force, 0, n)]
    return []


@cache
def stem(word: str) -> str:
    """A crude stem, the same for a word's common forms (refuse, refuses, refused, refusing -> refus)."""
    for suffix in ("ingly", "edly", "ing", "ies", "es", "ed", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith("ss")):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word
