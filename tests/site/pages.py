"""Reading the built site in tests: each page's elements, ids and links (html.parser: what a browser's parser sees
for well-formed pages; tests/site/test_browser.py checks the same in Chromium)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple


class Element(NamedTuple):
    tag: str
    attrs: dict[str, str | None]


class Page(HTMLParser):
    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.elements: list[Element] = []
        self.text: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def having(self, attr: str, value: str | None = None) -> list[Element]:
        return [e for e in self.elements if attr in e.attrs and (value is None or e.attrs[attr] == value)]

    @property
    def ids(self) -> set[str]:
        return {str(e.attrs["id"]) for e in self.elements if e.attrs.get("id")}

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def pages(site: Path) -> dict[str, Page]:
    return {p.name: Page(p) for p in sorted(site.glob("*.html"))}


def broken_links(site: Path) -> list[str]:
    """Every link inside the site that names a missing page or a missing id, as `page: href`."""
    found = pages(site)
    broken = []
    for name, page in found.items():
        for e in page.elements:
            href = e.attrs.get("href") if e.tag in ("a", "link") else None
            if href is None or href.lower().startswith(("http://", "https://", "mailto:")):
                continue
            target, _, fragment = href.partition("#")
            target = target or name
            if target == "style.css" and (site / target).is_file():
                continue
            if target not in found or (fragment and fragment not in found[target].ids):
                broken.append(f"{name}: {href}")
    return broken
