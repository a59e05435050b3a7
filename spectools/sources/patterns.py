"""Regular expressions that come from a repository (id patterns, document globs, a repository's own
JSON Schemas) run on RE2, whose matching time is linear in the text: a pull request cannot stall a
run with a backtracking pattern such as `^(a|a)+$`. spectools' own built-in patterns run on Python's
`re`, so the common case does not pay RE2's import (about 10 ms).

RE2 leaves out what cannot run in linear time (backreferences, lookaround); such a pattern is
refused with a message that says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Protocol


class Matcher(Protocol):
    @property
    def pattern(self) -> str: ...

    def search(self, text: str) -> Any: ...

    def fullmatch(self, text: str) -> Any: ...


class PatternError(ValueError):
    """A pattern that RE2 cannot run; the message says why and how to fix it."""


@lru_cache(maxsize=256)
def compile_trusted(pattern: str) -> Matcher:
    """One of spectools' own patterns (a default): Python's re."""
    return re.compile(pattern)


@lru_cache(maxsize=256)
def compile_untrusted(pattern: str) -> Matcher:
    """A pattern from a repository: RE2. PatternError when RE2 cannot run it."""
    import re2  # type: ignore[import-untyped,import-not-found,unused-ignore]

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own message on stderr
    try:
        compiled: Matcher = re2.compile(pattern, options)
    except re2.error as exc:
        try:
            re.compile(pattern)
        except re.error as invalid:
            raise PatternError(f"not a valid regular expression: {invalid}") from None
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(
            f"it needs backtracking ({reason}); spectools runs patterns in linear time (RE2), without "
            "backreferences or lookaround: write the pattern without them"
        ) from None
    return compiled


def compile_pattern(pattern: str, defaults: tuple[str, ...] = ()) -> Matcher:
    """RE2 for a pattern from a repository, re for one of the given defaults."""
    return compile_trusted(pattern) if pattern in defaults else compile_untrusted(pattern)
