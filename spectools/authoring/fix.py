"""`validate --fix`: rewrite stale challenge header lines, atomically, touching nothing else."""

from __future__ import annotations

from pathlib import Path

from spectools.checks.coverage import expected_header
from spectools.io import update
from spectools.model import SpecError
from spectools.parse.load import Loaded


def stale_headers(loaded: Loaded) -> dict[str, tuple[int, str]]:
    """{challenge path: (1-based line, new header)} for every header naming an old section title."""
    titles = {s.anchor: s.title for s in loaded.spec.sections()}
    sections = {c.id: c.section for c in reversed(loaded.spec.clauses())}
    out = {}
    for ch in loaded.spec.challenges:
        h = ch.header
        section = sections.get(ch.clause_id)
        if h is None or h.clause_id != ch.clause_id or section is None or h.title == titles[section]:
            continue
        out[ch.path] = (h.location.line, expected_header(ch.clause_id, titles[section]))
    return out


def rewrite_line(data: bytes, line: int, new: str) -> bytes:
    """Replace line `line` (1-based) of data, keeping its line ending and every other byte."""
    lines = data.splitlines(keepends=True)
    old = lines[line - 1]
    body = old.rstrip(b"\r\n")
    ending = old[len(body) :]
    prefix = b"\xef\xbb\xbf" if line == 1 and body.startswith(b"\xef\xbb\xbf") else b""
    lines[line - 1] = prefix + new.encode("utf-8") + ending
    return b"".join(lines)


def fix_headers(loaded: Loaded, root: Path) -> list[str]:
    """Rewrite every stale header line; return the paths changed."""
    changed = []
    for rel, (line, new) in sorted(stale_headers(loaded).items()):
        path = root / rel

        def change(old: bytes | None, line: int = line, new: str = new) -> bytes | None:
            return rewrite_line(old, line, new) if old else None

        try:  # through a symlink to its target inside the repository; never out of it
            if update(path, change, root):
                changed.append(rel)
        except OSError as exc:
            raise SpecError(f"{path}: cannot rewrite its header line ({exc.strerror}); the file is unchanged") from None
    return changed
