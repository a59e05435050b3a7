"""Generate a spec repository with a long history, with `git fast-import`.

    python bench/synth_history.py OUT [--sections 5000] [--docs 50] [--commits 2000] [--tags 50]

Each section carries one clause with its challenge file. Each commit rewords a clause, edits a
challenge, renames, moves, promotes or adds a section; every commits/tags-th commit is a release tag.
"""

from __future__ import annotations

import argparse
import random
import subprocess
from pathlib import Path

from bench.synth import LEVELS, clause_id, example, sentence


class Spec:
    def __init__(self, sections: int, docs: int, rng: random.Random) -> None:
        self.rng = rng
        self.docs: list[list[dict[str, str]]] = [[] for _ in range(docs)]
        self.next = 0
        for i in range(sections):
            self.add(i % docs)

    def add(self, doc: int) -> dict[str, str]:
        n = self.next
        self.next += 1
        s = {
            "anchor": f"s{n}",
            "title": f"Section {n}",
            "authority": LEVELS[n % 5],
            "cid": clause_id(n),
            "text": sentence(self.rng, 18),
        }
        self.docs[doc].append(s)
        return s

    def render(self, doc: int) -> str:
        parts = [f"# Part {doc} {{#part{doc}}}\n\nGenerated part {doc}.\n\n"]
        for s in self.docs[doc]:
            parts.append(f"## {s['title']} {{#{s['anchor']} authority={s['authority']}}}\n\n{s['text']}[^{s['cid']}].\n\n")
        return "".join(parts)

    def challenge(self, s: dict[str, str], extra: int = 0) -> str:
        body = "".join(example(self.rng, s["anchor"]) + "\n" for _ in range(1 + extra))
        return f"Examples for [^{s['cid']}] in {s['title']}:\n\n{body}"


def _data(out: list[bytes], payload: bytes) -> None:
    out.append(b"data %d\n" % len(payload) + payload + b"\n")


def generate(root: Path, sections: int = 5000, docs: int = 50, commits: int = 2000, tags: int = 50, seed: int = 7) -> None:
    rng = random.Random(seed)
    spec = Spec(sections, docs, rng)
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    stream: list[bytes] = []
    every = max(1, commits // tags)
    for n in range(commits):
        stream.append(b"commit refs/heads/main\nmark :%d\n" % (n + 1))
        stream.append(b"committer Bench <bench@example.invalid> %d +0000\n" % (1_700_000_000 + n * 3600))
        _data(stream, f"change {n}".encode())
        if n:
            stream.append(b"from :%d\n" % n)
        touched: dict[str, str] = {}
        if n == 0:
            touched.update({f"spec/part{d:02d}.md": spec.render(d) for d in range(docs)})
            touched.update({f"examples/{s['cid']}.md": spec.challenge(s) for d in spec.docs for s in d})
        else:
            doc = rng.randrange(docs)
            s = rng.choice(spec.docs[doc])
            action = rng.random()
            if action < 0.6:
                s["text"] = sentence(rng, 18)
            elif action < 0.75:
                touched[f"examples/{s['cid']}.md"] = spec.challenge(s, extra=rng.randrange(3))
            elif action < 0.85:
                s["title"] = s["title"] + " again"
            elif action < 0.92:
                s["authority"] = rng.choice(LEVELS)
            else:
                new = spec.add(doc)
                touched[f"examples/{new['cid']}.md"] = spec.challenge(new)
            touched[f"spec/part{doc:02d}.md"] = spec.render(doc)
        for path, text in sorted(touched.items()):
            stream.append(f"M 100644 inline {path}\n".encode())
            _data(stream, text.encode())
        if (n + 1) % every == 0:
            stream.append(b"reset refs/tags/v%d\nfrom :%d\n\n" % ((n + 1) // every, n + 1))
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(stream), cwd=root, check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=root, check=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path)
    p.add_argument("--sections", type=int, default=5000)
    p.add_argument("--docs", type=int, default=50)
    p.add_argument("--commits", type=int, default=2000)
    p.add_argument("--tags", type=int, default=50)
    a = p.parse_args()
    generate(a.out, a.sections, a.docs, a.commits, a.tags)


if __name__ == "__main__":
    main()
