"""The tolerant conversation tokenizer."""

from __future__ import annotations

from spectools.model import Comparison, Location, Message
from spectools.parse.conversation import parse_conversation


def codes(text: str) -> list[tuple[str, int, int]]:
    _, problems = parse_conversation(text, "x.md", 1)
    return [(p.code, p.location.line, p.location.col) for p in problems]


def test_roles_attributes_settings_and_entities() -> None:
    text = (
        "<system>\n<settings>\nknowledge_cutoff: 2025-01\nlocale: en\n</settings>\nBe brief &amp; kind.\n</system>\n"
        '<assistant recipient="python" end_turn="false">\nprint(1 < 2)\n</assistant>\n'
        "<tool name='python'>\nTrue\n</tool>\n"
    )
    turns, problems = parse_conversation(text, "x.md", 10)
    assert problems == []
    system, call, tool = turns
    assert isinstance(system, Message) and system.settings == {"knowledge_cutoff": "2025-01", "locale": "en"}
    assert system.text == "Be brief &amp; kind."
    assert isinstance(call, Message) and call.attributes == {"recipient": "python", "end_turn": "false"}
    assert call.text == "print(1 < 2)"
    assert call.location == Location("x.md", 17, 1)
    assert isinstance(tool, Message) and tool.attributes == {"name": "python"}


def test_html_inside_a_message_is_text() -> None:
    turns, problems = parse_conversation("<user>\nSee <b>this</b> and <br/> <div>x</div>\n</user>\n", "x.md", 1)
    assert problems == []
    assert isinstance(turns[0], Message) and turns[0].text == "See <b>this</b> and <br/> <div>x</div>"


def test_labels() -> None:
    text = (
        "<user>\nq\n</user>\n<comparison>\n<assistant> <!-- GOOD -->\na\n</assistant>\n"
        "<assistant>\n<!-- BAD[#some_anchor]: reason with: colons -->\nb\n</assistant>\n"
        "<assistant> <!-- OK: fine -->\nc\n</assistant>\n</comparison>\n"
    )
    turns, problems = parse_conversation(text, "x.md", 1)
    assert problems == []
    comparison = turns[1]
    assert isinstance(comparison, Comparison)
    labels = [(c.label.verdict, c.label.anchor, c.label.reason) for c in comparison.candidates if c.label]
    assert labels == [("GOOD", None, None), ("BAD", "some_anchor", "reason with: colons"), ("OK", None, "fine")]
    assert [c.text for c in comparison.candidates] == ["a", "b", "c"]


def test_a_comment_later_in_the_text_is_not_a_label() -> None:
    text = (
        "<comparison>\n<assistant>\ntext <!-- GOOD -->\n</assistant>\n<assistant> <!-- BAD -->\nx\n</assistant>\n</comparison>\n"
    )
    turns, problems = parse_conversation(text, "x.md", 1)
    comparison = turns[0]
    assert isinstance(comparison, Comparison)
    assert [c.label.verdict if c.label else None for c in comparison.candidates] == [None, "BAD"]
    assert comparison.candidates[0].text == "text <!-- GOOD -->"
    assert problems == []


def test_problems_are_located() -> None:
    assert codes("<user>\nhi\n") == [("SPEC502", 1, 1)]
    assert codes("<user>\nhi\n</assistant>\n") == [("SPEC503", 3, 1)]  # one finding, not two
    assert codes("<user>\n<assistant>\nx\n</assistant>\n") == [("SPEC503", 2, 1)]
    assert codes("</user>\n") == [("SPEC503", 1, 1)]
    assert codes("stray words\n<user>\nx\n</user>\n") == [("SPEC501", 1, 1)]
    assert codes("<user>\nx\n</user>\ntrailing\n") == [("SPEC501", 4, 1)]
    assert codes("<critic>\nx <user> y\n</critic>\n") == [("SPEC501", 1, 1)]
    assert codes("<comparison>\n<user>\nx\n</user>\n<assistant> <!-- GOOD -->\ny\n</assistant>\n</comparison>\n") == [
        ("SPEC501", 2, 1)
    ]
    assert codes("<comparison>\n<assistant> <!-- GOOD -->\ny\n</assistant>\n") == [("SPEC502", 1, 1)]
    assert codes("<user>\n<settings>\na: 1\n</user>\n") == [("SPEC502", 1, 1), ("SPEC502", 1, 1)]
    assert codes("<comparison>\n<comparison>\n</comparison>\n") == [("SPEC503", 2, 1)]


def test_columns_follow_the_fence_indent() -> None:
    _, problems = parse_conversation("<user>\n  </assistant>\n", "x.md", 5, col_offset=4)
    assert (problems[0].code, problems[0].location) == ("SPEC503", Location("x.md", 6, 7))


def test_example_checks_judge_the_parsed_conversation(cli, tmp_path) -> None:
    from tests.conftest import write

    conversation = (
        "<user>\n</user>\n<comparison>\n</comparison><comparison>\n<assistant>\nno label\n</assistant>\n</comparison>\n"
        "<comparison>\n<assistant> <!-- GOOD -->\na\n</assistant>\n<assistant> <!-- MEH -->\nb\n</assistant>\n"
        "<assistant> <!-- OK -->\n<settings>\nk: v\n</settings>\n</assistant>\n</comparison>\n"
    )
    root = write(
        tmp_path / "r",
        {
            "model_spec.md": "# A {#a authority=user}\n\nText[^ab12].\n",
            "examples/ab12.md": f"Examples for [^ab12] in A:\n\n**Example**: e\n\n~~~xml\n{conversation}~~~\n\n"
            "**Example**: bare\n",
        },
    )
    result = cli("validate", cwd=root)
    assert [line.split(" ", 3)[:3] for line in result.out.splitlines()] == [
        ["examples/ab12.md:6:1:", "error", "SPEC507"],
        ["examples/ab12.md:8:1:", "warning", "SPEC504"],
        ["examples/ab12.md:10:1:", "error", "SPEC505"],
        ["examples/ab12.md:18:13:", "error", "SPEC506"],
        ["examples/ab12.md:29:1:", "error", "SPEC508"],
    ]  # the <settings>-only candidate is not empty


def test_the_label_grammar_and_elisions_between_messages() -> None:
    """Issue 11 (1): the verdict is the first word; [#anchor], a qualifier after a comma and a reason are kept."""
    text = (
        "<user>\nhi [...] there\n</user>\n[...]\n<user>\nmore\n</user>\n<comparison>\n"
        "<assistant> <!-- GOOD, given high uncertainty -->\na\n</assistant>\n"
        "<assistant> <!-- BAD[#chain_of_command]: obeys a tool -->\nb\n</assistant>\n"
        "<assistant> <!-- GOOD, 'Yes, all of them' in Korean without the context above -->\nc\n</assistant>\n"
        "<assistant> <!-- OK: misses the signs of distress -->\nd\n</assistant>\n</comparison>\n"
    )
    turns, problems = parse_conversation(text, "x.md", 1)
    assert problems == []
    labels = [(c.label.verdict, c.label.anchor, c.label.qualifier, c.label.reason) for c in turns[-1].candidates]
    assert labels == [
        ("GOOD", None, "given high uncertainty", None),
        ("BAD", "chain_of_command", None, "obeys a tool"),
        ("GOOD", None, "'Yes, all of them' in Korean without the context above", None),
        ("OK", None, None, "misses the signs of distress"),
    ]
    assert turns[0].text == "hi [...] there"


def test_self_closing_messages_with_and_without_attributes() -> None:
    turns, problems = parse_conversation('<user>\nhi\n</user>\n<assistant/>\n<tool name="x" />\n', "x.md", 1)
    assert problems == [] and [t.role for t in turns] == ["user", "assistant", "tool"]
    assert turns[2].attributes == {"name": "x"}
