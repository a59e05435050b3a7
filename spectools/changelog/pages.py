"""The published site's file names: `spectools site` writes a page per release and a redline per pair of releases
under these names, and the release notes link the redlines by them (site.base_url). Their one owner."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from spectools.model import SpecError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
RESERVED = {"index", "style", "unreleased"}
_URL = re.compile(r"https?://[^\s\"'<>`\\]+")


def slug(label: str, taken: set[str]) -> str:
    """A file name stem for a release (its tag as it is, where the tag is a safe name): letters, digits, `.`, `_`
    and `-` only, never a leading dot or a name the site uses itself, never one taken already."""
    stem = _UNSAFE.sub("-", label).lstrip(".-") or "release"
    if len(stem) > 100:  # a file name holds 255 bytes, a redline's two stems: a long tag is cut and told apart
        import hashlib

        stem = f"{stem[:80]}-{hashlib.sha256(label.encode('utf-8', 'surrogateescape')).hexdigest()[:12]}"
    if stem.lower() in RESERVED or stem.lower().startswith("redline"):
        stem = "release-" + stem
    found, n = stem, 1
    while found.lower() in taken:
        n += 1
        found = f"{stem}-{n}"
    taken.add(found.lower())
    return found


def redline_name(old_page: str, new_page: str, taken: set[str]) -> str:
    """A redline's file name that no other has (tags may hold `-to-`: v1 to v2-to-v3, v1-to-v2 to v3), whatever
    the case (names that differ in case only are one file on some systems)."""
    name = f"redline-{old_page.removesuffix('.html')}-to-{new_page}"
    stem, n = name.removesuffix(".html"), 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}.html"
    taken.add(name.lower())
    return name


def release_pages(releases: Sequence[Any]) -> dict[str, tuple[str, str]]:
    """{version: (its page, its redline from the release before it, or "")} for the releases in order (oldest
    first, changelog.notes.Release), as the site names them."""
    taken: set[str] = set()
    named: set[str] = set()
    page = {rel.version: slug(rel.version, taken) + ".html" for rel in releases}  # first: a release made the same
    pages: dict[str, tuple[str, str]] = {}  # second as the one it follows can be listed before it
    for rel in releases:
        old = page.get(rel.old.label) if rel.old is not None else None
        pages[rel.version] = (page[rel.version], redline_name(old, page[rel.version], named) if old else "")
    return pages


def check_base_url(url: str, where: str) -> str:
    """A base URL the pages may carry: http(s), no spaces or quotes; ends with '/'."""
    if not _URL.fullmatch(url):
        raise SpecError(
            f"{where}: the base URL must be an http(s) address with no spaces or quotes, e.g. https://example.org/spec/"
        )
    return url if url.endswith("/") else url + "/"
