"""What one clause says, read alone: ambiguity (SPEC610-SPEC617) and its word of force (SPEC620).

Each check returns the words that triggered it, or nothing; lint/__init__.py turns them into findings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from spectools.checks.lint.text import Modal, Phrases, Token
from spectools.model import Location, Section


class Lexicon(NamedTuple):
    """The word lists (words.yaml, as spectools.yaml extends or trims them), ready to match."""

    phrases: dict[str, Phrases]
    sets: dict[str, frozenset[str]]
    verbs: frozenset[str] = frozenset()  # the spec's own verbs of action: the words that follow its modals


class Unit(NamedTuple):
    """One tagged sentence: its clause ids (a sentence may carry several tags), its words and its words of force."""

    ids: tuple[str, ...]
    text: str  # cleaned (clean())
    toks: list[Token]
    words: list[str]  # the tokens' words, kept (every check reads them)
    modals: list[Modal]
    section: Section | None
    location: Location

    def shown(self, start: int, end: int) -> str:
        """Tokens start..end as the sentence writes them, punctuation and all."""
        end = min(end, len(self.toks))
        if start >= end:
            return ""
        last = self.toks[end - 1]
        return " ".join(self.text[self.toks[start].at : last.at + len(last.raw)].split())

    def after_first_modal(self) -> int:
        return self.modals[0].start if self.modals else 0


_SAYING = frozenset({"tell", "tells", "telling", "say", "says", "saying", "explain", "explaining", "note", "noting",
                     "mention", "mentioning", "acknowledge", "acknowledging"})  # fmt: skip


def _parentheses(text: str) -> list[tuple[int, int]]:
    """The spans of the sentence's parentheses, outermost, in one pass."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    if depth:
        spans.append((start, len(text)))
    return spans


def _listed(unit: Unit, lex: Lexicon, name: str) -> list[str]:
    return [unit.shown(a, b) for a, b in _outside_asides(unit, lex.phrases[name].find(unit.toks, unit.words))]


def _outside_asides(unit: Unit, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The matches that are not inside parentheses: an aside explains or illustrates, it does not state the rule."""
    if "(" not in unit.text:
        return found
    spans = _parentheses(unit.text)
    return [(a, b) for a, b in found if not any(lo <= unit.toks[a].at < hi for lo, hi in spans)]


def vague(unit: Unit, lex: Lexicon) -> list[str]:
    """A listed word; "some" not where "others" answers it ("some readings are allowed while others are not")."""
    words = unit.words
    found = _outside_asides(unit, lex.phrases["vague"].find(unit.toks, unit.words))
    return [unit.shown(a, b) for a, b in found if not (words[a] == "some" and "others" in words[b:])]


def subjective(unit: Unit, lex: Lexicon) -> list[str]:
    return _listed(unit, lex, "subjective")


def comparative(unit: Unit, lex: Lexicon) -> list[str]:
    """A comparative with no "than" after it in the sentence; "more"/"less" only before a word of content."""
    words = unit.words
    found = []
    for a, b in _outside_asides(unit, lex.phrases["comparative"].find(unit.toks, unit.words)):
        if "than" in words[b:] or (a and words[a - 1] in ("no", "any")):  # "no longer", "any more"
            continue
        if "that" in words[:a] and _SAYING.intersection(words[: words.index("that")]):  # what it says: "tell ... that"
            continue
        if words[a] in ("more", "less", "fewer"):
            nxt = words[b] if b < len(words) else ""
            if not nxt or nxt in lex.sets["function_words"] or (a and words[a - 1] in ("no", "any", "once", "much")):
                continue
            if nxt.endswith("s") and not nxt.endswith(("ss", "ous", "us")) and len(nxt) > 3:  # "more details": a quantity
                continue
            found.append(unit.shown(a, b + 1))
        else:
            found.append(unit.shown(a, b))
    return found


def open_list(unit: Unit, lex: Lexicon) -> list[str]:
    """A list left open ("etc.", "or other"), outside parentheses (a list in an aside illustrates); "such as" only
    where it scopes the rule: after the modal (or in a clause with none), and not after a comma (", such as X"
    illustrates, "tasks such as X" scopes)."""
    first = unit.after_first_modal()
    out = []
    for a, b in _outside_asides(unit, lex.phrases["open_list"].find(unit.toks, unit.words)):
        at = unit.toks[a].at
        if unit.words[a] == "such" and (a < first or unit.text[max(0, at - 3) : at].rstrip().endswith(",")):
            continue
        out.append(unit.shown(a, b) + ("." if unit.words[a] == "etc" else ""))
    return out


def _participle(word: str, lex: Lexicon) -> bool:
    return (word.endswith("ed") and len(word) > 4) or word in lex.sets["participles"]


def passive(unit: Unit, lex: Lexicon) -> list[str]:
    """A rule in the passive: a modal with "be" and a participle ("users should not be misled") whose subject is not
    the assistant's own output, with no "by"; or "is prohibited" and its kin where no party is the subject of a modal."""
    words, toks = unit.words, unit.toks
    found = []
    own_words = lex.sets["outputs"] | lex.sets["assistant"]
    for k, m in enumerate(unit.modals):
        j = m.end
        # "the response should be phrased as ...", "the assistant should be grounded in ...": the assistant is bound;
        # "advising that help should be sought": what it says, not a rule
        own = m.start and words[m.start - 1] in own_words
        own = own or (k and _reported(words, unit.modals[k - 1].end, m.start))
        be_done = j + 1 < len(words) and words[j] == "be" and _participle(words[j + 1], lex)
        if be_done and not own and "by" not in words[j + 2 : j + 4]:
            found.append(unit.shown(m.start, j + 2))
    if any(m.start and words[m.start - 1] in lex.sets["actors"] | lex.sets["outputs"] for m in unit.modals):
        return found
    for i, w in enumerate(words[:-1]):
        nxt = i + 1 + (words[i + 1] in ("also", "not", "never"))
        bound = nxt < len(words) and words[nxt] in lex.sets["passive"] and "by" not in words[nxt + 1 : nxt + 3]
        if w in ("is", "are") and not toks[i].masked and bound:
            found.append(unit.shown(i, nxt + 1))
    return found


def several(unit: Unit, lex: Lexicon) -> list[str]:
    """Two or more obligations (must, should, shall) in a sentence that carries fewer tags than that. An obligation
    reported after "that" ("advising that help should be sought") is part of the one before it."""
    words = unit.words
    binding: list[Modal] = []
    for m in unit.modals:
        if words[m.start] not in ("must", "should", "shall"):
            continue
        if binding and _reported(words, binding[-1].end, m.start):
            continue
        binding.append(m)
    shown = [unit.shown(m.start, min(m.end + 2, len(unit.toks))) for m in binding]
    for k, m in enumerate(binding):  # "must encrypt the file, notify the office and delete the copy": one modal, three
        stop = binding[k + 1].start if k + 1 < len(binding) else len(words)
        shown.extend(unit.shown(i, i + 2) for i in _chained(unit, lex, m.end + 1, stop))
    if len(shown) < 2 or len(unit.ids) >= len(shown):
        return []
    return shown


def _reported(words: Sequence[str], start: int, at: int) -> bool:
    """Whether the modal at `at` is inside a "that" clause after `start` ("advising that help should be sought"): a
    "that" with no "and" or "but" between it and the modal."""
    between = words[start:at]
    if "that" not in between:
        return False
    tail = between[len(between) - between[::-1].index("that") :]
    return not {"and", "but", "or"} & set(tail)


_DETERMINERS = frozenset({"the", "a", "an", "each", "every", "its", "their", "any", "all", "this", "that", "these", "those"})


def _chained(unit: Unit, lex: Lexicon, start: int, stop: int) -> list[int]:
    """Where a modal's action goes on with another verb of the spec's, after "and" or a comma, before its object."""
    words, toks, text = unit.words, unit.toks, unit.text
    out = []
    for i in range(start, min(stop, len(words) - 1)):
        if words[i] not in lex.verbs or words[i + 1] not in _DETERMINERS or toks[i].masked:
            continue
        before = text[toks[i - 1].at + len(toks[i - 1].raw) : toks[i].at]
        if words[i - 1] == "and" or "," in before:
            out.append(i)
    return out


def pronoun(unit: Unit, lex: Lexicon) -> list[str]:
    """The clause opens on a pronoun ("It", "This includes"), or a pronoun is the subject of its first modal."""
    words = unit.words
    if not words:
        return []
    first = words[0]
    if first == "it" and len(words) > 3 and words[1] in ("is", "was") and {"that", "to", "for"} & set(words[2:5]):
        return []  # "It is important that ...": "it" stands for nothing
    if first in lex.sets["pronouns"]:
        return [unit.shown(0, 2)]
    if first in lex.sets["demonstratives"] and len(words) > 1 and words[1] in lex.sets["demonstrative_verbs"]:
        return [unit.shown(0, 2)]
    if unit.modals:
        at = unit.modals[0].start
        before = set(words[: at - 1]) & (lex.sets["actors"] - lex.sets["pronouns"])  # "the assistant ..., they can"
        if at and words[at - 1] in ("it", "they") and not unit.toks[at - 1].masked and not before:
            return [unit.shown(at - 1, unit.modals[0].end)]
    return []


def double_negative(unit: Unit, lex: Lexicon) -> list[str]:
    """A listed phrase ("not without"), or a negation with a negative word at most two words on ("not be unhelpful")."""
    found = _listed(unit, lex, "double_negative")
    words, negative = unit.words, lex.sets["negative_words"]
    for i, w in enumerate(words):
        if w in ("not", "never", "no") and not unit.toks[i].masked:
            for j in range(i + 1, min(i + 6, len(words))):
                if words[j] in ("unless", "but", "and", "or"):
                    break
                w = words[j]
                near = j < i + 3 and (w in negative or (w.startswith("un") and len(w) > 5 and words[j - 1] == "be"))
                undone = w.startswith("un") and w.endswith("ed") and len(w) > 6  # "not leave a charge unflagged"
                if (near or undone) and not any(unit.shown(i, j + 1) in f or f in unit.shown(i, j + 1) for f in found):
                    found.append(unit.shown(i, j + 1))
                    break
    return found


def no_modal(unit: Unit, lex: Lexicon) -> list[str]:
    """No word of force at all (SPEC620); the passive forms ("is prohibited") count as one."""
    if unit.modals or passive(unit, lex) or not unit.toks:
        return []
    return [unit.shown(0, min(4, len(unit.toks))) + ("..." if len(unit.toks) > 4 else "")]


CLAUSE_CHECKS: dict[str, Callable[[Unit, Lexicon], list[str]]] = {
    "SPEC610": vague,
    "SPEC611": subjective,
    "SPEC612": comparative,
    "SPEC613": open_list,
    "SPEC614": passive,
    "SPEC615": several,
    "SPEC616": pronoun,
    "SPEC617": double_negative,
    "SPEC620": no_modal,
}
