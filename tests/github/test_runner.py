"""Runner I/O: outputs, the job summary, annotations and stop-commands."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from spectools.github.runner import (
    ANNOTATIONS_PER_SEVERITY,
    annotate,
    append_summary,
    fit_summary,
    output_lines,
    write_outputs,
)
from spectools.model import Diagnostic, Location


def test_outputs_single_and_multiline(tmp_path: Path) -> None:
    assert output_lines("errors", "3") == "errors=3\n"
    text = output_lines("summary", "line one\nghadelimiter_x\nline three")
    head, *body, tail = text.rstrip("\n").split("\n")
    name, delimiter = head.split("<<")
    assert name == "summary" and tail == delimiter and delimiter.startswith("ghadelimiter_") and len(delimiter) == 45
    assert body == ["line one", "ghadelimiter_x", "line three"]
    assert output_lines("summary", "a\nb") != output_lines("summary", "a\nb")  # random each time
    out = tmp_path / "out"
    out.write_text("earlier=1\n")
    write_outputs(out, {"errors": "0", "comment-id": "12"})
    assert out.read_text() == "earlier=1\nerrors=0\ncomment-id=12\n"  # appended, as the runner expects


def test_the_job_summary_stays_under_one_mib(tmp_path: Path) -> None:
    assert fit_summary("small\n") == "small\n"
    big = "".join(f"| row {i} | 😀 {'x' * 80} |\n" for i in range(20000))
    cut = fit_summary(big)
    assert len(cut.encode("utf-8")) <= 1024 * 1024
    assert cut.endswith("_The summary was cut here: it was larger than GitHub allows (1 MiB)._\n")
    assert cut.split("\n\n_The summary")[0].endswith("|\n")  # cut at a line boundary
    append_summary(tmp_path / "summary.md", big)
    assert (tmp_path / "summary.md").stat().st_size <= 1024 * 1024


def test_annotations_are_escaped_and_capped_per_severity() -> None:
    found = [Diagnostic(Location("a,b:c.md", i + 1, 2), "error", "SPEC301", f"broken\nlink {i} 100%") for i in range(13)]
    found += [Diagnostic(Location("w.md", 1, 1), "warning", "SPEC603", "empty")]
    text, left = annotate(found)
    lines = text.splitlines()
    assert len(lines) == ANNOTATIONS_PER_SEVERITY + 1
    assert lines[0] == "::error file=a%2Cb%3Ac.md,line=1,col=2,title=SPEC301::broken%0Alink 0 100%25"
    assert lines[-1] == "::warning file=w.md,line=1,col=1,title=SPEC603::empty"
    assert left == {"error": 3}


def test_echoed_spec_text_cannot_run_workflow_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from spectools.cli.output import Guard, quoted

    hostile = "A sentence.\n::add-mask::x\n::set-output name=errors::0\n"
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", Guard(buffer))
    quoted(hostile)
    first, *middle, last = buffer.getvalue().rstrip("\n").split("\n")
    token = first.removeprefix("::stop-commands::")
    assert len(token) == 32 and last == f"::{token}::"
    assert middle == ["A sentence.", ":\u2060:add-mask::x", ":\u2060:set-output name=errors::0"]  # inert inside, too
    assert token not in hostile
