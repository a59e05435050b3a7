"""Hostile inputs and their benign twins: the same amount of text, shaped to hurt, or not.

Used by bench/bench_hostile.py (ratios) and tests/test_hostile.py (the same shapes, smaller, in a time
bound no superlinear run could meet). Each case is (name, hostile files, benign files, what runs):
"validate" loads and checks one working tree; "diff" compares two trees given as (old, new).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

Files = dict[str, str]


@dataclass(frozen=True)
class Case:
    name: str
    command: str  # validate | diff
    hostile: tuple[Files, ...]  # one tree for validate; (old, new) for diff
    benign: tuple[Files, ...]


def ids(n: int) -> Iterator[str]:
    """n distinct 4-character clause ids."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    for i in range(n):
        yield "".join(alphabet[(i // 36**k) % 36] for k in range(4))


def tags_in_one_paragraph(n: int = 8000) -> Case:
    sentences = [f"The assistant must keep rule {i}[^{cid}]." for i, cid in enumerate(ids(n))]
    head = "# Rules {#rules authority=root}\n\n"
    return Case(
        "tags in one paragraph",
        "validate",
        ({"model_spec.md": head + " ".join(sentences) + "\n"},),
        ({"model_spec.md": head + "\n\n".join(sentences) + "\n"},),
    )


def clauses_replaced_in_one_section(n: int = 4000) -> Case:
    """Every tagged sentence of one section replaced by a new one (each came or went: its sentence is left out of
    the section's wording change); the twin spreads the same sentences over n sections."""
    old_ids, new_ids = list(ids(2 * n))[:n], list(ids(2 * n))[n:]

    def one(words: str, tags: list[str]) -> str:
        return (
            "# Rules {#rules authority=user}\n\n"
            + " ".join(f"The assistant must handle {words} case {i} with care[^{cid}]." for i, cid in enumerate(tags))
            + "\n"
        )

    def spread(words: str, tags: list[str]) -> str:
        return "".join(
            f"## Rule {i} {{#r{i} authority=user}}\n\nThe assistant must handle {words} case {i} with care[^{cid}].\n\n"
            for i, cid in enumerate(tags)
        )

    return Case(
        "clauses replaced in one section",
        "diff",
        ({"model_spec.md": one("old", old_ids)}, {"model_spec.md": one("new", new_ids)}),
        ({"model_spec.md": spread("old", old_ids)}, {"model_spec.md": spread("new", new_ids)}),
    )


def backtracking_pattern(length: int = 5000) -> Case:
    doc = "# Rules {#rules authority=root}\n\nThe assistant must not lie[^" + "a" * length + "b].\n"
    hostile = {"model_spec.md": doc, "spectools.yaml": 'ids:\n  clause: "^(a|a)+$"\n'}
    benign = {"model_spec.md": doc, "spectools.yaml": 'ids:\n  clause: "^[a-z]+$"\n'}
    return Case("backtracking id pattern", "validate", (hostile,), (benign,))


def _sections(n: int, anchor: str, words: str) -> str:
    out = ["# Rules {#rules authority=root}\n"]
    for i in range(n):
        out.append(f"## Rule {i} {{#{anchor}{i} authority=user}}\n\nRule {i} says {words} number {i} and nothing more.\n")
    return "\n".join(out)


def renamed_sections(n: int = 1000) -> Case:
    old = _sections(n, "old_", "the assistant keeps promise")
    renamed = _sections(n, "new_", "the assistant keeps promise")
    reworded = _sections(n, "old_", "the assistant honours promise")
    return Case(
        "renamed sections",
        "diff",
        ({"model_spec.md": old}, {"model_spec.md": renamed}),
        ({"model_spec.md": old}, {"model_spec.md": reworded}),
    )


def few_distinct_words(n: int = 10000) -> Case:
    def doc(words: list[str]) -> str:
        return "# Rules {#rules authority=root}\n\n" + " ".join(words) + "\n"

    few = [("must", "not", "the", "a")[(i * 7 + i // 3) % 4] for i in range(n)]
    few_b = [*few[: n // 2], "should", *few[n // 2 :: 2], *few[n // 2 + 1 :: 2][::-1]]
    many = [f"w{i}" for i in range(n)]
    many_b = [*many[: n // 2], "should", *many[n // 2 :: 2], *many[n // 2 + 1 :: 2][::-1]]
    return Case(
        "word diff of few distinct words",
        "diff",
        ({"model_spec.md": doc(few)}, {"model_spec.md": doc(few_b)}),
        ({"model_spec.md": doc(many)}, {"model_spec.md": doc(many_b)}),
    )


def open_tag_without_end(n: int = 200000) -> Case:
    def doc(tail: str) -> str:
        return (
            "# Rules {#rules authority=root}\n\nThe rule[^ab12].\n\n**Example**: x\n\n~~~xml\n<user>\nhi\n</user>\n"
            + tail
            + "\n~~~\n"
        )

    return Case(
        "conversation tag that never ends",
        "validate",
        ({"model_spec.md": doc("<a" + " " * n)},),
        ({"model_spec.md": doc("a" * (n + 2))},),
    )


def label_with_spaces(n: int = 200000) -> Case:
    def doc(label: str) -> str:
        return (
            "# Rules {#rules authority=root}\n\nThe rule[^ab12].\n\n**Example**: x\n\n~~~xml\n<user>\nhi\n</user>\n<comparison>\n"
            f"<assistant> <!-- {label} -->\nok\n</assistant>\n</comparison>\n~~~\n"
        )

    return Case(
        "label full of spaces",
        "validate",
        ({"model_spec.md": doc("GOOD: a" + " " * n + "b")},),
        ({"model_spec.md": doc("GOOD: a" + "b" * n)},),
    )


def unknown_roles(n: int = 5000) -> Case:
    def doc(tags: str) -> str:
        return "# Rules {#rules authority=root}\n\nThe rule[^ab12].\n\n**Example**: x\n\n~~~xml\n" + tags + "\n~~~\n"

    return Case(
        "unknown roles never closed",
        "validate",
        ({"model_spec.md": doc("<odd>\n" * n)},),
        ({"model_spec.md": doc("<odd></odd>\n" * n)},),
    )


def cases(scale: float = 1.0) -> list[Case]:
    def s(n: int) -> int:
        return max(10, int(n * scale))

    return [
        tags_in_one_paragraph(s(8000)),
        backtracking_pattern(s(5000)),
        renamed_sections(s(1000)),
        few_distinct_words(s(10000)),
        open_tag_without_end(s(200000)),
        label_with_spaces(s(200000)),
        unknown_roles(s(5000)),
        clauses_replaced_in_one_section(s(4000)),
    ]
