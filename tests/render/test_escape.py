"""Issue 10 (4): text from a pull request is inert wherever it is shown (comment, job summary, changelog,
terminal, runner log), and findings quote no challenge content."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from spectools.render.escape import md, term, word_diff_md
from tests.gitrepo import GitRepo, challenge, example, section

EVIL = (
    "Tone @acme/everyone ![x](https://evil.example/p.png) <img src=x onerror=alert(1)> [win](https://evil.example) </details> `x"
)


def _repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "spec")
    base = "# Rules {#rules}\n\n" + section("tone", "Tone", "The assistant should be kind[^tn01].")
    repo.commit("base", {"model_spec.md": base, "examples/tn01.md": challenge("tn01", "Tone", example("rude"))})
    evil_doc = "# Rules {#rules}\n\n" + section(
        "tone", EVIL, "The assistant `must` be kind, @acme/everyone, see https://evil.example[^tn01]. It </details> is[^@evil]."
    )
    bad_example = example("x", good="GOOD", bad="NOPE secret-label-text").replace(
        "<user>", "<secret-role>x</secret-role>\n<user>"
    )
    repo.commit(
        "evil", {"model_spec.md": evil_doc, "examples/tn01.md": challenge("tn01", "Tone", bad_example), "::warning::x.md": "hi"}
    )
    return repo


def _inert(body: str) -> None:
    assert "<img" not in body and "](https://evil" not in body and "@acme" not in body
    assert body.count("<details>") == body.count("</details>") and "https://evil" not in body
    assert all(len(line) <= 1000 for line in body.splitlines())


def test_the_comment_and_the_changelog_show_the_text_and_run_none_of_it(cli, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    comment = cli("github", "--path", str(repo.root), "--base", "HEAD~1", "--head", "HEAD", "--dry-run").out
    _inert(comment)
    assert "@\u2060acme/everyone" in comment and "&lt;img src=x onerror=alert(1)&gt;" in comment
    notes = cli("changelog", "HEAD~1..HEAD", "--version", "v2", cwd=repo.root).out
    _inert(notes)


def test_findings_quote_no_challenge_content(cli, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    out = cli("validate", str(repo.root), "--format", "json").out
    assert "unknown label;" in out and "unknown role;" in out and "secret" not in out


def test_terminal_output_has_no_escape_sequences_and_no_workflow_commands(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit(
        "one",
        {"model_spec.md": "# Rules {#rules}\n\n" + section("a\x1b[31mred", "T\x1b[2J", "Rule[^ab12]."), "::warning::x.md": ""},
    )
    result = cli("validate", str(repo.root), "--fail-on", "never")
    assert "\x1b" not in result.out + result.err and "\\x1b[31m" in result.out
    assert not re.search(r"^::", result.out, re.M)
    repo.commit("two", {"model_spec.md": "# Rules {#rules}\n\n" + section("a\x1b[31mred", "T\x1b[2J new", "Rule[^ab12].")})
    diff = cli("diff", "HEAD~1", "HEAD", cwd=repo.root)
    assert "\x1b" not in diff.out + diff.err


@given(st.text())
def test_md_output_never_holds_markup(text: str) -> None:
    out = md(text)
    assert "<" not in out and ">" not in out.replace("&gt;", "") and "\n" not in out
    assert not re.search(r"(?<!\\)\]\(", out) and not re.search(r"(?<!\\)`", out) and "@" not in out.replace("@\u2060", "")


@given(st.text())
def test_term_output_has_no_control_characters(text: str) -> None:
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", term(text))


_PIECES = st.lists(st.sampled_from(["a", "`", "[-", "-]", "{+", "+}", "<b>", "@x", " ", "&"]), max_size=12).map("".join)
_OPS = st.lists(st.tuples(st.sampled_from(["keep", "delete", "insert", "skip"]), _PIECES), max_size=12)


@given(_OPS)
def test_word_diff_markup_is_only_ours(ops: list[tuple[str, str]]) -> None:
    out = word_diff_md(ops)
    assert re.sub(r"</?(del|ins)>", "", out).count("<") == 0 and not re.search(r"(?<!\\)`", out)
    assert out.count("<del>") == sum(op == "delete" for op, _ in ops)
    assert out.count("<ins>") == sum(op == "insert" for op, _ in ops)


@given(_OPS)
def test_every_renderer_shows_exactly_the_runs_it_is_given(ops: list[tuple[str, str]]) -> None:
    """Issue 18 (3): a diff is data; no renderer reads `[-x-]` or `{+y+}` in the words as a change of its own."""
    from html.parser import HTMLParser

    from spectools.render.changes import diff_html

    seen: list[tuple[str, str]] = []

    class Runs(HTMLParser):
        tag = ""

        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            self.tag = tag

        def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
            self.tag = ""

        def handle_data(self, data):  # type: ignore[no-untyped-def]
            if self.tag:
                seen.append((self.tag, data))

    Runs(convert_charrefs=True).feed(diff_html(ops))
    tags = {"delete": "del", "insert": "ins"}
    assert seen == [(tags[op], words) for op, words in ops if op in tags and words]


def test_literal_diff_markers_in_the_text_are_shown_as_they_are(cli, tmp_path) -> None:
    repo = GitRepo(tmp_path / "spec")
    body = section("rules", "Rules", "Write [-x-] and {+y+} as they are[^ab12].")
    repo.commit("one", {"model_spec.md": body})
    repo.commit("two", {"model_spec.md": body.replace("as they are", "literally")})
    out = cli("changelog", "HEAD~1..HEAD", cwd=repo.root).out
    assert "Write [-x-] and {+y+} <del>as they are.</del> <ins>literally.</ins>" in out, out
    assert "<del>x</del>" not in out and "<ins>y</ins>" not in out
    data = json.loads(cli("diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo.root).out)
    (reworded,) = [c for c in data["changes"] if c["kind"] == "section_reworded"]
    assert reworded["details"]["diff"] == [
        ["keep", "Write [-x-] and {+y+}"],
        ["delete", "as they are."],
        ["insert", "literally."],
    ]
    text = cli("diff", "HEAD~1", "HEAD", cwd=repo.root).out  # a terminal shows the words as written
    assert "Write [-x-] and {+y+} [-as they are.-] {+literally.+}" in text


def test_a_file_name_cannot_end_a_link_in_the_comment() -> None:
    from spectools.github.event import Context
    from spectools.github.summary import Inputs, render
    from spectools.model import Diagnostic, Location

    ctx = Context("pull_request", "o/r", "https://api.example", "https://github.example", "a" * 40, "b" * 40)
    name = "examples/x) ![i](https://evil.example/p.png) (.md"
    body = render(Inputs(head=[Diagnostic(Location(name, 1, 1), "error", "SPEC101", "orphan")], base=[], link=ctx.link))
    assert "](https://evil" not in body and "![i](" not in body  # no image, no link of the file name's own
    assert "examples/x%29%20%21%5Bi%5D%28https%3A" in body


def test_file_names_reach_the_terminal_without_escape_sequences(cli, tmp_path: Path) -> None:
    from tests.gitrepo import write

    name = "ex\x1b[2Jamples"
    root = write(
        tmp_path / "r",
        {
            "model_spec.md": "# A {#a authority=user}\n\nRule[^ab12].\n",
            "spectools.yaml": f'challenges: "{name.replace(chr(27), chr(92) + "e")}"\n',
            f"{name}/ab12.md": "Examples for [^ab12] in Old:\n",
        },
    )
    fixed = cli("validate", str(root), "--fix", "--fail-on", "never")
    assert "fixed the header line of" in fixed.err and "\x1b" not in fixed.err + fixed.out
