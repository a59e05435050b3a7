"""Files shipped with spectools: schema/ and templates/ (inside the wheel, or in the source tree)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`schema` or `templates`: spectools/_data/NAME in a wheel, NAME/ beside the package in a checkout."""
    packaged = _HERE / "_data" / name
    return packaged if packaged.is_dir() else _HERE.parent / name


@cache
def schema(name: str) -> dict[str, Any]:
    """A built-in JSON Schema by file stem, e.g. `config` for schema/config.schema.json."""
    with open(data_dir("schema") / f"{name}.schema.json", encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded
