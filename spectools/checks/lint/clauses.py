"""What one clause says, read alone: ambiguity (SPEC610-SPEC617) and its word of force (SPEC620).

Each check returns the words that triggered it, or nothing; lint/__init__.py turns them into findings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from spectools.checks.lint.text import Modal, Phrases, Token
from spectools.model import Location, Section


class Lexicon(NamedTuple):
    """The word lists (words.yaml, as spectools.yaml extends or trims them), ready to match."""

    phrases: dict[str, Phrases]
    sets: dict[str, frozenset[str]]


class Unit(NamedTuple):
    """One tagged sentence: its clause ids (a sentence may carry several tags), its words and its words of force."""

    ids: tuple[str, ...]
    text: str  # cleaned (clean())
    toks: list[Token]
    modals: list[Modal]
    section: Section | None
    location: Location

    @property
    def words(self) -> list[str]:
        return [t.word for t in self.toks]

    def shown(self, start: int, end: int) -> str:
        """Tokens start..end as written (a contraction, two tokens, shown once)."""
        toks = self.toks[start:end]
        return " ".join(t.raw for n, t in enumerate(toks) if not n or toks[n - 1].at != t.at)

    def after_first_modal(self) -> int:
        return self.modals[0].start if self.modals else 0


def _listed(unit: Unit, lex: Lexicon, name: str) -> list[str]:
    return [unit.shown(a, b) for a, b in lex.phrases[name].find(unit.toks)]


def vague(unit: Unit, lex: Lexicon) -> list[str]:
    return _listed(unit, lex, "vague")


def subjective(unit: Unit, lex: Lexicon) -> list[str]:
    return _listed(unit, lex, "subjective")


def comparative(unit: Unit, lex: Lexicon) -> list[str]:
    """A comparative with no "than" after it in the sentence; "more"/"less" only before a word of content."""
    words = unit.words
    found = []
    for a, b in lex.phrases["comparative"].find(unit.toks):
        if "than" in words[b:]:
            continue
        if words[a] in ("more", "less", "fewer"):
            nxt = words[b] if b < len(words) else ""
            if not nxt or nxt in lex.sets["function_words"] or (a and words[a - 1] in ("no", "any", "once", "much")):
                continue
            found.append(unit.shown(a, b + 1))
        else:
            found.append(unit.shown(a, b))
    return found


def open_list(unit: Unit, lex: Lexicon) -> list[str]:
    """A list left open ("etc.", "or other"); "such as" only where it scopes the rule: after the modal, or with none."""
    first = unit.after_first_modal()
    out = []
    for a, b in lex.phrases["open_list"].find(unit.toks):
        if unit.words[a] == "such" and a < first:
            continue
        out.append(unit.shown(a, b) + ("." if unit.words[a] == "etc" else ""))
    return out


def _participle(word: str, lex: Lexicon) -> bool:
    return (word.endswith("ed") and len(word) > 4) or word in lex.sets["participles"]


def passive(unit: Unit, lex: Lexicon) -> list[str]:
    """An obligation in the passive ("must be treated", "is prohibited") with no party as the subject of any modal."""
    words, toks = unit.words, unit.toks
    actors = lex.sets["actors"]
    for m in unit.modals:
        if m.start and words[m.start - 1] in actors:
            return []
    found = []
    for m in unit.modals:
        j = m.end
        if j + 1 < len(words) and words[j] == "be" and _participle(words[j + 1], lex) and "by" not in words[j + 2 : j + 4]:
            found.append(unit.shown(m.start, j + 2))
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
        if binding and "that" in words[binding[-1].end : m.start]:
            continue
        binding.append(m)
    if len(binding) < 2 or len(unit.ids) >= len(binding):
        return []
    return [unit.shown(m.start, min(m.end + 2, len(unit.toks))) for m in binding]


def pronoun(unit: Unit, lex: Lexicon) -> list[str]:
    """The clause opens on a pronoun ("It", "This includes"), or a pronoun is the subject of its first modal."""
    words = unit.words
    if not words:
        return []
    first = words[0]
    if first in lex.sets["pronouns"]:
        return [unit.shown(0, 2)]
    if first in lex.sets["demonstratives"] and len(words) > 1 and words[1] in lex.sets["demonstrative_verbs"]:
        return [unit.shown(0, 2)]
    if unit.modals:
        at = unit.modals[0].start
        if at and words[at - 1] in ("it", "they") and not unit.toks[at - 1].masked:
            return [unit.shown(at - 1, unit.modals[0].end)]
    return []


def double_negative(unit: Unit, lex: Lexicon) -> list[str]:
    """A listed phrase ("not without"), or a negation with a negative word at most two words on ("not be unhelpful")."""
    found = _listed(unit, lex, "double_negative")
    words, negative = unit.words, lex.sets["negative_words"]
    for i, w in enumerate(words):
        if w in ("not", "never", "no") and not unit.toks[i].masked:
            for j in range(i + 1, min(i + 3, len(words))):
                if words[j] in negative and not any(unit.shown(i, j + 1) in f or f in unit.shown(i, j + 1) for f in found):
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
