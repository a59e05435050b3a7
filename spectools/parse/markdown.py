"""The markdown-it-py instance, with a core rule that reads heading attribute blocks.

Inline markup is parsed on demand (`inline`), not for every paragraph: the document walk needs the inline tokens
of only the paragraphs that hold a clause tag or a link to an anchor, and inline parsing is half of markdown-it's
work. A token's children are then exactly what markdown-it's own `inline` and `text_join` core rules give
(tests/parse/test_lazy_inline.py holds the two to each other)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

# `## Title {#anchor key=value key="quoted value"}` at the very end of a heading.
_BLOCK = re.compile(r"(?:^|\s)\{([^{}]*)\}\s*$")
_UNTERMINATED = re.compile(r"(?:^|\s)\{#[^{}]*$")
_PAIR = re.compile(r'\s*(?:#([^\s=#"{}]+)|([A-Za-z_][\w.-]*)=(?:"([^"]*)"|\'([^\']*)\'|([^\s"\']*))|(\S+))')


def parse_attribute_block(raw: str) -> tuple[str | None, dict[str, str], list[str]]:
    """`#anchor a=b c="d e"` -> (anchor, {a: b, c: "d e"}, errors)."""
    anchor: str | None = None
    pairs: dict[str, str] = {}
    errors: list[str] = []
    pos = 0
    raw = raw.strip()
    while pos < len(raw):
        m = _PAIR.match(raw, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group(1) is not None:
            if anchor is not None:
                errors.append(f"second anchor '#{m.group(1)}'; a section has one anchor")
            else:
                anchor = m.group(1)
        elif m.group(2) is not None:
            key = m.group(2)
            value = next(v for v in (m.group(3), m.group(4), m.group(5)) if v is not None)
            if key in pairs:
                errors.append(f"attribute '{key}' is given twice; keep one")
            pairs[key] = value
        else:
            bad = m.group(6)
            errors.append(
                f"cannot read '{bad}' in the attribute block; write '#anchor' or key=value "
                '(quote values with spaces: key="a b")'
            )
    return anchor, pairs, errors


def _heading_attrs(state: StateCore) -> None:
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open" or not tok.markup.startswith("#"):
            continue
        inline = tokens[i + 1]
        content = inline.content
        if "{" not in content:
            continue
        m = _BLOCK.search(content)
        if m and (m.group(1).lstrip().startswith("#") or "=" in m.group(1)):
            anchor, pairs, errors = parse_attribute_block(m.group(1))
            tok.meta["attrs"] = (anchor, pairs, errors, m.start(1) - 1)
            inline.content = content[: m.start()].rstrip()
        elif _UNTERMINATED.search(content):
            tok.meta["unterminated"] = content.index("{#")


@lru_cache(maxsize=2)
def markdown(lazy: bool = True) -> MarkdownIt:
    """The parser; lazy: without the inline core rules (see `inline`), as the document walk uses it."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin

    md = MarkdownIt("commonmark").use(admon_plugin)
    md.core.ruler.after("block", "heading_attrs", _heading_attrs)
    if lazy:
        md.core.ruler.disable(["inline", "text_join"])
    return md


def parse(text: str) -> tuple[list[Any], dict[str, Any]]:
    """The block tokens of text, and the environment (link reference definitions) that `inline` needs."""
    env: dict[str, Any] = {}
    return markdown().parse(text, env), env


# What can make inline parsing give more than text, line breaks and plain links to anchors (commonmark): code spans,
# escapes, html and autolinks, entities, emphasis and images (_MARKUP, anywhere but in an anchor), reference links
# (`][`, or a bracket naming a reference the document defines). A plain link to an anchor: `[label](#anchor)`, its
# label without brackets, markup or a line break, its anchor of letters, digits, `_` and `-` (which markdown-it leaves
# as written; the link is one token before emphasis could see an `_` in it).
_MARKUP = re.compile(r"[`\\<&*_!]")
_ANCHOR_LINK = re.compile(r"\[([^\[\]\n]*)\]\((#[A-Za-z0-9_-]+)\)")


def simple(content: str, env: dict[str, Any]) -> list[tuple[str, str]] | None:
    """What `events` of content's inline tokens would give, without parsing them, when those tokens can only be text,
    line breaks and plain links to anchors; else None. tests/parse/test_lazy_inline.py holds the two to each other."""
    if env.get("references") or "][" in content:
        return None
    if "](" not in content:
        return None if _MARKUP.search(content) else [("text", line) for line in content.split("\n")]
    out: list[tuple[str, str]] = []
    for line in content.split("\n"):
        pos = 0
        for m in _ANCHOR_LINK.finditer(line):
            before = line[pos : m.start()]
            if "](" in before or _MARKUP.search(before) or _MARKUP.search(m.group(1)):
                return None  # markup, or a bracket that is not a plain link to an anchor: parse it
            out += [("text", before), ("link_open", m.group(2)), ("text", m.group(1)), ("link_close", "")]
            pos = m.end()
        rest = line[pos:]
        if "](" in rest or _MARKUP.search(rest):
            return None
        out.append(("text", rest))
    return out


def events(children: list[Any]) -> list[tuple[str, str]]:
    """An inline token's children as the document walk reads them: (type, content), a link's href for its content."""
    return [(c.type, str(c.attrs.get("href", "")) if c.type == "link_open" else c.content) for c in children]


def inline(token: Any, env: dict[str, Any]) -> list[Any]:
    """The children of an inline token, parsed now as markdown-it's `inline` then `text_join` core rules would."""
    from markdown_it.rules_core import StateCore, text_join

    md = markdown()
    token.children = []
    md.inline.parse(token.content, md, env, token.children)
    text_join(StateCore("", md, env, [token]))
    return list(token.children)
