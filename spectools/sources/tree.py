"""A commit's tree or the index as a Source, read from git's object database (no checkout)."""

from __future__ import annotations

import stat
from typing import Any

from spectools.model import Diagnostic, Location, diag
from spectools.sources.git import GitRepo, Side, apply_tree_diff, parse_tree, read_blob, run


class TreeSource:
    """The files of one commit (or of the index) under the spec's folder, read from git's object database."""

    def __init__(
        self, repo: GitRepo, side: Side, files: dict[str, tuple[str, int]] | None = None, sizes: dict[str, int] | None = None
    ) -> None:
        self.label = side.label
        self.commit = side.commit
        self._repo = repo
        self._files: dict[str, tuple[str, int]] = {}  # path -> (blob sha, mode)
        self.glob_memo: dict[tuple[str, ...], Any] | None = {}  # a tree never changes: source.glob keeps its answers
        self._fetched: dict[str, bytes] = {}  # blob sha -> bytes fetched ahead by prefetch, until read
        self._sizes: dict[str, int] = {} if sizes is None else sizes  # blob sha -> size, as git says before it is read
        if files is not None:
            self._files = files
            return
        if side.commit is None:
            raw = run(["ls-files", "--stage", "-z"], repo.cwd)
        else:
            raw = run(["ls-tree", "-r", "-z", "--full-tree", side.commit], repo.cwd)
        self._files = parse_tree(raw, side.commit is None, repo.prefix)

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
        return TreeSource(self._repo, side, apply_tree_diff(self._files, raw, self._repo.prefix), self._sizes)

    def _link(self, path: str) -> Diagnostic:
        return diag("SPEC007", Location(path), f"symlink in {self.label} is not followed; commit the file itself")

    def link_problem(self, path: str) -> Diagnostic | None:
        entry = self._files.get(path)
        return self._link(path) if entry and stat.S_ISLNK(entry[1]) else None

    def blob_id(self, path: str) -> str | None:
        entry = self._files.get(path)
        return entry[0] if entry else None

    def prefetch(self, paths: list[str], limit: int | None = None) -> None:
        """Read these files' blobs in one request to the run's `git cat-file --batch` (not one process each); a blob
        over limit is left for read(), which takes only what it needs to say so (docs/SECURITY.md, "Bounds")."""
        shas = sorted(
            {self._files[p][0] for p in paths if p in self._files and stat.S_ISREG(self._files[p][1])} - set(self._fetched)
        )
        if limit is not None:
            self._size(shas)
            shas = [s for s in shas if 0 <= self._sizes[s] <= limit]  # no blob (-1): nothing to read
        for sha, data in zip(shas, self._repo.objects.contents(shas), strict=True):
            self._fetched[sha] = data or b""

    def _size(self, shas: list[str]) -> None:
        """Learn the sizes of these blobs that are not known yet, in one request."""
        unknown = [s for s in shas if s not in self._sizes]
        for sha, size in zip(unknown, self._repo.objects.sizes(unknown), strict=True):
            self._sizes[sha] = -1 if size is None else size  # -1: a missing object, or a tree or commit, not a blob

    def read(self, path: str, limit: int) -> bytes:
        entry = self._files.get(path)
        if entry is None:
            raise FileNotFoundError(2, "no such file in " + self.label, path)
        if stat.S_ISDIR(entry[1]) or entry[1] == 0o160000:
            raise IsADirectoryError(21, "it is a folder or submodule, not a file", path)
        data = self._fetched.pop(entry[0], None)  # prefetched: each blob is read (and then parsed) once
        if data is None:
            self._size([entry[0]])
            size = self._sizes[entry[0]]
            if size > limit:
                data = read_blob(self._repo.cwd, entry[0], limit)
            else:  # no blob behind the name (-1) reads as empty, as a missing one always has
                data = self._repo.objects.contents([entry[0]])[0] or b"" if size >= 0 else b""
        return data[: limit + 1]
