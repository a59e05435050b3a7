"""The parse cache: a parsed document or challenge file kept by the git blob id of its bytes, so the same bytes are
never parsed twice, from a ref or from the disk (issue 20). This module owns the entry format.

- Where: `parse/` under the user's cache folder (`io.cache_home()`: $SPECTOOLS_CACHE_DIR, else
  $XDG_CACHE_HOME/spectools, else ~/.cache/spectools), or under `--cache-dir`; never in a working tree.
- Key: the parser's own identity (a digest of the code that parses: spectools/parse/ and model.py, so an edited
  checkout never reads stale entries), the kind of file, the blob id, and for a challenge file its clause id (the
  file name is an input to its parse). The path is not in the key: locations are re-attached to the path asked for.
- Value: plain JSON of lists (never pickle or marshal: a cache is input too), with a header that repeats the key and
  the SHA-256 of the payload. An entry that is damaged, foreign, of another format or too large is ignored (and
  rewritten by the run that parses the file again). Entries are read and written through `io.read_entry` and
  `io.write_entry`: never through a link, atomically, so concurrent runs can only replace an entry with an equal one.
- Bounded: when a run has written entries and the folder holds more than MAX_BYTES, the least recently used are
  removed (a hit refreshes an entry's time) until it holds 80% of that.
- The retired-id scan's index of a commit (diff/history.py): kept by the commit, the paths scanned and the globs, as
  plain JSON under the same checks (`get_value`, `put_value`); never where a commit's history is not its own (a
  shallow clone, grafts, replace refs: see history._rewritten).
- The stat index: for a working tree, path -> (size, mtime, inode, blob id), so a warm run does not read or hash an
  unchanged file; an entry written in the index's own second is racily clean and is hashed again, as git does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from spectools.io import cache_home, read_entry, read_entry_aged, remove_entry, write_entry
from spectools.model import (
    Challenge,
    Clause,
    Commentary,
    Comparison,
    Diagnostic,
    Document,
    Example,
    Header,
    Label,
    Link,
    Location,
    Message,
    Section,
)

FORMAT = 5
MAX_ENTRY = 64 * 1024 * 1024  # bytes of one entry read at most
MAX_PACK = 32 * 1024 * 1024  # characters of the entries one pack holds at most (past that, entries one by one)
REWRITE_SHARE = 64  # a pack or stat index is written anew once a 64th of it differs (a commit that edits one file of
# thousands then costs no rewrite of either; what they lack is read or hashed as if they had no entry)
USED_AGAIN = 3600.0  # seconds: an entry used again is marked as used at most once an hour (a touch per hit costs)


def _max_bytes() -> int:
    """$SPECTOOLS_CACHE_MAX_BYTES when it is a whole number of bytes, else 512 MB (a bound is never a crash)."""
    raw = os.environ.get("SPECTOOLS_CACHE_MAX_BYTES", "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 19 else 512 * 1024 * 1024


MAX_BYTES = _max_bytes()
_PARSER_FILES = ("model.py", "parse", "io/__init__.py", "diff/history.py", "sources/gitlog.py")  # the last two: its index
_PARSER_DEPENDENCIES = ("markdown_it", "mdit_py_plugins", "yaml")


def blob_id(data: bytes) -> str:
    """git's object id of a blob with these bytes (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


_parser_id: str | None = None


def parser_id() -> str:
    """A digest of the code that turns bytes into the model (and of spectools' version): part of every key."""
    global _parser_id
    if _parser_id is None:
        from importlib.util import find_spec

        from spectools import __version__

        here = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
        for name in _PARSER_FILES:
            target = here / name
            for path in sorted(target.glob("*.py")) if target.is_dir() else [target]:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        for module in _PARSER_DEPENDENCIES:  # an upgraded dependency parses anew: its files are not the same
            found = find_spec(module)
            origin = found.origin if found is not None else None
            if origin:
                info = os.stat(origin)
                digest.update(f"{module}\0{origin}\0{info.st_size}\0{info.st_mtime_ns}".encode())
        _parser_id = digest.hexdigest()[:32]
    return _parser_id


# ---- the model as plain data: locations lose their path (re-attached on reading)
def _loc(x: Location) -> int:
    """A place as one number (line and column): a list of two per place made a large document's entry twice as large
    in memory while it was read."""
    return (x.line << 32) | x.col


def _link(x: Link) -> list[Any]:
    return [x.target, x.text, _loc(x.location)]


def _label(x: Label | None) -> list[Any] | None:
    return None if x is None else [x.verdict, x.anchor, x.reason, _loc(x.location), x.qualifier]


def _message(x: Message) -> list[Any]:
    return ["m", x.role, x.attributes, x.text, _loc(x.location), x.settings, list(x.untrusted), _label(x.label)]


def _turn(x: Any) -> list[Any]:
    if isinstance(x, Comparison):
        return ["c", [_message(m) for m in x.candidates], _loc(x.location)]
    return _message(x)


def _example(x: Example) -> list[Any]:
    return [x.title, _loc(x.location), [_turn(t) for t in x.turns], x.has_block]


def _diagnostic(x: Diagnostic) -> list[Any]:
    return [_loc(x.location), x.severity, x.code, x.message]


def _section(x: Section) -> list[Any]:
    return [
        x.anchor, x.title, x.level, x.parent, x.attributes, x.attribute_lines, x.body,
        None if x.prose == x.body else x.prose, _loc(x.location), x.end_line,  # prose is most often the body itself
        list(x.children), list(x.clauses), [_link(k) for k in x.links], [_example(e) for e in x.examples],
        [[c.text, _loc(c.location), c.end_line] for c in x.commentary],
    ]  # fmt: skip


def _plain(parsed: Document | Challenge, problems: list[Diagnostic]) -> list[Any]:
    found = [_diagnostic(d) for d in problems]
    if isinstance(parsed, Document):
        # a document's links and examples are mostly its sections' own objects: kept once, as [section, index]
        links = {id(k): [n, i] for n, s in enumerate(parsed.sections) for i, k in enumerate(s.links)}
        examples = {id(e): [n, i] for n, s in enumerate(parsed.sections) for i, e in enumerate(s.examples)}
        return [
            "doc", parsed.front_matter, [_section(s) for s in parsed.sections],
            [[c.id, c.text, c.section, _loc(c.location)] for c in parsed.clauses],
            [links.get(id(k)) or ["", _link(k)] for k in parsed.links],
            [examples.get(id(e)) or ["", _example(e)] for e in parsed.examples],
            [_diagnostic(d) for d in parsed.problems], parsed.front_matter_lines, found,
        ]  # fmt: skip
    h = parsed.header
    header = None if h is None else [h.clause_id, h.title, h.text, _loc(h.location)]
    return [
        "challenge", parsed.front_matter, header, [_example(e) for e in parsed.examples], [_link(k) for k in parsed.links],
        [_diagnostic(d) for d in parsed.problems], parsed.front_matter_lines, found,
    ]  # fmt: skip


def _paths_all(parsed: Document | Challenge, problems: list[Diagnostic]) -> bool:
    """Whether every location of the parsed file is at its own path (what dropping the path assumes)."""
    return all(d.location.path == parsed.path for d in (*parsed.problems, *problems))


# Reading an entry back is the warm run's main cost (10,000 challenge files in pre-commit), so it builds each record
# with tuple.__new__ (no Python frame per object: the records are NamedTuples, and their fields are given in order, each
# taken by index from a list of the right shape) and each location in line. A list of another shape raises IndexError,
# TypeError or KeyError, and the entry is read as missing.
_new = tuple.__new__
_LOW = 0xFFFFFFFF
_DAMAGED = (ValueError, TypeError, IndexError, KeyError, RecursionError, AttributeError)


def _r_link(p: str, x: list[Any]) -> Link:
    n = x[2]
    return _new(Link, (x[0], x[1], _new(Location, (p, n >> 32, n & _LOW))))


def _r_diagnostic(p: str, x: list[Any]) -> Diagnostic:
    n = x[0]
    return _new(Diagnostic, (_new(Location, (p, n >> 32, n & _LOW)), x[1], x[2], x[3]))


def _r_message(p: str, x: list[Any]) -> Message:
    n, label = x[4], x[7]
    if label is not None:
        m = label[3]
        label = _new(Label, (label[0], label[1], label[2], _new(Location, (p, m >> 32, m & _LOW)), label[4]))
    return _new(Message, (x[1], x[2], x[3], _new(Location, (p, n >> 32, n & _LOW)), x[5], tuple(x[6]) if x[6] else (), label))


def _r_comparison(p: str, x: list[Any]) -> Comparison:
    n = x[2]
    return _new(Comparison, (tuple([_r_message(p, m) for m in x[1]]), _new(Location, (p, n >> 32, n & _LOW))))


def _r_example(p: str, x: list[Any]) -> Example:
    n = x[1]
    turns = tuple([_r_comparison(p, t) if t[0] == "c" else _r_message(p, t) for t in x[2]])
    return _new(Example, (x[0], _new(Location, (p, n >> 32, n & _LOW)), turns, x[3]))


def _r_section(p: str, x: list[Any]) -> Section:
    n = x[8]
    return _new(Section, (
        x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[6] if x[7] is None else x[7], _new(Location, (p, n >> 32, n & _LOW)),
        x[9], tuple(x[10]), tuple(x[11]), tuple([_r_link(p, k) for k in x[12]]), tuple([_r_example(p, e) for e in x[13]]),
        tuple([_new(Commentary, (c[0], _new(Location, (p, c[1] >> 32, c[1] & _LOW)), c[2])) for c in x[14]]),
    ))  # fmt: skip


def _r_parsed(p: str, x: list[Any], stem: str, kind: str) -> tuple[Document | Challenge, list[Diagnostic]]:
    """Plain data of a file of this kind -> the model, every location at path `p`."""
    if x[0] != kind:
        raise ValueError("an entry of another kind")
    if kind == "doc":
        sections = tuple([_r_section(p, s) for s in x[2]])
        clauses = tuple([_new(Clause, (c[0], c[1], c[2], _new(Location, (p, c[3] >> 32, c[3] & _LOW)))) for c in x[3]])
        doc = _new(Document, (
            p, x[1], sections, clauses,
            tuple([sections[r[0]].links[r[1]] if r[0] != "" else _r_link(p, r[1]) for r in x[4]]),
            tuple([sections[r[0]].examples[r[1]] if r[0] != "" else _r_example(p, r[1]) for r in x[5]]),
            tuple([_r_diagnostic(p, d) for d in x[6]]), x[7],
        ))  # fmt: skip
        return doc, [_r_diagnostic(p, d) for d in x[8]]
    h = x[2]
    header = None if h is None else _new(Header, (h[0], h[1], h[2], _new(Location, (p, h[3] >> 32, h[3] & _LOW))))
    challenge = _new(Challenge, (
        stem, p, x[1], header, tuple([_r_example(p, e) for e in x[3]]),
        tuple([_r_link(p, k) for k in x[4]]) if x[4] else (), tuple([_r_diagnostic(p, d) for d in x[5]]) if x[5] else (), x[6],
    ))  # fmt: skip
    return challenge, [_r_diagnostic(p, d) for d in x[7]] if x[7] else []


class ParseCache:
    """The cache's folder, and what this run did with it (hits, misses, writes, failures)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = self.misses = self.written = self.written_bytes = 0
        self.now = time.time()
        self.pack: dict[str, Any] = {}  # a working tree's entries (key -> plain data), read in one file (open_pack)
        self.used: dict[str, Any] | None = None  # the entries this load used, for the next pack
        self.used_bytes = 0  # bytes of the entries the pack lacked, noted for the next pack
        self.pack_share = 0.0  # the bytes of the pack read, per entry
        self.oversize = False  # this tree's entries passed MAX_PACK: it gets no pack
        self.failures: list[str] = []

    @classmethod
    def default(cls, cache_dir: str | None = None) -> ParseCache:
        return cls((Path(cache_dir) if cache_dir else cache_home()) / "parse")

    def _name(self, kind: str, blob: str, stem: str) -> tuple[str, str]:
        key = hashlib.sha256(f"{parser_id()}\0{kind}\0{blob}\0{stem}".encode("utf-8", "surrogatepass")).hexdigest()
        return key[:2], key[2:]

    def _header(self, kind: str, blob: str, stem: str) -> dict[str, Any]:
        return {"format": FORMAT, "parser": parser_id(), "kind": kind, "blob": blob, "stem": stem}

    def get(self, kind: str, blob: str, stem: str, path: str, limit: int) -> tuple[Document | Challenge, list[Diagnostic]] | None:
        """The parsed file at `path`, or None (no entry; one that is damaged, foreign or unreadable; or one of a file
        over `limit` bytes, which is never taken from the cache: it is reported unread)."""
        key = f"{kind}\0{blob}\0{stem}"
        packed = self.pack.get(key)
        if packed is not None:
            try:
                got = _r_parsed(path, packed, stem, kind)
            except _DAMAGED:
                del self.pack[key]  # read from its own entry, and counted as one the pack lacks
            else:
                self.hits += 1
                if self.used is not None:
                    self.used[key] = packed
                return got
        parts = self._name(kind, blob, stem)
        entry = read_entry_aged(self.folder, parts, MAX_ENTRY)
        read = None if entry is None else self._read(entry[0], kind, blob, stem, path, limit)
        if read is None:
            self.misses += 1
            return None
        self.hits += 1
        self._note(key, read[0], len(entry[0]) if entry is not None else 0)
        if entry is not None and entry[1] < self.now - USED_AGAIN:  # used again: least recently used goes first
            with contextlib.suppress(OSError):
                os.utime(os.path.join(self.folder, *parts), follow_symlinks=False)
        return read[1]  # type: ignore[no-any-return]

    def touch(self, parts: tuple[str, ...]) -> None:
        """Mark a file of the cache as used now, at most once an hour (LRU eviction reads the times)."""
        path = os.path.join(self.folder, *parts)
        with contextlib.suppress(OSError):
            if os.stat(path, follow_symlinks=False).st_mtime < self.now - USED_AGAIN:
                os.utime(path, follow_symlinks=False)

    def _note(self, key: str, plain: Any, size: int) -> None:
        """Keep an entry the pack lacks for the next pack; past MAX_PACK bytes of them, a tree has no pack (its entries
        are read one by one, and this run holds no second copy of a large document's)."""
        if self.used is None:
            return
        self.used_bytes += size
        if self.used_bytes > MAX_PACK:
            self.used, self.oversize = None, True
            return
        self.used[key] = plain

    def open_pack(self, name: str) -> None:
        """Read a working tree's pack: the entries its last load used, in one file (`index/<name>.pack`), checked as
        a whole (its header repeats the parser's digest and the SHA-256 of its payload); from here on, what a load
        uses is noted for the next pack. The pack is one JSON object (key -> an entry's plain data): decoding it at once
        costs half of decoding its entries one by one."""
        self.pack, self.used, self.used_bytes, self.pack_share, self.oversize = {}, {}, 0, 0.0, False
        data = read_entry(self.folder, ("index", name + ".pack"), MAX_ENTRY)
        if data is None:
            return
        cut = data.find(b"\n")
        payload = memoryview(data)[cut + 1 :]  # not a copy
        with contextlib.suppress(ValueError, TypeError, AttributeError, RecursionError):
            expected = {"format": FORMAT, "parser": parser_id(), "sha256": hashlib.sha256(payload).hexdigest()}
            if cut > 0 and json.loads(data[:cut]) == expected:
                pack = json.loads(str(payload, "utf-8"))  # text: json.loads decodes bytes a third slower
                if isinstance(pack, dict) and all(isinstance(v, list) for v in pack.values()):
                    self.pack, self.pack_share = pack, len(payload) / max(1, len(pack))

    def close_pack(self, name: str) -> dict[str, Any]:
        """Write the pack for the next load of this working tree, when what this one used differs from it; return the
        pack read (the caller decides when it is freed: see load.KEPT)."""
        used, self.used = self.used, None
        pack, self.pack = self.pack, {}
        if used is None:
            if self.oversize:  # too large for a pack: none is read again
                remove_entry(self.folder, ("index", name + ".pack"))
            return pack
        stale = sum(1 for key in used if key not in pack)  # a key names its entry's bytes
        if self.used_bytes + (len(used) - stale) * self.pack_share > MAX_PACK:  # what the pack's entries weigh, about
            remove_entry(self.folder, ("index", name + ".pack"))  # too large for a pack: none is read again
            return pack
        if pack and stale * REWRITE_SHARE <= len(pack):
            self.touch(("index", name + ".pack"))  # used again; the few entries it lacks are read one by one
            return pack
        try:  # an entry read from the cache can hold any text, a lone surrogate too: such a pack is not written
            payload = json.dumps(used, ensure_ascii=False, separators=(",", ":")).encode()
        except (ValueError, TypeError, RecursionError):
            return pack
        if len(payload) > MAX_PACK:
            remove_entry(self.folder, ("index", name + ".pack"))
            return pack
        head = json.dumps({"format": FORMAT, "parser": parser_id(), "sha256": hashlib.sha256(payload).hexdigest()})
        try:
            write_entry(self.folder, ("index", name + ".pack"), head.encode() + b"\n" + payload)
            self.written_bytes += len(payload)
        except OSError as exc:
            self.failures.append(f"{exc.filename or self.folder}: {exc.strerror or exc}")
        return pack

    def _read(self, data: bytes, kind: str, blob: str, stem: str, path: str, limit: int) -> tuple[Any, Any] | None:
        """(the entry's plain data, the parsed file with its problems), or None."""
        cut = data.find(b"\n")
        payload = memoryview(data)[cut + 1 :]  # not a copy: an entry can be as large as the document
        try:
            header = json.loads(data[:cut]) if cut > 0 else None
            size = header.pop("size", None) if isinstance(header, dict) else None
            if not isinstance(size, int) or size > limit:
                return None
            if header != {**self._header(kind, blob, stem), "sha256": hashlib.sha256(payload).hexdigest()}:
                return None
            plain = json.loads(str(payload, "utf-8"))
            return plain, _r_parsed(path, plain, stem, kind)
        except _DAMAGED:
            return None  # damaged: parsed again, and rewritten

    def put(self, kind: str, blob: str, stem: str, parsed: Document | Challenge, problems: list[Diagnostic], size: int) -> None:
        """Keep a parsed file; one that cannot be kept as plain data (a front matter date, say) is not kept."""
        if not _paths_all(parsed, problems):
            return
        try:
            plain = _plain(parsed, problems)
            payload = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
        except (TypeError, ValueError):
            return
        if len(payload) > MAX_ENTRY - 4096:
            return  # an entry that could never be read back is not written
        header = {**self._header(kind, blob, stem), "sha256": hashlib.sha256(payload).hexdigest(), "size": size}
        self._note(f"{kind}\0{blob}\0{stem}", plain, len(payload))
        try:
            write_entry(self.folder, self._name(kind, blob, stem), json.dumps(header).encode() + b"\n" + payload)
            self.written += 1
            self.written_bytes += len(payload) + 200
        except OSError as exc:
            self.failures.append(f"{exc.filename or self.folder}: {exc.strerror or exc}")

    def get_value(self, kind: str, key: str) -> Any:
        """A value kept with put_value under (kind, key), checked as a parsed file is; None when there is none, or it is
        damaged, foreign or of another format."""
        parts = self._name(kind, key, "")
        entry = read_entry_aged(self.folder, parts, MAX_ENTRY)
        value = None
        if entry is not None:
            data = entry[0]
            cut = data.find(b"\n")
            payload = memoryview(data)[cut + 1 :]
            with contextlib.suppress(ValueError, TypeError, RecursionError):
                header = json.loads(data[:cut]) if cut > 0 else None
                if header == {**self._header(kind, key, ""), "sha256": hashlib.sha256(payload).hexdigest()}:
                    value = json.loads(str(payload, "utf-8"))
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        assert entry is not None
        if entry[1] < self.now - USED_AGAIN:  # used again: least recently used goes first
            with contextlib.suppress(OSError):
                os.utime(os.path.join(self.folder, *parts), follow_symlinks=False)
        return value

    def has_value(self, kind: str, key: str) -> bool:
        """Whether an entry for (kind, key) is there (unread: get_value checks it)."""
        return os.path.isfile(os.path.join(self.folder, *self._name(kind, key, "")))

    def put_value(self, kind: str, key: str, value: Any) -> None:
        """Keep a value of plain JSON under (kind, key): a value derived from immutable input (a commit's history),
        under a key that names all of that input."""
        payload = json.dumps(value, separators=(",", ":")).encode()  # ASCII: git's bytes that are not UTF-8 kept as \udcXX
        if len(payload) > MAX_ENTRY - 4096:
            return  # an entry that could never be read back is not written
        header = {**self._header(kind, key, ""), "sha256": hashlib.sha256(payload).hexdigest()}
        try:
            write_entry(self.folder, self._name(kind, key, ""), json.dumps(header).encode() + b"\n" + payload)
            self.written += 1
            self.written_bytes += len(payload) + 200
        except OSError as exc:
            self.failures.append(f"{exc.filename or self.folder}: {exc.strerror or exc}")

    def account(self, limit: int = MAX_BYTES) -> int:
        """After a run that wrote entries: add what it wrote to the folder's tally (`index/usage`), and evict only
        when the tally passes `limit` (scanning 10,000 entries on every such run cost a third of a warm one).
        Runs at once may each miss the other's bytes: the tally is an estimate, set right by every eviction."""
        got = read_entry(self.folder, ("index", "usage"), 64)
        tally = int(got) if got is not None and got.strip().isdigit() else 0
        tally += self.written_bytes
        if tally > limit:
            return self.evict(limit)
        with contextlib.suppress(OSError):
            write_entry(self.folder, ("index", "usage"), str(tally).encode())
        return 0

    def evict(self, limit: int = MAX_BYTES) -> int:
        """Remove the least recently used entries while the folder holds more than `limit` bytes (down to 80%);
        return how many were removed; the tally is set to what is left."""
        entries = []
        for sub in _entries(self.folder):
            entries.extend(sub)
        total = sum(size for _, size, _ in entries)
        removed = 0
        if total > limit:
            for _, size, path in sorted(entries):
                if total <= limit * 0.8:
                    break
                with contextlib.suppress(OSError):
                    os.unlink(path)
                    total -= size
                    removed += 1
        with contextlib.suppress(OSError):
            write_entry(self.folder, ("index", "usage"), str(total).encode())
        return removed

    def info(self) -> tuple[int, int]:
        """(entries, bytes) in the folder."""
        entries = [e for sub in _entries(self.folder) for e in sub]
        return len(entries), sum(size for _, size, _ in entries)


def _entries(folder: Path) -> list[list[tuple[float, int, str]]]:
    """(last used, size, path) of each file under folder's two-character subfolders and index/ (entries, stat indexes
    and packs; links are not followed), the tally file aside."""
    import stat

    out = []
    try:
        subs = [d for d in os.scandir(folder) if d.is_dir(follow_symlinks=False) and (len(d.name) == 2 or d.name == "index")]
    except OSError:
        return []
    for sub in subs:
        found = []
        with contextlib.suppress(OSError), os.scandir(sub.path) as it:
            for entry in it:
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and not entry.name.startswith(".") and entry.name != "usage":
                    found.append((info.st_mtime, info.st_size, entry.path))
        out.append(found)
    return out


class StatIndex:
    """path -> [size, mtime_ns, inode, blob id] for one working tree, kept beside the parse cache (`index/`)."""

    def __init__(self, cache: ParseCache, root: Path) -> None:
        self.cache = cache
        self.name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:40]
        self.entries: dict[str, list[Any]] = {}
        self.written_ns = 0
        self.changed = 0  # entries recorded anew
        data = read_entry(cache.folder, ("index", self.name), MAX_ENTRY)
        if data is not None:
            with contextlib.suppress(ValueError, TypeError, AttributeError, RecursionError):
                doc = json.loads(data.decode())
                if doc.get("format") == FORMAT and isinstance(doc.get("entries"), dict) and type(doc.get("written_ns")) is int:
                    self.entries, self.written_ns = doc["entries"], int(doc["written_ns"])

    def blob(self, path: str, stat: tuple[int, ...]) -> str | None:
        """The blob id recorded for path when its size, mtime, inode, ctime and device are unchanged and it is not
        racily clean."""
        got = self.entries.get(path)
        n = len(stat)
        if not isinstance(got, list) or len(got) != n + 1 or tuple(got[:n]) != stat or not isinstance(got[n], str):
            return None  # any text is only a key (its digest names the entry's file): a forged one finds nothing
        if stat[1] // 1_000_000_000 >= self.written_ns // 1_000_000_000:  # changed in the index's own second
            return None
        return str(got[n])

    def record(self, path: str, stat: tuple[int, ...], blob: str) -> None:
        if self.entries.get(path) != [*stat, blob]:
            self.entries[path] = [*stat, blob]
            self.changed += 1

    def save(self) -> None:
        if not self.changed or (self.written_ns and self.changed * REWRITE_SHARE <= len(self.entries)):
            self.cache.touch(("index", self.name))  # a file it lacks is hashed again: never a stale answer
            return
        doc = {"format": FORMAT, "written_ns": time.time_ns(), "entries": self.entries}
        data = json.dumps(doc, separators=(",", ":")).encode()
        try:
            write_entry(self.cache.folder, ("index", self.name), data)
            self.cache.written_bytes += len(data)  # counted against the bound, as entries are
        except OSError as exc:
            self.cache.failures.append(f"{exc.filename or self.cache.folder}: {exc.strerror or exc}")
