"""Terms (SPEC630, SPEC631): a term a clause uses as defined must be defined somewhere, and a link whose text names
a term must lead to a section that speaks of it.

Where a term counts as defined: a section's title, the text of any link to a section, a **bold** phrase or a
quoted phrase in parentheses ("... (\u201clying by commission\u201d)") in any section, a document's front matter
title, and `lint.terms` in spectools.yaml. All of them go into one set of word n-grams, so each lookup is one probe.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator

from spectools.checks.lint.text import clean, masks, stem, tokens
from spectools.model import Link, Section, Spec

MAX_WORDS = 4  # a term is at most this many words long
_WORDS = re.compile(r"[a-z0-9][a-z0-9'-]*[a-z0-9]|[a-z0-9]")  # a section's words, as tokens() reads them, in one pass
_BOLD = re.compile(r"\*\*([^*\n]{1,120})\*\*")
_QUOTED_IN_PARENS = re.compile(r"\(\s*[\"\u201c]([^\"\u201d\n]{1,120})[\"\u201d]")
_QUOTE = re.compile(r"[\"\u201c]([^\"\u201d\n]{1,80})[\"\u201d]")
# starts only where a word starts (never after a letter, an apostrophe or a hyphen): each word is scanned once
_CAPITALISED = re.compile(r"(?<![\w'\u2019-])[A-Z][a-z][A-Za-z'\u2019-]*(?:[ \t]+[A-Z][a-z][A-Za-z'\u2019-]*)+")
_GLOSSARY = re.compile(r"(?i)\b(definitions?|glossary|terminology|terms)\b")
_DETERMINERS = ("the", "a", "an", "this", "that", "its", "their", "our", "any", "called", "termed", "named")
_GENERIC_LINKS = frozenset({"here", "below", "above", "this", "section", "see", "link", "more", "details"})


def key(text: str, function_words: frozenset[str]) -> tuple[str, ...]:
    """A term as compared: its content words, stemmed."""
    return tuple(stem(t.word) for t in tokens(text) if t.word not in function_words)


def _grams(words: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for n in range(1, MAX_WORDS + 1):
        for i in range(len(words) - n + 1):
            yield words[i : i + n]


class Glossary:
    """Every defined term of a spec, as word n-grams."""

    def __init__(self, spec: Spec, known: Iterable[str], function_words: frozenset[str]) -> None:
        self.fw = function_words
        self.grams: set[tuple[str, ...]] = set()
        texts: list[str] = list(known)
        for doc in spec.documents:
            title = (doc.front_matter or {}).get("title")
            if isinstance(title, str):
                texts.append(title)
            texts.extend(link.text for link in doc.links)
            for n, s in enumerate(doc.sections):
                texts.append(s.title)
                body = s.body
                if (n == 0 and not s.clauses) or _GLOSSARY.search(s.title):  # an introduction (an opening section with
                    # no clauses of its own) says what the spec's words mean; so does a glossary
                    texts.append(s.prose)
                if "**" in body:
                    texts.extend(m.group(1) for m in _BOLD.finditer(body))
                if "(" in body:
                    texts.extend(m.group(1) for m in _QUOTED_IN_PARENS.finditer(body))
        for text in texts:
            self.grams.update(_grams(key(text, function_words)))

    def defines(self, term: str) -> bool:
        k = key(term, self.fw)
        return not k or k in self.grams


def used_terms(raw: str, function_words: frozenset[str]) -> list[str]:
    """The terms a sentence uses as defined: short quoted phrases that are not defined in place (not right after
    "("), and runs of two or more Capitalised Words (less a sentence's first word and leading function words).
    Sentence text is cleaned first; link texts stay."""
    text = clean(raw).strip()
    spans = masks(text)
    found = []
    for m in _QUOTE.finditer(text):
        inner = m.group(1).strip()
        before = text[max(0, m.start() - 12) : m.start()].split()
        words = inner.split()
        if not (1 <= len(words) <= MAX_WORDS) or inner[-1:] in ".?!,:;" or not inner[:1].isalpha():
            continue
        if before and before[-1].lower() in _DETERMINERS and not _inside(spans, m.start() - 1):  # the "chain of command"
            found.append(inner)
    for m in _CAPITALISED.finditer(text):
        if _inside(spans, m.start()):
            continue
        words = m.group(0).split()
        if m.start() == 0 or text[max(0, m.start() - 4) : m.start()].rstrip().endswith((":", ".", "(", '"', "\u201c")):
            words = words[1:]
        while words and words[0].lower() in function_words:
            words = words[1:]
        if 2 <= len(words) <= MAX_WORDS:
            found.append(" ".join(words))
    return found


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    i = bisect_right(spans, (at, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


class SectionWords:
    """The stemmed words of a section with its subsections (titles, anchors and prose: a grouping section's words
    are its children's), each section read once and kept."""

    def __init__(self, spec: Spec, function_words: frozenset[str]) -> None:
        self.fw = function_words
        self.own: dict[int, frozenset[str]] = {}
        self.seen: dict[int, frozenset[str]] = {}
        self.place = {id(s): (doc.sections, n) for doc in spec.documents for n, s in enumerate(doc.sections)}

    def _own(self, section: Section) -> frozenset[str]:
        got = self.own.get(id(section))
        if got is None:
            text = " ".join((section.title, section.anchor.replace("_", " "), section.prose)).lower()
            words = set(_WORDS.findall(text.replace("\u2019", "'"))) - self.fw
            got = self.own[id(section)] = frozenset(stem(w.removesuffix("'s")) for w in words)
        return got

    def of(self, section: Section) -> frozenset[str]:
        got = self.seen.get(id(section))
        if got is None:
            sections, n = self.place.get(id(section), ((section,), 0))
            words = set(self._own(section))
            for child in sections[n + 1 :]:
                if child.location.line > section.end_line:
                    break
                words |= self._own(child)
            got = self.seen[id(section)] = frozenset(words)
        return got


def stray_link(link: Link, target: Section, words: SectionWords) -> bool:
    """The link's text names something (not "?", not "here") that its target section never mentions."""
    text = link.text.strip()
    if not text or text == "?":
        return False
    k = set(key(text, words.fw)) - _GENERIC_LINKS
    return bool(k) and not (k & words.of(target))
