"""Bytes -> text, with a finding for each way a file can be off."""

from __future__ import annotations

from spectools.model import Diagnostic, Location, diag


def decode(path: str, data: bytes, max_bytes: int) -> tuple[str | None, list[Diagnostic]]:
    """Return (text with LF line endings, problems); text is None when the file is unusable."""
    problems: list[Diagnostic] = []
    if len(data) > max_bytes:
        problems.append(
            diag(
                "SPEC006",
                Location(path),
                f"file is {len(data):,} bytes, over the limit of {max_bytes:,}; "
                "split it, or raise limits.max_file_bytes in spectools.yaml",
            )
        )
        return None, problems
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        problems.append(
            diag("SPEC003", Location(path, line, 1), "file is binary (it has a NUL byte); spec files must be UTF-8 text")
        )
        return None, problems
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(
            diag("SPEC004", Location(path, 1, 1), "file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM")
        )
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            diag(
                "SPEC002",
                Location(path, line, col),
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); re-save it as UTF-8",
            )
        )
        return None, problems
    if "\r" in text:
        cr = text.index("\r")
        line = text.count("\n", 0, cr) + 1
        kind = "CRLF" if text.startswith("\r\n", cr) else "CR"
        problems.append(
            diag("SPEC005", Location(path, line, 1), f"file uses {kind} line endings (first on this line); convert it to LF")
        )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems
