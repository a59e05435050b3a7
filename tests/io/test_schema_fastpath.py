"""fastjsonschema, the fast path for the built-in schemas, may only ever say "valid" when jsonschema agrees."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spectools.io import builtin_valid, schema

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
@settings(max_examples=100, deadline=None)
@given(instance=instances)
def test_the_fast_path_says_valid_only_when_jsonschema_does(name: str, instance: dict) -> None:
    s = schema(name)
    if builtin_valid(name, instance):
        assert jsonschema.validators.validator_for(s)(s).is_valid(instance), instance


def test_the_fast_path_decides_the_common_valid_cases() -> None:
    assert builtin_valid("section", {"authority": "root", "tags": ["privacy", "retention"], "owner": "policy team"})
    assert builtin_valid("challenge", {"severity": "high", "tags": ["web"], "rubric": "Declines."})
    assert builtin_valid("document", {"title": "Spec", "owners": ["a"], "version": "2026.11"})
    assert builtin_valid(
        "config",
        {
            "documents": ["spec/*.md"],
            "checks": {"SPEC102": "warning"},
            "authority": {"levels": ["a", "b"], "aliases": {"c": "a"}},
        },
    )


def test_invalid_is_left_to_jsonschema() -> None:
    assert not builtin_valid("section", {"tags": ["a", "a"]})
    assert not builtin_valid("challenge", {"severity": "extreme"})
    assert not builtin_valid("config", {"challenge": "typo"})


def test_the_generated_validators_are_what_the_schemas_give() -> None:
    """spectools/io/validators/ is remade by tools/validators.py whenever a schema changes."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    proc = subprocess.run([sys.executable, "tools/validators.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_fast_path_never_changes_what_it_checks() -> None:
    """The config schema has defaults; checking an instance must not fill them in."""
    data = {"documents": ["spec/*.md"]}
    assert builtin_valid("config", data)
    assert data == {"documents": ["spec/*.md"]}
