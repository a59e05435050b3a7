"""Measure the rules of the house (docs/ARCHITECTURE.md) on spectools/, and print the figures.

    python bench/house.py

- top-level parts: the modules and folders directly in spectools/ (`__init__` and `__main__` not counted);
- module size: lines per module (limit 400);
- function size: lines per function or method (limit 60) and cyclomatic complexity, measured with radon
  (limit 15);
- layers: each top-level part imports only parts below it in LAYERS, so no two parts import each other;
- one owner: git is run only by sources/git.py, only cli/ prints, only io.py replaces files, and each
  concept (the clause-tag pattern, the comment's marker and limit) is spelled in one module.
tests/test_house.py asserts the limits; this script prints the figures for a change's note.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "spectools"

# lowest first: a part may import only the parts before it
LAYERS = ("model", "io", "sources", "parse", "diff", "checks", "render", "changelog", "github", "authoring", "eval", "cli")
LIMITS = {"parts": 12, "module_lines": 400, "function_lines": 60, "complexity": 15}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def part_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def parts() -> list[str]:
    return sorted(
        {part_of(p) for p in modules() if part_of(p) not in ("__init__", "__main__")}
        | {d.name for d in PACKAGE.iterdir() if d.is_dir() and d.name != "__pycache__"}
    )


def imports(path: Path) -> set[str]:
    """The top-level parts of spectools that the module imports (at any depth in the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("spectools"):
            names = [node.module] if node.module != "spectools" else [f"spectools.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("spectools.")]
        for name in names:
            bits = name.split(".")
            if len(bits) > 1 and bits[1] != "__version__":
                found.add(bits[1])
    return found


def layer_breaches() -> list[str]:
    """'module imports part' for every import of a part that is not below the module's own."""
    out = []
    for path in modules():
        mine = part_of(path)
        if mine in ("__init__", "__main__"):
            continue
        rank = LAYERS.index(mine) if mine in LAYERS else -1
        for other in sorted(imports(path) - {mine}):
            if rank < 0 or other not in LAYERS or LAYERS.index(other) > rank:
                out.append(f"{path.relative_to(PACKAGE.parent)} imports spectools.{other}")
    return out


# (what, text that only its owner may hold, the owner): a second module holding the text is a second definition
OWNED = (
    ("runs a process", "import subprocess", "spectools/sources/git.py"),
    ("replaces a file", "os.replace(", "spectools/io.py"),
    ("spells the clause-tag pattern", r'r"\[\^', "spectools/model.py"),
    ("spells the comment's marker", "<!-- spectools:summary -->", "spectools/github/summary.py"),
    ("spells the comment limit", "65000", "spectools/github/summary.py"),
    ("defines the comment's marker", "\nMARKER =", "spectools/github/summary.py"),
    ("defines the --fail-on rule", "def fails(", "spectools/model.py"),
    ("counts severities", "def severity_counts(", "spectools/model.py"),
    ("builds a ChangeSet", "ChangeSet(", "spectools/diff/changes.py"),
)
PRINTS = ("sys.stdout", "sys.stderr", "print(")  # only cli/ may


def owners() -> list[str]:
    """'module <does what>' for each module that holds what another module owns, or that prints outside cli/."""
    out = []
    for path in modules():
        rel = str(path.relative_to(PACKAGE.parent))
        text = path.read_text(encoding="utf-8")
        out += [f"{rel} {what} (only {owner} may)" for what, needle, owner in OWNED if needle in text and rel != owner]
        if not rel.startswith("spectools/cli/") and any(p in text for p in PRINTS):
            out.append(f"{rel} prints (only spectools/cli/ may)")
    return out


def functions() -> list[tuple[str, int, int]]:
    """(qualified name, lines, cyclomatic complexity) of every function and method."""
    from radon.complexity import cc_visit

    out = []
    for path in modules():
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if block.letter == "C":  # a class's complexity is its methods'; they are listed too
                continue
            name = f"{path.relative_to(PACKAGE.parent)}:{block.fullname}"
            out.append((name, block.endline - block.lineno + 1, block.complexity))
    return out


def module_lines() -> list[tuple[str, int]]:
    return [(str(p.relative_to(PACKAGE.parent)), len(p.read_text(encoding="utf-8").splitlines())) for p in modules()]


def main() -> int:
    import argparse

    argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0]).parse_args()
    fns, mods = functions(), module_lines()
    over_lines = [(n, lines) for n, lines, _ in fns if lines > LIMITS["function_lines"]]
    over_cc = [(n, cc) for n, _, cc in fns if cc > LIMITS["complexity"]]
    big = [(n, lines) for n, lines in mods if lines > LIMITS["module_lines"]]
    breaches = layer_breaches()
    print(f"top-level parts: {len(parts())} (limit {LIMITS['parts']}): {', '.join(parts())}")
    print(f"modules: {len(mods)}; largest {max(lines for _, lines in mods)} lines (limit {LIMITS['module_lines']})")
    print(f"functions: {len(fns)}; longest {max(f[1] for f in fns)} lines, most complex CC {max(f[2] for f in fns)}")
    for label, rows in (
        ("modules over 400 lines", big),
        ("functions over 60 lines", over_lines),
        ("functions over CC 15", over_cc),
    ):
        print(f"{label}: {len(rows)}")
        for name, figure in sorted(rows, key=lambda r: -r[1]):
            print(f"  {figure:4d}  {name}")
    print(f"imports against the layers ({' < '.join(LAYERS)}): {len(breaches)}")
    for line in breaches:
        print("  " + line)
    strays = owners()
    print(f"things done or defined outside their one owner: {len(strays)}")
    for line in strays:
        print("  " + line)
    return 1 if big or over_lines or over_cc or breaches or strays or len(parts()) > LIMITS["parts"] else 0


if __name__ == "__main__":
    sys.exit(main())
