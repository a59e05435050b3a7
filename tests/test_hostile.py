"""Issue 10 (3): no shape of input makes a run superlinear, and patterns from a repository cannot backtrack.

The shapes are bench/hostile.py's, at half the issue's sizes: each hostile input must finish within a
bound that its quadratic (or exponential) past could never meet (it took 10 to 30,000 times its benign
twin), and must give the same kind of answer as before. bench/bench_hostile.py measures the ratios.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.hostile import Case, cases
from tests.gitrepo import GitRepo, write


def _run(case: Case, trees: tuple[dict[str, str], ...], root: Path, cli) -> tuple[float, int]:
    if case.command == "validate":
        write(root, trees[0])
        start = time.perf_counter()
        code = cli("validate", str(root)).code
        return time.perf_counter() - start, code
    repo = GitRepo(root)
    for files in trees:
        repo.commit("side", files)
    start = time.perf_counter()
    code = cli("diff", "HEAD~1", "HEAD", cwd=root).code
    return time.perf_counter() - start, code


@pytest.mark.parametrize("case", cases(0.5), ids=lambda c: c.name.replace(" ", "-"))
def test_a_hostile_shape_costs_about_what_its_benign_twin_does(case: Case, cli, tmp_path: Path) -> None:
    benign, benign_code = _run(case, case.benign, tmp_path / "benign", cli)
    hostile, hostile_code = _run(case, case.hostile, tmp_path / "hostile", cli)
    assert hostile < 10 * benign + 1.0, f"{case.name}: {hostile:.2f}s against {benign:.2f}s"
    assert hostile_code in (0, 1) and benign_code in (0, 1)


def test_a_backtracking_id_pattern_is_run_in_linear_time_and_still_judges(cli, tmp_path: Path) -> None:
    doc = "# Rules {#rules authority=root}\n\nThe assistant must not lie[^" + "a" * 50000 + "b]. Or this[^aaaa].\n"
    write(tmp_path, {"model_spec.md": doc, "spectools.yaml": 'ids:\n  clause: "^(a|a)+$"\n'})
    start = time.perf_counter()
    result = cli("validate", str(tmp_path), "--fail-on", "never")
    assert time.perf_counter() - start < 5
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
    start = time.perf_counter()
    result = cli("validate", str(tmp_path))
    assert time.perf_counter() - start < 5
    assert "matches no file" in result.out


def test_a_backtracking_pattern_in_a_repository_schema_runs_in_linear_time(cli, tmp_path: Path) -> None:
    schema = '{"properties": {"owner": {"type": "string", "pattern": "^(a|a)+$"}}}'
    doc = "# Rules {#rules authority=root owner=" + "a" * 50000 + "b}\n\nRule[^ab12].\n"
    write(tmp_path, {"model_spec.md": doc, "spectools.yaml": "schemas:\n  section: extra.json\n", "extra.json": schema})
    start = time.perf_counter()
    result = cli("validate", str(tmp_path), "--fail-on", "never")
    assert time.perf_counter() - start < 5
    assert "error SPEC401 section 'rules' attribute owner: " in result.out and "does not match '^(a|a)+$'" in result.out
    write(tmp_path, {"extra.json": '{"properties": {"owner": {"pattern": "^(?=a)"}}}'})
    refused = cli("validate", str(tmp_path), "--fail-on", "never")
    assert "SPEC404 schemas.section: 'extra.json' has a pattern spectools cannot run: it needs backtracking" in refused.out


def _timed(work) -> float:
    """The best of three runs."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def test_eval_results_and_calibration_cases_cost_what_their_size_does() -> None:
    """Issue 13: a results file of many clauses (the pull-request summary pairs base and head rows by clause)
    and an example of many comparisons (each calibration case takes the conversation before it) stay linear:
    four times the input costs about four times the time, never sixteen."""
    from spectools.eval.calibrate import cases
    from spectools.github.summary import Inputs, render
    from spectools.model import Spec
    from spectools.parse.files import parse_document

    def rows(n: int) -> list[dict]:
        return [{"clause": f"c{i:05d}", "model": "m", "grader": "g", "samples": 10, "passed": i % 11, "score": 0.5, "spec_commit": "abc1234"}
                for i in range(n)]  # fmt: skip

    def summary(n: int) -> float:
        return _timed(lambda: render(Inputs(head=[], results=rows(n), base_results=rows(n))))

    def doc(n: int) -> str:
        turns = "".join(
            "<user>\nq\n</user>\n<comparison>\n<assistant> <!-- GOOD -->\na\n</assistant>\n</comparison>\n" for _ in range(n)
        )
        return f"# S\n\n## A {{#a}}\n\nText[^aa01].\n\n**Example**: e\n\n```xml\n{turns}```\n"

    def calibration(n: int) -> float:
        spec = Spec((parse_document("m.md", doc(n)),), ())
        return _timed(lambda: cases(spec))

    for measure, small in ((summary, 2000), (calibration, 3000)):
        measure(small)  # warm up
        base, large = measure(small), measure(4 * small)
        assert large < 8 * base + 0.02, f"{measure.__name__}: {large:.3f}s for 4x the input against {base:.3f}s"
