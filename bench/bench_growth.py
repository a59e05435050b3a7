"""How work grows with hostile input: each measure at size n and 4n, as a ratio (linear: about 4; quadratic: 16).

    python bench/bench_growth.py [--runs 3] [--n 1.0]

The measures the test suite used to time, and the bounds of issue 17, in this process, fastest of --runs:

- summary: the pull-request comment for n results per side (base and head paired by clause);
- calibration: the cases of one example with n comparisons (each takes the conversation before it);
- grader reply: `{` then `"score" ` n times, read for a grade (the reply is capped at 1 MiB anyway);
- word diff: one sentence whose subject of n words, right before its modal, is rewritten whole;
- printed text: n lines of hostile text through the guard of stdout (every line escaped for the runner);
- run-on tags: one paragraph of n clause tags and no full stop;
- unknown elements: n distinct unknown elements in an example.

The suite proves each by counting work (tests/security/test_bounds.py, tests/test_hostile.py); this measures time.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_hostile import best


def summary(n: int) -> Callable[[], object]:
    from spectools.github.summary import Inputs, render

    def rows(commit: str) -> list[dict]:
        return [{"clause": f"c{i:05d}", "model": "m", "grader": "g", "samples": 10, "passed": i % 11, "score": 0.5,
                 "spec_commit": commit} for i in range(n)]  # fmt: skip

    inputs = Inputs(head=[], results=rows("a" * 40), base_results=rows("b" * 40))
    return lambda: render(inputs)


def calibration(n: int) -> Callable[[], object]:
    from spectools.eval.calibrate import cases
    from spectools.model import Spec
    from spectools.parse.files import parse_document

    turns = "".join(
        "<user>\nq\n</user>\n<comparison>\n<assistant> <!-- GOOD -->\na\n</assistant>\n</comparison>\n" for _ in range(n)
    )
    spec = Spec((parse_document("m.md", f"# S\n\n## A {{#a}}\n\nText[^aa01].\n\n**Example**: e\n\n```xml\n{turns}```\n"),), ())
    return lambda: cases(spec)


def grader_reply(n: int) -> Callable[[], object]:
    from spectools.eval.grader import parse

    reply = "{" + '"score" ' * n  # the shape: one brace, then "score" after "score"
    return lambda: parse(reply)


def word_diff(n: int) -> Callable[[], object]:
    from spectools.diff.wording import word_diff as diff

    old = "The " + " ".join(f"party{i}" for i in range(n)) + " must not reveal secrets."
    new = "The " + " ".join(f"other{i}" for i in range(n)) + " must not reveal secrets."
    return lambda: diff(old, new)


def run_on(n: int) -> Callable[[], object]:
    from spectools.parse.files import parse_document

    text = "# S\n\n## A {#a}\n\n" + " ".join(f"w[^m{i:05d}]" for i in range(n)) + "\n"
    return lambda: parse_document("m.md", text)


def unknown_elements(n: int) -> Callable[[], object]:
    from spectools.parse.conversation import parse_conversation

    text = "".join(f"<f{i}>" for i in range(n))
    return lambda: parse_conversation(text, "x.md", 1)


def printed(n: int) -> Callable[[], object]:
    from spectools.cli.output import Guard

    text = "".join(f"  ::add-mask::{i} and ##[set-output x]{i}\n" for i in range(n))
    return lambda: Guard(io.StringIO()).write(text)


MEASURES = {"summary": (summary, 2000), "calibration": (calibration, 3000), "grader reply": (grader_reply, 20000),
            "word diff": (word_diff, 2000), "printed text": (printed, 20000), "run-on tags": (run_on, 5000),
            "unknown elements": (unknown_elements, 20000)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=float, default=1.0, help="the sizes, relative to the defaults")
    args = parser.parse_args()
    print(f"{'measure':14} {'n':>7} {'at n':>9} {'at 4n':>9} {'ratio':>6}")
    worst = 0.0
    for name, (make, size) in MEASURES.items():
        n = max(1, int(size * args.n))
        small_run, large_run = make(n), make(4 * n)
        small_run(), large_run()  # warm up
        small, large = best(small_run, args.runs), best(large_run, args.runs)
        ratio = large / small if small else 0.0
        worst = max(worst, ratio)
        print(f"{name:14} {n:7d} {small * 1000:7.1f}ms {large * 1000:7.1f}ms {ratio:5.1f}x", flush=True)
    print(f"worst growth for 4x the input: {worst:.1f}x (linear: about 4; quadratic: 16)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
