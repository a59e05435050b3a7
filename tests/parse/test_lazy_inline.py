"""Inline markup parsed on demand (parse/markdown.inline) gives exactly the tokens markdown-it's own `inline` and
`text_join` core rules give; and where `simple` reads a paragraph without parsing it (text, line breaks and plain
links to anchors), the walk finds exactly what it finds in the real tokens. On every markdown file of the fixtures,
and on generated markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from spectools.model import TAG
from spectools.parse.markdown import events, inline, markdown, parse, simple

DATA = Path(__file__).resolve().parents[1] / "data"


def effects(pairs: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """What document._Paragraph.read does with a paragraph's events: the clause tags of its text (and whether in a
    link), its code spans, and its links to anchors with their text."""
    out: list[tuple[Any, ...]] = []
    target: str | None = None
    label: list[str] = []
    for kind, value in pairs:
        if kind == "text":
            out += [("tag", m.group(0), target is not None) for m in TAG.finditer(value)]
            if target is not None:
                label.append(value)
        elif kind == "code_inline":
            out.append(("code", value))
        elif kind == "link_open" and value.startswith("#"):
            target, label = value, []
        elif kind == "link_close" and target is not None:
            out.append(("link", target, "".join(label)))
            target = None
    return out


def _eager(text: str) -> list[dict[str, Any]]:
    return [t.as_dict() for t in markdown(lazy=False).parse(text, {})]


def _lazy(text: str) -> tuple[list[dict[str, Any]], int]:
    """The lazily parsed tokens, every inline one parsed on demand, checking `simple` on each; and how many were simple."""
    tokens, env = parse(text)
    read = 0
    for tok in tokens:
        if tok.type == "inline":
            found = simple(tok.content, env)
            children = inline(tok, env)
            if found is not None:
                read += 1
                assert effects(found) == effects(events(children)), tok.content
    return [t.as_dict() for t in tokens], read


def test_every_fixture_parses_the_same_lazily() -> None:
    files = sorted(DATA.rglob("*.md"))
    assert len(files) > 50
    read = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        tokens, n = _lazy(text)
        assert tokens == _eager(text), path
        read += n
    assert read > 100  # the shortcut was taken, and held


def test_unparsed_paragraphs_are_left_unparsed() -> None:
    """The point of it: a paragraph nobody asks about costs no inline parsing."""
    tokens, _ = parse("# T\n\nPlain *text* with `code` and [a link](https://example.invalid).\n")
    assert all(t.children == [] for t in tokens if t.type == "inline")


def test_a_plain_link_to_an_anchor_is_read_without_parsing() -> None:
    tokens, env = parse("Be kind[^k1], see [the rule](#rule-1) and [x](#y).\n")
    assert simple(tokens[1].content, env) is not None
    tokens, env = parse("See [the rule](#rule-1 'title').\n\n[ref]: #z\n")
    assert simple(tokens[1].content, env) is None


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
        ")",
        "^",
        "\\\n",
        "&#91;^c5]",
        "a",
        "[see](#s-1)",
        "[](#e)",
        "[ a ](#b_c)",
        "[x](#a)(y)",
        "[x](#a b)",
        "[x](#a\n)",
        "[x](#é)",
        "[x](#a%20)",
        "[[x](#a)",
        "[x]](#a)",
        "[x](#a_b)",
        "_[x](#a_b)_",
        "[x](#a_)_y_",
        "*[x](#a)*",
        "[_x_](#a)",
        "[x](#_a_)",
        "__",
        "_",
        "[x](#a-b_c_)",
        "[x [^c6]](#a)",
        "[^c7](#a)",
        "(#a)",
        "[x](# )",
        "[x](#)",
        "[x](<#a>)",
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(FRAGMENTS, max_size=40))
def test_generated_markdown_parses_the_same_lazily(parts: list[str]) -> None:
    text = "".join(parts)
    assert _lazy(text)[0] == _eager(text)
