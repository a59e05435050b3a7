"""Prove a JSON instance valid against a schema without importing jsonschema.

jsonschema costs about 40 ms to import, more than parsing a 250 KB spec takes.
Almost every instance spectools checks is valid, so `certainly_valid` decides the
common case for the small set of keywords the built-in schemas use. It answers
True only when it is sure; on anything else (an unknown keyword, a value it does
not handle, an instance that looks invalid) it answers False, and the caller asks
jsonschema, which then writes every message. It never produces a finding itself.
tests/test_jsonsubset.py checks it against jsonschema with Hypothesis.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from spectools.sources.patterns import Matcher, PatternError, compile_pattern

_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples"})
_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


@lru_cache(maxsize=1)
def builtin_patterns() -> tuple[str, ...]:
    """The patterns of spectools' own schemas (they run on re; a repository's run on RE2)."""
    from spectools.io import schema

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.append(node["pattern"])
            found.extend(k for k in node.get("patternProperties", {}) if isinstance(k, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in ("section", "document", "challenge", "config"):
        walk(schema(name))
    return tuple(found)


@lru_cache(maxsize=256)
def _pattern(p: str) -> Matcher | None:
    """The compiled pattern, or None when it cannot run in linear time (jsonschema then says why)."""
    try:
        return compile_pattern(p, builtin_patterns())
    except PatternError:
        return None


def certainly_valid(schema: Any, instance: Any) -> bool:
    """True only if instance is valid under schema; False means "ask jsonschema"."""
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, dict):
        return False
    for key, rule in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "type":
            names = [rule] if isinstance(rule, str) else rule
            if not isinstance(names, list) or not any(n in _TYPES and _TYPES[n](instance) for n in names):
                return False
        elif key in ("enum", "const"):
            options = rule if key == "enum" else [rule]
            # JSON equality differs from Python's for booleans and numbers: decide strings only.
            if not isinstance(instance, str) or instance not in [o for o in options if isinstance(o, str)]:
                return False
        elif key == "pattern":  # applies to strings only
            matcher = _pattern(rule) if isinstance(instance, str) else None
            if isinstance(instance, str) and (matcher is None or not matcher.search(instance)):
                return False
        elif key in ("minLength", "maxLength"):
            if isinstance(instance, str) and (len(instance) < rule if key == "minLength" else len(instance) > rule):
                return False
        elif key in ("minimum", "maximum"):
            is_number = isinstance(instance, (int, float)) and not isinstance(instance, bool)
            if is_number and (instance < rule if key == "minimum" else instance > rule):
                return False
        elif key in ("minItems", "maxItems"):
            if isinstance(instance, list) and (len(instance) < rule if key == "minItems" else len(instance) > rule):
                return False
        elif key == "uniqueItems":
            strings = isinstance(instance, list) and all(isinstance(v, str) for v in instance)
            if rule and isinstance(instance, list) and (not strings or len(set(instance)) != len(instance)):
                return False
        elif key == "items":
            if isinstance(instance, list) and not all(certainly_valid(rule, v) for v in instance):
                return False
        elif key == "required":
            if isinstance(instance, dict) and any(k not in instance for k in rule):
                return False
        elif key == "propertyNames":
            if isinstance(instance, dict) and not all(certainly_valid(rule, k) for k in instance):
                return False
        elif key == "properties":
            if isinstance(instance, dict) and not all(certainly_valid(rule[k], v) for k, v in instance.items() if k in rule):
                return False
        elif key == "additionalProperties":
            if isinstance(instance, dict):
                props = schema.get("properties", {})
                if "patternProperties" in schema:
                    return False
                extra = [v for k, v in instance.items() if k not in props]
                if not all(certainly_valid(rule, v) for v in extra):
                    return False
        else:
            return False  # a keyword this subset does not know: let jsonschema decide
    return True
