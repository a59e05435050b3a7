"""`spectools site` on a repository shaped like the public Model Spec (tests/data/modelspec, three release tags): a page
per release that shows every section, example, message and label of the parsed model, redlines between releases,
history links, compliance from results files, and an output folder that is never someone else's."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from spectools.io.results import ClauseResult, RunInfo, document
from spectools.model import Comparison, Message, wilson
from spectools.parse.load import load, open_worktree
from tests.conftest import DATA
from tests.gitrepo import MODELSPEC_RELEASES, GitRepo, modelspec_history
from tests.site.pages import broken_links, pages

TAGS = [tag for _, tag in MODELSPEC_RELEASES]


@pytest.fixture
def history(tmp_path: Path) -> GitRepo:
    return modelspec_history(tmp_path / "spec")


def _messages(spec) -> list[Message]:
    out = []
    for e in (e for d in spec.documents for e in d.examples):
        for t in e.turns:
            out += list(t.candidates) if isinstance(t, Comparison) else [t]
    return out


def test_a_page_per_release_shows_what_the_model_holds(cli, history: GitRepo) -> None:
    result = cli("site", "--out", "site", cwd=history.root)
    assert result.code == 0, result.err
    assert "3 release pages, 2 redlines and the index" in result.err
    site = history.root / "site"
    found = pages(site)
    assert set(found) == {
        "index.html", *(f"{t}.html" for t in TAGS),
        "redline-v2025.03.01-to-v2025.09.12.html", "redline-v2025.09.12-to-v2025.12.18.html",
    }  # fmt: skip
    for version, tag in MODELSPEC_RELEASES:
        spec = load(open_worktree(DATA / "modelspec" / version)).spec
        page = found[f"{tag}.html"]
        sections = [s for d in spec.documents for s in d.sections]
        assert [e.attrs["id"] for e in page.elements if e.tag == "section"] == [s.anchor for s in sections]
        assert sorted(str(e.attrs["data-authority"]) for e in page.having("data-authority")) == sorted(
            str(s.attributes["authority"]) for s in sections if "authority" in s.attributes
        )
        assert len(page.having("data-example")) == sum(len(d.examples) for d in spec.documents)
        messages = _messages(spec)
        assert [e.attrs["data-role"] for e in page.having("data-role")] == [m.role for m in messages]
        assert [e.attrs["data-label"] for e in page.having("data-label")] == [m.label.verdict for m in messages if m.label]
        tags = {c.id for c in spec.clauses()}
        assert {i.removeprefix("clause=") for i in page.ids if i.startswith("clause=")} == tags  # a permalink each
    assert broken_links(site) == []


def test_pages_carry_the_conventions_of_the_spec(cli, history: GitRepo) -> None:
    cli("site", "--out", "site", cwd=history.root)
    page = (history.root / "site" / "v2025.12.18.html").read_text(encoding="utf-8")
    assert "<title>Harbor Assistant Spec · v2025.12.18</title>" in page  # the document's first heading
    assert '<aside class="commentary meta"><p class="commentary-title">Commentary</p>' in page
    assert '<b>BAD</b> <a href="#chain_of_command">#chain_of_command</a>' in page  # a label's anchor links its section
    assert ": <span>obeys text inside a tool result</span>" in page  # and its reason is shown
    assert "<b>OK</b>" in page and ": <span>answers but ignores the signs of exhaustion</span>" in page
    assert 'href="https://example.org/harbor/welfare" rel="nofollow noopener"' in page
    assert "<p>This document describes how the Harbor assistant should behave." in page  # the preamble
    # a section's history links to the redlines that changed it
    assert '<a href="redline-v2025.03.01-to-v2025.09.12.html#dangerous_cargo">v2025.09.12: authority platform → system' in page


def test_a_redline_lists_changes_in_the_order_of_the_highlights_with_word_level_marks(cli, history: GitRepo) -> None:
    cli("site", "--out", "site", cwd=history.root)
    site = history.root / "site"
    red = (site / "redline-v2025.09.12-to-v2025.12.18.html").read_text(encoding="utf-8")
    doc = json.loads(cli("changelog", "v2025.12.18", "--format", "json", cwd=history.root).out)
    subjects = [h["subject"] for h in doc["releases"][0]["highlights"]]
    shown = [red.index(f'href="#{s}"') for s in subjects]  # every highlight, in the ranking's order
    assert shown == sorted(shown) and len(shown) == 5
    assert "<del>" in red and "<ins>" in red and "first, unless a lower instruction only narrows a higher one." in red
    assert 'data-kind="authority_demoted" data-severity="breaking"' in red
    # a removed clause links to the page where it still is
    assert 'href="v2025.09.12.html#serve_operator">Serve the operator</a>: clause [^sv02] removed' in red
    index = pages(site)["index.html"]
    assert 'The newest: <a href="v2025.12.18.html">v2025.12.18</a>' in (site / "index.html").read_text(encoding="utf-8")
    assert index.having("data-release") and [e.attrs["data-release"] for e in index.having("data-release")] == TAGS[::-1]


def test_the_working_tree_has_a_page_only_when_it_differs_from_the_newest_release(cli, history: GitRepo) -> None:
    assert cli("site", "--out", "../out", cwd=history.root).code == 0
    assert not (history.root.parent / "out" / "unreleased.html").exists()
    spec = history.root / "model_spec.md"
    spec.write_text(spec.read_text(encoding="utf-8").replace("should clearly say", "must clearly say"), encoding="utf-8")
    result = cli("site", "--out", "../out", cwd=history.root)
    assert result.code == 0, result.err
    out = history.root.parent / "out"
    red = (out / "redline-v2025.12.18-to-unreleased.html").read_text(encoding="utf-8")
    assert "<del>should</del> <ins>must</ins>" in red
    assert "Unreleased" in (out / "index.html").read_text(encoding="utf-8")
    assert broken_links(out) == []
    assert cli("site", "--out", "../other", "--no-worktree", cwd=history.root).code == 0
    assert not (history.root.parent / "other" / "unreleased.html").exists()


def test_a_repository_with_no_release_tag_is_its_working_tree(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec").write(
        {"model_spec.md": "# S\n\n## A {#a authority=user}\n\nThe assistant should help[^ab12].\n"}
    )
    result = cli("site", "--out", "site", cwd=repo.root)
    assert result.code == 0, result.err
    assert sorted(p.name for p in (repo.root / "site").glob("*.html")) == ["index.html", "unreleased.html"]


def test_the_output_folder_is_never_someone_elses(cli, history: GitRepo, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    result = cli("site", "--out", str(mine), cwd=history.root)
    assert result.code == 2 and "holds files that spectools site did not write" in result.err
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    out = tmp_path / "out"
    assert cli("site", "--out", str(out), cwd=history.root).code == 0
    assert cli("site", "--out", str(out), cwd=history.root).code == 0  # a folder it wrote: written over
    assert json.loads((out / ".spectools-site").read_text(encoding="utf-8"))[0] == "index.html"
    (history.root / ".git" / "site").mkdir()
    result = cli("site", "--out", ".git/site", cwd=history.root)
    assert result.code == 2 and "inside a .git folder" in result.err
    assert list((history.root / ".git" / "site").iterdir()) == []


def test_tags_become_safe_distinct_file_names(cli, history: GitRepo) -> None:
    history.tag("index").tag("v9+beta").tag("v9-beta")
    result = cli("site", "--out", "site", "--releases", "*", cwd=history.root)
    assert result.code == 0, result.err
    names = sorted(p.name for p in (history.root / "site").glob("*.html"))
    assert {"release-index.html", "v9-beta.html", "v9-beta-2.html", "index.html"} <= set(names)
    assert broken_links(history.root / "site") == []


def test_site_settings_and_a_base_url(cli, history: GitRepo) -> None:
    history.write({"spectools.yaml": "site:\n  title: Harbor rules\n  base_url: https://example.org/harbor\n"})
    assert cli("site", "--out", "site", cwd=history.root).code == 0
    index = (history.root / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Harbor rules</title>" in index
    assert '<link rel="canonical" href="https://example.org/harbor/index.html">' in index
    result = cli("site", "--out", "site", "--base-url", "javascript:alert(1)", cwd=history.root)
    assert result.code == 2 and "must be an http(s) address" in result.err
    history.write({"spectools.yaml": "site:\n  base_url: 'javascript:alert(1)'\n"})
    assert "SPEC001 site.base_url" in cli("validate", ".", cwd=history.root).out  # the schema refuses it ...
    assert cli("site", "--out", "site", cwd=history.root).code == 0  # ... and the site leaves it out
    assert "javascript" not in (history.root / "site" / "index.html").read_text(encoding="utf-8")


def _results(path: Path, commit: str, model: str, rows: list[tuple[str, int, int, bool | None]]) -> Path:
    info = RunInfo(commit, model, "grader-x", "grader-1", 6, "2026-12-02T10:00:00Z", "2026-12-02T10:01:00Z", True,
                   10, 0, 100, 50, {"samples": 1, "grader_samples": 1, "max_requests": None, "max_tokens": 4096, "grader_max_tokens": 1024}, {"json_schema": 1, "plain": 0}, 0, 0)  # fmt: skip
    results = [
        ClauseResult(cid, None, None, n, p, 0, 0, round(p / n, 4), wilson(p, n), calibrated) for cid, p, n, calibrated in rows
    ]
    path.write_text(json.dumps(document(info, results)), encoding="utf-8")
    return path


def test_compliance_beside_each_clause_on_the_release_it_was_measured_at(cli, history: GitRepo, tmp_path: Path) -> None:
    head = history.git("rev-parse", "v2025.12.18").strip()
    a = _results(tmp_path / "a.json", head, "model-a", [("cc01", 5, 6, True), ("cc02", 1, 4, True), ("dg01", 2, 2, False)])
    b = _results(tmp_path / "b.json", head[:12], "model-b", [("cc01", 6, 6, None)])
    result = cli("site", "--out", "site", "--results", str(a), "--results", str(b), cwd=history.root)
    assert result.code == 0, result.err
    found = pages(history.root / "site")
    page = found["v2025.12.18.html"]
    assert [e.attrs["data-clause"] for e in page.having("data-clause")] == ["cc01", "cc02", "dg01"]
    text = page.all_text
    assert "model-a: 83% (5/6, 95% CI 44%–97%)" in text and "model-b: 100% (6/6, 95% CI 61%–100%)" in text
    assert "dg01: model-a: 100% (2/2, 95% CI 34%–100%) uncalibrated" in " ".join(text.split())
    assert len([e for e in page.elements if e.tag == "svg"]) == 2  # chain_of_command and dangerous_cargo
    assert not found["v2025.09.12.html"].having("data-clause")  # measured at the newest release only
    table = found["index.html"].all_text
    assert "model-a" in table and "model-b" in table and "Compliance at v2025.12.18" in table
    c = _results(tmp_path / "c.json", "f" * 40, "model-c", [("cc01", 1, 1, None)])
    result = cli("site", "--out", "site", "--results", str(c), cwd=history.root)
    assert result.code == 0 and "no release's; shown on the newest page (v2025.12.18)" in result.err


def test_a_results_file_that_is_not_one_is_refused_before_anything_is_written(cli, history: GitRepo, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for text in ('{"schema_version": 3, "results": "x"}', '{"schema_version": 1}', '{"schema_version": 2, "run": {}}'):
        bad.write_text(text, encoding="utf-8")
        result = cli("site", "--out", "site", "--results", str(bad), cwd=history.root)
        assert result.code == 2 and "bad.json" in result.err and not (history.root / "site").exists(), result.err


def test_a_file_that_cannot_be_read_is_named_not_silently_left_out(cli, history: GitRepo) -> None:
    (history.root / "model_spec.md").write_bytes(b"# S\n\n## A {#a}\n\nBad byte \xff here[^ab12].\n")
    result = cli("site", "--out", "site", cwd=history.root)
    assert result.code == 0
    assert "Unreleased: model_spec.md:" in result.err and "it is left out of that page" in result.err


def test_the_same_text_on_two_pages_is_drawn_for_each_page() -> None:
    """Parsed text is kept between pages (releases share most of theirs); what a page decides is its own."""
    from spectools.site.prose import Links, blocks, inline

    def links(titles: dict[str, str]) -> Links:
        return Links(titles, lambda cid: f"#clause={cid}", set())

    text = "See [?](#a) and [b](#b), must[^ab12]."
    first = inline(text, links({"a": "Old title", "b": "B"}))
    second = inline(text, links({"a": "New title"}))
    assert ">Old title</a>" in first and '<a href="#b">b</a>' in first and 'id="clause=ab12"' in first
    assert ">New title</a>" in second and 'href="#b"' not in second and " and b, must" in second
    assert inline(text, links({"a": "Old title", "b": "B"})) == first
    assert blocks(text, 0, links({"a": "Third"}))[0].html.count("Third") == 1
    tagged = links({"a": "Title [^zz99]"})
    assert 'class="tag"' not in inline("See [?](#a).", tagged) and tagged.tagged == set()  # no link inside a link
    page = links({})
    once, again = inline("must[^ab12].", page), inline("must[^ab12].", page)
    assert 'id="clause=ab12"' in once and 'id="clause=ab12"' not in again and page.tagged == {"ab12"}
    fresh = links({})
    assert inline("must[^ab12].", fresh) == once and fresh.tagged == {"ab12"}  # drawn before: the page is told all the same


def test_the_title_is_the_first_heading_as_markdown_reads_it(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    fence = "```sh\n# install it\npip install x\n```\n"
    repo.commit("v1", {"model_spec.md": f"Intro.\n\n{fence}\n## Tone {{#tone authority=root}}\n\nBe kind[^tn01].\n"})
    repo.tag("v1")
    assert cli("site", "--out", "site", cwd=repo.root).code == 0
    page = (repo.root / "site" / "v1.html").read_text(encoding="utf-8")
    assert "<title>Spec · v1</title>" in page and "# install it" in page  # no title in a code block; the block whole
    spaced = "# x" + " " * 20000 + "y\n\n## Tone {#tone authority=root}\n\nBe kind[^tn01].\n"  # no backtracking
    repo.commit("v2", {"model_spec.md": spaced})
    repo.tag("v2")
    assert cli("site", "--out", "site", cwd=repo.root).code == 0
    assert "<title>x" in (repo.root / "site" / "v2.html").read_text(encoding="utf-8")


def test_every_redline_link_resolves_after_splits_merges_and_tags_named_like_redlines(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    one = "## Whole {#whole authority=root}\n\nThe assistant must greet[^wh01]. The assistant must answer[^wh02].\n\n"
    one += "## One {#one authority=user}\n\nBe brief[^on01].\n\n## Two {#two authority=user}\n\nBe plain[^tw01].\n"
    two = "## Half A {#half_a authority=root}\n\nThe assistant must greet[^wh01].\n\n"
    two += "## Half B {#half_b authority=root}\n\nThe assistant must answer[^wh02].\n\n"
    two += "## Both {#both authority=user}\n\nBe brief[^on01]. Be plain[^tw01].\n"
    for tag, text in (("v1", one), ("v2-to-v3", two), ("v1-to-v2", one), ("v3", two)):
        repo.commit(tag, {"model_spec.md": f"# Spec\n\n{text}"})
        repo.tag(tag)
    result = cli("site", "--out", "site", cwd=repo.root)
    assert result.code == 0, result.err
    site = repo.root / "site"
    assert broken_links(site) == []
    assert len(list(site.glob("redline-*.html"))) == 3  # v1 to v2-to-v3 and v1-to-v2 to v3 do not share a file
    first = (site / "redline-v1-to-v2-to-v3.html").read_text(encoding="utf-8")
    assert 'href="v1.html#whole"' in first and 'href="v1.html#one"' in first  # split and merged away: the old page


def test_results_of_many_models_are_counted_past_thirty(cli, history: GitRepo, tmp_path: Path) -> None:
    """A results file is an artifact: 3,000 models (each its own row) cost one pass, and the pages show 30."""
    from spectools.site.compliance import MAX_MODELS, compliance

    rows = [{"model": f"m{i}", "grader": "g", "clause": "cc01", "passed": 1, "samples": 2} for i in range(3000)]
    found = compliance([("r.json", rows)])
    assert len(found.models) == MAX_MODELS == 30 and found.left_out == 2970
    assert [r.model for r in found.clauses["cc01"]] == [f"m{i}" for i in range(30)]
    head = history.git("rev-parse", "v2025.12.18").strip()
    many = _results(tmp_path / "many.json", head, "model-a", [("cc01", 1, 2, True)])
    doc = json.loads(many.read_text(encoding="utf-8"))
    doc["results"] = [{**doc["results"][0], "clause": f"x{i:04d}"} for i in range(2000)]  # clauses no spec has
    many.write_text(json.dumps(doc), encoding="utf-8")
    assert cli("site", "--out", "site", "--results", str(many), cwd=history.root).code == 0


@pytest.mark.parametrize("seed", range(4))
def test_plain_text_is_drawn_as_markdown_draws_it(seed: int) -> None:
    """inline() draws a plain sentence without markdown-it: on random text over an alphabet of what marks things
    up, whatever it draws that way is what markdown-it draws."""
    import random

    from spectools.site import prose

    rng = random.Random(seed)
    alphabet = list("aZ9 .,;:'\"()/%-+=?") + list("*_[]<>&!`\\#|~$\t\n\r\x00\u00a0\u2028") + ["  ", "1. ", "- ", "> "]
    links = prose.Links({}, lambda cid: f"#clause={cid}", set())
    md = prose.markdown()
    plain = 0
    for _ in range(3000):
        text = rng.choice("aBz") + "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        if prose._PLAIN.fullmatch(text):
            plain += 1
            assert prose.inline(text, links) == md.renderer.render(md.parse(text, {}), md.options, prose._env(links)), text
    assert plain > 100


def test_ids_are_given_once_and_never_clash_with_anchors(cli, tmp_path: Path) -> None:
    """Section anchors shaped like the ids the site makes, a clause first tagged where nothing is drawn (an example's
    title, an image's text) or inside a link, long tag names: every id once, every permalink there, no link in a
    link, every link resolving."""
    import re
    from collections import Counter

    from tests.site.pages import Page

    fence = "```xml\n<user>\nhi\n</user>\n<assistant> <!-- GOOD -->\nhello\n</assistant>\n```\n"
    spec = (
        "# Spec\n\n## Main {#st-main authority=root}\n\n**Example**: about [^abcd] here\n\n" + fence + "\n"
        "![see [^efgh]](https://example.org/x.png) and [see [^ijkl]](#st-main).\n\n"
        "## Clause {#clause-abcd authority=user}\n\nThe rule is strict[^abcd]. Also[^efgh]. And[^ijkl].\n\n"
        "## Contents {#st-contents authority=user}\n\nSee [?](#st-main)[^mnop].\n\n"
        "## Ex {#st-main=example=1 authority=user}\n\nOdd[^qrst].\n"
    )
    repo = GitRepo(tmp_path / "spec")
    long_a, long_b = "v1-" + "a" * 200, "v2-" + "b" * 200
    repo.commit("1", {"model_spec.md": spec})
    repo.tag(long_a)
    repo.commit("2", {"model_spec.md": spec.replace("strict", "stricter")})
    repo.tag(long_b)
    result = cli("site", "--out", "site", cwd=repo.root)
    assert result.code == 0, result.err
    site = repo.root / "site"
    assert broken_links(site) == []
    for path in site.glob("*.html"):
        page = Page(path)
        ids = Counter(str(e.attrs["id"]) for e in page.elements if e.attrs.get("id"))
        assert [i for i, n in ids.items() if n > 1] == [], path.name
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<a [^>]*>(?:(?!</a>).)*<a ", text, re.S), path.name  # no link inside a link
        if "=" not in path.name and path.name.startswith("v"):
            assert {"clause=abcd", "clause=efgh", "clause=ijkl", "clause=mnop"} <= set(ids), path.name
    assert all(len(p.name.encode()) < 255 for p in site.iterdir())


@pytest.mark.parametrize("seed", range(6))
def test_the_memo_draws_what_drawing_afresh_draws(seed: int) -> None:
    """Pages drawn one after another (the memo reusing what an earlier page drew) are what each text drawn afresh
    gives: the same HTML, and the same permalinks given their id."""
    import random

    from spectools.site import prose

    rng = random.Random(seed)
    pieces = ["Be kind[^ab12].", "[?](#a)", "[x](#b)", "**Example**: of [^cd34]", "![i [^ef56]](https://e.org/i)",
              "[see [^ab12]](#a)", "must[^cd34] and[^ef56]", "plain words", "- item[^ab12]\n- two", "`[^ab12]`"]  # fmt: skip
    texts = ["\n\n".join(rng.sample(pieces, rng.randrange(1, 4))) for _ in range(12)]
    prose._DRAWN.clear()
    for _ in range(4):  # pages, each with its own titles and a run of the texts
        titles = {k: rng.choice(["A", "B", "[^zz99] title"]) for k in rng.sample(["a", "b"], rng.randrange(0, 3))}
        order = rng.sample(texts, len(texts))
        memo = prose.Links(titles, lambda cid: f"#clause={cid}", set())
        fresh = prose.Links(titles, lambda cid: f"#clause={cid}", set())
        for text in order:
            assert prose.blocks(text, 1, memo) == prose._blocks(text, 1, fresh), text  # the memo's; drawn afresh
            assert memo.tagged == fresh.tagged, text


def test_the_compiled_templates_draw_what_the_templates_draw(history: GitRepo, monkeypatch) -> None:
    """spectools/site/compiled/ is remade by tools/templates.py whenever a template changes; the pages are the same
    whether the site uses it or compiles the templates itself."""
    import subprocess
    import sys

    import jinja2

    from spectools.site import build as site_build
    from spectools.site.compiled import JINJA2
    from spectools.sources.git import GitRepo as Repo
    from tests.conftest import ROOT

    if jinja2.__version__ == JINJA2:  # the code is this version's (another version compiles the templates itself)
        proc = subprocess.run([sys.executable, "tools/templates.py", "--check"], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert site_build._compiled_fresh()
    repo = Repo(history.root)
    options = site_build.Options(worktree=False)
    compiled = site_build.build(repo, options)
    monkeypatch.setattr(site_build, "_compiled_fresh", lambda: False)
    assert site_build.build(repo, options).files == compiled.files


def test_the_release_notes_link_the_published_redlines(cli, history: GitRepo) -> None:
    """With site.base_url, `spectools changelog` links each release's redline by the name the site gives it."""
    config = (history.root / "spectools.yaml").read_text(encoding="utf-8") if (history.root / "spectools.yaml").exists() else ""
    history.commit("publish", {"spectools.yaml": config + "site:\n  base_url: https://acme.example/spec\n"})
    notes = cli("changelog", "--all", cwd=history.root)
    assert notes.code == 0, notes.err
    linked = re.findall(r"\[the redline\]\(<https://acme\.example/spec/([^>]+)>\)", notes.out)
    assert linked == ["redline-v2025.09.12-to-v2025.12.18.html", "redline-v2025.03.01-to-v2025.09.12.html"]
    assert cli("site", "--out", "site", cwd=history.root).code == 0
    assert all((history.root / "site" / name).is_file() for name in linked)
    assert cli("changelog", "--write", "CHANGELOG.md", cwd=history.root).code == 0  # the one release before HEAD
    written = (history.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Unreleased" in written and "[the redline]" not in written  # HEAD is no release: the site has no redline
    assert "redline-v2025.09.12-to-v2025.12.18.html" in cli("changelog", "v2025.12.18", cwd=history.root).out
    history.commit("a bad address", {"spectools.yaml": config + "site:\n  base_url: javascript:alert(1)\n"})
    bad = cli("changelog", "v2025.12.18", cwd=history.root)
    assert bad.code == 0 and "[the redline]" not in bad.out  # spectools.yaml's schema refuses it: the key is ignored


def test_the_compiled_templates_leave_nothing_dead_in_sys_modules(history: GitRepo) -> None:
    """jinja2's ModuleLoader puts a weak proxy in sys.modules: whatever walks sys.modules after a build (Hypothesis
    does) must find it alive, collected or not."""
    import gc
    import sys

    from spectools.site import build as site_build
    from spectools.sources.git import GitRepo as Repo

    site_build.build(Repo(history.root), site_build.Options(worktree=False))
    modules = list(sys.modules.values())
    gc.collect()
    for module in modules:
        getattr(module, "__file__", None)  # a dead proxy raises ReferenceError


@pytest.mark.parametrize(
    "tags",
    [[f"v1.{n}.0" for n in range(1, 13)], ["vz", "vy", "vx"]],
    ids=["v1.10 after v1.9", "names against history"],
)
def test_releases_of_the_same_second_follow_their_history(cli, tmp_path: Path, tags: list[str]) -> None:
    """Tags on commits made in the same second (a script, a CI job): each release comes after the one it is compared
    with, whatever their names say; the site builds every page and redline, and the notes list the newest first."""
    repo = GitRepo(tmp_path / "spec")
    for n, tag in enumerate(tags):
        repo.day = 0  # every commit at the same second
        repo.commit(tag, {"model_spec.md": f"# Spec\n\n## A {{#a authority=user}}\n\nThe assistant must help {n}[^ab12].\n"})
        repo.tag(tag)
    result = cli("site", "--out", "site", cwd=repo.root)
    assert result.code == 0, result.err
    site = repo.root / "site"
    assert broken_links(site) == [] and not (site / "unreleased.html").exists()  # HEAD is the newest release
    assert sorted(p.name for p in site.glob("redline-*.html")) == sorted(
        f"redline-{old}-to-{new}.html" for old, new in itertools.pairwise(tags)
    )
    notes = cli("changelog", "--all", cwd=repo.root).out
    assert re.findall(r"^## (\S+)", notes, flags=re.M) == tags[::-1]


def test_releases_of_the_same_second_follow_their_history_across_a_merge(cli, tmp_path: Path) -> None:
    """A fix released from a branch and merged back: the merge's release is compared with the fix (its nearest tag),
    yet it comes after every release of the main line it also descends from."""
    repo = GitRepo(tmp_path / "spec")
    spec = "# Spec\n\n## A {{#a authority=user}}\n\nThe assistant must help {}[^ab12].\n"

    def release(tag: str, files: dict[str, str | bytes]) -> None:
        repo.day = 0  # every commit at the same second
        repo.commit(tag, files)
        repo.tag(tag)

    release("v1.0", {"model_spec.md": spec.format(0)})
    repo.git("checkout", "-q", "-b", "fix")
    release("v1.0.1", {"notes.txt": "a fix\n"})
    repo.git("checkout", "-q", "main")
    for n, tag in enumerate(("v1.1", "v1.2", "v1.3"), start=1):
        release(tag, {"model_spec.md": spec.format(n)})
    repo.day = 0
    repo.commit("untagged", {"model_spec.md": spec.format(9)})
    repo.git("merge", "-q", "--no-edit", "fix")
    repo.tag("v2.0")
    notes = cli("changelog", "--all", cwd=repo.root).out
    assert re.findall(r"^## (\S+)", notes, flags=re.M) == ["v2.0", "v1.3", "v1.2", "v1.1", "v1.0.1", "v1.0"]
    result = cli("site", "--out", "site", cwd=repo.root)
    assert result.code == 0 and not (repo.root / "site" / "unreleased.html").exists(), result.err
