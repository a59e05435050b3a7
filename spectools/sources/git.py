"""Specs at git refs: a commit's tree or the index, read from git's object database (no checkout).

Each side of a diff is a Source (see source.py). Errors name the ref and the fix.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spectools.model import Diagnostic, Location, SpecError, diag

WORKTREE = "WORKTREE"
INDEX = "INDEX"  # what --staged names


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a commit, the index, or the working tree."""

    label: str  # as the user named it: a ref, WORKTREE, or INDEX
    commit: str | None  # full sha for a commit side


def cat_blobs(repo: GitRepo, shas: list[str]) -> tuple[bytes, list[tuple[int, int]]]:
    """Read blobs in one `git cat-file --batch`: (all of its output, (start, end) of each blob's bytes)."""
    import subprocess

    out = subprocess.run(
        ["git", f"--git-dir={repo.repo.git_dir}", "cat-file", "--batch"],
        input="\n".join(shas).encode() + b"\n",
        capture_output=True,
        check=True,
    ).stdout
    spans, pos = [], 0
    for _ in shas:  # "<sha> blob <size>\n<bytes>\n" each
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        spans.append((header_end + 1, header_end + 1 + size))
        pos = header_end + 1 + size + 1
    return out, spans


def require_git() -> None:
    """SpecError unless a git executable is on PATH (spectools reads history only through git)."""
    import shutil

    if not shutil.which(os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"):
        raise SpecError(
            "git is not installed, or not on PATH: spectools reads the spec's history through git. "
            "Install git (such as `apt-get install git` or `brew install git`) and try again"
        )


def refusal(stderr: str, path: object) -> SpecError | None:
    """The clear error for a repository that git refuses to read (another owner: safe.directory)."""
    if "dubious ownership" in stderr or "safe.directory" in stderr:
        return SpecError(
            f"{path}: git refuses to read this repository, because it belongs to another user; if you trust it, "
            "run `git config --global --add safe.directory <its path>` (in GitHub Actions, actions/checkout does this)"
        )
    return None


class GitRepo:
    """The repository that holds the spec at `path` (which may be a subfolder of it)."""

    def __init__(self, path: Path) -> None:
        require_git()
        import git

        if not path.exists():
            raise SpecError(f"{path}: no such folder; give the root of a spec repository")
        if not path.is_dir():
            raise SpecError(f"{path}: is a file; give the spec's folder (--path DIR)")
        try:
            self.repo = git.Repo(path, search_parent_directories=True)
        except git.InvalidGitRepositoryError:
            raise SpecError(
                f"{path}: not a git repository (or any parent up to /); run `git init`, or clone the "
                "spec repository, then try again"
            ) from None
        except git.NoSuchPathError:
            raise SpecError(f"{path}: no such folder; give the root of a spec repository") from None
        self.path = path
        self.bare = self.repo.bare
        top = self.repo.git_dir if self.bare else self.repo.working_tree_dir
        rel = os.path.relpath(path.resolve(), Path(str(top)).resolve()) if not self.bare else "."
        self.prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        self._shallow: bool | None = None

    def git(self, *args: str) -> str:
        """Run git; its output decoded so that file names that are not UTF-8 survive."""
        out = self.repo.git.execute(["git", *args], stdout_as_string=False, strip_newline_in_stdout=False)
        return bytes(out).decode("utf-8", "surrogateescape")

    def top(self) -> Path:
        """The repository's top folder (the working tree's, or the git folder of a bare one)."""
        return Path(str(self.repo.git_dir if self.bare else self.repo.working_tree_dir)).resolve()

    def shallow(self) -> bool:
        import git

        if self._shallow is None:
            try:
                self._shallow = self.git("rev-parse", "--is-shallow-repository").strip() == "true"
            except git.GitCommandError:  # a git too old to say: take it as complete
                self._shallow = False
        return self._shallow

    def has_commits(self) -> bool:
        """Whether HEAD names a commit; SpecError when git refuses to read the repository at all."""
        import git

        try:
            self.git("rev-parse", "--verify", "HEAD^{commit}")
            return True
        except git.GitCommandError as exc:
            refused = refusal(str(exc.stderr), self.path)
            if refused:
                raise refused from None
            return False

    def resolve(self, ref: str) -> str:
        """The commit sha that ref names; SpecError with the fix otherwise."""
        import git

        try:
            return self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
        except git.GitCommandError:
            pass
        try:
            kind = self.git("cat-file", "-t", ref).strip() if not ref.startswith("-") else ""  # what ref names, if anything
        except git.GitCommandError as exc:
            refused = refusal(str(exc.stderr), self.path)
            if refused:
                raise refused from None
            kind = ""
        if kind in ("tree", "blob"):
            raise SpecError(
                f"'{ref}' names a {kind}, not a commit; give a branch, tag or commit (a release tag must point at a commit)"
            )
        if not self.has_commits():
            raise SpecError(
                f"'{ref}': the repository has no commits yet; commit the spec first (`git add -A && git commit -m 'First spec'`)"
            )
        if self.shallow():
            raise SpecError(
                f"'{ref}': unknown revision in this shallow clone; the commit may not have been fetched. "
                "Fetch the history (`git fetch --deepen=100`, or `fetch-depth: 0` in actions/checkout) and try again"
            )
        raise SpecError(f"'{ref}': unknown revision; give a branch, tag or commit that exists (see `git log --oneline`)")

    def merge_base(self, a: str, b: str) -> str:
        import git

        try:
            return self.git("merge-base", a, b).strip()
        except git.GitCommandError:
            hint = (
                " This is a shallow clone: fetch more history (`git fetch --deepen=100`, or `fetch-depth: 0`)."
                if self.shallow()
                else ""
            )
            raise SpecError(f"'{a}...{b}': the two have no common ancestor.{hint}") from None

    def side(self, name: str) -> Side:
        if name in (WORKTREE, INDEX):
            if self.bare:
                what = "working tree" if name == WORKTREE else "index"
                raise SpecError(
                    f"{self.path}: a bare repository has no {what}; name two commits, or clone it and run spectools in the clone"
                )
            return Side(name, None)
        return Side(name, self.resolve(name))

    def sides(self, a: str, b: str | None, staged: bool) -> tuple[Side, Side]:
        """Parse `A`, `A B`, `A..B` and `A...B` (merge base of A and B, then B)."""
        if b is None and "..." in a:
            left, right = a.split("...", 1)
            head_b = self.side(right or "HEAD")
            base = self.merge_base(self.side(left or "HEAD").commit or "", head_b.commit or "")
            return Side(f"{left or 'HEAD'}...", base), head_b
        if b is None and ".." in a:
            left, right = a.split("..", 1)
            return self.side(left or "HEAD"), self.side(right or "HEAD")
        return self.side(a), self.side(b if b is not None else (INDEX if staged else WORKTREE))

    def diff_trees(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """`git diff-tree` of many (old, new) commit pairs in one process, keyed by the pair."""
        if not pairs:
            return {}
        import subprocess

        lines = "".join(f"{new} {old}\n" for old, new in pairs)  # "commit parent": the diff from old to new
        out = subprocess.run(
            ["git", f"--git-dir={self.repo.git_dir}", "diff-tree", "--stdin", "--always", "-r", "-z", "--no-renames"],
            input=lines.encode(),
            capture_output=True,
            check=True,
        ).stdout
        text = out.decode("utf-8", "surrogateescape")
        result: dict[tuple[str, str], str] = {}
        chunks: list[str] = []
        fields = text.split("\0")
        i = 0
        for pair in pairs:  # each pair's output starts with its new commit's id, then the records
            while i < len(fields) and fields[i].strip() != pair[1]:
                i += 1
            i += 1
            chunks = []
            while i < len(fields) and fields[i].startswith(":"):
                chunks += [fields[i], fields[i + 1]]
                i += 2
            result[pair] = "\0".join(chunks) + ("\0" if chunks else "")
        return result

    def commit_date(self, sha: str) -> str:
        return self.git("show", "-s", "--format=%cs", sha).strip()

    def tags(self, pattern: str) -> list[str]:
        """Tags matching pattern, oldest first (by the date of their commit)."""
        out = self.git("tag", "--list", pattern, "--sort=creatordate", "--format=%(refname:short)")
        return [t for t in out.splitlines() if t]

    def source(self, side: Side) -> Any:
        from spectools.sources.worktree import WorktreeSource

        if side.label == WORKTREE:
            return WorktreeSource(self.path)
        return TreeSource(self, side)


class TreeSource:
    """The files of one commit (or of the index) under the spec's folder, read from git's object database."""

    def __init__(self, repo: GitRepo, side: Side, files: dict[str, tuple[str, int]] | None = None) -> None:
        self.label = side.label
        self.commit = side.commit
        self._repo = repo
        self._files: dict[str, tuple[str, int]] = {}  # path -> (blob sha, mode)
        self.glob_memo: dict[tuple[str, ...], Any] = {}  # a tree never changes: source.glob keeps its answers
        self._fetched: dict[str, bytes] = {}  # blob sha -> bytes fetched ahead by prefetch, until read
        if files is not None:
            self._files = files
            return
        prefix = repo.prefix
        if side.commit is None:
            raw = repo.git("ls-files", "--stage", "-z")  # mode sha stage\tpath
        else:
            raw = repo.git("ls-tree", "-r", "-z", "--full-tree", side.commit)  # mode type sha\tpath
        for record in raw.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            fields = meta.split()
            mode, sha = int(fields[0], 8), fields[1] if side.commit is None else fields[2]
            if side.commit is None and fields[2] != "0":
                continue  # a conflicted entry: take stage 0 only
            if path.startswith(prefix):
                self._files[path[len(prefix) :]] = (sha, mode)

    def walk(self, prefix: str) -> tuple[list[str], list[Diagnostic]]:
        start = prefix + "/" if prefix else ""
        files, problems = [], []
        for path, (_, mode) in self._files.items():
            if not path.startswith(start):
                continue
            if stat.S_ISLNK(mode):
                problems.append(self._link(path))
            elif stat.S_ISREG(mode):
                files.append(path)
        return files, problems

    def is_file(self, path: str) -> bool:
        return path in self._files

    def paths(self) -> list[str]:
        return list(self._files)

    def changed(self, other: TreeSource) -> set[str]:
        """The paths whose blob (or mode) differs between this tree and the other, or that only one has."""
        mine, theirs = self._files, other._files
        out = {p for p, entry in mine.items() if theirs.get(p) != entry}
        out.update(p for p in theirs if p not in mine)
        return out

    def then(self, side: Side, raw: str | None = None) -> TreeSource:
        """The tree of a later commit, from this one and `git diff-tree` (cheaper than listing it whole).
        raw: that diff-tree output, when it was fetched already (GitRepo.diff_trees)."""
        assert self.commit is not None and side.commit is not None
        if raw is None:
            raw = self._repo.git("diff-tree", "-r", "-z", "--no-renames", self.commit, side.commit)
        files = dict(self._files)
        fields = raw.split("\0")
        prefix = self._repo.prefix
        for i in range(0, len(fields) - 1, 2):  # ":oldmode newmode oldsha newsha status", then the path
            meta, path = fields[i].split(), fields[i + 1]
            if len(meta) < 5 or not path.startswith(prefix):
                continue
            rel = path[len(prefix) :]
            if meta[4].startswith("D"):
                files.pop(rel, None)
            else:
                files[rel] = (meta[3], int(meta[1], 8))
        return TreeSource(self._repo, side, files)

    def _link(self, path: str) -> Diagnostic:
        return diag("SPEC007", Location(path), f"symlink in {self.label} is not followed; commit the file itself")

    def link_problem(self, path: str) -> Diagnostic | None:
        entry = self._files.get(path)
        return self._link(path) if entry and stat.S_ISLNK(entry[1]) else None

    def blob_id(self, path: str) -> str | None:
        entry = self._files.get(path)
        return entry[0] if entry else None

    def prefetch(self, paths: list[str]) -> None:
        """Read these files' blobs from git in one `cat-file --batch` (one process, not one request each)."""
        shas = sorted(
            {self._files[p][0] for p in paths if p in self._files and stat.S_ISREG(self._files[p][1])} - set(self._fetched)
        )
        if not shas:
            return
        out, spans = cat_blobs(self._repo, shas)
        for sha, (start, end) in zip(shas, spans, strict=True):
            self._fetched[sha] = out[start:end]

    def read(self, path: str, limit: int) -> bytes:
        entry = self._files.get(path)
        if entry is None:
            raise FileNotFoundError(2, "no such file in " + self.label, path)
        if stat.S_ISDIR(entry[1]) or entry[1] == 0o160000:
            raise IsADirectoryError(21, "it is a folder or submodule, not a file", path)
        data = self._fetched.pop(entry[0], None)  # prefetched: each blob is read (and then parsed) once
        if data is None:
            data = self._repo.repo.odb.stream(bytes.fromhex(entry[0])).read()
        return data[: limit + 1]
