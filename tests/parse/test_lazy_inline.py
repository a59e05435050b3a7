"""Inline markup parsed on demand (parse/markdown.inline) gives exactly the tokens markdown-it's own `inline` and
`text_join` core rules give; and a paragraph `plain` lets the walk read line by line holds exactly the clause tags its
text tokens hold. On every markdown file of the fixtures, and on generated markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from spectools.model import TAG
from spectools.parse.markdown import inline, markdown, parse, plain

DATA = Path(__file__).resolve().parents[1] / "data"


def _eager(text: str) -> list[dict[str, Any]]:
    return [t.as_dict() for t in markdown(lazy=False).parse(text, {})]


def _lazy(text: str) -> list[dict[str, Any]]:
    tokens, env = parse(text)
    for tok in tokens:
        if tok.type == "inline":
            lines = tok.content.split("\n")
            children = inline(tok, env)
            if plain(tok.content, env):  # what the walk reads instead of the tokens: the same tags, in the same order
                assert {c.type for c in children} <= {"text", "softbreak", "hardbreak"}, tok.content
                tags = [m.group(0) for c in children if c.type == "text" for m in TAG.finditer(c.content)]
                assert tags == [m.group(0) for line in lines for m in TAG.finditer(line)], tok.content
    return [t.as_dict() for t in tokens]


def test_every_fixture_parses_the_same_lazily() -> None:
    files = sorted(DATA.rglob("*.md"))
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _lazy(text) == _eager(text), path


def test_unparsed_paragraphs_are_left_unparsed() -> None:
    """The point of it: a paragraph nobody asks about costs no inline parsing."""
    tokens, _ = parse("# T\n\nPlain *text* with `code` and [a link](https://example.invalid).\n")
    assert all(t.children == [] for t in tokens if t.type == "inline")


FRAGMENTS = st.sampled_from(
    [
        "text",
        " ",
        "\n",
        "\n\n",
        "[^c1]",
        "[^c2]",
        "](#a)",
        "[x](#a)",
        "[ref]",
        "[ref]: /url\n",
        "[Ref]: <#b> 'title'\n",
        "**bold**",
        "*em*",
        "_u_",
        "`code`",
        "``",
        "\\*",
        "\\[^c1]",
        "&amp;",
        "&#42;",
        "<b>",
        "<!-- c -->",
        "![alt *x*](i.png)",
        "# H {#h authority=user}\n",
        "## T {#t}\n",
        "!!! meta\n    note [^c3]\n",
        "```\n[^c4]\n```\n",
        "    indented\n",
        "> ",
        "- ",
        "1. ",
        "---\n",
        "<https://example.invalid>",
        "{#",
        "}",
        "|",
        "~~",
        "\t",
        "  \n",
        "[^a_b_]",
        "[^_x_]",
        "[^*y*]",
        "[^`z`]",
        "[x]",
        "[x][y]",
        "[^c1]: /d\n",
        "[^c1](u)",
        "[",
        "]",
        "(",
        "^",
        "\\\n",
        "&#91;^c5]",
        "a",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(FRAGMENTS, max_size=40))
def test_generated_markdown_parses_the_same_lazily(parts: list[str]) -> None:
    text = "".join(parts)
    assert _lazy(text) == _eager(text)
