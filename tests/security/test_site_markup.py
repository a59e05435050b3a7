"""Class "The site" (docs/SECURITY.md): spec text on the static site's pages is only text.

Generated specs put what a browser would run or load into every place the site shows: section titles and prose
(reworded between two release tags, so it is in a word diff too), clause sentences, example titles, message text,
element attributes, settings, <untrusted> parts, label anchors, qualifiers and reasons, link targets and images,
front matter, the release tags' names and the site's title. The pages are parsed as HTML; the invariant: only the
elements and attributes the templates write, no script or handler or style, every href inside the site or an
http(s)/mailto address, nothing loaded from anywhere (no src), and each hostile piece is there as text.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.gitrepo import GitRepo
from tests.site.pages import broken_links, pages

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LIVE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><iframe src=//evil.example>",
    "<style>body{display:none}</style>",
    "<meta http-equiv=refresh content='0;url=//evil.example'>",
    "<base href=//evil.example/>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)",
    "[x](//evil.example/a)",
    "[x](other.md#a)",
    "![p](https://evil.example/p.png)",
    "![p](//evil.example/p.png)",
    "<https://evil.example/auto>",
    "[r]: javascript:alert(1)\n\n[r]",
    "&lt;script&gt;",
    'must[^q"autofocus="x"onfocus="alert(1)]',  # a clause tag whose id would leave its attribute
    "must[^y&quot;onfocus=alert(1)]",
    "must[^z'onmouseover='alert(1)]",
    "{{ 7*7 }}",
    "\x07\x1b[31m\x7f",
    "\u202eevil\u202c \u2067txt\u2069",  # shown in another order than it is
]
ELEMENTS = {
    "html", "head", "meta", "title", "link", "body", "a", "header", "footer", "nav", "main", "section", "aside", "figure",
    "figcaption", "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "ul", "li", "span", "b", "i", "em", "strong",
    "code", "pre", "dl", "dt", "dd", "blockquote", "br", "hr", "ins", "del", "time", "table", "thead", "tbody", "tr",
    "th", "td", "svg", "rect", "line",
}  # fmt: skip
ATTRIBUTES = {
    "lang", "charset", "name", "content", "rel", "href", "id", "class", "title", "role", "aria-label", "datetime",
    "scope", "aria-labelledby", "width", "height", "viewbox", "x", "y", "x1", "x2", "y1", "y2",
}  # fmt: skip
META = {("charset", None), ("name", "viewport"), ("name", "color-scheme")}


@st.composite
def hostile(draw: st.DrawFn, one_line: bool = True) -> str:
    pieces = draw(st.lists(st.sampled_from(LIVE), min_size=1, max_size=3))
    text = draw(st.sampled_from([" ", " and ", "\n", ": "])).join(pieces)
    return text.replace("\n", " ") if one_line else text


def _spec(title: str, prose: str, msg: str, attr: str, reason: str, example: str) -> str:
    quoted = attr.replace('"', "'")
    return (
        f"---\ntitle: {title!r}\n---\n# {title}\n\n{prose}\n\n"
        f"## {title} {{#tone authority=root}}\n\n{prose}\n\nThe assistant must be kind[^tn01]. {prose}\n\n"
        f"**Example**: {example}\n\n```xml\n"
        f'<developer name="{quoted}">\n<settings>\n{attr}: {attr}\n</settings>\n{msg} <untrusted>{msg}</untrusted>\n</developer>\n'
        f"<user>\n{msg}\n</user>\n<comparison>\n<assistant> <!-- GOOD, {reason}: {reason} -->\n{msg}\n</assistant>\n"
        f"<assistant> <!-- BAD[#{attr}]: {reason} -->\nno\n</assistant>\n</comparison>\n```\n\n"
        f"## Other {{#other authority=user}}\n\nSee [?](#tone) and [{title}](#tone)[^ot01].\n"
    )


def _results(path: Path, commit: str, model: str, clauses: list[str]) -> Path:
    """A results file (an artifact: untrusted too) naming a hostile model and a hostile clause id."""
    import json

    from spectools.io.results import ClauseResult, RunInfo, document
    from spectools.model import wilson

    settings = {"samples": 1, "grader_samples": 1, "max_requests": None, "max_tokens": 9, "grader_max_tokens": 9}
    info = RunInfo(commit, model, model, model, 6, "2026-12-02T10:00:00Z", "2026-12-02T10:01:00Z", True, 3, 0, 1, 1,
                   settings, {"json_schema": 1, "plain": 0}, 0, 0)  # fmt: skip
    rows = [ClauseResult(c, None, None, 2, 1, 0, 0, 0.5, wilson(1, 2), c != model) for c in clauses]
    path.write_text(json.dumps(document(info, rows)), encoding="utf-8")
    return path


def check_page(path: Path, text: str) -> list[str]:
    """Everything on a page that is live: an element or attribute the templates do not write, a handler, a link
    out of the site that is not http(s)/mailto, a source to load."""
    page = pages(path.parent)[path.name]
    found = []
    for e in page.elements:
        if e.tag not in ELEMENTS:
            found.append(f"element {e.tag}")
        for name, value in e.attrs.items():
            if name not in ATTRIBUTES and not name.startswith("data-"):
                found.append(f"attribute {name} on {e.tag}")
            if name == "href" and value is not None:
                bare = re.sub(r"[\x00-\x20]", "", value).lower()
                if ":" in bare.split("/")[0] and not bare.startswith(("http:", "https:", "mailto:")):
                    found.append(f"href {value}")
                if bare.startswith("//"):
                    found.append(f"href {value}")
        if e.tag == "meta" and not any((k, v) in META or (k, None) in META for k, v in e.attrs.items()):
            found.append(f"meta {e.attrs}")
        if e.tag == "link" and e.attrs.get("rel") not in ("stylesheet", "canonical"):
            found.append(f"link {e.attrs}")
    return found


@SETTINGS
@given(
    title=hostile(),
    prose=hostile(one_line=False),
    msg=hostile(one_line=False),
    attr=hostile(),
    reason=hostile(),
    example=hostile(),
    tag=st.sampled_from(["v1<script>", "v1\"'><b>", "v1&amp;", "v1..x", "v1'onload=x"]),
    model=hostile(),
)
def test_spec_text_is_only_text_on_every_page(
    cli, tmp_path_factory, title, prose, msg, attr, reason, example, tag, model
) -> None:
    root = tmp_path_factory.mktemp("spec")
    repo = GitRepo(root)
    repo.commit("v0", {"model_spec.md": _spec("Tone", "The assistant is calm.", "hi", "x", "fine", "asked")})
    repo.tag("v0")
    repo.commit("v1", {"model_spec.md": _spec(title, prose, msg, attr, reason, example)})
    repo.git("tag", tag, check=False)  # a name git refuses is simply no release
    repo.write({"model_spec.md": _spec(title, prose + " more", msg, attr, reason, example)})  # an unreleased page too
    results = _results(root / "results.json", repo.git("rev-parse", "HEAD").strip(), model, ["tn01", "ot01", model])
    result = cli("site", "--out", str(root / "site"), "--title", title, "--results", str(results), cwd=root)
    assert result.code == 0, result.err
    site = root / "site"
    for path in sorted(site.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert check_page(path, text) == [], path.name
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]", text)
    assert broken_links(site) == []
    assert {"tone", "other", "clause=tn01", "clause=ot01"} <= pages(site)["unreleased.html"].ids  # all of it was drawn
    assert any(p.having("data-model") for p in pages(site).values())  # drawn too: a model's name is an artifact's
    shown = pages(site)["unreleased.html"].all_text
    for piece in LIVE:
        if (
            piece in (title + prose + msg)
            and "\\" not in repr(piece)[1:-1]
            and not piece.startswith(("[", "!", "<http"))
            and "&" not in piece
        ):
            assert piece.replace("\n", " ").split(" ")[0] in shown.replace("\n", " "), piece  # as text, not as markup


def test_a_link_in_the_output_folder_is_replaced_never_followed(cli, tmp_path) -> None:
    """A pull request can commit `_site/` with the marker and a link in place of every page the site writes (to a
    file of the user's, or to one that does not exist yet, such as a .pth file that Python would run): each link is
    replaced by the page, and what it pointed at is untouched or never made."""
    import os

    repo = GitRepo(tmp_path / "spec")
    repo.commit("v1", {"model_spec.md": _spec("Tone", "The assistant is calm.", "hi", "x", "fine", "asked")})
    repo.tag("v1")
    repo.commit("v2", {"model_spec.md": _spec("Tone", "The assistant is calmer.", "hi", "x", "fine", "asked")})
    repo.tag("v2")
    names = ["index.html", "style.css", "v1.html", "v2.html", "redline-v1-to-v2.html"]
    site, precious = repo.root / "_site", repo.root / "precious.txt"
    site.mkdir()
    (site / ".spectools-site").write_text("[]\n", encoding="utf-8")
    precious.write_text("mine\n", encoding="utf-8")
    for i, name in enumerate(names):
        os.symlink("../precious.txt" if i % 2 else f"../made-{i}.pth", site / name)
    repo.commit("a site with links", {})
    result = cli("site", cwd=repo.root)
    assert result.code == 0, result.err
    assert precious.read_text(encoding="utf-8") == "mine\n" and not list(repo.root.glob("made-*"))
    for name in names:
        assert not (site / name).is_symlink() and (site / name).is_file(), name
    assert oct((site / "v1.html").stat().st_mode & 0o777) in ("0o644", "0o640", "0o600")  # readable, as umask allows

    (site / ".spectools-site").unlink()
    os.symlink("../precious.txt", site / ".spectools-site")  # a marker that is a link is no marker
    result = cli("site", cwd=repo.root)
    assert result.code == 2 and "did not write" in result.err and precious.read_text(encoding="utf-8") == "mine\n"

    linked = repo.root / "docs"
    os.symlink(".venv-like", linked)
    (repo.root / ".venv-like").mkdir()
    result = cli("site", "--out", "docs/site", cwd=repo.root)
    assert result.code == 2 and "on its way is a link" in result.err
    assert not list((repo.root / ".venv-like").iterdir())

    outside = tmp_path / "outside"  # a committed link leading out, reached through a link of the user's own
    outside.mkdir()
    os.symlink(outside, repo.root / "build")
    os.symlink(repo.root, tmp_path / "alias")
    for out in (tmp_path / "alias" / "build" / "site", tmp_path / "alias" / "docs" / "site"):
        result = cli("site", "--out", str(out), cwd=repo.root)
        assert result.code == 2 and ("on its way is a link" in result.err or "outside the repository" in result.err)
    assert not list(outside.iterdir()) and not list((repo.root / ".venv-like").iterdir())
