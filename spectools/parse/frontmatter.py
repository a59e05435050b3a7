"""YAML front matter between `---` lines at the top of a file."""

from __future__ import annotations

from typing import Any

from spectools.io import YamlError, load_yaml
from spectools.model import Diagnostic, Location, diag


def split(path: str, text: str) -> tuple[dict[str, Any] | None, dict[str, int], str, list[Diagnostic]]:
    """Return (front matter, {top-level key: line}, text with the front matter blanked, problems).

    The front matter lines are replaced by empty lines, so that line numbers in
    the rest of the file stay true.
    """
    if not text.startswith("---") or text[3:4] not in ("\n", "") or text.startswith("----"):
        return None, {}, text, []
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return (
            None,
            {},
            text,
            [diag("SPEC010", Location(path, 1, 1), "front matter opened with '---' is never closed; add a '---' line after it")],
        )
    blanked = "\n" * end + "\n" + "\n".join(lines[end + 1 :])
    try:
        data, key_lines = load_yaml("\n".join(lines[1:end]))
    except YamlError as exc:
        return None, {}, blanked, [diag("SPEC010", Location(path, exc.line + 1, exc.col), f"front matter: {exc.message}")]
    if data is None:
        return {}, {}, blanked, []
    if not isinstance(data, dict):
        return (
            None,
            {},
            blanked,
            [
                diag(
                    "SPEC011",
                    Location(path, 2, 1),
                    f"front matter is a {type(data).__name__}, not a mapping; write key: value lines",
                )
            ],
        )
    lines_by_key = {str(k[0]): line + 1 for k, line in key_lines.items() if len(k) == 1}
    return {str(k): jsonable(v) for k, v in data.items()}, lines_by_key, blanked, []


def jsonable(value: Any) -> Any:
    """YAML values -> JSON values: dates become ISO strings, keys become strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
