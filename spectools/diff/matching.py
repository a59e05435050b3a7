"""Which section of the old spec is which of the new: same anchor, configured renames, the rename
heuristic (shared clause ids, or prose at least RENAME_PROSE alike), splits and merges."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from spectools.diff.wording import normalise, similarity
from spectools.model import Clause, Section

RENAME_PROSE = 0.9  # word similarity of the prose that makes a rename
POSTING_LIMIT = 64  # a word in more sections' prefixes than this finds no rename candidates (boilerplate)
PAIR_LIMIT = 16  # sections of the same prose paired with each other, at most, per section


def scattered(
    sa: dict[str, Section], sb: dict[str, Section], ca: dict[str, Clause], cb: dict[str, Clause], renames: dict[str, str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """({gone section: sections its clauses went to}, {new section: sections its clauses came from}).

    A split: a section that is gone, whose clauses are now in two or more sections, none holding most of them.
    A merge is the mirror image. Checked before renames, which need one section to carry most of the other's clauses.
    """
    gone = [x for x in sa if x not in sb and x not in renames]
    new = [y for y in sb if y not in sa and y not in renames.values()]

    def spread(clauses: tuple[str, ...], where: dict[str, Clause]) -> list[str] | None:
        counts: dict[str, int] = {}
        for c in clauses:
            if c in where and where[c].section:
                counts[where[c].section or ""] = counts.get(where[c].section or "", 0) + 1
        if len(counts) >= 2 and max(counts.values()) * 2 <= len(clauses):
            return sorted(counts)
        return None

    split = {x: t for x in gone if (t := spread(sa[x].clauses, cb))}
    merged = {y: f for y in new if (f := spread(sb[y].clauses, ca))}
    return split, merged


def match_sections(
    sa: dict[str, Section],
    sb: dict[str, Section],
    renames: dict[str, str],
    exclude_old: Iterable[str] = (),
    exclude_new: Iterable[str] = (),
) -> dict[str, str]:
    """Old anchor -> new anchor: same anchor, then config renames, then the rename heuristic."""
    match = {x: x for x in sa if x in sb}
    old_out, new_out = set(exclude_old), set(exclude_new)
    removed = sorted(x for x in sa if x not in sb and x not in old_out)
    added = sorted(y for y in sb if y not in sa and y not in new_out)
    for old, new in sorted(renames.items()):
        if old in removed and new in added:
            match[old] = new
            removed.remove(old)
            added.remove(new)
    pairs = sorted(_candidates(sa, sb, removed, added))
    return _best_first(match, [(-score, min(x, y), max(x, y), x, y) for x, y in pairs if (score := _score(sa[x], sb[y]))])


def _best_first(match: dict[str, str], scored: list[tuple[float, str, str, str, str]]) -> dict[str, str]:
    """The pairs, best score first, each section in one pair at most, added to match."""
    taken_x: set[str] = set()
    taken_y: set[str] = set()
    for _, _, _, x, y in sorted(scored):
        if x not in taken_x and y not in taken_y:
            match[x] = y
            taken_x.add(x)
            taken_y.add(y)
    return match


def _score(p: Section, q: Section) -> float:
    """How surely q is p renamed: the share of clause ids when one carries most of the other's (symmetric, so
    diff(b, a) mirrors diff(a, b)), else the prose's similarity when it reaches RENAME_PROSE, else 0."""
    cx, cy = set(p.clauses), set(q.clauses)
    shared = len(cx & cy)
    if cx and cy and shared * 2 > min(len(cx), len(cy)):
        return shared / max(len(cx), len(cy))
    prose = similarity(p.prose, q.prose) if p.prose and q.prose else 0.0
    return prose if prose >= RENAME_PROSE else 0.0


def _candidates(sa: dict[str, Section], sb: dict[str, Section], removed: list[str], added: list[str]) -> set[tuple[str, str]]:
    """The (removed, added) pairs that could be a rename, found without comparing every pair (1,000
    renamed sections would be a million comparisons): pairs that share a clause id, and pairs whose
    prose could reach RENAME_PROSE. Symmetric in old and new."""
    if not removed or not added:
        return set()  # nothing can be a rename (the common case: sections only added, or only removed)
    pairs = _sharing_clauses(sa, sb, removed, added)
    texts: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}  # distinct prose -> (removed, added) holding it
    for side, anchors, sections in ((0, removed, sa), (1, added, sb)):
        for anchor in anchors:
            if sections[anchor].prose:
                texts.setdefault(tuple(normalise(sections[anchor].prose).split()), ([], []))[side].append(anchor)
    for gone, new in texts.values():  # the same prose on both sides: paired in order, however many
        pairs.update(zip(gone, new, strict=False))
    for t, u in _near(list(texts)):
        for p, q in ((t, u), (u, t)):
            pairs.update((x, y) for x in texts[p][0][:PAIR_LIMIT] for y in texts[q][1][:PAIR_LIMIT])
    return pairs


def _sharing_clauses(
    sa: dict[str, Section], sb: dict[str, Section], removed: list[str], added: list[str]
) -> set[tuple[str, str]]:
    """(removed, added) pairs that share a clause id (an id held by more than PAIR_LIMIT added sections pairs none)."""
    holder: dict[str, list[str]] = {}
    for y in added:
        for c in sb[y].clauses:
            holder.setdefault(c, []).append(y)
    pairs: set[tuple[str, str]] = set()
    for x in removed:
        for c in sa[x].clauses:
            if len(holder.get(c, ())) <= PAIR_LIMIT:
                pairs.update((x, y) for y in holder.get(c, ()))
    return pairs


def _near(texts: list[tuple[str, ...]]) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Pairs of texts that could be RENAME_PROSE alike, by prefix filtering. Two texts of n and m words with a
    similarity of 0.9 share at least 9/11 of each one's words, so with words ordered rarest first, the first
    n - ceil(9n/11) + 1 words of one and of the other share a word."""
    tokens = {t: [(w, k) for w, n in Counter(t).items() for k in range(n)] for t in texts}
    frequency = Counter(tok for toks in tokens.values() for tok in toks)
    index: dict[tuple[str, int], list[tuple[str, ...]]] = {}
    prefixes = {}
    for t, toks in tokens.items():
        toks.sort(key=lambda tok: (frequency[tok], tok))
        prefixes[t] = toks[: len(toks) - -(-9 * len(toks) // 11) + 1]
        for tok in prefixes[t]:
            index.setdefault(tok, []).append(t)
    near: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    for t, prefix in prefixes.items():
        for tok in prefix:
            if len(index[tok]) <= POSTING_LIMIT:
                near.update((min(t, u), max(t, u)) for u in index[tok])
    return near
