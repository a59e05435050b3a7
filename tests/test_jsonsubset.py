"""The jsonschema shortcut may only ever say "valid" when jsonschema agrees."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spectools.checks.jsonsubset import certainly_valid
from spectools.io import schema

BUILT_IN = ["config", "section", "document", "challenge"]
words = st.sampled_from(["root", "user", "a", "@x", "Bad Tag", "", "off", "error", "high", "SPEC102", "spec/**/*.md", "^["])
scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False, width=16) | words | st.text(max_size=5)
keys = st.sampled_from(
    [
        "authority",
        "tags",
        "owner",
        "title",
        "owners",
        "version",
        "status",
        "severity",
        "rubric",
        "documents",
        "challenges",
        "ids",
        "section",
        "clause",
        "checks",
        "SPEC102",
        "limits",
        "max_file_bytes",
        "levels",
        "aliases",
        "schemas",
        "x-y",
        "9bad",
    ]
) | st.text(max_size=4)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=12
)
instances = st.dictionaries(keys, json_values, max_size=6)


@pytest.mark.parametrize("name", BUILT_IN)
@settings(max_examples=400, deadline=None)
@given(instance=instances)
def test_certainly_valid_implies_jsonschema_valid(name: str, instance: dict) -> None:
    s = schema(name)
    if certainly_valid(s, instance):
        assert jsonschema.validators.validator_for(s)(s).is_valid(instance), instance


@settings(max_examples=300, deadline=None)
@given(
    instance=json_values,
    extra=st.sampled_from(
        [
            {"type": "object", "required": ["owner"]},
            {"properties": {"n": {"type": "integer", "minimum": 0, "maximum": 2}}},
            {"type": ["string", "null"], "minLength": 2, "maxLength": 3},
            {"items": {"enum": ["a", 1, True]}, "minItems": 1, "uniqueItems": True},
            {"patternProperties": {"^x": {"type": "string"}}, "additionalProperties": False},
            {"not": {"type": "string"}},
            {"const": 1},
        ]
    ),
)
def test_certainly_valid_on_other_schemas(instance: object, extra: dict) -> None:
    if certainly_valid(extra, instance):
        assert jsonschema.Draft202012Validator(extra).is_valid(instance), (extra, instance)


def test_the_shortcut_decides_the_common_valid_cases() -> None:
    assert certainly_valid(schema("section"), {"authority": "root", "tags": ["privacy", "retention"], "owner": "policy team"})
    assert certainly_valid(schema("challenge"), {"severity": "high", "tags": ["web"], "rubric": "Declines."})
    assert certainly_valid(schema("document"), {"title": "Spec", "owners": ["a"], "version": "2026.11"})
    assert certainly_valid(
        schema("config"),
        {
            "documents": ["spec/*.md"],
            "checks": {"SPEC102": "warning"},
            "authority": {"levels": ["a", "b"], "aliases": {"c": "a"}},
        },
    )


def test_invalid_or_unknown_is_left_to_jsonschema() -> None:
    assert not certainly_valid(schema("section"), {"tags": ["a", "a"]})
    assert not certainly_valid(schema("challenge"), {"severity": "extreme"})
    assert not certainly_valid(schema("config"), {"challenge": "typo"})
    assert not certainly_valid({"not": {}}, 1)  # a keyword it does not know
    assert not certainly_valid({"enum": [True]}, True)  # booleans are jsonschema's to compare
