"""Issue 18: the README's sample outputs are what spectools prints: the quick start's, and the `diff` and
`changelog` samples of a second release of the quick start's demo (dates aside)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _block(first: str, fence: str = "text") -> str:
    """The README's fenced block of this kind whose first line starts with `first`."""
    blocks = [b for b in re.findall(rf"^```{fence}\n(.*?)^```", README, re.S | re.M) if b.startswith(first)]
    assert len(blocks) == 1, first
    return blocks[0]


def _same(shown: str, printed: str) -> None:
    """printed is what the README shows, dates aside; a last line "..." stands for the rest."""
    shown, printed = DATE.sub("DATE", shown), DATE.sub("DATE", printed)
    if shown.endswith("...\n"):
        shown = shown[: -len("...\n")]
        printed = printed[: len(shown)]
    assert printed == shown


def test_the_quick_start_prints_what_the_readme_shows(cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    made = cli("init", str(demo), "--git")
    checked = cli("validate", str(demo))
    notes = cli("changelog", "--path", str(demo))
    printed = made.err.replace(str(demo), "demo") + checked.err + notes.out
    _same(_block("spectools: wrote"), printed)


def second_release(cli, demo: Path) -> None:
    """The demo's v0.2.0: a root section added, a section demoted and its rule softened, a section retitled, a
    link added (editorial), a clause added with its challenge file."""
    assert cli("init", str(demo), "--git").code == 0
    spec = demo / "model_spec.md"
    text = spec.read_text(encoding="utf-8")
    edits = {
        "{#protect_privacy authority=system}": "{#protect_privacy authority=developer}",
        "must not reveal personal data": "should not reveal personal data",
        "## Be honest about uncertainty {#honest_uncertainty": "## Be honest when unsure {#honest_uncertainty",
        "say what it can help with instead[^sc01].": "say what it can help with instead[^sc01]. "
        "It must not pretend to be a general assistant[^sc02].",
        "when it labels it as one.": "when it labels it as one (see [estimates](https://example.org/estimates)).",
        "# Serve the people it works for {#serve}": "## Protect younger users {#protect_minors authority=root}\n\n"
        "When a user appears to be a minor, the assistant must not engage in romantic role-play with them[^mn01].\n\n"
        "# Serve the people it works for {#serve}",
    }
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    spec.write_text(text, encoding="utf-8")
    for cid in ("sc02", "mn01"):
        challenge = (demo / "examples" / "sc01.md").read_text(encoding="utf-8").replace("[^sc01]", f"[^{cid}]")
        (demo / "examples" / f"{cid}.md").write_text(challenge, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=demo, check=True)
    subprocess.run(["git", "commit", "-qm", "Second release"], cwd=demo, check=True)
    subprocess.run(["git", "tag", "v0.2.0"], cwd=demo, check=True)


def test_the_diff_and_changelog_samples_are_what_spectools_prints(cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    second_release(cli, demo)
    diff = cli("diff", "v0.1.0", "v0.2.0", cwd=demo)
    _same(_block("$ spectools diff"), "$ spectools diff v0.1.0 v0.2.0\n" + diff.out + diff.err)
    notes = cli("changelog", "v0.2.0", cwd=demo)
    _same(_block("## v0.2.0", "markdown"), notes.out)
