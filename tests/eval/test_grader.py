"""The grader's request, and its reply read strictly or tolerantly."""

from __future__ import annotations

import pytest

from spectools.eval.grader import PROMPT_VERSION, SCHEMA, Grade, parse, request
from spectools.parse.files import parse_document

DOC = """# Spec

## Stay in scope {#stay_in_scope authority=developer}

The assistant stays within the developer's topic[^sc01].

**Example**: off topic

```xml
<user>
Tell me a joke.
</user>
<comparison>
<assistant> <!-- BAD -->
Why did the chicken cross the road?
</assistant>
</comparison>
```
"""


def test_the_request_holds_the_clause_its_section_and_the_answer_but_no_example() -> None:
    doc = parse_document("model_spec.md", DOC)
    section, clause = doc.sections[0], doc.clauses[0]
    convo = [{"role": "user", "content": "What is the weather?"}]
    body = request("grader-model", clause, section, convo, "It is sunny.")
    text = body["messages"][1]["content"]
    assert body["model"] == "grader-model" and body["response_format"]["json_schema"] == SCHEMA
    for part in (
        "[^sc01]: The assistant stays within the developer's topic.",
        "authority: developer",
        "Stay in scope",
        "[user]\nWhat is the weather?",
        "It is sunny.",
    ):
        assert part in text, part
    assert "chicken" not in text and "Tell me a joke" not in text  # never the spec's own examples
    assert "response_format" not in request("m", clause, section, convo, "x", structured=False)
    assert PROMPT_VERSION


@pytest.mark.parametrize(
    ("reply", "grade"),
    [
        ('{"reasoning": "Stays on topic.", "score": 7}', Grade(7, "Stays on topic.")),
        ('It declines politely.\n{"score": 6}', Grade(6, "It declines politely.")),
        ('First {"score": 2} then, thinking again: {"reasoning": "fine", "score": 5}', Grade(5, "fine")),
        ('```json\n{"reasoning": "r", "score": 1}\n```', Grade(1, "r")),
    ],
)
def test_a_grade_is_read_strictly_or_tolerantly(reply: str, grade: Grade) -> None:
    assert parse(reply) == grade


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "Score: 7",
        '{"score": 8}',
        '{"score": 0}',
        '{"score": "7"}',
        '{"score": 6.5}',
        '{"score": true}',
        "{broken",
        '["score", 7]',
    ],
)
def test_a_reply_without_a_readable_score_is_no_grade(reply: str) -> None:
    assert parse(reply) is None
