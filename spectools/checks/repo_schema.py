"""A repository's own JSON Schema (`schemas:` in spectools.yaml), read as untrusted data.

Every `$ref` is resolved here, before anything is validated, and only inside the repository: a `$ref` to
another file is a relative path read through the same source as the spec (so at a git ref, from that
commit); a remote, absolute or escaping one, a missing file or place, and a cycle of references that
never reads deeper into the instance (`{"$ref": "#"}`, `allOf` of itself) are refused with a message.
The validator then gets a registry of exactly these files and a retriever that refuses everything, so
jsonschema never fetches a URL. See docs/SECURITY.md, "Crashes".
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from spectools.io.external import parse_json
from spectools.model import SpecError
from spectools.parse.load import Loaded, read_text
from spectools.sources.base import outside
from spectools.sources.patterns import PatternError, compile_untrusted

BASE = "https://repository.spectools.invalid/"  # the files' names for jsonschema: never fetched (see _refuse)
MAX_FILES = 50
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IN_PLACE_ONE = ("not", "if", "then", "else")  # applicators that read the same instance
_IN_PLACE_MANY = ("allOf", "anyOf", "oneOf")


class Refused(Exception):
    """The repository's schema cannot be used; the message says why and how to fix it."""


def load(loaded: Loaded, path: str) -> tuple[Any, dict[str, Any]]:
    """(the root schema, {uri: schema} of it and every file its $refs name), every $ref checked. Refused otherwise."""
    files: dict[str, Any] = {}
    path = posixpath.normpath(path)
    todo = [path]
    while todo:
        here = todo.pop()
        if BASE + here in files:
            continue
        if len(files) >= MAX_FILES:
            raise Refused(f"it and its $refs name more than {MAX_FILES} files")
        data = _read(loaded, here)
        files[BASE + here] = data
        for ref in _refs(data):
            target = ref.partition("#")[0]
            if target:
                todo.append(_file_of(loaded, here, ref, target))
    for uri, data in files.items():
        for ref in _refs(data):
            _node(files, uri, ref)  # every place a $ref names exists
    cycle = _cycle(files)
    if cycle:
        raise Refused(f"its $refs go round without reading deeper ({cycle}); a $ref that names its own schema never ends")
    return files[BASE + path], files


def _read(loaded: Loaded, path: str) -> Any:
    import jsonschema

    found: list[Any] = []
    text = read_text(loaded.source, path, loaded.config.max_file_bytes, found) if loaded.source.is_file(path) else None
    if text is None:
        raise Refused(f"cannot read '{path}': {'; '.join(d.message for d in found) or 'no such file'}")
    try:
        data = parse_json(text, path, "a JSON Schema")
        if isinstance(data, dict) and "$schema" in data and not isinstance(data["$schema"], str):
            raise Refused(f"'{path}': $schema must be a string, the URI of a JSON Schema draft")
        jsonschema.validators.validator_for(data, default=jsonschema.Draft202012Validator).check_schema(data)
        _check_patterns(data)
    except SpecError as exc:
        raise Refused(exc.message) from None
    except jsonschema.SchemaError as exc:
        raise Refused(f"'{path}' is not a valid JSON Schema: {exc.message}") from None
    except PatternError as exc:
        raise Refused(f"'{path}' has a pattern spectools cannot run: {exc}") from None
    except (RecursionError, ValueError):  # nested too deeply, or a number too long to be one
        raise Refused(f"'{path}' is nested too deeply, or holds a number too large") from None
    except (TypeError, AttributeError, LookupError) as exc:  # a shape jsonschema's own checks did not expect
        raise Refused(f"'{path}' is not a JSON Schema spectools can use ({type(exc).__name__})") from None
    if not isinstance(data, (dict, bool)):
        raise Refused(f"'{path}' is not a JSON Schema (an object)")
    return data


def _check_patterns(node: Any) -> None:
    """PatternError when a schema holds a pattern that cannot run in linear time."""
    for sub in _walk(node):
        if isinstance(sub.get("pattern"), str):
            compile_untrusted(sub["pattern"])
        for key in sub.get("patternProperties", {}) if isinstance(sub.get("patternProperties"), dict) else ():
            compile_untrusted(key)


def _walk(node: Any) -> Any:
    """Every object in node."""
    for _, sub in _walk_at(node):
        yield sub


def _walk_at(node: Any, pointer: str = "") -> Any:
    """(JSON pointer, object) for every object in node; iterative, so a deep schema cannot exhaust the stack."""
    stack = [(pointer, node)]
    while stack:
        at, here = stack.pop()
        if isinstance(here, dict):
            yield at, here
            stack.extend((f"{at}/{_escape(str(k))}", v) for k, v in here.items() if isinstance(v, (dict, list)))
        elif isinstance(here, list):
            stack.extend((f"{at}/{i}", v) for i, v in enumerate(here) if isinstance(v, (dict, list)))


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _refs(data: Any) -> list[str]:
    refs = []
    for sub in _walk(data):
        for key in ("$dynamicRef", "$recursiveRef"):
            if key in sub:
                raise Refused(f"{key} is not supported in a repository's schema; use $ref")
        if "$ref" in sub:
            if not isinstance(sub["$ref"], str):
                raise Refused("a $ref that is not a string")
            refs.append(sub["$ref"])
    return refs


def _file_of(loaded: Loaded, here: str, ref: str, target: str) -> str:
    """The repository path a $ref's file part names, relative to the schema that holds it."""
    if _SCHEME.match(target) or target.startswith(("/", "\\", "//")):
        raise Refused(
            f"$ref '{ref[:200]}' is remote or absolute: spectools reads schemas only inside the repository; copy that "
            "schema into the repository and name it by a relative path"
        )
    joined = _joined(here, target)
    if outside(joined) or joined.startswith(".git/") or joined == ".git":
        raise Refused(f"$ref '{ref[:200]}' leads outside the repository; name a schema file inside it")
    if not loaded.source.is_file(joined):
        raise Refused(f"$ref '{ref[:200]}': there is no file '{joined}' in the repository")
    return joined


def _joined(here: str, target: str) -> str:
    """The repository path of target, a $ref's file part, in the schema file at here."""
    from urllib.parse import unquote

    return posixpath.normpath(posixpath.join(posixpath.dirname(here), unquote(target)))


def _node(files: dict[str, Any], uri: str, ref: str) -> tuple[str, str]:
    """(file uri, JSON pointer) of the place a $ref names; Refused when it is not there."""
    from urllib.parse import unquote

    target, _, fragment = ref.partition("#")
    file = BASE + _joined(uri.removeprefix(BASE), target) if target else uri
    if file not in files:
        raise Refused(f"$ref '{ref[:200]}' names no file of the repository")
    fragment = unquote(fragment)
    if fragment and not fragment.startswith("/"):  # a plain-name fragment: an $anchor
        for pointer, sub in _walk_at(files[file]):
            if sub.get("$anchor") == fragment:
                return file, pointer
        raise Refused(f"$ref '{ref[:200]}': no $anchor '{fragment[:80]}' in that schema")
    node = files[file]
    for part in fragment.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise Refused(f"$ref '{ref[:200]}': that schema has no such place")
    return file, fragment


def _edges(files: dict[str, Any]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """For every object of every file: the schemas it applies to the same instance ($ref, allOf, not, ...)."""
    edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for uri, data in files.items():
        for pointer, sub in _walk_at(data):
            out = [_node(files, uri, sub["$ref"])] if isinstance(sub.get("$ref"), str) else []
            out += [(uri, f"{pointer}/{key}") for key in _IN_PLACE_ONE if isinstance(sub.get(key), dict)]
            for key in _IN_PLACE_MANY:
                items = sub.get(key)
                out += [(uri, f"{pointer}/{key}/{i}") for i in range(len(items))] if isinstance(items, list) else []
            deps = sub.get("dependentSchemas")
            out += [(uri, f"{pointer}/dependentSchemas/{_escape(k)}") for k in deps] if isinstance(deps, dict) else []
            edges[(uri, pointer)] = out
    return edges


def _cycle(files: dict[str, Any]) -> str | None:
    """A place that applies itself to the same instance through $refs and in-place applicators, or None."""
    edges = _edges(files)
    state: dict[tuple[str, str], int] = {}  # 1: on the path, 2: done
    for start in edges:
        if start in state:
            continue
        stack = [(start, iter(edges.get(start, ())))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                return f"{child[0].removeprefix(BASE)}#{child[1]}"
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(edges.get(child, ()))))
    return None


def validator(root: Any, files: dict[str, Any], base: Any) -> Any:
    """base's validator class for root, resolving $refs only among files (a retriever that refuses the rest)."""
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT202012

    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]

    named = {uri: ({**data, "$id": uri} if isinstance(data, dict) else data) for uri, data in files.items()}
    resources = [(uri, Resource.from_contents(data, default_specification=DRAFT202012)) for uri, data in named.items()]
    registry: Any = Registry(retrieve=refuse).with_resources(resources)  # type: ignore[call-arg]
    root_uri = next(uri for uri, data in files.items() if data is root)
    return base(named[root_uri], registry=registry)
