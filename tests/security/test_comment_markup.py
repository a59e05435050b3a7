"""Class "Markup in the comment" (docs/SECURITY.md): spec text in the pull-request comment is only text.

Generated section titles, prose (reworded, so it shows in a word diff) and clause sentences hold what GitHub's
markdown would make live: a link reference definition with images and links that use it, inline links and
images, autolinks, raw HTML, mentions, issue references across repositories. The comment is parsed as CommonMark;
the invariant: no image, no link but spectools' own, no HTML but its own tags, and no mention, issue reference
or autolink left in the text.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.gitrepo import GitRepo

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LIVE = [
    '[x]: //evil.example/p.png "t"',
    "[x]: https://evil.example/p.png",
    "![x]",
    "[x]",
    "![img](https://evil.example/p.png)",
    "[link](https://evil.example)",
    "<https://evil.example>",
    "https://evil.example/a",
    "www.evil.example",
    '<img src="https://evil.example/p.png">',
    "<a href='https://evil.example'>x</a>",
    "@org/team",
    "@someone",
    "#12",
    "acme/other#34",
    "GH-56",
    "[^zz99]: footnote",
]
OURS = {"del", "ins", "details", "summary", "br"}  # the tags spectools writes itself


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(LIVE), min_size=1, max_size=3))
    glue = draw(st.sampled_from([" ", " and ", "\n", ": "]))
    return glue.join(pieces)


def spec(title: str, prose: str, word: str) -> dict[str, str]:
    ex = "Examples for [^{0}] in {1}:\n\n**Example**: asked\n\n```xml\n<user>\nq\n</user>\n```\n"
    return {
        "model_spec.md": f"# Model spec\n\n## Tone {{#tone authority=root}}\n\n{prose}\n\nThe assistant must be {word}[^tn01].\n\n"
        f"## {title.replace(chr(10), ' ')} {{#new authority=guideline}}\n\nThe assistant should smile[^sm01].\n",
        "examples/tn01.md": ex.format("tn01", "Tone"),
        "examples/sm01.md": ex.format("sm01", title.replace("\n", " ")),
    }


def live_parts(comment: str) -> list[str]:
    """What GitHub would make live in the comment: images, links not spectools' own, HTML not its own, and text that
    GitHub autolinks or that notifies (mentions, issue references, URLs)."""
    found = []
    for block in MarkdownIt("commonmark").parse(comment):
        for tok in [block, *(block.children or [])]:
            if tok.type == "image":
                found.append(f"image {tok.attrs.get('src')}")
            elif tok.type == "link_open" and not re.match(
                r"(model_spec\.md|examples/[\w.-]+)(#[\w-]+)?$", str(tok.attrs.get("href"))
            ):
                found.append(f"link {tok.attrs.get('href')}")
            elif tok.type in ("html_inline", "html_block"):
                tags = {t.lower() for t in re.findall(r"</?([A-Za-z][\w-]*)", tok.content)}
                if tags - OURS and not tok.content.strip().startswith("<!--"):
                    found.append(f"html {tok.content[:60]}")
            elif tok.type == "text" and re.search(r"(?<![\w\u2060])@\w|(?<!\u2060)#\d|\bGH-\d|://|\bwww\.", tok.content, re.I):
                found.append(f"text {tok.content[:60]}")
    return found


@SETTINGS
@given(title=hostile_text(), prose=hostile_text())
def test_spec_text_is_never_live_in_the_comment(title: str, prose: str, cli, tmp_path) -> None:
    root = tmp_path / "repo"
    repo = GitRepo(root, init=not root.exists())
    repo.commit("base", spec("Style", prose, "kind"))
    repo.commit(
        "head",
        {**spec(title, prose.replace("x", "y", 1), "nice"), "examples/sm01.md": spec(title, prose, "")["examples/sm01.md"]},
    )
    result = cli("github", "--path", str(root), "--base", "HEAD~1", "--dry-run")
    assert result.code in (0, 1), result.err
    assert live_parts(result.out) == [], result.out
    notes = cli("changelog", "--path", str(root), "HEAD~1..HEAD")
    assert live_parts(notes.out) == [], notes.out


@given(
    blocks=st.lists(st.tuples(st.integers(0, 3), st.text(alphabet="漢a \n", min_size=0, max_size=400)), min_size=1, max_size=8),
    limit=st.integers(300, 3000),
)
def test_a_cut_job_summary_fits_and_leaves_no_block_open(blocks: list, limit: int) -> None:
    """The job summary is cut in bytes (GitHub's limit), at a line's end, and every <details> the cut left open is
    closed, so the note that it was cut shows."""
    from spectools.github.runner import fit_summary

    text = "".join("<details><summary>s</summary>\n\n" * opened + body + "\n" for opened, body in blocks)
    fitted = fit_summary(text, limit)
    if fitted != text:  # it was cut: within the limit, and no block left open
        assert len(fitted.encode("utf-8")) <= limit
        assert fitted.count("<details>") <= fitted.count("</details>")


def test_a_summary_of_wide_characters_keeps_the_warning_and_fits(cli, tmp_path, monkeypatch) -> None:
    """55,000 words of three-byte characters fit the comment's count of UTF-16 units but not GitHub's 1 MiB of bytes:
    sections are dropped whole, and the warning that the comment was not posted comes first, where no cut reaches."""
    repo = GitRepo(tmp_path / "repo")
    repo.commit("base", spec("Style", " ".join(["漢字字"] * 55000), "kind"))
    repo.commit("head", spec("Style", " ".join(["漢文文"] * 55000), "kind"))
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    for key, value in {
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_EVENT_NAME": "push",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = cli("github", "--path", str(repo.root), "--base", "HEAD~1", "--pr", "5")
    assert result.code in (0, 1), result.err
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 1024 * 1024 and text.startswith("> [!WARNING]")
    assert text.count("<details>") == text.count("</details>")
