"""A section's markdown as HTML for the site, inert by construction (docs/SECURITY.md, "The site").

The spec's text is untrusted: raw HTML in it is shown as text (markdown-it with `html` off), a link keeps only a
`#anchor` of the same page or an http(s)/mailto address (anything else is its text), an image is never loaded
(its alt text, linked when it is an http(s) address: the site makes no request outside itself), and every piece
of text is escaped by markdown-it's renderer. On top of that it knows the spec's conventions: a clause tag
`[^id]` becomes the clause's permalink, `[?](#x)` shows the title of section x, a `!!! meta` admonition is an
aside, and an `**Example**:` paragraph with its xml fence becomes a placeholder for the conversation, which the
template draws from the parsed model (never from the markdown).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any, NamedTuple

from spectools.model import TAG

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_EXAMPLE = re.compile(r"^\*\*Example\*\*:")
_ID = re.compile(r"[A-Za-z0-9_.-]+")  # a clause id the site links: nothing in it means anything in HTML
_SAFE_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.I)


class Block(NamedTuple):
    """One piece of a section's body, in order: ("html", markup) or ("example", index into section.examples)."""

    kind: str
    html: str = ""
    example: int = -1


class Links(NamedTuple):
    """What a body's links may point at: the page's own anchors, with their titles (for `[?](#x)`), and where
    a clause's permalink goes (its id attribute is given only once per page)."""

    titles: dict[str, str]
    clause_href: Callable[[str], str]
    tagged: set[str]  # clause ids that already have their id attribute on this page


def safe_href(href: str, titles: dict[str, str]) -> str | None:
    """The link as the site may keep it, or None: `#anchor` of a section on the page, or an http(s)/mailto
    address; never javascript:, data:, a relative file of the repository, or a space or quote inside."""
    href = href.strip()
    if href.startswith("#"):
        return href if href[1:] in titles else None
    if _SAFE_SCHEME.match(href) and not re.search(r"[\s\"'<>`\x00-\x1f\x7f]", href):
        return href
    return None


def permalinked(cid: str) -> bool:
    """Whether a clause id gets a permalink (`#clause=<id>`): one an attribute can hold as it is."""
    return bool(_ID.fullmatch(cid))


def _text(_r: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    links: Links = env["links"]
    title = env["retitled"].get((id(tokens), idx))
    if title is not None or any(env["open_links"]):  # inside a link: text only (a permalink would nest a link)
        return escape(tokens[idx].content if title is None else title, quote=False)
    return _tags(escape(tokens[idx].content, quote=False), links)


def _tags(text: str, links: Links) -> str:
    """Each `[^id]` (already escaped: ids hold no markup) as the clause's permalink, the first with its id."""

    def permalink(m: re.Match[str]) -> str:
        cid = m.group(1)
        if not permalinked(cid):  # not an id an attribute can hold as it is (`"`, `&`...): it stays text
            return m.group(0)
        first = cid not in links.tagged
        links.tagged.add(cid)
        ident = f' id="clause={cid}"' if first else ""
        return f'<a class="tag"{ident} href="{escape(links.clause_href(cid))}" title="clause {cid}">{cid}</a>'

    return TAG.sub(permalink, text) if "[^" in text else text


def _link_open(_r: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    links: Links = env["links"]
    tok = tokens[idx]
    href = safe_href(str(tok.attrGet("href") or ""), links.titles)
    env["open_links"].append(href is not None)  # links do not nest: the next link_close is this one's
    if href is None:
        return ""
    nxt = tokens[idx + 1] if idx + 1 < len(tokens) else None
    if href.startswith("#") and nxt is not None and nxt.type == "text" and nxt.content == "?":
        env["retitled"][(id(tokens), idx + 1)] = links.titles[href[1:]] or href[1:]  # `[?](#x)`: the section's title
    out = f'<a href="{escape(href)}"'
    if not href.startswith("#"):
        out += ' rel="nofollow noopener"'
    return out + ">"


def _link_close(_r: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    kept = env["open_links"].pop() if env["open_links"] else False
    return "</a>" if kept else ""


def _image(_r: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    alt = escape("".join(c.content for c in tok.children or ()) or tok.content or "image", quote=False)
    src = safe_href(str(tok.attrGet("src") or ""), {})
    if src is None or src.startswith("mailto:"):
        return f'<span class="img">[{alt}]</span>'
    return f'<a class="img" href="{escape(src)}" rel="nofollow noopener">[{alt}]</a>'


def _admonition_open(_r: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    kind = re.sub(r"[^a-z0-9-]", "", str(tokens[idx].meta.get("tag", "")).lower())[:30]
    return f'<aside class="commentary {kind}">'


def _fence(_r: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    return f"<pre><code>{escape(tokens[idx].content, quote=False)}</code></pre>\n"


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).use(admon_plugin)
    md.add_render_rule("text", _text)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    md.add_render_rule("image", _image)
    md.add_render_rule("admonition_open", _admonition_open)
    md.add_render_rule("admonition_close", lambda *a: "</aside>\n")
    md.add_render_rule("admonition_title_open", lambda *a: '<p class="commentary-title">')
    md.add_render_rule("admonition_title_close", lambda *a: "</p>\n")
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _fence)
    return md


def _example_at(tokens: list[Any], i: int) -> bool:
    """Whether tokens[i] opens an `**Example**:` paragraph (the parser's rule, parse/document.py)."""
    return (
        tokens[i].type == "paragraph_open"
        and i + 1 < len(tokens)
        and tokens[i + 1].type == "inline"
        and bool(_EXAMPLE.match(tokens[i + 1].content))
    )


@lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[Any, ...]:
    """The text's tokens, kept for the next page that shows the same text (releases share most of theirs): the
    render rules only read them (what a page changes goes in its render env)."""
    return tuple(markdown().parse(text, {}))


def first_heading(text: str) -> tuple[str, int, int] | None:
    """The text's first level-1 heading as markdown reads it (never a `#` line inside a code block): its text, and
    the lines it spans (first, last + 1)."""
    tokens = _tokens(text)
    for i, tok in enumerate(tokens[:-1]):
        if tok.type == "heading_open" and tok.tag == "h1" and tok.map:
            return tokens[i + 1].content.strip(), tok.map[0], tok.map[1]
    return None


def _env(links: Links) -> dict[str, Any]:
    return {"links": links, "open_links": [], "retitled": {}}


def _blocks(body: str, examples: int, links: Links) -> tuple[Block, ...]:
    md = markdown()
    env = _env(links)
    tokens = list(_tokens(body))
    out: list[Block] = []
    start, i, seen = 0, 0, 0
    while i < len(tokens):
        if seen < examples and _example_at(tokens, i):
            if start < i:
                out.append(Block("html", md.renderer.render(tokens[start:i], md.options, env)))
            end = i + 3  # paragraph_open, inline, paragraph_close
            nxt = tokens[end] if end < len(tokens) else None
            if nxt is not None and nxt.type == "fence" and (nxt.info.split() or [""])[0] == "xml":
                end += 1
            out.append(Block("example", example=seen))
            seen += 1
            start = i = end
            continue
        i += 1
    if start < len(tokens):
        out.append(Block("html", md.renderer.render(tokens[start:], md.options, env)))
    return tuple(out)


def blocks(body: str, examples: int, links: Links) -> tuple[Block, ...]:
    """A section body as blocks: rendered HTML, with a placeholder for each of its `examples` examples where its
    `**Example**:` paragraph and xml fence stood (in order; an example past the count stays markdown)."""
    drawn: tuple[Block, ...] = _memo(("blocks", body, examples), body, links, lambda: _blocks(body, examples, links))
    return drawn


# one line of words and punctuation that markdown leaves as it is: it starts with a letter (no list, heading, quote
# or code block), holds nothing that marks anything up or needs escaping, and ends in no space (nothing to trim)
_PLAIN = re.compile(r"[A-Za-z](?:[^\s\x00-\x1f\x7f*_\[\]<>&!`\\#|~$]|[ ])*(?<! )")


def inline(text: str, links: Links) -> str:
    """One message's or title's markdown as HTML (the same rules; paragraphs kept)."""
    if _PLAIN.fullmatch(text):  # what markdown-it would draw, without asking it (most messages are plain sentences)
        return f"<p>{text}</p>\n"
    md = markdown()
    drawn: str = _memo(
        ("inline", text), text, links, lambda: str(md.renderer.render(list(_tokens(text)), md.options, _env(links)))
    )
    return drawn


class _Deps(NamedTuple):
    """What a text's HTML depends on besides the text: the `#anchors` its links name, and its clause tags."""

    anchors: tuple[str, ...]
    clauses: tuple[str, ...]


@lru_cache(maxsize=16384)
def _deps(text: str) -> _Deps:
    anchors, clauses = [], []
    todo = list(_tokens(text))
    while todo:
        tok = todo.pop()
        if tok.type == "link_open" and str(tok.attrGet("href") or "").strip().startswith("#"):
            anchors.append(str(tok.attrGet("href")).strip()[1:])
        elif tok.type == "text" and "[^" in tok.content:
            clauses += [c for c in TAG.findall(escape(tok.content, quote=False)) if permalinked(c)]  # as _tags links them
        todo.extend(tok.children or ())
    return _Deps(tuple(sorted(set(anchors))), tuple(sorted(set(clauses))))


_DRAWN: dict[tuple[Any, ...], Any] = {}  # the HTML of a text, by the text and what it depends on (releases share most)


def _memo(what: tuple[Any, ...], text: str, links: Links, draw: Callable[[], Any]) -> Any:
    """draw()'s HTML, or the same HTML drawn before for the same text on a page where everything it depends on was
    the same: the titles of the sections it links, and each clause's permalink and whether it was already given."""
    deps = _deps(text)
    key = (
        *what,
        tuple((a, links.titles.get(a)) for a in deps.anchors),
        tuple((c, c in links.tagged, links.clause_href(c)) for c in deps.clauses),
    )
    if key not in _DRAWN:
        if len(_DRAWN) >= 16384:
            _DRAWN.clear()
        before = {c for c in deps.clauses if c in links.tagged}
        html = draw()
        _DRAWN[key] = (html, tuple(c for c in deps.clauses if c in links.tagged and c not in before))
    html, given = _DRAWN[key]
    links.tagged.update(given)  # the permalinks drawing it gave their id (not a tag it does not draw)
    return html
