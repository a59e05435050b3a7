"""Hypothesis: diff(x, x) is empty; diff(b, a) mirrors diff(a, b); rendering is deterministic."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.diff.engine import diff
from spectools.model import Spec
from spectools.parse.files import parse_challenge, parse_document
from spectools.render import changes
from spectools.sources.config import Config

MIRROR = {
    "section_added": "section_removed",
    "clause_added": "clause_removed",
    "authority_promoted": "authority_demoted",
    "authority_added": "authority_removed",
    "section_split": "section_merged",
    "example_added": "example_removed",
    "challenge_added": "challenge_removed",
    "candidate_added": "candidate_removed",
}
MIRROR.update({v: k for k, v in list(MIRROR.items())})
ANCHORS = ["alpha", "beta", "gamma", "delta", "eps"]
TITLES = ["Be honest", "Be kind", "Stay safe", "Keep scope"]
CLAUSES = ["aa01", "bb02", "cc03", "dd04", "ee05", "ff06"]
SENTENCES = ["The assistant must not lie", "It should be kind", "It may joke", "It never shares data", "Always cite"]
LEVELS = [None, "root", "system", "developer", "user", "guideline"]


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    anchors = draw(st.lists(st.sampled_from(ANCHORS), unique=True, max_size=5))
    clause_pool = draw(st.permutations(CLAUSES))
    text, used = [], 0
    for anchor in anchors:
        level = draw(st.integers(1, 3))
        authority = draw(st.sampled_from(LEVELS))
        attrs = f"#{anchor}" + (f" authority={authority}" if authority else "")
        n = draw(st.integers(0, 2))
        ids = clause_pool[used : used + n]
        used += len(ids)
        body = " ".join(f"{draw(st.sampled_from(SENTENCES))}[^{cid}]." for cid in ids) or draw(st.sampled_from(SENTENCES)) + "."
        text.append(f"{'#' * level} {draw(st.sampled_from(TITLES))} {{{attrs}}}\n\n{body}\n")
    doc = parse_document(draw(st.sampled_from(["model_spec.md", "spec/a.md"])), "\n".join(text))
    challenges = []
    for cid in draw(st.lists(st.sampled_from(CLAUSES), unique=True, max_size=3)):
        labels = draw(st.lists(st.sampled_from(["GOOD", "BAD", "OK"]), min_size=2, max_size=3))
        candidates = "".join(
            f"<assistant> <!-- {label} -->\n{draw(st.sampled_from(SENTENCES))}\n</assistant>\n" for label in labels
        )
        title = draw(st.sampled_from(["a request", "another"]))
        body = f"Examples for [^{cid}] in X:\n\n**Example**: {title}\n\n~~~xml\n<user>\nq\n</user>\n<comparison>\n{candidates}</comparison>\n~~~\n"
        challenges.append(parse_challenge(f"examples/{cid}.md", cid, body))
    return Spec((doc,), tuple(challenges))


CFG = Config()
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(specs())
def test_diff_of_a_spec_with_itself_is_empty(spec: Spec) -> None:
    assert diff(spec, spec, CFG, CFG).changes == ()


@FAST
@given(specs(), specs())
def test_diff_b_a_mirrors_diff_a_b(a: Spec, b: Spec) -> None:
    def kind(k: str) -> str:  # a section merged into another is, the other way round, a section added
        return "section_removed" if k == "section_merged_into" else k

    forward = Counter(MIRROR.get(kind(c.kind), kind(c.kind)) for c in diff(a, b, CFG, CFG).changes)
    backward = Counter(kind(c.kind) for c in diff(b, a, CFG, CFG).changes)
    assert forward == backward


@FAST
@given(specs(), specs())
def test_rendering_is_deterministic(a: Spec, b: Spec) -> None:
    one, two = diff(a, b, CFG, CFG, "A", "B"), diff(a, b, CFG, CFG, "A", "B")
    assert changes.text(one) == changes.text(two)
    assert changes.markdown(one) == changes.markdown(two)
    assert changes.as_json(one) == changes.as_json(two)
    assert [c.fingerprint for c in one.changes] == [c.fingerprint for c in two.changes]


FILES = ["spec/a.md", "spec/b.md", "spec/c.md"]


@st.composite
def spread_spec(draw: st.DrawFn) -> dict[str, str]:
    """A spec's text spread over a few files (some unchanged between two commits), with challenge files."""
    anchors = draw(st.lists(st.sampled_from(ANCHORS), unique=True, max_size=5))
    clause_pool = draw(st.permutations(CLAUSES))
    files: dict[str, list[str]] = {}
    used = 0
    for anchor in anchors:
        ids = clause_pool[used : used + draw(st.integers(0, 2))]
        used += len(ids)
        body = " ".join(f"{draw(st.sampled_from(SENTENCES))}[^{cid}]." for cid in ids) or "Text."
        level = draw(st.sampled_from(LEVELS))
        attrs = f"#{anchor}" + (f" authority={level}" if level else "")
        files.setdefault(draw(st.sampled_from(FILES)), []).append(f"## {draw(st.sampled_from(TITLES))} {{{attrs}}}\n\n{body}\n")
    out = {path: "\n".join(parts) for path, parts in files.items()}
    for cid in draw(st.lists(st.sampled_from(CLAUSES), unique=True, max_size=2)):
        out[f"examples/{cid}.md"] = f"Examples for [^{cid}] in X:\n"
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(old=spread_spec(), new=spread_spec(), keep=st.sets(st.sampled_from(FILES)))
def test_a_partial_comparison_equals_a_full_one(
    tmp_path_factory, old: dict[str, str], new: dict[str, str], keep: set[str]
) -> None:
    """Between two commits only changed files are parsed; that must never change the result."""
    from spectools.diff.compare import Comparer
    from spectools.parse.load import load
    from spectools.sources.git import GitRepo as SpecRepo
    from tests.gitrepo import GitRepo

    for path in keep:  # some files stay the same, so that the partial path really skips them
        if path in old:
            new[path] = old[path]
        else:
            new.pop(path, None)
    repo = GitRepo(tmp_path_factory.mktemp("history"))
    repo.commit("old", old)
    for path in set(old) - set(new):
        repo.remove(path)
    repo.commit("new", new)
    spec_repo = SpecRepo(repo.root)
    a, b = spec_repo.side("HEAD~1"), spec_repo.side("HEAD")
    with Comparer(spec_repo) as comparer:
        partial = comparer.compare(a, b).changes
    full_a, full_b = load(spec_repo.source(a)), load(spec_repo.source(b))
    full = diff(full_a.spec, full_b.spec, full_a.config, full_b.config, a.label, b.label)
    assert changes.text(partial) == changes.text(full)
