"""(Spec, Spec) -> ChangeSet: what changed in meaning, section by section and clause by clause."""

from __future__ import annotations

from collections.abc import Iterable

from spectools.diff.changes import Change, ChangeSet, Kind, change, first, hash_text, sort_key
from spectools.diff.examples import diff_challenges, diff_examples
from spectools.diff.wording import normalise, similarity, word_diff
from spectools.model import Clause, Section, Spec
from spectools.sources.config import Config

RENAME_PROSE = 0.9  # word similarity of the prose that makes a rename


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
    removed = sorted(x for x in sa if x not in sb and x not in set(exclude_old))
    added = sorted(y for y in sb if y not in sa and y not in set(exclude_new))
    for old, new in sorted(renames.items()):
        if old in removed and new in added:
            match[old] = new
            removed.remove(old)
            added.remove(new)
    scored = []
    for x, y in sorted(_candidates(sa, sb, removed, added)):
        cx, cy = set(sa[x].clauses), set(sb[y].clauses)
        # one carries most of the other's clause ids (symmetric, so diff(b, a) mirrors diff(a, b))
        shared = len(cx & cy)
        score = shared / max(len(cx), len(cy)) if cx and cy and shared * 2 > min(len(cx), len(cy)) else 0.0
        if not score:
            prose = similarity(sa[x].prose, sb[y].prose) if sa[x].prose and sb[y].prose else 0.0
            score = prose if prose >= RENAME_PROSE else 0.0
        if score > 0:
            scored.append((-score, min(x, y), max(x, y), x, y))
    taken_x: set[str] = set()
    taken_y: set[str] = set()
    for _, _, _, x, y in sorted(scored):
        if x not in taken_x and y not in taken_y:
            match[x] = y
            taken_x.add(x)
            taken_y.add(y)
    return match


POSTING_LIMIT = 64  # a word in more sections' prefixes than this finds no rename candidates (boilerplate)
PAIR_LIMIT = 16  # sections of the same prose paired with each other, at most, per section


def _candidates(sa: dict[str, Section], sb: dict[str, Section], removed: list[str], added: list[str]) -> set[tuple[str, str]]:
    """The (removed, added) pairs that could be a rename, found without comparing every pair (1,000
    renamed sections would be a million comparisons): pairs that share a clause id, and pairs whose
    prose could reach RENAME_PROSE, by prefix filtering. Two texts of n and m words with a similarity of
    0.9 share at least 9/11 of each one's words, so with words ordered rarest first, the first
    n - ceil(9n/11) + 1 words of one and of the other share a word. Symmetric in old and new."""
    from collections import Counter

    pairs: set[tuple[str, str]] = set()
    if not removed or not added:
        return pairs  # nothing can be a rename (the common case: sections only added, or only removed)
    holder: dict[str, list[str]] = {}
    for y in added:
        for c in sb[y].clauses:
            holder.setdefault(c, []).append(y)
    for x in removed:
        for c in sa[x].clauses:
            if len(holder.get(c, ())) <= PAIR_LIMIT:
                pairs.update((x, y) for y in holder.get(c, ()))
    texts: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}  # distinct prose -> (removed, added) holding it
    for side, anchors, sections in ((0, removed, sa), (1, added, sb)):
        for anchor in anchors:
            if sections[anchor].prose:
                texts.setdefault(tuple(normalise(sections[anchor].prose).split()), ([], []))[side].append(anchor)
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
    for gone, new in texts.values():  # the same prose on both sides: paired in order, however many
        pairs.update(zip(gone, new, strict=False))
    for t, u in near:
        for p, q in ((t, u), (u, t)):
            pairs.update((x, y) for x in texts[p][0][:PAIR_LIMIT] for y in texts[q][1][:PAIR_LIMIT])
    return pairs


def _levels(cfg_a: Config, cfg_b: Config, aliases: dict[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """The alias map and the ladder of a comparison: the newer side's (or the one given: the newest
    release's, for changelog --all), so that old releases compare cleanly against new ones."""
    return dict(cfg_b.aliases if aliases is None else aliases), list(cfg_b.levels) + [
        lv for lv in cfg_a.levels if lv not in cfg_b.levels
    ]


def _authority(x: Section, y: Section, aliases: dict[str, str], ladder: list[str], vocab: set[tuple[str, str]]) -> Change | None:
    la, lb = x.authority, y.authority
    if la == lb:
        return None
    args = (y.anchor, y.title)
    where = (x.location, y.location)
    if la is None:
        return change(Kind.AUTHORITY_ADDED, *args, f"authority {lb} added", *where, key=str(lb), details={"to": lb})
    if lb is None:
        return change(Kind.AUTHORITY_REMOVED, *args, f"authority {la} removed", *where, key=la, details={"from": la})
    ca, cb = aliases.get(la, la), aliases.get(lb, lb)
    if ca == cb:
        vocab.add((la, lb) if la in aliases else (lb, la))
        return None
    pair = {"from": la, "to": lb}
    if ca in ladder and cb in ladder:
        kind = Kind.AUTHORITY_PROMOTED if ladder.index(cb) < ladder.index(ca) else Kind.AUTHORITY_DEMOTED
        word = "promoted" if kind is Kind.AUTHORITY_PROMOTED else "demoted"
        return change(kind, *args, f"authority {la} → {lb} ({word})", *where, key=f"{la}>{lb}", details=pair)
    return change(Kind.AUTHORITY_CHANGED, *args, f"authority {la} → {lb}", *where, key=f"{la}>{lb}", details=pair)


def _without(prose: str, sentences: Iterable[str]) -> str:
    """The prose, normalised, less the given (normalised) sentences."""
    text = normalise(prose)
    for sentence in sentences:
        text = text.replace(sentence, " ")
    return " ".join(text.split())


def diff(
    a: Spec, b: Spec, cfg_a: Config, cfg_b: Config, old: str = "", new: str = "", aliases: dict[str, str] | None = None
) -> ChangeSet:
    sa, sb = first(a.sections(), "anchor"), first(b.sections(), "anchor")
    ca, cb = first(a.clauses(), "id"), first(b.clauses(), "id")
    renames = {**cfg_a.renames, **cfg_b.renames}
    split, merged = scattered(sa, sb, ca, cb, renames)
    match = match_sections(sa, sb, renames, split, merged)
    back = {y: x for x, y in match.items()}
    aliases, ladder = _levels(cfg_a, cfg_b, aliases)
    out: list[Change] = []
    vocab: set[tuple[str, str]] = set()

    explained_old, explained_new = set(split), set(merged)
    for x, targets in sorted(split.items()):
        out.append(
            change(
                Kind.SECTION_SPLIT,
                x,
                sa[x].title,
                f"split into {', '.join('#' + t for t in targets)}",
                sa[x].location,
                sb[targets[0]].location,
                key=">".join(targets),
                details={"into": targets},
            )
        )
    for y, sources in sorted(merged.items()):
        out.append(
            change(
                Kind.SECTION_MERGED,
                y,
                sb[y].title,
                f"merged from {', '.join('#' + t for t in sources)}",
                sa[sources[0]].location,
                sb[y].location,
                key="<".join(sources),
                details={"from": sources},
            )
        )
    for x in sorted(set(sa) - set(match) - explained_old):
        s = sa[x]
        out.append(
            change(
                Kind.SECTION_REMOVED,
                x,
                s.title,
                f"section “{s.title}” removed ({len(s.clauses)} clause{'s' * (len(s.clauses) != 1)})",
                s.location,
                None,
                details={"authority": s.authority},
            )
        )
    for y in sorted(set(sb) - set(back) - explained_new):
        s = sb[y]
        out.append(
            change(
                Kind.SECTION_ADDED, y, s.title, f"section “{s.title}” added", None, s.location, details={"authority": s.authority}
            )
        )

    # a clause that moved is reported as moved; its sentence is not a wording change of either section
    moved_out: dict[str, list[str]] = {}
    moved_in: dict[str, list[str]] = {}
    for cid in set(ca) & set(cb):
        old_section, new_section = ca[cid].section or "", cb[cid].section or ""
        if match.get(old_section, old_section) != new_section:
            moved_out.setdefault(old_section, []).append(normalise(ca[cid].text))
            moved_in.setdefault(new_section, []).append(normalise(cb[cid].text))
    for x, y in sorted(match.items()):
        p, q = sa[x], sb[y]
        if (
            x == y
            and p.prose == q.prose
            and p.title == q.title
            and p.attributes == q.attributes
            and p.parent == q.parent
            and p.location.path == q.location.path
            and not p.examples
            and not q.examples
            and x not in moved_out
            and y not in moved_in
            and (p.parent is None or match.get(p.parent) == p.parent)
        ):
            continue  # unchanged: most sections of a changed file are (kept cheap)
        where = (p.location, q.location)
        if x != y:
            out.append(
                change(
                    Kind.SECTION_RENAMED,
                    y,
                    q.title,
                    f"anchor #{x} renamed #{y}",
                    *where,
                    key=f"{x}>{y}",
                    details={"from": x, "to": y},
                )
            )
        parent = match.get(p.parent, p.parent) if p.parent else None
        if parent != q.parent or p.location.path != q.location.path:
            moves = []
            if parent != q.parent:
                moves.append(
                    f"from under {'#' + p.parent if p.parent else 'the top'} to under {'#' + q.parent if q.parent else 'the top'}"
                )
            if p.location.path != q.location.path:
                moves.append(f"from {p.location.path} to {q.location.path}")
            out.append(
                change(
                    Kind.SECTION_MOVED,
                    y,
                    q.title,
                    "moved " + " and ".join(moves),
                    *where,
                    key=f"{p.parent}>{q.parent}:{p.location.path}>{q.location.path}",
                    details={
                        "from_parent": p.parent,
                        "to_parent": q.parent,
                        "from_path": p.location.path,
                        "to_path": q.location.path,
                    },
                )
            )
        if p.title != q.title:
            out.append(
                change(
                    Kind.SECTION_RETITLED,
                    y,
                    q.title,
                    f"retitled “{p.title}” → “{q.title}”",
                    *where,
                    key=f"{p.title}>{q.title}",
                    details={"from": p.title, "to": q.title},
                )
            )
        auth = _authority(p, q, aliases, ladder, vocab)
        if auth:
            out.append(auth)
        if p.prose == q.prose and x not in moved_out and y not in moved_in:
            prose_a = prose_b = ""  # the same text: nothing to compare (the common case, kept cheap)
        else:
            prose_a, prose_b = _without(p.prose, moved_out.get(x, ())), _without(q.prose, moved_in.get(y, ()))
        if prose_a != prose_b:
            text, normative = word_diff(prose_a, prose_b)
            kind = "normative" if normative else "editorial"
            out.append(
                change(
                    Kind.SECTION_REWORDED,
                    y,
                    q.title,
                    f"{kind} wording change",
                    *where,
                    key=hash_text(prose_a + "\0" + prose_b),
                    normative=normative,
                    details={"diff": text},
                )
            )
        if p.examples or q.examples:
            out.extend(diff_examples(p.examples, q.examples, y, q.title))

    for cid in sorted(set(ca) | set(cb)):
        old_clause, new_clause = ca.get(cid), cb.get(cid)
        if (
            old_clause is not None
            and new_clause is not None
            and old_clause.text == new_clause.text
            and match.get(old_clause.section or "") == new_clause.section
        ):
            continue  # unchanged
        out.extend(_clause(cid, old_clause, new_clause, match, sa, sb))
    out.extend(diff_challenges(a, b, sa, sb, ca, cb))
    notes = tuple(
        f"Authority level '{old_name}' is now called '{new_name}'; sections that only changed the name keep their authority."
        for old_name, new_name in sorted(vocab)
    )
    out.sort(key=sort_key)
    return ChangeSet(old, new, tuple(out), notes)


def _clause(
    cid: str, x: Clause | None, y: Clause | None, match: dict[str, str], sa: dict[str, Section], sb: dict[str, Section]
) -> list[Change]:
    def title(c: Clause, sections: dict[str, Section]) -> str:
        return sections[c.section].title if c.section in sections else ""

    if x is None and y is not None:
        return [
            change(
                Kind.CLAUSE_ADDED,
                cid,
                title(y, sb),
                f"clause [^{cid}] added: {y.text}",
                None,
                y.location,
                details={"section": y.section, "text": y.text},
            )
        ]
    if y is None and x is not None:
        return [
            change(
                Kind.CLAUSE_REMOVED,
                cid,
                title(x, sa),
                f"clause [^{cid}] removed: {x.text}",
                x.location,
                None,
                details={"section": x.section, "text": x.text},
            )
        ]
    assert x is not None and y is not None
    out = []
    mapped = match.get(x.section or "", x.section)
    if mapped != y.section:
        out.append(
            change(
                Kind.CLAUSE_MOVED,
                cid,
                title(y, sb),
                f"clause [^{cid}] moved from #{x.section} to #{y.section}",
                x.location,
                y.location,
                key=f"{x.section}>{y.section}",
                details={"from": x.section, "to": y.section},
            )
        )
    if x.text != y.text and normalise(x.text) != normalise(y.text):
        text, normative = word_diff(x.text, y.text)
        out.append(
            change(
                Kind.CLAUSE_REWORDED,
                cid,
                title(y, sb),
                f"clause [^{cid}] reworded",
                x.location,
                y.location,
                key=hash_text(normalise(x.text) + "\0" + normalise(y.text)),
                normative=normative,
                details={"diff": text, "section": y.section},
            )
        )
    return out
