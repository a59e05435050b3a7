"""`spectools lint`: what the spec's clauses say, read as a linter and a type checker would (SPEC610-SPEC650,
docs/checks.md). Findings are ordinary diagnostics; a richer Finding also keeps the clause's words for the
model-assisted pass (eval/advice.py) and for the pull-request comment.

- clauses.py: one clause read alone (ambiguity, its word of force);
- conflicts.py: pairs of clauses that pull against each other, found through an index of content words;
- terms.py: terms used as defined, and links whose text names what their target never mentions;
- here: the word lists (words.yaml and spectools.yaml's `lint`), the units (one per tagged sentence), the
  section-level notice (SPEC621), the precedent hints (SPEC650), suppression comments and severities.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from spectools.checks.lint import allow
from spectools.checks.lint.clauses import CLAUSE_CHECKS, Lexicon, Unit
from spectools.checks.lint.conflicts import Conflict, conflicts, yields
from spectools.checks.lint.terms import Glossary, SectionWords, stray_link, used_terms
from spectools.checks.lint.text import Phrases, clean, modals, stem, tokens
from spectools.model import CHECKS, Diagnostic, Link, Location, Spec, diag

WORDS_FILE = Path(__file__).with_name("words.yaml")
# the lists matched as phrases in a sentence; every other list of words.yaml is a set of single words
LISTS = ("vague", "subjective", "comparative", "open_list", "double_negative", "oblige", "forbid", "permit", "yields",
         "imperative_oblige", "imperative_forbid")  # fmt: skip
CODES = tuple(code for code, check in CHECKS.items() if check.family == "lint")
AMBIGUITY = frozenset(code for code in CODES if "SPEC610" <= code <= "SPEC617")
WORDED = AMBIGUITY | {"SPEC630"}  # findings about words a clause writes, placed on the first of them
HINTED = frozenset({"SPEC610", "SPEC611", "SPEC612", "SPEC613", "SPEC617", "SPEC640"})  # a precedent can settle these
_STRONG = frozenset({"must", "shall", "never", "always"})


class Finding(NamedTuple):
    diagnostic: Diagnostic
    ids: tuple[str, ...]  # the clause ids it is about ((): a section or a link)
    words: tuple[str, ...]  # what triggered it, as written
    text: str = ""  # the clause's sentence, cleaned
    other: tuple[str, ...] = ()  # a conflict's other clause ids
    other_text: str = ""
    section: str = ""  # the anchor of the section it is about (SPEC621)


@cache
def builtin_words() -> dict[str, tuple[str, ...]]:
    from spectools.io import packaged_yaml

    data = packaged_yaml(WORDS_FILE)
    return {name: tuple(str(w) for w in words) for name, words in data.items()}


def lexicon(settings: dict[str, Any]) -> Lexicon:
    """words.yaml with spectools.yaml's `lint.words` additions and removals (each list: add, remove)."""
    lists = dict(builtin_words())
    for name, change in (settings.get("words") or {}).items():
        if name in lists and isinstance(change, dict):
            drop = {w.lower() for w in change.get("remove", ())}
            lists[name] = tuple(w for w in lists[name] if w.lower() not in drop) + tuple(change.get("add", ()))
    return Lexicon(
        {name: Phrases(lists[name]) for name in LISTS},
        {name: frozenset(w.lower() for w in words) for name, words in lists.items() if name not in LISTS},
    )


def units(spec: Spec, lex: Lexicon) -> list[Unit]:
    """One unit per tagged sentence: the clauses of a sentence with several tags are read once, together."""
    index = spec.section_index()
    out: list[Unit] = []
    for clause in spec.clauses():
        last = out[-1] if out else None
        if last and last.location[:2] == clause.location[:2] and last.section is index.get(clause.section or "") \
                and _same_sentence(last, clause.text):  # fmt: skip
            out[-1] = last._replace(ids=(*last.ids, clause.id))
            continue
        text = clean(clause.text)
        toks = tokens(text)
        words = [t.word for t in toks]
        out.append(
            Unit((clause.id,), text, toks, words, modals(toks, lex.phrases), index.get(clause.section or ""), clause.location)
        )
    return out


_ADVERBS = frozenset({"not", "also", "always", "never", "only", "still", "simply", "then", "first", "instead", "now"})


def _verbs(all_units: Sequence[Unit], lex: Lexicon) -> frozenset[str]:
    """The words that follow the spec's modals ("must *encrypt*"): its verbs of action, learnt from the spec."""
    out = set()
    for u in all_units:
        for m in u.modals:
            i = m.end
            while i < len(u.toks) and (u.words[i] in _ADVERBS or u.words[i].endswith("ly")):
                i += 1
            if i < len(u.toks) and u.words[i] not in lex.sets["function_words"]:
                out.add(u.words[i])
    return frozenset(out)


def _same_sentence(unit: Unit, raw: str) -> bool:
    return unit.text == clean(raw)


def _ids(ids: Sequence[str]) -> str:
    return " ".join(f"[^{i}]" for i in ids)


def _quoted(words: Iterable[str]) -> str:
    return ", ".join(f"'{w}'" for w in dict.fromkeys(words))


_HOW = {
    "SPEC610": "uses vague quantity or frequency words: {w}; say how much or how often (a number, a condition, a list)",
    "SPEC611": "asks for a quality no reader can measure: {w}; say what makes it so (the cases, a test a reader can "
    "apply), or link the section that defines it",
    "SPEC612": "compares with nothing: {w}; say than what",
    "SPEC613": "leaves its list open: {w}; list every case, or say what the cases have in common",
    "SPEC614": "states a rule in the passive, binding no one: {w}; name who acts (e.g. 'the assistant must ...', "
    "'the assistant may ...')",
    "SPEC615": "holds several obligations: {w}; split it into one sentence, and one tag, per obligation",
    "SPEC616": "leans on another sentence: {w}; name what it refers to, so the clause reads alone (a grader sees only it)",
    "SPEC617": "uses a double negative: {w}; say it positively",
    "SPEC620": "has no word of obligation (must, must not, should, should not, may, never, always): {w}; say what the "
    "assistant must or may do, or take the tag off a sentence that only explains",
}


def _clause_findings(unit: Unit, lex: Lexicon, select: frozenset[str]) -> list[Finding]:
    found: dict[str, list[str]] = {}
    for code, check in CLAUSE_CHECKS.items():
        if code in select:
            words = check(unit, lex)
            if words:
                found[code] = words
    out = []
    for code, words in found.items():
        message = f"clause {_ids(unit.ids)} " + _HOW[code].format(w=_quoted(words))
        if code == "SPEC620" and "SPEC616" in found:
            continue  # one finding for "This includes ...": the pronoun's, which says both
        if code == "SPEC616" and "SPEC620" in found:
            message += "; and it states no obligation of its own (must, should, may, never, ...)"
        out.append(Finding(diag(code, unit.location, message), unit.ids, tuple(words), unit.text))
    return out


def _should_only(spec: Spec, all_units: Sequence[Unit], levels: tuple[str, ...], aliases: dict[str, str]) -> list[Finding]:
    """SPEC621: a root or system section whose clauses all say 'should' (none must, never, always or shall)."""
    by_section: dict[int, list[Unit]] = {}
    for u in all_units:
        if u.section is not None:
            by_section.setdefault(id(u.section), []).append(u)
    top = set(levels[:2])
    found = []
    for s in spec.sections():
        level = aliases.get(s.authority or "", s.authority or "")
        group = by_section.get(id(s), [])
        if level not in top or not group:
            continue
        spans = [u.words[m.start : m.end] for u in group for m in u.modals]
        if any("should" in w for w in spans) and not any(_STRONG.intersection(w) for w in spans):
            ids = [i for u in group for i in u.ids]
            said = "its clause" if len(ids) == 1 else f"its {len(ids)} clauses"
            message = (
                f"section '{s.title}' has {level} authority, but {said} ({_ids(ids)}) "
                f"{'says' if len(ids) == 1 else 'all say'} 'should'; if {'it binds' if len(ids) == 1 else 'they bind'} "
                f"at {level}, say 'must' (or 'never'); if 'should' is meant, allow SPEC621 here"
            )
            found.append(Finding(diag("SPEC621", s.location, message), (), ("should",), section=s.anchor, other=tuple(ids)))
    return found


_TERM_REF = re.compile(
    r'(?:"([^"\n]{1,80})"|\u201c([^\u201d\n]{1,80})\u201d|\*\*([^*\n]{1,80})\*\*)[ \t]{0,3}'
    r"\((?:see[ \t]{1,3})?\[\?\]\(#([^)\s]{1,200})\)\)"
)  # a term sent to a section for its meaning: "chain of command" ([?](#chain_of_command))


def _term_references(spec: Spec, raw: dict[str, str], words: SectionWords) -> list[Finding]:
    """SPEC631 for `"term" ([?](#x))` and `**term** (see [?](#x))` when section x never mentions the term."""
    index = spec.section_index()
    found = []
    for doc in spec.documents:
        text = raw.get(doc.path, "")
        if "[?](#" not in text:
            continue
        newlines = [m.start() for m in re.finditer("\n", text)]
        for m in _TERM_REF.finditer(text):
            term = next(g for g in m.groups()[:3] if g is not None)
            target = index.get(m.group(4))
            if target is None or not stray_link(Link(m.group(4), term, Location(doc.path)), target, words):
                continue
            line = bisect_right(newlines, m.start())
            col = m.start() - (newlines[line - 1] + 1 if line else 0) + 1
            message = (
                f"the term '{term}' is sent to #{target.anchor} ('{target.title}') for its meaning, a section that never "
                "mentions it; point it to the section that defines it"
            )
            found.append(Finding(diag("SPEC631", Location(doc.path, line + 1, col), message), (), (term,)))
    return found


def _term_findings(spec: Spec, all_units: Sequence[Unit], lex: Lexicon, known: Sequence[str],
                   raw: dict[str, str]) -> list[Finding]:  # fmt: skip
    fw = lex.sets["function_words"]
    glossary = Glossary(spec, known, fw)
    found = []
    for u in all_units:
        missing = [t for t in used_terms(u.text, fw) if not glossary.defines(t)]
        if missing:
            message = (
                f"clause {_ids(u.ids)} uses {_quoted(missing)} as a defined term, but no section defines or links it; "
                "link it to the section that defines it, define it (a section title, or **bold** where it is "
                "explained), or add it to lint.terms in spectools.yaml"
            )
            found.append(Finding(diag("SPEC630", u.location, message), u.ids, tuple(missing), u.text))
    index = spec.section_index()
    words = SectionWords(spec, fw)
    for doc in spec.documents:
        for link in doc.links:
            target = index.get(link.target)
            if target is not None and stray_link(link, target, words):
                message = (
                    f"the link '{link.text}' points to #{link.target} ('{target.title}'), a section that never mentions "
                    "it; point it to the section that defines it, or reword the link"
                )
                found.append(Finding(diag("SPEC631", link.location, message), (), (link.text,)))
    return found + _term_references(spec, raw, words)


def _level(unit: Unit, levels: tuple[str, ...], aliases: dict[str, str]) -> int | None:
    auth = unit.section.authority if unit.section else None
    auth = aliases.get(auth or "", auth)
    return levels.index(auth) if auth in levels else None


def _conflict_finding(c: Conflict, all_units: Sequence[Unit], lex: Lexicon, levels: tuple[str, ...],
                      aliases: dict[str, str]) -> Finding:  # fmt: skip
    a, b = all_units[c.a.unit], all_units[c.b.unit]
    la, lb = _level(a, levels, aliases), _level(b, levels, aliases)
    where = f"{b.location.path}:{b.location.line}"
    head = (
        f"clauses {_ids(a.ids)} and {_ids(b.ids)} ({where}) pull against each other: '{c.a.shown}' against "
        f"'{c.b.shown}' (shared: {', '.join(c.shared)}; overlap {c.overlap:.2f})"
    )
    code, tail = "SPEC640", ""
    if la is not None and lb is not None and la != lb:
        (hi, hl), (lo, ll) = sorted(((a, la), (b, lb)), key=lambda p: p[1])
        said = yields(lo, lex)
        if said:
            code = "SPEC641"
            tail = f"; the chain of command settles it: {_ids(hi.ids)} ({levels[hl]}) wins, and {_ids(lo.ids)} " \
                   f"({levels[ll]}) says it yields ('{said}')"  # fmt: skip
        else:
            tail = f"; {_ids(hi.ids)} ({levels[hl]}) outranks {_ids(lo.ids)} ({levels[ll]}), which does not say it " \
                   "yields: say so (e.g. 'unless ...'), or reconcile them"  # fmt: skip
    else:
        said_a, said_b = yields(a, lex), yields(b, lex)
        if said_a or said_b:
            code = "SPEC641"
            loser, said = (a, said_a) if said_a else (b, said_b)
            winner = b if loser is a else a
            tail = f"; {_ids(loser.ids)} says it yields ('{said}'), so {_ids(winner.ids)} wins"
        else:
            level = levels[la] if la is not None else "no"
            tail = f"; both at {level} authority: reconcile them, or say which one yields (e.g. 'unless ...')"
    return Finding(diag(code, a.location, head + tail), a.ids, c.shared, a.text, b.ids, b.text)


def _hints(spec: Spec, flagged: Sequence[Finding], all_units: Sequence[Unit]) -> list[Finding]:
    """SPEC650: an ambiguous or conflicting clause with no precedent that touches the words flagged: one hint per
    clause, naming the flagged words no labelled answer of its challenge file touches."""
    by_id = {u.ids[0]: u for u in all_units}
    challenges = {c.clause_id: _Answers(c) for c in spec.challenges}
    words: dict[str, list[str]] = {}
    for f in flagged:
        if f.ids and f.ids[0] in by_id:
            words.setdefault(f.ids[0], []).extend(f.words)
    found = []
    for first, said in words.items():
        unit = by_id[first]
        if unit.section is not None and unit.section.examples:
            continue
        answers = [challenges[i] for i in unit.ids if i in challenges]
        open_words = [w for w in dict.fromkeys(said) if not any(a.touch({stem(t.word) for t in tokens(w)}) for a in answers)]
        if not open_words:
            continue
        message = (
            f"clause {_ids(unit.ids)}: no example settles how to read {_quoted(open_words)} here; add a labelled GOOD or "
            "BAD answer that does to its challenge file, or an example to its section (the precedent that disambiguates it)"
        )
        found.append(Finding(diag("SPEC650", unit.location, message), unit.ids, tuple(open_words), unit.text))
    return found


class _Answers:
    """The stemmed words of a challenge file's labelled answers (their text, reason and qualifier), read once."""

    def __init__(self, challenge: Any) -> None:
        self.challenge = challenge
        self.words: frozenset[str] | None = None

    def touch(self, stems: set[str]) -> bool:
        if self.words is None:
            texts = [
                " ".join((c.text, c.label.reason or "", c.label.qualifier or ""))
                for example in self.challenge.examples
                for comparison in example.comparisons
                for c in comparison.candidates
                if c.label is not None
            ]
            self.words = frozenset(stem(t.word) for text in texts for t in tokens(text))
        return bool(stems & self.words)


def _raw(loaded: Any) -> dict[str, str]:
    """{path: text} of the documents as written, for what the model does not keep (comments, where a word stands on
    its line, `[?](#x)` references). Read again through the same source, within the same size limit."""
    out = {}
    for doc in loaded.spec.documents:
        try:
            data = loaded.source.read(doc.path, loaded.config.max_file_bytes)
        except OSError:
            continue
        out[doc.path] = data.decode("utf-8", "replace")
    return out


def _pointed(found: list[Finding], raw: dict[str, str]) -> list[Finding]:
    """Each finding about words of a clause placed on the first of those words, when it stands on the tag's line
    before the tag (a Model Spec line holds a paragraph of 900 characters); else on the tag."""
    lines: dict[str, list[str]] = {}
    out = []
    for f in found:
        d = f.diagnostic
        if f.words and f.ids and d.code in WORDED and d.location.path in raw:
            if d.location.path not in lines:
                lines[d.location.path] = raw[d.location.path].split("\n")
            text = lines[d.location.path]
            line = text[d.location.line - 1] if 0 < d.location.line <= len(text) else ""
            at = line.rfind(f.words[0].rstrip("."), 0, max(d.location.col - 1, 0))
            if at >= 0:
                f = f._replace(diagnostic=d._replace(location=d.location._replace(col=at + 1)))
        out.append(f)
    return out


def lint(loaded: Any, select: Iterable[str] | None = None) -> list[Finding]:
    """Every lint finding of a loaded repository (parse.load.Loaded), severities as configured, suppressions
    applied, sorted by place. The cyclic collector waits (as for the other checks): what lint builds holds no cycle."""
    from spectools.parse.load import paused_gc

    with paused_gc():
        return _lint(loaded, select)


def _lint(loaded: Any, select: Iterable[str] | None) -> list[Finding]:
    chosen = frozenset(select) if select is not None else frozenset(CODES)
    config = loaded.config
    settings = dict(config.lint)
    lex = lexicon(settings)
    spec: Spec = loaded.spec
    all_units = units(spec, lex)
    lex = lex._replace(verbs=_verbs(all_units, lex))
    raw = _raw(loaded)
    levels, aliases = config.levels, config.aliases
    need = chosen | (HINTED if "SPEC650" in chosen else frozenset())  # a hint needs the findings it is about
    found = [f for u in all_units for f in _clause_findings(u, lex, need)]
    if "SPEC621" in chosen:
        found.extend(_should_only(spec, all_units, levels, aliases))
    if chosen & {"SPEC630", "SPEC631"}:
        terms = _term_findings(spec, all_units, lex, settings.get("terms", ()), raw)
        found.extend(f for f in terms if f.diagnostic.code in chosen)
    if chosen & {"SPEC640", "SPEC641", "SPEC650"}:
        found.extend(_conflict_finding(c, all_units, lex, levels, aliases) for c in conflicts(all_units, lex))
    found = _pointed(found, raw)
    allowed = allow.read(spec, raw, frozenset(CODES))
    found.extend(Finding(d, (), ()) for d in allowed.problems)
    kept = configured(found, config.checks, allowed)
    if "SPEC650" in chosen:  # hints for what is still shown: nothing a comment allowed or the config turned off
        kept += configured(_hints(spec, [f for f in kept if f.diagnostic.code in HINTED], all_units), config.checks, allowed)
    return sorted((f for f in kept if f.diagnostic.code in chosen), key=lambda f: f.diagnostic.sort_key())


def configured(found: Sequence[Finding], overrides: dict[str, str], allowed: allow.Allowed) -> list[Finding]:
    """The findings with their configured severities, less those turned off or allowed by a comment."""
    out = []
    for f in found:
        d = f.diagnostic
        ids = f.ids if d.code != "SPEC621" else ()  # a conflict at its first clause, where it is reported
        if allowed.allows(d.code, ids, f.section, (d.location.path, d.location.line)):
            continue
        severity = overrides.get(d.code, d.severity)
        if severity == "off":
            continue
        out.append(f if severity == d.severity else f._replace(diagnostic=d._replace(severity=severity)))  # type: ignore[arg-type]
    return out


def diagnostics(found: Sequence[Finding]) -> list[Diagnostic]:
    return [f.diagnostic for f in found]
