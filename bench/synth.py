"""Generate a synthetic spec repository of any size in the spectools format.

python bench/synth.py OUT --sections 10000 --clauses 20000 [--words 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

LEVELS = ("root", "system", "developer", "user", "guideline")
WORDS = [
    *[
        "assistant",
        "user",
        "developer",
        "should",
        "must",
        "never",
        "may",
        "only",
        "always",
        "unless",
        "request",
        "answer",
        "policy",
        "data",
        "privacy",
    ],
    *[
        "safety",
        "instruction",
        "context",
        "tool",
        "browser",
        "refund",
        "scope",
        "honest",
        "uncertain",
        "explain",
        "decline",
        "escalate",
        "verify",
    ],
]


def clause_id(n: int) -> str:
    """The n-th four-character id in [a-z0-9]."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out += alphabet[r]
    return out


def sentence(rng: random.Random, words: int) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    return body[0].upper() + body[1:]


def example(rng: random.Random, anchor: str) -> str:
    return (
        f"**Example**: {sentence(rng, 5).lower()}\n\n~~~xml\n<user>\n{sentence(rng, 20)}.\n</user>\n<comparison>\n"
        f"<assistant> <!-- GOOD: {sentence(rng, 4).lower()} -->\n{sentence(rng, 25)}.\n</assistant>\n"
        f"<assistant> <!-- BAD[#{anchor}]: {sentence(rng, 4).lower()} -->\n{sentence(rng, 25)}.\n</assistant>\n"
        "</comparison>\n~~~\n"
    )


def generate(out: Path, sections: int, clauses: int, words: int = 40, seed: int = 1, examples_every: int = 3) -> dict[str, int]:
    """Write model_spec.md and examples/<id>.md under out; return byte counts."""
    rng = random.Random(seed)
    (out / "examples").mkdir(parents=True, exist_ok=True)
    per = [clauses // sections + (1 if i < clauses % sections else 0) for i in range(sections)]
    parts = ["# Synthetic spec {#synthetic}\n\nA generated spec for benchmarks; see [?](#s0).\n\n"]
    n = 0
    titles = {}
    for i in range(sections):
        anchor = f"s{i}"
        title = f"Section {i} {rng.choice(WORDS)}"
        level = 2 if i % 5 == 0 else 3
        parts.append(f"{'#' * level} {title} {{#{anchor} authority={LEVELS[i % 5]} tags={rng.choice(WORDS)}}}\n\n")
        text = []
        for _ in range(per[i]):
            cid = clause_id(n)
            titles[cid] = title
            text.append(f"{sentence(rng, words)}[^{cid}].")
            n += 1
        text.append(f"{sentence(rng, words)} (see [?](#s{rng.randrange(sections)})).")
        parts.append(" ".join(text) + "\n\n")
        if i % examples_every == 0:
            parts.append(example(rng, anchor) + "\n")
    spec = "".join(parts)
    (out / "model_spec.md").write_text(spec, encoding="utf-8")
    total = len(spec.encode())
    for cid, title in titles.items():
        body = f"Examples for [^{cid}] in {title}:\n\n{example(rng, 's0')}"
        (out / "examples" / f"{cid}.md").write_text(body, encoding="utf-8")
        total += len(body.encode())
    return {"spec_bytes": len(spec.encode()), "total_bytes": total, "clauses": n}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path)
    p.add_argument("--sections", type=int, default=100)
    p.add_argument("--clauses", type=int, default=200)
    p.add_argument("--words", type=int, default=40)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    print(generate(a.out, a.sections, a.clauses, a.words, a.seed))


if __name__ == "__main__":
    main()
