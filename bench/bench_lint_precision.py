"""Precision of `spectools lint` on the public Model Spec, per code, from the labels in
bench/data/lint-modelspec-labels.tsv (a maintainer's standard: accept = real, or worth a look).

    python bench/bench_lint_precision.py PATH-TO-A-MODEL-SPEC-CHECKOUT [--sample 50] [--seed 2022]

It lints the checkout with no configuration, joins each finding with its label by (line, code, clause ids), and prints, per
code, the findings, how many are labelled, and the share accepted; then the same for a random sample of --sample
findings (the issue's measure). A finding with no label is listed: label it before quoting a figure.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LABELS = Path(__file__).resolve().parent / "data" / "lint-modelspec-labels.tsv"


Key = tuple[int, str, str]  # (line, code, clause ids): one line of the Model Spec holds several clauses


def labels() -> dict[Key, str]:
    out = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            at, code, ids, verdict, _why = line.split("\t", 4)
            out[(int(at), code, ids)] = verdict
    return out


def table(found: list[Key], known: dict[Key, str]) -> list[str]:
    codes = sorted({code for _, code, _ in found})
    rows = []
    for code in codes:
        mine = [f for f in found if f[1] == code]
        labelled = [known[f] for f in mine if f in known]
        accepted = labelled.count("accept")
        share = f"{accepted / len(labelled):.0%}" if labelled else "-"
        rows.append(f"{code}  {len(mine):3} findings, {len(labelled):3} labelled, {accepted:3} accepted ({share})")
    labelled = [known[f] for f in found if f in known]
    rows.append(f"all      {len(found):3} findings, {len(labelled):3} labelled, {labelled.count('accept'):3} accepted "
                f"({labelled.count('accept') / max(1, len(labelled)):.0%})")  # fmt: skip
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spec", type=Path)
    p.add_argument("--sample", type=int, default=50)
    p.add_argument("--seed", type=int, default=2022)
    args = p.parse_args()
    from spectools.checks.lint import lint
    from spectools.parse.load import load, open_worktree

    findings = lint(load(open_worktree(args.spec)))
    found = [(f.diagnostic.location.line, f.diagnostic.code, " ".join(f.ids) or "-") for f in findings]
    known = labels()
    print("every finding:")
    print("\n".join("  " + row for row in table(found, known)))
    sample = sorted(random.Random(args.seed).sample(found, min(args.sample, len(found))))
    print(f"a random sample of {len(sample)} (seed {args.seed}):")
    print("\n".join("  " + row for row in table(sample, known)))
    for f in found:
        if f not in known:
            print(f"not labelled: line {f[0]} {f[1]} {f[2]}")


if __name__ == "__main__":
    main()
