"""--changed-since: only the clauses whose text or challenge files changed since a ref."""

from __future__ import annotations

from pathlib import Path

from spectools.eval.changed import changed_since
from tests.eval.test_run import challenge
from tests.gitrepo import GitRepo, write

SPEC = """# Spec

## Scope {#scope}

The assistant stays on topic[^sc01]. It says why it declines[^sc02]. It is brief[^sc03]. It is kind[^sc04].
"""


def test_reworded_clauses_and_changed_challenges_are_run_and_nothing_else(tmp_path: Path) -> None:
    files = {
        "model_spec.md": SPEC,
        **{f"examples/{c}.md": challenge(c, [f"{c} prompt"]) for c in ("sc01", "sc02", "sc03", "sc04")},
    }
    repo = GitRepo(tmp_path)
    repo.commit("spec", files)
    write(tmp_path, {
        "model_spec.md": SPEC.replace("stays on topic", "stays strictly on topic").replace(" It is kind[^sc04].", ""),
        "examples/sc02.md": challenge("sc02", ["sc02 prompt", "a new prompt"]),
    })  # fmt: skip
    (tmp_path / "examples" / "sc04.md").unlink()
    assert changed_since(tmp_path, "HEAD") == {"sc01", "sc02"}  # sc03 unchanged; sc04 removed: nothing to run
    assert changed_since(tmp_path, repo.git("rev-parse", "HEAD").strip()) == {"sc01", "sc02"}
