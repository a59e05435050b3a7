"""Section attributes and front matter against the JSON Schemas (built-in, plus the repo's own)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from spectools.io import builtin_valid, schema
from spectools.model import Diagnostic, Location, diag
from spectools.parse.load import Loaded, read_text
from spectools.sources.config import CONFIG_FILE
from spectools.sources.patterns import PatternError, compile_pattern, compile_untrusted


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
    """The built-in schema for kind (by name), plus the repository's own from spectools.yaml."""
    schemas: list[Any] = [kind]
    extra = loaded.config.schemas.get(kind)
    if extra:
        where = Location(CONFIG_FILE, loaded.config.line("schemas", kind), 1)
        found: list[Diagnostic] = []
        text = read_text(loaded.source, extra, loaded.config.max_file_bytes, found) if loaded.source.is_file(extra) else None
        if text is None:
            reason = "; ".join(d.message for d in found) or "no such file"
            problems.append(diag("SPEC404", where, f"schemas.{kind}: cannot read '{extra}': {reason}"))
        else:
            import json

            import jsonschema

            try:
                data = json.loads(text)
                jsonschema.validators.validator_for(data).check_schema(data)
                _check_patterns(data)
                schemas.append(data)
            except json.JSONDecodeError as exc:
                problems.append(diag("SPEC404", where, f"schemas.{kind}: '{extra}' line {exc.lineno}: not valid JSON: {exc.msg}"))
            except jsonschema.SchemaError as exc:
                problems.append(diag("SPEC404", where, f"schemas.{kind}: '{extra}' is not a valid JSON Schema: {exc.message}"))
            except PatternError as exc:
                problems.append(diag("SPEC404", where, f"schemas.{kind}: '{extra}' has a pattern spectools cannot run: {exc}"))
            except RecursionError:
                problems.append(diag("SPEC404", where, f"schemas.{kind}: '{extra}' is nested too deeply"))
    return schemas


def _check_patterns(node: Any) -> None:
    """PatternError when a repository schema holds a pattern that cannot run in linear time."""
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            compile_untrusted(node["pattern"])
        for key in node.get("patternProperties", {}) if isinstance(node.get("patternProperties"), dict) else ():
            compile_untrusted(key)
        for value in node.values():
            _check_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _check_patterns(value)


def _validator(schema: Any) -> Any:
    """jsonschema's validator for schema, with `pattern` and `patternProperties` on RE2: a repository's
    schema runs in linear time on any attribute value."""
    import jsonschema

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not compile_pattern(patrn, builtin_patterns()).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    def pattern_properties(validator: Any, properties: dict[str, Any], instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "object"):
            for patrn, subschema in properties.items():
                matcher = compile_pattern(patrn, builtin_patterns())
                for key, value in instance.items():
                    if matcher.search(key):
                        yield from validator.descend(value, subschema, path=key, schema_path=patrn)

    base = jsonschema.validators.validator_for(schema)
    return jsonschema.validators.extend(base, {"pattern": pattern, "patternProperties": pattern_properties})(schema)


def _errors(schemas: list[Any], instance: Any) -> list[tuple[str, str]]:
    """(top-level key, message) for every way instance breaks the schemas (a str names a built-in one)."""
    if len(schemas) == 1 and builtin_valid(schemas[0], instance):
        return []  # the common case, decided without importing jsonschema

    out = []
    for s in schemas:
        for err in _validator(schema(s) if isinstance(s, str) else s).iter_errors(instance):
            key = str(err.absolute_path[0]) if err.absolute_path else ""
            where = ".".join(str(p) for p in err.absolute_path)
            out.append((key, f"{where}: {err.message}" if where else err.message))
    return sorted(set(out))


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
            cache[key] = _errors(section_schemas, section.attributes)
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
            for attr, message in _errors(schemas, item.front_matter):
                line = item.front_matter_lines.get(attr, 2)
                problems.append(diag(code, Location(item.path, line, 1), f"front matter {message}"))
    return problems
