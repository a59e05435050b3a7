"""JSON that comes from outside spectools' own process (docs/SECURITY.md, "Crashes"): a results file, a ticket, a
calibration report, an event payload, a repository's schema. Read with a size cap and parsed so that nothing in it
can end a run with a traceback: every failure is a SpecError that names the file and says what it should be."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spectools.model import SpecError

MAX_DIGITS = 18  # an integer in such JSON has at most this many digits; no count spectools reads comes near it


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _NumberError(f"the number {text[:24]}... is too large (more than {MAX_DIGITS} digits)")
    return int(text)


def _real(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NumberError(f"the number {text[:24]} is too large")
    return value


def _constant(text: str) -> float:
    raise _NumberError(f"{text} is not a number JSON allows")


class _NumberError(ValueError):
    pass


def parse_json(raw: bytes | str, name: str, what: str) -> Any:
    """JSON that came from outside, parsed: SpecError (naming the file, the line where known, and `what` it should be)
    for text that is not UTF-8 or not JSON, is nested too deeply, or holds a number too large, NaN or Infinity."""
    import json

    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text, parse_int=_integer, parse_float=_real, parse_constant=_constant)
    except UnicodeDecodeError:
        raise SpecError(f"{name}: not UTF-8 text, so not {what}") from None
    except json.JSONDecodeError as exc:
        raise SpecError(f"{name}:{exc.lineno}: not valid JSON ({exc.msg}), so not {what}") from None
    except _NumberError as exc:
        raise SpecError(f"{name}: {exc}, so not {what}") from None
    except (RecursionError, ValueError):
        raise SpecError(f"{name}: nested too deeply, or a number out of range, to be {what}") from None


MAX_JSON = 64 * 1024 * 1024


def read_capped(path: Path, what: str, limit: int = MAX_JSON) -> bytes:
    """A file from outside, read only up to limit bytes: SpecError when it is larger or cannot be read."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise SpecError(f"{path}: cannot read {what} ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > limit:
        raise SpecError(f"{path}: larger than {limit // (1024 * 1024)} MiB, so not {what} spectools wrote")
    return raw


def read_json(path: Path, what: str, limit: int = MAX_JSON) -> Any:
    """A JSON file from outside (parse_json), read only up to limit bytes."""
    return parse_json(read_capped(path, what, limit), str(path), what)


_EXTENDED: dict[Any, Any] = {}  # base validator class -> it with our uniqueItems (a class made per call is a garbage
# cycle that only the cyclic collector frees: see load.paused_gc)


def validator(schema: Any, base: Any = None) -> Any:
    """jsonschema's validator for checking an instance from outside: `uniqueItems` in linear time (jsonschema's own
    compares every pair when the items are of mixed types: 16,000 tags took 28 s). base: a validator class to extend
    (default: the one the schema's $schema names, else draft 2020-12)."""
    import jsonschema

    base = base or jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    if base not in _EXTENDED:
        _EXTENDED[base] = jsonschema.validators.extend(base, {"uniqueItems": _unique_items})
    return _EXTENDED[base](schema)


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Any:
    import jsonschema

    if unique and validator.is_type(instance, "array"):
        seen: set[Any] = set()
        try:
            for item in instance:
                key = _canonical(item)
                if key in seen:
                    yield jsonschema.ValidationError(f"{_short(instance)} has non-unique elements")
                    return
                seen.add(key)
        except RecursionError:
            yield jsonschema.ValidationError("the array is nested too deeply to compare its elements")


def _canonical(value: Any) -> Any:
    """A hashable key under which two JSON values are equal as JSON Schema says (1 and 1.0 are, true and 1 are not;
    an object's keys have no order)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, (list, tuple)):
        return ("l", tuple(_canonical(v) for v in value))
    if isinstance(value, dict):
        return ("d", frozenset((str(k), _canonical(v)) for k, v in value.items()))
    return ("o", repr(value))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "..."
