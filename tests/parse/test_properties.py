"""Hypothesis: parsing never raises, on any text or any mix of the format's pieces; rendering is deterministic."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.parse.conversation import parse_conversation
from spectools.parse.files import parse_challenge, parse_document
from spectools.parse.frontmatter import split
from spectools.parse.text import decode
from spectools.render.diagnostics import as_json, github, sarif, text
from spectools.sources.config import parse_config

PIECES = [
    "# Title {#anchor authority=root}\n",
    '## Sub {#sub tags=a,b owner="x y"}\n',
    "### Deep {#deep\n",
    "# Plain\n",
    "Setext {#s}\n===\n",
    "The assistant must comply[^ab12]. ",
    "Tag[^zz99] ",
    "`code [^cd34]` ",
    "[?](#anchor) ",
    "[link](#missing) ",
    '!!! meta "Commentary"\n    noted[^cm01]\n',
    "**Example**: title\n",
    "```xml\n",
    "~~~xml\n",
    "```\n",
    "~~~\n",
    "<user>\n",
    "</user>\n",
    "<assistant> <!-- GOOD -->\n",
    "<assistant> <!-- BAD[#x]: no -->\n",
    "</assistant>\n",
    "<comparison>\n",
    "</comparison>\n",
    "<settings>\nk: v\n</settings>\n",
    "<untrusted>",
    "</untrusted>",
    "<!-- ",
    " -->",
    "---\n",
    "title: x\n",
    "a: &a [1]\nb: *a\n",
    "\n",
    "\r\n",
    "\t",
    "{",
    "}",
    "[^",
    "]",
    "&amp;",
    "\ufeff",
    "Examples for [^ab12] in Title:\n",
    "    indented code [^ef56]\n",
    "> quote [^gh78]\n",
    "- item [^ij90]\n",
]

markdownish = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=40).map("".join)
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(st.text(max_size=400))
def test_parsing_arbitrary_text_never_raises(source: str) -> None:
    """Nothing raises, and every finding is located in the file it is about, on a line the text has."""
    lines = source.count("\n") + source.count("\r") + 2
    doc = parse_document("d.md", source)
    challenge = parse_challenge("examples/ab12.md", "ab12", source)
    _, problems = parse_conversation(source, "d.md", 1)
    for path, found in (("d.md", doc.problems), ("examples/ab12.md", challenge.problems), ("d.md", problems)):
        for d in found:
            assert d.location.path == path and 0 <= d.location.line <= lines, d


@SLOW
@given(markdownish)
def test_parsing_mixes_of_the_formats_pieces_never_raises(source: str) -> None:
    doc = parse_document("d.md", source)
    for section in doc.sections:
        assert section.location.line >= 1 and section.end_line >= section.location.line
    for clause in doc.clauses:
        assert clause.location.line >= 1 and clause.location.col >= 1
    parse_challenge("examples/ab12.md", "ab12", source)


@SLOW
@given(st.binary(max_size=300))
def test_decoding_and_parsing_any_bytes_never_raises(data: bytes) -> None:
    content, _ = decode("d.md", data, 200)
    if content is not None:
        assert "\r" not in content
        parse_document("d.md", content)


@SLOW
@given(st.text(max_size=200) | markdownish)
def test_front_matter_and_config_never_raise(source: str) -> None:
    """Nothing raises; a config with findings falls back to the defaults for what it got wrong."""
    split("d.md", "---\n" + source + "\n---\n")
    config, problems = parse_config(source)
    assert all(d.location.path == "spectools.yaml" and d.code == "SPEC001" for d in problems), problems
    assert config.challenges and config.levels


@SLOW
@given(markdownish)
def test_rendering_is_deterministic(source: str) -> None:
    doc = parse_document("d.md", source)
    findings = sorted(doc.problems, key=lambda d: d.sort_key())
    for render in (text, github, sarif):
        assert render(findings, str) == render(list(findings), str)
    assert as_json(findings, str, 1) == as_json(list(findings), str, 1)
