"""Section attributes and front matter against the JSON Schemas (built-in, plus the repo's own)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from spectools.io import builtin_valid, schema
from spectools.model import Diagnostic, Location, diag
from spectools.parse.load import Loaded
from spectools.sources.config import CONFIG_FILE
from spectools.sources.patterns import PatternError, compile_pattern


@lru_cache(maxsize=1)
def builtin_patterns() -> tuple[str, ...]:
    """The patterns of spectools' own schemas (they run on re; a repository's run on RE2)."""
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


def _schemas(loaded: Loaded, kind: str, problems: list[Diagnostic]) -> list[Any]:
    """The built-in schema for kind (by name), plus the repository's own from spectools.yaml (its root and files)."""
    from spectools.checks import repo_schema

    schemas: list[Any] = [kind]
    extra = loaded.config.schemas.get(kind)
    if extra:
        try:
            schemas.append(repo_schema.load(loaded, extra))
        except repo_schema.Refused as exc:
            problems.append(diag("SPEC404", _where(loaded, kind), f"schemas.{kind}: {exc}"))
    return schemas


def _where(loaded: Loaded, kind: str) -> Location:
    return Location(CONFIG_FILE, loaded.config.line("schemas", kind), 1)


class Unusable(Exception):
    """A repository's schema failed while it was applied (it is then set aside, with a SPEC404)."""


_EXTENDED: dict[Any, Any] = {}  # base validator class -> it with `pattern` and `patternProperties` on RE2 (made once: a
# class made per call is a garbage cycle that only the cyclic collector frees, see load.paused_gc)


def _validator(entry: Any) -> Any:
    """jsonschema's validator for a built-in schema (by name) or a repository's (root, files), with `pattern` and
    `patternProperties` on RE2: a repository's schema runs in linear time on any attribute value."""
    import jsonschema

    from spectools.checks import repo_schema
    from spectools.io.external import validator as linear

    root, files = (schema(entry), None) if isinstance(entry, str) else entry
    base = type(linear(root))  # uniqueItems in linear time, for any schema
    if base not in _EXTENDED:
        _EXTENDED[base] = jsonschema.validators.extend(base, {"pattern": _pattern, "patternProperties": _pattern_properties})
    extended = _EXTENDED[base]
    return extended(root) if files is None else repo_schema.validator(root, files, extended)


def _pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
    import jsonschema

    if validator.is_type(instance, "string") and not compile_pattern(patrn, builtin_patterns()).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")


def _pattern_properties(validator: Any, properties: dict[str, Any], instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "object"):
        for patrn, subschema in properties.items():
            matcher = compile_pattern(patrn, builtin_patterns())
            for key, value in instance.items():
                if matcher.search(key):
                    yield from validator.descend(value, subschema, path=key, schema_path=patrn)


def _errors(schemas: list[Any], instance: Any) -> list[tuple[str, str]]:
    """(top-level key, message) for every way instance breaks the schemas (a str names a built-in one)."""
    if len(schemas) == 1 and builtin_valid(schemas[0], instance):
        return []  # the common case, decided without importing jsonschema

    from referencing.exceptions import Unresolvable

    out = []
    for s in schemas:
        try:
            for err in _validator(s).iter_errors(instance):
                key = str(err.absolute_path[0]) if err.absolute_path else ""
                where = ".".join(str(p) for p in err.absolute_path)
                out.append((key, f"{where}: {err.message}" if where else err.message))
        except (RecursionError, Unresolvable, PatternError, ValueError, TypeError) as exc:
            if isinstance(s, str):
                raise  # spectools' own schema: a bug, not the repository's doing
            raise Unusable(str(exc)[:200] or type(exc).__name__) from None
    return sorted(set(out))


def _applied(loaded: Loaded, kind: str, schemas: list[Any], instance: Any, problems: list[Diagnostic]) -> list[tuple[str, str]]:
    """_errors; a repository schema that fails while applied is a SPEC404 and is set aside (schemas is changed)."""
    try:
        return _errors(schemas, instance)
    except Unusable as exc:
        problems.append(diag("SPEC404", _where(loaded, kind), f"schemas.{kind}: cannot be applied ({exc}); fix the schema"))
        del schemas[1:]
        return _errors(schemas, instance)


def check(loaded: Loaded) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    spec = loaded.spec
    section_schemas = _schemas(loaded, "section", problems)
    cache: dict[tuple[Any, ...], list[tuple[str, str]]] = {}
    for section in spec.sections():
        if not section.attributes:
            continue
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in section.attributes.items()))
        if key not in cache:
            cache[key] = _applied(loaded, "section", section_schemas, section.attributes, problems)
        for attr, message in cache[key]:
            line = section.attribute_lines.get(attr, section.location.line)
            problems.append(
                diag("SPEC401", Location(section.location.path, line, 1), f"section '{section.anchor}' attribute {message}")
            )
    for kind, code, items in (("document", "SPEC402", spec.documents), ("challenge", "SPEC403", spec.challenges)):
        if not any(item.front_matter for item in items):
            continue
        schemas = _schemas(loaded, kind, problems)
        for item in items:
            if item.front_matter is None:
                continue
            for attr, message in _applied(loaded, kind, schemas, item.front_matter, problems):
                line = item.front_matter_lines.get(attr, 2)
                problems.append(diag(code, Location(item.path, line, 1), f"front matter {message}"))
    return problems
