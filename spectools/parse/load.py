"""A repository -> Config, Spec, and every problem met while reading it."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from spectools.model import Challenge, Diagnostic, Document, Location, Spec, SpecError, diag
from spectools.parse.files import parse_challenge, parse_document
from spectools.parse.text import decode
from spectools.sources.base import Source, glob
from spectools.sources.config import CONFIG_FILE, Config, parse_config
from spectools.sources.worktree import WorktreeSource


class Loaded(NamedTuple):
    """A repository read: its spec, its config and every problem met (a NamedTuple: a dataclass costs a
    millisecond to import)."""

    spec: Spec
    config: Config
    problems: list[Diagnostic]
    config_ok: bool
    source: Source
    read: tuple[str, ...] = ()  # every file parsed
    documents: tuple[str, ...] = ()  # the document globs that were used
    doc_paths: tuple[str, ...] = ()  # every document found, read or not (see `only`)


def open_worktree(path: Path) -> WorktreeSource:
    if not path.exists() and not path.is_symlink():
        raise SpecError(f"{path}: no such file or folder; give the root of a spec repository")
    if not path.is_dir():
        raise SpecError(f"{path}: is a file; give the folder at the root of the spec repository")
    return WorktreeSource(path)


def read_bytes(source: Source, path: str, limit: int, problems: list[Diagnostic], walked: bool = False) -> bytes | None:
    """The file's bytes (up to limit + 1), or None with the reason added to problems.

    walked: the path came from Source.walk, which has already dealt with symlinks.
    """
    link = None if walked else source.link_problem(path)
    if link is not None:
        problems.append(link)
        return None
    try:
        return source.read(path, limit)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        hint = "; check its permissions" if isinstance(exc, PermissionError) else ""
        problems.append(diag("SPEC009", Location(path), f"cannot read the file: {reason}{hint}"))
        return None


def read_text(source: Source, path: str, limit: int, problems: list[Diagnostic], walked: bool = False) -> str | None:
    """The file's text, or None with the reason added to problems."""
    data = read_bytes(source, path, limit, problems, walked)
    if data is None:
        return None
    text, found = decode(path, data, limit)
    problems.extend(found)
    return text


@contextmanager
def paused_gc() -> Iterator[None]:
    """The model holds no reference cycles, so while it is built and checked the cyclic
    collector only re-scans a growing heap (a third of the time on a 20,000-file spec).

    In a run that ends with os._exit (KEPT is a list), what the pause built is then frozen (gc.freeze): it lives to
    the end, and the collector's first pass after the pause would scan all of it once more (35 ms after a warm load of
    10,000 files). Objects frozen are still freed when their last reference goes; only garbage cycles made during the
    pause would stay, and a load makes none (tests/parse/test_load.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if KEPT is not None:
            gc.freeze()
        if enabled:
            gc.enable()


# (kind, path, blob id) -> the parsed file and the problems met decoding it
Cache = dict[tuple[str, str, str], tuple[Any, list[Diagnostic]]]


def load(source: Source, cache: Cache | None = None, only: Callable[[str], bool] | None = None) -> Loaded:
    """Read and parse the spec in source. With a cache, a file whose git blob was parsed
    before at the same path (in another ref, say) is not parsed again; with the parse cache
    (PARSE_CACHE), the same bytes are not parsed again by any run. With `only`, the
    documents and challenge files it rejects are not read (a partial spec, for diffs)."""
    store = PARSE_CACHE
    index = None
    with paused_gc():  # the stat index and the pack are large trees of lists, no cycle among them
        if store is not None and isinstance(source, WorktreeSource):
            from spectools.io.parsecache import StatIndex

            index = StatIndex(store, source.root)
            store.open_pack(index.name)
        loaded = _load(source, {} if cache is None else cache, only, _Files(store, index))
        if index is not None:
            index.save()
            spent = store.close_pack(index.name)
            if KEPT is not None:
                KEPT.append((index, spent))
    if store is not None and store.written_bytes:
        store.account()
    if KEPT is not None:
        KEPT.append(loaded)
    return loaded


# The parse cache of this run (io.parsecache.ParseCache), set by cli per command; None (a library caller's default,
# and --no-cache): every file is parsed, and nothing of the cache is imported.
PARSE_CACHE: Any = None
# What the loads of this run built (the model, the stat index, the pack read), kept alive when the process ends with
# os._exit (cli.entry: the console script and `python -m spectools`), so that none of it is freed object by object
# (issue 20, point 4). None for a library caller: nothing is kept.
KEPT: list[Any] | None = None


class _Files:
    """How a file becomes a Document or Challenge: from the parse cache when its bytes were parsed before (their
    blob id from git, or from the stat index, or hashed), else parsed and kept."""

    def __init__(self, store: Any, index: Any) -> None:
        self.store, self.index = store, index
        self.hits: dict[str, tuple[Any, list[Diagnostic]]] = {}

    def preload(self, source: Source, wanted: dict[str, str], limit: int) -> None:
        """Take what the cache has for a git tree's files before they are fetched (their blob ids are known)."""
        if self.store is None:
            return
        for path, kind in wanted.items():
            blob = source.blob_id(path)
            if blob is not None:
                got = self.store.get(kind, blob, _stem(kind, path), path, limit)
                if got is not None:
                    self.hits[path] = got

    def warm(self, source: WorktreeSource, wanted: dict[str, str], walked: set[str], limit: int) -> None:
        """Take what the cache has for the working tree's files that the stat index vouches for, in one pass (pre-commit:
        thousands of files, a few edited); the others go the whole way, one by one (`parsed`). Only files found by
        walking: a file named outright has its link looked at first."""
        if self.store is None or self.index is None:
            return
        get, recorded, hits = self.store.get, self.index.blob, self.hits
        paths = [path for path in wanted if path in walked]
        for path, stat in zip(paths, source.stat_keys(paths), strict=True):
            blob = None if stat is None or stat[0] > limit else recorded(path, stat)
            if blob is not None:
                kind = wanted[path]
                got = get(kind, blob, _stem(kind, path), path, limit)
                if got is not None:
                    hits[path] = got

    def parsed(self, source: Source, kind: str, path: str, limit: int, walked: bool, problems: list[Diagnostic]) -> Any:
        if path in self.hits:
            parsed, cached = self.hits[path]
            problems.extend(cached)
            return parsed
        found: list[Diagnostic] = []
        blob, data = source.blob_id(path), None
        if self.store is not None and blob is None and isinstance(source, WorktreeSource):
            link = None if walked else source.link_problem(path)
            if link is not None:
                problems.append(link)
                return None
            walked = True
            hit, data = self._from_worktree(source, kind, path, limit, found)
            if hit is not None:
                problems.extend(hit[1])
                return hit[0]
            if data is None:  # unreadable: said in found
                problems.extend(found)
                return None
            blob = _blob_id(data) if len(data) <= limit else None  # the bytes read decide the key
        if data is None:
            data = read_bytes(source, path, limit, found, walked)
        text = None
        if data is not None:
            text, decoded = decode(path, data, limit)
            found.extend(decoded)
        parsed = None
        if text is not None:
            parsed = parse_document(path, text) if kind == "doc" else parse_challenge(path, _stem(kind, path), text)
            if self.store is not None and blob is not None:
                self.store.put(kind, blob, _stem(kind, path), parsed, found, len(data or b""))
        problems.extend(found)
        return parsed

    def _from_worktree(self, source: WorktreeSource, kind: str, path: str, limit: int,
                       found: list[Diagnostic]) -> tuple[Any, bytes | None]:  # fmt: skip
        """(the cached parse of a working-tree file or None, its bytes when they had to be read). Unchanged by the
        stat index, it is not read at all; else its bytes are read and hashed, and the index learns their id. A file
        over the limit is never taken from the cache (it is reported unread, as when cold)."""
        assert self.store is not None
        stat = source.stat_key(path)
        stem = _stem(kind, path)
        if stat is not None and stat[0] <= limit and self.index is not None:
            blob = self.index.blob(path, stat)
            if blob is not None:
                got = self.store.get(kind, blob, stem, path, limit)
                if got is not None:
                    return got, None
        data = read_bytes(source, path, limit, found, True)
        if data is None or len(data) > limit:
            return None, data
        blob = _blob_id(data)
        if stat is not None and self.index is not None:
            self.index.record(path, stat, blob)
        return self.store.get(kind, blob, stem, path, limit), data


def _blob_id(data: bytes | None) -> str:
    from spectools.io.parsecache import blob_id

    return blob_id(data or b"")


def _stem(kind: str, path: str) -> str:
    """What a file's parse takes from its name: a challenge file's clause id."""
    return path.rsplit("/", 1)[-1][:-3] if kind == "challenge" else ""


def _parsed(source: Source, kind: str, path: str, limit: int, walked: bool, cache: Cache, problems: list[Diagnostic],
            files: _Files) -> Any:  # fmt: skip
    """The Document or Challenge, or None when the file could not be read."""
    blob = source.blob_id(path)
    key = (kind, path, blob or "")
    if blob is not None and key in cache:
        parsed, cached_problems = cache[key]
        problems.extend(cached_problems)
        return parsed
    found: list[Diagnostic] = []
    parsed = files.parsed(source, kind, path, limit, walked, found)
    if blob is not None:
        cache[key] = (parsed, found)
    problems.extend(found)
    return parsed


def _config(source: Source, problems: list[Diagnostic]) -> tuple[Config, bool]:
    config_text = None
    if source.is_file(CONFIG_FILE):
        config_text = read_text(source, CONFIG_FILE, Config.max_file_bytes, problems)
    config, config_problems = parse_config(config_text)
    problems.extend(config_problems)
    return config, not config_problems and not any(d.location.path == CONFIG_FILE for d in problems)


def _patterns(source: Source, config: Config) -> tuple[str, ...]:
    if config.documents is not None:
        return config.documents
    return ("model_spec.md",) if source.is_file("model_spec.md") else ("spec/**/*.md",)


def config_of(source: Source) -> Config:
    """The source's spectools.yaml (defaults where it has problems), without loading the spec."""
    return _config(source, [])[0]


def document_patterns(source: Source) -> tuple[str, ...]:
    """The document globs that `load` will use (what `Loaded.documents` will be), without loading."""
    return _patterns(source, _config(source, [])[0])


def _paths(source: Source, config: Config, problems: list[Diagnostic]) -> tuple[tuple[str, ...], list[str], list[str], set[str]]:
    """(document globs, document paths, challenge paths, paths found by walking)."""
    patterns = _patterns(source, config)
    doc_paths, walk_problems, unmatched, walked = glob(source, patterns)
    problems.extend(walk_problems)
    if config.documents is not None:
        for pattern in unmatched:
            index = config.documents.index(pattern) if pattern in config.documents else 0
            where = Location(CONFIG_FILE, config.line("documents", index), 1)
            problems.append(diag("SPEC015", where, f"documents: '{pattern}' matches no file; fix the glob or remove it"))
    challenge_paths, walk_problems, _, walked_challenges = glob(source, (f"{config.challenges}/*.md",))
    problems.extend(walk_problems)
    doc_set = set(doc_paths)
    return patterns, doc_paths, [p for p in challenge_paths if p not in doc_set], walked | walked_challenges


def _load(source: Source, cache: Cache, only: Callable[[str], bool] | None, files: _Files) -> Loaded:
    problems: list[Diagnostic] = []
    config, config_ok = _config(source, problems)
    patterns, doc_paths, challenge_paths, walked = _paths(source, config, problems)
    wanted = {
        path: kind
        for kind, paths in (("doc", doc_paths), ("challenge", challenge_paths))
        for path in paths
        if only is None or only(path)
    }
    limit = config.max_file_bytes
    if isinstance(source, WorktreeSource):  # no blob ids to look up ahead, nothing to fetch
        files.warm(source, wanted, walked, limit)
    else:
        files.preload(source, {p: kind for p, kind in wanted.items() if (kind, p, source.blob_id(p) or "") not in cache}, limit)
        source.prefetch(
            [p for p, kind in wanted.items() if p not in files.hits and (kind, p, source.blob_id(p) or "") not in cache], limit
        )
    read: list[str] = []
    parsed: dict[str, list[Any]] = {"doc": [], "challenge": []}
    for path, kind in wanted.items():
        got = _parsed(source, kind, path, limit, path in walked, cache, problems, files)
        if got is not None:
            parsed[kind].append(got)
            read.append(path)
    documents: list[Document] = parsed["doc"]
    challenges: list[Challenge] = parsed["challenge"]
    if not doc_paths and config_ok:
        where = Location(CONFIG_FILE, config.line("documents"), 1) if config.documents else Location("model_spec.md")
        problems.append(diag("SPEC014", where, _NO_DOCUMENTS))
    for document in documents:
        problems.extend(document.problems)
    for challenge in challenges:
        problems.extend(challenge.problems)
    return Loaded(
        Spec(tuple(documents), tuple(challenges)), config, problems, config_ok, source, tuple(read), patterns, tuple(doc_paths)
    )


_NO_DOCUMENTS = (
    "no spec documents found; create model_spec.md or spec/<name>.md, or list your documents under `documents:` in spectools.yaml"
)
