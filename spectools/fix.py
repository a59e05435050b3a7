"""`validate --fix`: rewrite stale challenge header lines, atomically, touching nothing else."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from spectools.checks.coverage import expected_header
from spectools.loader import Loaded


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, then rename over; keeps the file's mode."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def fix_headers(loaded: Loaded, root: Path) -> list[str]:
    """Rewrite every stale header line; return the paths changed."""
    changed = []
    for rel, (line, new) in sorted(stale_headers(loaded).items()):
        path = root / rel
        data = path.read_bytes()
        write_atomic(path, rewrite_line(data, line, new))
        changed.append(rel)
    return changed
