"""Helpers for spec authors: fresh clause ids that were never used, and new challenge files."""

from __future__ import annotations

import random
import re
from pathlib import Path

from spectools.checks.coverage import expected_header
from spectools.io import create, target_of
from spectools.model import SpecError
from spectools.parse.load import Loaded

_SIMPLE = re.compile(r"^\^?([A-Za-z0-9_.-]*)\[([^\]]+)\]\{(\d+)\}\$?$")  # ^[a-z0-9]{4}$, ^R[0-9]{3}$ and the like
_RANGE = re.compile(r"(.)-(.)")
CHALLENGE_BODY = """
**Example**: TODO a short title for the situation

~~~xml
<user>
TODO: a prompt that puts this clause to the test.
</user>
<comparison>
<assistant> <!-- GOOD: TODO why this answer follows the clause -->
TODO: an answer that follows the clause.
</assistant>
<assistant> <!-- BAD: TODO why this answer breaks it -->
TODO: an answer that breaks it.
</assistant>
</comparison>
~~~
"""


def _shape(pattern: str) -> tuple[str, str, int] | None:
    """(literal prefix, characters, length) of a pattern like ^[a-z0-9]{4}$ or ^R[0-9]{3}$; None for others."""
    m = _SIMPLE.match(pattern)
    if not m:
        return None
    chars = m.group(2)
    out = "".join(chr(c) for a, b in _RANGE.findall(chars) for c in range(ord(a), ord(b) + 1))
    out += _RANGE.sub("", chars)
    return m.group(1), "".join(sorted(set(out))), int(m.group(3))


def new_ids(count: int, pattern: str, taken: set[str], rng: random.Random | None = None) -> list[str]:
    """`count` random ids matching pattern, none of them in taken (nor repeated)."""
    rng = rng or random.SystemRandom()
    shape = _shape(pattern)
    from spectools.sources.config import id_pattern

    rx = id_pattern(pattern)
    if shape is None:
        prefix, alphabet, lengths = "", "abcdefghijklmnopqrstuvwxyz0123456789", list(range(4, 9))
    else:
        prefix, alphabet, lengths = shape[0], shape[1], [shape[2]]
        room = len(alphabet) ** lengths[0] - sum(1 for t in taken if rx.search(t))
        if room < count:
            raise SpecError(f"ids.clause '{pattern}' leaves room for {max(room, 0)} more ids, not {count}; widen the pattern")
    out: list[str] = []
    for _ in range(count * 1000 + 1000):
        if len(out) == count:
            return out
        candidate = prefix + "".join(rng.choice(alphabet) for _ in range(rng.choice(lengths)))
        if rx.search(candidate) and candidate not in taken and candidate not in out:
            out.append(candidate)
    raise SpecError(
        f"could not make ids that match ids.clause '{pattern}'; new-id understands patterns such as "
        "^[a-z0-9]{4}$ or ^R[0-9]{3}$"
    )


def taken_ids(loaded: Loaded, history_ids: set[str]) -> set[str]:
    """Every id in use or ever used: clauses now, challenge files, and the git history."""
    return {c.id for c in loaded.spec.clauses()} | {ch.clause_id for ch in loaded.spec.challenges} | history_ids


def create_challenge(root: Path, loaded: Loaded, clause_id: str) -> Path:
    """Write examples/<id>.md with the header for the clause's section; never overwrite a file."""
    clause = next((c for c in loaded.spec.clauses() if c.id == clause_id), None)
    if clause is None:
        raise SpecError(f"no clause carries [^{clause_id}]; tag a sentence with [^{clause_id}] first, or check the id")
    titles = {s.anchor: s.title for s in loaded.spec.sections()}
    if clause.section is None:
        raise SpecError(f"clause [^{clause_id}] ({clause.location}) is outside any section; move it under a heading first")
    rel = f"{loaded.config.challenges}/{clause_id}.md"
    path = root / rel
    text = expected_header(clause_id, titles[clause.section]) + "\n" + CHALLENGE_BODY
    if path.exists() or path.is_symlink():
        raise SpecError(f"{rel} already exists; it was left as it is (edit it, or delete it first)")
    if path.parent.exists() and not path.parent.is_dir():
        raise SpecError(f"{loaded.config.challenges} is a file, not a folder; challenge files go in a folder of that name")
    try:
        target_of(path, root)  # before any folder is made: a symlinked folder must not lead out of the repository
        path.parent.mkdir(parents=True, exist_ok=True)
        create(path, text.encode("utf-8"), root)
    except FileExistsError:
        raise SpecError(f"{rel} already exists; it was left as it is (edit it, or delete it first)") from None
    except OSError as exc:
        raise SpecError(f"{rel}: cannot create it ({exc.strerror})") from None
    return path
