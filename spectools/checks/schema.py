"""Section attributes and front matter against the JSON Schemas (built-in, plus the repo's own)."""

from __future__ import annotations

import json
from typing import Any

from spectools.checks.registry import diag
from spectools.config import CONFIG_FILE
from spectools.jsonsubset import certainly_valid
from spectools.loader import Loaded, read_text
from spectools.model import Diagnostic, Location


def _schemas(loaded: Loaded, kind: str, problems: list[Diagnostic]) -> list[Any]:
    """The built-in schema for kind, plus the repository's own from spectools.yaml."""
    from spectools.resources import schema

    schemas = [schema(kind)]
    extra = loaded.config.schemas.get(kind)
    if extra:
        where = Location(CONFIG_FILE, loaded.config.line("schemas", kind), 1)
        found: list[Diagnostic] = []
        text = read_text(loaded.source, extra, loaded.config.max_file_bytes, found) if loaded.source.is_file(extra) else None
        if text is None:
            reason = "; ".join(d.message for d in found) or "no such file"
            problems.append(diag("SPEC404", where, f"schemas.{kind}: cannot read '{extra}': {reason}"))
        else:
            import jsonschema

            try:
                data = json.loads(text)
                jsonschema.validators.validator_for(data).check_schema(data)
                schemas.append(data)
            except json.JSONDecodeError as exc:
                problems.append(diag("SPEC404", where, f"schemas.{kind}: '{extra}' line {exc.lineno}: not valid JSON: {exc.msg}"))
            except jsonschema.SchemaError as exc:
                problems.append(diag("SPEC404", where, f"schemas.{kind}: '{extra}' is not a valid JSON Schema: {exc.message}"))
    return schemas


def _errors(schemas: list[Any], instance: Any) -> list[tuple[str, str]]:
    """(top-level key, message) for every way instance breaks the schemas."""
    if all(certainly_valid(s, instance) for s in schemas):
        return []  # the common case, decided without importing jsonschema
    import jsonschema

    out = []
    for s in schemas:
        for err in jsonschema.validators.validator_for(s)(s).iter_errors(instance):
            key = str(err.absolute_path[0]) if err.absolute_path else ""
            where = ".".join(str(p) for p in err.absolute_path)
            out.append((key, f"{where}: {err.message}" if where else err.message))
    return sorted(set(out))


def check(loaded: Loaded) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    spec = loaded.spec
    section_schemas = _schemas(loaded, "section", problems)
    cache: dict[str, list[tuple[str, str]]] = {}
    for section in spec.sections():
        if not section.attributes:
            continue
        key = json.dumps(section.attributes, sort_keys=True)
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
