"""Issue 18: the README's sample outputs are what spectools prints: the quick start's, and the `diff` and
`changelog` samples of a second release of the quick start's demo (dates aside)."""

from __future__ import annotations

import json
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


def eval_sample(cli, demo: Path) -> str:
    """The README's local eval run, against a scripted server: cm01 passes three times; cm02's second answer is cut at
    max_tokens and its third fails; pv01's grades can never be read."""
    from spectools.eval.run import tasks
    from spectools.parse.load import load, open_worktree
    from tests.chat_server import ChatServer, completion

    assert cli("init", str(demo), "--git").code == 0
    cm02 = json.dumps(next(t.messages for t in tasks(load(open_worktree(demo)).spec)[0] if t.clause.id == "cm02"))
    seen: dict[str, int] = {}

    def script(body: dict, n: int):  # type: ignore[no-untyped-def]
        if body["model"] == "local":
            text = json.dumps(body["messages"])
            seen[text] = seen.get(text, 0) + 1
            reply = completion(f"answer {seen[text]}")
            if text == cm02 and seen[text] == 2:
                reply.body["choices"][0]["finish_reason"] = "length"
            return reply
        prompt = body["messages"][1]["content"]
        if "Clause [^pv01]:" in prompt:
            return completion("I cannot say.")  # never a readable grade
        failed = "Clause [^cm02]:" in prompt and prompt.endswith("answer 3")
        return completion(json.dumps({"reasoning": "r", "score": 2 if failed else 7}))

    with ChatServer(script) as server:
        result = cli("eval", "run", str(demo), "--model", "local", "--grader-model", "gpt-4.1", "--base-url", server.url,
                     "--clauses", "cm01", "cm02", "pv01", "--samples", "3", "--no-cache", "--concurrency", "1")  # fmt: skip
    return result.out


def test_the_readme_eval_sample_is_what_spectools_prints(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    shown = _block("$ SPECTOOLS_GRADER_API_KEY").split("\n")
    printed = eval_sample(cli, tmp_path / "demo")
    assert "\n".join(shown[3:]) == printed  # after the command's three lines


def test_the_lint_sample_is_what_spectools_prints(cli, tmp_path: Path) -> None:
    """Issue 22: the README's `spectools lint` on the demo's second release."""
    demo = tmp_path / "demo"
    second_release(cli, demo)
    command = re.search(r"<!-- lint-sample -->\n```sh\n(.+?)\n```", README, re.S)
    assert command is not None and command.group(1) == ".venv/bin/spectools lint demo"
    assert cli("lint", "demo", cwd=tmp_path).code == 1
    result = cli("lint", "demo", cwd=tmp_path)
    _same(_block("demo/model_spec.md:42"), result.out + result.err)
