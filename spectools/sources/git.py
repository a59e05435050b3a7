"""The only code that runs git, and the one place that reads its output.

git runs as a subprocess (`run`, or `start` for a process that works in the background). GitPython is
not used: importing it and opening a repository cost about 140 ms, while the two `git rev-parse` calls
that tell spectools everything it needs about the repository cost under 8 ms (measured, see the note
in docs/ARCHITECTURE.md). A failure is a GitError that holds git's own message.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple

from spectools.model import SpecError

WORKTREE = "WORKTREE"
INDEX = "INDEX"  # what --staged names
SIDES = (WORKTREE, INDEX)


def toplevel(path: Path) -> Path:
    """The top folder of the repository that holds path (path itself when git cannot say: not a repository)."""
    try:
        top = run(["rev-parse", "--show-toplevel"], path).decode("utf-8", "surrogateescape").strip()
    except (OSError, GitError):
        return path
    return Path(top) if top else path


class GitError(Exception):
    """git ended with a non-zero status; stderr is its message."""

    def __init__(self, args: Sequence[str], status: int, stderr: str) -> None:
        super().__init__(f"git {' '.join(args[:2])}: {stderr.strip()}")
        self.status = status
        self.stderr = stderr


def executable() -> str:
    return "git"


# The git boundary (docs/SECURITY.md, "Options to git"). Every argument before `--end-of-options` or `--`
# that starts with "-" must be one of spectools' own options, spelled here: a value from outside (a ref
# from --base, a tag pattern from spectools.yaml) that looks like an option never reaches git as one,
# whichever call site forgot to put it after `--end-of-options`. A sha is 40 (or 64) hex digits.
OWN_OPTIONS = frozenset(
    """--abbrev --absolute-git-dir --always --batch --batch-check --batch-command --count --deepen --depth --diff-algorithm
    --dst-prefix --end-of-options --format --full-history --full-tree --is-bare-repository --is-shallow-repository --list
    --literal-pathspecs --long --match --merged --no-color --no-ext-diff --no-recurse-submodules --no-renames
    --no-tags --no-textconv --only --parents --points-at --porcelain --quiet --root --show-prefix --show-toplevel
    --sort --src-prefix --stage --stdin --tags --text --unified --verify -b -c -e -m -n -p -q -r -s -t -z -C""".split()
)
SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def is_sha(value: str) -> bool:
    """A full commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits, and nothing else."""
    return SHA.fullmatch(value) is not None


def checked_args(args: Sequence[str]) -> list[str]:
    """args, when every option in them is spectools' own; SpecError naming the value otherwise."""
    for arg in args:
        if arg in ("--", "--end-of-options"):
            break
        if arg.startswith("-") and arg.split("=", 1)[0] not in OWN_OPTIONS:
            raise SpecError(
                f"'{arg[:80]}' is not a git revision or pattern: a value that starts with '-' is never passed to git; "
                "give a branch, tag or commit"
            )
    return list(args)


def _environment() -> dict[str, str]:
    """git's environment: the user's, with every path taken literally (a `documents` entry of spectools.yaml such as
    `:!model_spec.md` is a file name, never pathspec magic that hides the spec from `git log`)."""
    import os

    return {**os.environ, "GIT_LITERAL_PATHSPECS": "1"}


def run(args: Sequence[str], cwd: Path | str | None = None, data: bytes | None = None) -> bytes:
    """git's standard output; GitError when it fails, OSError when git cannot be started, SpecError when an
    argument that is not spectools' own looks like an option (see OWN_OPTIONS)."""
    stdin = subprocess.DEVNULL if data is None else None  # git never waits on the user's terminal
    argv = [executable(), *checked_args(args)]
    proc = subprocess.run(argv, cwd=cwd, input=data, stdin=stdin, capture_output=True, check=False, env=_environment())
    if proc.returncode:
        raise GitError(args, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc.stdout


def start(args: Sequence[str], cwd: Path | str, out: IO[bytes], err: IO[bytes]) -> subprocess.Popen[bytes]:
    """git running in the background, writing to files (a pipe would wait for the reader)."""
    argv = [executable(), *checked_args(args)]
    return subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=_environment())


class ObjectReader:
    """One `git cat-file --batch-command` kept open for a whole run, however often it is asked: sizes (`info`) and
    contents (`contents`) of many blobs per request, a thread writing the requests while this one reads the answers
    (so neither pipe can fill up and stall the other side). A git older than 2.36 has no --batch-command: then a
    `--batch-check` and a `--batch`, each also kept open. Blob ids only, never a name from outside (docs/SECURITY.md,
    "Options to git"); callers ask for contents only of blobs whose size is within their limit."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._procs: dict[str, subprocess.Popen[bytes]] = {}  # option -> its process
        self._modern: bool | None = None  # whether git knows --batch-command (None: not asked yet)

    def sizes(self, shas: list[str]) -> list[int | None]:
        """Each blob's size, or None when git holds no such blob (or the id names a tree or a commit)."""
        return [found[0] if found else None for found in self._ask("info", shas)]

    def contents(self, shas: list[str]) -> list[bytes | None]:
        """Each blob's bytes, or None when git holds no such blob."""
        return [found[1] if found else None for found in self._ask("contents", shas)]

    def _ask(self, command: str, shas: list[str]) -> list[tuple[int, bytes] | None]:
        if not shas:
            return []
        bad = next((s for s in shas if not is_sha(s)), None)
        if bad is not None:
            raise ValueError(f"not a blob id: {bad[:80]!r}")
        if self._modern is not False:
            try:
                found = self._exchange("--batch-command", "".join(f"{command} {s}\n" for s in shas), command, len(shas))
                self._modern = True
                return found
            except GitError:
                if self._modern:
                    raise
                self._modern = False  # git said nothing at all: it does not know --batch-command
        option = "--batch" if command == "contents" else "--batch-check"
        return self._exchange(option, "".join(f"{s}\n" for s in shas), command, len(shas))

    def _exchange(self, option: str, requests: str, command: str, count: int) -> list[tuple[int, bytes] | None]:
        import threading

        proc = self._procs.get(option)
        if proc is None:
            argv = [executable(), *checked_args(["cat-file", option])]
            proc = self._procs[option] = subprocess.Popen(argv, cwd=self._cwd, stdin=subprocess.PIPE,
                                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                                          env=_environment())  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        feeder = threading.Thread(target=_feed, args=(proc.stdin, requests.encode("ascii")))
        feeder.start()
        try:
            return [self._answer(option, proc.stdout, command == "contents") for _ in range(count)]
        except GitError:
            proc.kill()  # it stopped answering: stop it, so the writer cannot wait on it, then start anew next time
            feeder.join()
            self._stop(option)
            raise
        finally:
            feeder.join()

    def _answer(self, option: str, out: IO[bytes], body: bool) -> tuple[int, bytes] | None:
        header = out.readline()
        fields = header.split()
        if not header.endswith(b"\n") or not fields:
            raise GitError(["cat-file", option], 1, "git stopped answering")
        if len(fields) != 3 or not fields[2].isdigit():
            return None  # "<id> missing"
        size = int(fields[2])
        data = b""
        if body:
            data = out.read(size)
            if len(data) != size or out.read(1) != b"\n":  # the object, then a newline
                raise GitError(["cat-file", option], 1, "git stopped answering")
        return (size, data) if fields[1] == b"blob" else None

    def _stop(self, option: str) -> None:
        proc = self._procs.pop(option, None)
        if proc is not None:
            assert proc.stdin is not None and proc.stdout is not None
            with contextlib.suppress(OSError):  # git is gone already
                proc.stdin.close()
            proc.wait()
            proc.stdout.close()

    def close(self) -> None:
        """Let each git end (it does when its input ends) and wait for it."""
        for option in list(self._procs):
            self._stop(option)


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.flush()
    except (OSError, ValueError):
        pass  # git stopped, or was stopped: the reader says so


def read_blob(cwd: Path, sha: str, limit: int) -> bytes:
    """At most limit + 1 bytes of a blob: enough to tell it is over the limit, without holding the rest in memory
    (git is stopped once they are read)."""
    argv = [executable(), *checked_args(["cat-file", "blob", "--end-of-options", sha])]
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=_environment())  # fmt: skip
    assert proc.stdout is not None
    try:
        return proc.stdout.read(limit + 1)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def parse_tree(raw: bytes, index: bool, prefix: str) -> dict[str, tuple[str, int]]:
    """`ls-tree -r -z` (mode type sha\tpath) or `ls-files --stage -z` (mode sha stage\tpath) output ->
    {path under prefix, relative to it: (blob id, mode)}. A conflicted index entry counts by its stage 0 only."""
    files: dict[str, tuple[str, int]] = {}
    for record in raw.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        fields = meta.split()
        if index and fields[2] != "0":
            continue
        if path.startswith(prefix):
            files[path[len(prefix) :]] = (fields[1] if index else fields[2], int(fields[0], 8))
    return files


def apply_tree_diff(files: dict[str, tuple[str, int]], raw: str, prefix: str) -> dict[str, tuple[str, int]]:
    """The files of a later tree: `files` changed by `git diff-tree -r -z --no-renames` output
    (":oldmode newmode oldsha newsha status", then the path, for each record)."""
    out = dict(files)
    fields = raw.split("\0")
    for i in range(0, len(fields) - 1, 2):
        meta, path = fields[i].split(), fields[i + 1]
        if len(meta) < 5 or not path.startswith(prefix):
            continue
        rel = path[len(prefix) :]
        if meta[4].startswith("D"):
            out.pop(rel, None)
        else:
            out[rel] = (meta[3], int(meta[1], 8))
    return out


def split_tree_diffs(raw: str, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """`git diff-tree --stdin -z` output for many (old, new) pairs -> each pair's own records."""
    result: dict[tuple[str, str], str] = {}
    fields = raw.split("\0")
    i = 0
    for pair in pairs:  # each pair's output starts with its new commit's id, then the records
        while i < len(fields) and fields[i].strip() != pair[1]:
            i += 1
        i += 1
        chunks: list[str] = []
        while i < len(fields) and fields[i].startswith(":"):
            chunks += [fields[i], fields[i + 1]]
            i += 2
        result[pair] = "\0".join(chunks) + ("\0" if chunks else "")
    return result


def side_refs(a: str, b: str | None) -> list[str]:
    """The refs that `A`, `A B`, `A..B` or `A...B` name (what GitRepo.sides resolves)."""
    names = [n or "HEAD" for n in (a.split("...", 1) if "..." in a else a.split("..", 1))] + ([b] if b else [])
    return [n for n in names if n not in SIDES]


class Side(NamedTuple):
    """One side of a comparison: a commit, the index, or the working tree."""

    label: str  # as the user named it: a ref, WORKTREE, or INDEX
    commit: str | None  # full sha for a commit side


def require_git() -> None:
    """SpecError unless a git executable is on PATH (spectools reads history only through git)."""
    import shutil

    if not shutil.which(executable()):
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

    def __init__(self, path: Path, refs: Sequence[str] = ()) -> None:
        """refs: the refs the run will name, resolved in the same `git rev-parse` that finds the repository."""
        require_git()
        if not path.exists():
            raise SpecError(f"{path}: no such folder; give the root of a spec repository")
        if not path.is_dir():
            raise SpecError(f"{path}: is a file; give the spec's folder (--path DIR)")
        self.path = path
        self._resolved: dict[str, str] = {}  # ref -> commit, from resolve_all
        asked = [r for r in dict.fromkeys(refs) if r not in SIDES and not r.startswith("-")]  # the rest: see resolve
        self.bare, self.git_dir, top, self.prefix = self._locate(path, asked)
        self.cwd = Path(top)  # where git runs: the working tree's top, or the git folder of a bare repository
        self._shallow: bool | None = None
        self.objects = ObjectReader(self.cwd)  # the run's one `git cat-file`, started when first asked
        import weakref

        weakref.finalize(self, self.objects.close)

    def close(self) -> None:
        """End the git processes this repository keeps open (also done when it is freed, or at exit)."""
        self.objects.close()

    def _locate(self, path: Path, refs: list[str]) -> tuple[bool, str, str, str]:
        """(bare, git folder, top folder, the spec folder's path from the top with a final /), from git itself; the
        refs are resolved in the same call when they all name commits (else `resolve` says which one does not)."""
        lines: list[str] = []
        asked = ["--end-of-options", *(f"{r}^{{commit}}" for r in refs)] if refs else []
        attempts = [["--show-toplevel", "--show-prefix", *asked], ["--show-toplevel", "--show-prefix"], []]
        for extra in attempts if refs else attempts[1:]:  # a bare repository has no top level: ask again
            try:
                out = run(["rev-parse", "--is-bare-repository", "--absolute-git-dir", *extra], path)
                lines = out.decode("utf-8", "surrogateescape").split("\n")[:-1]
                if extra is attempts[0]:  # a git before 2.43 echoes the --end-of-options, as resolve_all knows
                    shas, lines = lines[len(lines) - len(refs) :], lines[: len(lines) - len(refs)]
                    if len(lines) == 5 and lines[4] == "--end-of-options":
                        lines.pop()
                    if len(lines) == 4 and all(is_sha(s) for s in shas):
                        self._resolved.update(zip(refs, shas, strict=True))
                    else:
                        continue
                break
            except GitError as exc:
                refused = refusal(exc.stderr, path)
                if refused:
                    raise refused from None
                if "not a git repository" in exc.stderr:
                    raise SpecError(
                        f"{path}: not a git repository (or any parent up to /); run `git init`, or clone the "
                        "spec repository, then try again"
                    ) from None
                if extra is attempts[-1]:
                    raise SpecError(f"{path}: git cannot read this repository: {exc.stderr.strip()}") from None
        if lines[0] == "true" or len(lines) < 3:
            return True, lines[1], lines[1], ""
        return False, lines[1], lines[2], lines[3] if len(lines) > 3 else ""

    def git(self, *args: str) -> str:
        """Run git; its output decoded so that file names that are not UTF-8 survive."""
        return run(args, self.cwd).decode("utf-8", "surrogateescape")

    def top(self) -> Path:
        """The repository's top folder (the working tree's, or the git folder of a bare one)."""
        return self.cwd.resolve()

    def remotes(self) -> list[str]:
        return self.git("remote").split()

    def shallow(self) -> bool:
        if self._shallow is None:
            try:
                self._shallow = self.git("rev-parse", "--is-shallow-repository").strip() == "true"
            except GitError:  # a git too old to say: take it as complete
                self._shallow = False
        return self._shallow

    def has_commits(self) -> bool:
        """Whether HEAD names a commit; SpecError when git refuses to read the repository at all."""
        try:
            self.git("rev-parse", "--verify", "HEAD^{commit}")
            return True
        except GitError as exc:
            refused = refusal(exc.stderr, self.path)
            if refused:
                raise refused from None
            return False

    def resolve_all(self, refs: list[str]) -> None:
        """Resolve several refs in one `git rev-parse` (what `resolve` then answers from); when one of them names no
        commit, nothing is kept, and `resolve` finds which one and says why."""
        todo = [r for r in dict.fromkeys(refs) if r not in self._resolved]
        if len(todo) < 2:
            return
        try:
            out = self.git("rev-parse", "--end-of-options", *(f"{r}^{{commit}}" for r in todo)).split()
        except GitError:
            return
        shas = out[-len(todo) :]
        if len(shas) == len(todo) and all(is_sha(s) for s in shas):
            self._resolved.update(zip(todo, shas, strict=True))

    def resolve(self, ref: str) -> str:
        """The commit sha that ref names; SpecError with the fix otherwise."""
        if ref in self._resolved:
            return self._resolved[ref]
        try:
            return self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
        except GitError:
            pass
        try:
            kind = self.git("cat-file", "-t", "--end-of-options", ref).strip() if not ref.startswith("-") else ""
        except GitError as exc:
            refused = refusal(exc.stderr, self.path)
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
        try:
            return self.git("merge-base", "--end-of-options", a, b).strip()
        except GitError:
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
        self.resolve_all(side_refs(a, b))
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
        lines = "".join(f"{new} {old}\n" for old, new in pairs)  # "commit parent": the diff from old to new
        out = run(["diff-tree", "--stdin", "--always", "-r", "-z", "--no-renames"], self.cwd, lines.encode())
        return split_tree_diffs(out.decode("utf-8", "surrogateescape"), pairs)

    def source(self, side: Side) -> Any:
        from spectools.sources.tree import TreeSource
        from spectools.sources.worktree import WorktreeSource

        if side.label == WORKTREE:
            return WorktreeSource(self.path)
        return TreeSource(self, side)
