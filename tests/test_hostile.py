"""Issue 10 (3): no shape of input makes a run superlinear, and patterns from a repository cannot backtrack.

The shapes are bench/hostile.py's, at half the issue's sizes: each hostile input gives the same kind of
answer as its benign twin. No test here reads the clock (a busy machine must not fail the suite): the time
each shape takes against its twin is measured by bench/bench_hostile.py, and how the eval's work grows
with its input by bench/bench_growth.py; here, work is counted where it can be (a shared history, patterns
that run on RE2).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.hostile import Case, cases
from tests.gitrepo import GitRepo, write


def _run(case: Case, trees: tuple[dict[str, str], ...], root: Path, cli) -> int:
    if case.command == "validate":
        write(root, trees[0])
        return cli("validate", str(root)).code
    repo = GitRepo(root)
    for files in trees:
        repo.commit("side", files)
    return cli("diff", "HEAD~1", "HEAD", cwd=root).code


@pytest.mark.parametrize("case", cases(0.5), ids=lambda c: c.name.replace(" ", "-"))
def test_a_hostile_shape_gives_the_answer_its_benign_twin_does(case: Case, cli, tmp_path: Path) -> None:
    benign_code = _run(case, case.benign, tmp_path / "benign", cli)
    hostile_code = _run(case, case.hostile, tmp_path / "hostile", cli)
    assert hostile_code == benign_code and hostile_code in (0, 1)


@pytest.mark.slow
@pytest.mark.parametrize("case", cases(0.5), ids=lambda c: c.name.replace(" ", "-"))
def test_a_hostile_shape_costs_about_what_its_benign_twin_does(case: Case, cli, tmp_path: Path) -> None:
    """Slow tier only: the CPU time of this process (not the wall clock, which other processes stretch) for the
    hostile shape against its twin, with a tenfold margin; their quadratic pasts took 10 to 30,000 times as long."""
    started = time.process_time()
    _run(case, case.benign, tmp_path / "benign", cli)
    benign = time.process_time() - started
    started = time.process_time()
    _run(case, case.hostile, tmp_path / "hostile", cli)
    hostile = time.process_time() - started
    assert hostile < 10 * benign + 1.0, f"{case.name}: {hostile:.2f}s of CPU against {benign:.2f}s"


def test_a_backtracking_id_pattern_is_run_in_linear_time_and_still_judges(cli, tmp_path: Path) -> None:
    doc = "# Rules {#rules authority=root}\n\nThe assistant must not lie[^" + "a" * 50000 + "b]. Or this[^aaaa].\n"
    write(tmp_path, {"model_spec.md": doc, "spectools.yaml": 'ids:\n  clause: "^(a|a)+$"\n'})
    result = cli("validate", str(tmp_path), "--fail-on", "never")
    assert "does not match ^(a|a)+$" in result.out and result.out.count("SPEC204") == 1  # aaaa matches, the long one not


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("^(a)\\1$", "it needs backtracking (invalid escape sequence: \\1); spectools runs patterns in linear time (RE2)"),
        ("^(?=a)[a-z]{4}$", "it needs backtracking (invalid perl operator: (?=)"),
        ("[a-z", "not a valid regular expression: unterminated character set at position 0"),
    ],
)
def test_a_pattern_re2_cannot_run_is_a_located_config_error(cli, tmp_path: Path, pattern: str, message: str) -> None:
    write(
        tmp_path,
        {"model_spec.md": "# R {#r authority=root}\n\nRule[^ab12].\n", "spectools.yaml": f"ids:\n  clause: '{pattern}'\n"},
    )
    result = cli("validate", str(tmp_path))
    assert result.code == 2
    assert f"spectools.yaml:2:1: error SPEC001 ids.clause: {message}" in result.out, result.out
    assert "E0000" not in result.err  # RE2's own logging is off


def test_a_backtracking_glob_in_documents_runs_in_linear_time(cli, tmp_path: Path) -> None:
    name = "a" * 200 + ".md"
    write(
        tmp_path,
        {
            f"spec/{name}": "# R {#r authority=root}\n\nRule[^ab12].\n",
            "spectools.yaml": 'documents: ["spec/*a*a*a*a*a*a*a*a*a*a*a*a*b.md"]\n',
        },
    )
    result = cli("validate", str(tmp_path))
    assert "matches no file" in result.out


def test_a_backtracking_pattern_in_a_repository_schema_runs_in_linear_time(cli, tmp_path: Path) -> None:
    schema = '{"properties": {"owner": {"type": "string", "pattern": "^(a|a)+$"}}}'
    doc = "# Rules {#rules authority=root owner=" + "a" * 50000 + "b}\n\nRule[^ab12].\n"
    write(tmp_path, {"model_spec.md": doc, "spectools.yaml": "schemas:\n  section: extra.json\n", "extra.json": schema})
    result = cli("validate", str(tmp_path), "--fail-on", "never")
    assert "error SPEC401 section 'rules' attribute owner: " in result.out and "does not match '^(a|a)+$'" in result.out
    write(tmp_path, {"extra.json": '{"properties": {"owner": {"pattern": "^(?=a)"}}}'})
    refused = cli("validate", str(tmp_path), "--fail-on", "never")
    assert "SPEC404 schemas.section: 'extra.json' has a pattern spectools cannot run: it needs backtracking" in refused.out


def test_eval_calibration_cases_share_their_example_and_summary_rows_are_read_a_fixed_number_of_times() -> None:
    """Issue 13, by counting: every calibration case of an example holds that example's one list of messages (no
    copy each, so n comparisons cost n, not n squared), and the pull-request summary reads each result row a
    fixed number of times, whatever their number. bench/bench_growth.py measures the time both take at n and 4n."""
    from spectools.eval.calibrate import cases as calibration_cases
    from spectools.github import summary
    from spectools.model import Spec
    from spectools.parse.files import parse_document

    turns = "".join(
        "<user>\nq\n</user>\n<comparison>\n<assistant> <!-- GOOD -->\na\n</assistant>\n</comparison>\n" for _ in range(300)
    )
    spec = Spec((parse_document("m.md", f"# S\n\n## A {{#a}}\n\nText[^aa01].\n\n**Example**: e\n\n```xml\n{turns}```\n"),), ())
    made, _ = calibration_cases(spec)
    assert len(made) == 300 and len({id(c.history) for c in made}) == 1
    assert [c.upto for c in made] == sorted({c.upto for c in made})  # each case is where it stands, not a copy

    rows = [{"clause": f"c{i:05d}", "model": "m", "grader": "g", "samples": 10, "passed": i % 11, "score": 0.5,
             "spec_commit": "abc1234"} for i in range(500)]  # fmt: skip
    read = []
    original = summary.setup_of
    summary.setup_of = lambda r: read.append(r["clause"]) or original(r)  # type: ignore[assignment]
    try:
        summary.render(summary.Inputs(head=[], results=rows, base_results=rows))
    finally:
        summary.setup_of = original
    assert len(read) == 4 * len(rows)  # twice per row and side: pairing is by one index, not a search per clause
