"""Reading and writing files safely: the one safe writer, safe YAML, and the files shipped with spectools.

The safe writer (`update`, `create`, `write_atomic`): every file spectools writes goes through it.

- atomic: a temporary file in the target's folder, fsynced, then renamed over the target, so a
  reader (or a crash, or `kill -9`) sees the old bytes or the new ones, never a truncated file;
- through symlinks: a link is kept and its target is written, but only when that target is inside
  the allowed root (the repository) and outside every `.git` folder; a link out of it, or into git's
  own files, is refused (so is a path that names them);
- serialised: writers of one folder hold an exclusive lock on it while they read, change and
  replace a file, so two runs at once cannot lose each other's edits;
- clean: a temporary file is removed on every exit path; one left by a killed run is removed by
  the next writer of the same file (under the lock, no other writer can own it);
- byte-preserving: callers change bytes, never decode and re-encode a whole file.

Safe YAML (`load_yaml`): no aliases (so no alias bombs), and a line number for every key path.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from spectools.model import SpecError

_TMP_TAG = ".spectools-"  # temporary files are .<name>.spectools-<pid>.tmp in the target's folder


def inside(path: Path, root: Path) -> bool:
    """Whether path (resolved, symlinks followed) lies in root (resolved)."""
    target, top = path.resolve(), root.resolve()
    return target == top or top in target.parents


def root_for(path: Path, top: Path) -> Path | None:
    """What a file the user named (--out, --save-report) is confined to: the repository's top when the path leads
    into it, as written or through a link of the user's own on its way (a link inside it is the pull request's to
    commit, so it may lead only inside), else None (a folder of the user's own, outside the repository)."""
    written, repo = Path(os.path.abspath(path)), Path(os.path.abspath(top))
    return top if written == repo or repo in written.parents or _entry(written, top) is not None else None


def _entry(written: Path, top: Path) -> Path | None:
    """The shortest folder on the way to written that is the repository or in it once links are followed."""
    real_repo = Path(os.path.realpath(top))
    for p in reversed([written, *written.parents]):
        real = Path(os.path.realpath(p))
        if real == real_repo or real_repo in real.parents:
            return p
    return None


def link_inside(path: Path, top: Path) -> Path | None:
    """The first link on the way to path after it enters the repository (a pull request can commit one), or None."""
    written = Path(os.path.abspath(path))
    entry = _entry(written, top)
    if entry is None:
        return None
    on_way = [p for p in reversed([written, *written.parents]) if len(p.parts) > len(entry.parts)]
    return next((p for p in on_way if p.is_symlink()), None)


def target_of(path: Path, root: Path | None) -> Path:
    """Where writing `path` really writes: symlinks followed. SpecError when that is outside root."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):
        raise SpecError(f"{path}: a symlink loop; point the link at a real file, or remove it") from None
    shown = f" (it leads to {target})" if target != path.absolute() else ""
    if root is not None and not inside(target, root):
        raise SpecError(
            f"{path}: outside the repository {root}{shown}; spectools writes only inside the repository. Give a path inside it"
        )
    if any(part.casefold() == ".git" for part in target.parts):
        raise SpecError(f"{path}: inside a .git folder{shown}; spectools never writes git's own files. Give another path")
    if target.is_dir():
        raise SpecError(f"{path}: is a folder; give a file name")
    return target


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on folder: writers of its files take turns (released on every exit path)."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform: atomic replace still protects each file
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _leftovers(target: Path) -> None:
    """Remove temporary files that a killed writer of target left behind (call under the lock)."""
    prefix = f".{target.name}{_TMP_TAG}"
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.name.endswith(".tmp") and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _replace(target: Path, data: bytes, exclusive: bool) -> None:
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
    tmp = target.parent / f".{target.name}{_TMP_TAG}{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if exclusive:
            os.link(tmp, target)  # never replaces a file that appeared meanwhile
        else:
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def update(path: Path, change: Callable[[bytes | None], bytes | None], root: Path | None = None) -> bool:
    """Read path (None when it does not exist), and write what `change` returns, under the folder's lock.

    `change` returning None or the same bytes writes nothing. Returns whether the file was written.
    Raises SpecError for a target outside root; OSError for what the file system refuses."""
    target = target_of(path, root)
    with locked(target.parent):
        _leftovers(target)
        try:
            old: bytes | None = target.read_bytes()
        except FileNotFoundError:
            old = None
        new = change(old)
        if new is None or new == old:
            return False
        _replace(target, new, exclusive=False)
        return True


def write_atomic(path: Path, data: bytes, root: Path | None = None) -> None:
    """Replace path with data atomically; keeps the file's mode (0644 for a new file)."""
    update(path, lambda _: data, root)


def create(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write a new file; FileExistsError when one is there already (it is never replaced)."""
    if path.is_symlink() or path.exists():
        raise FileExistsError(errno.EEXIST, "exists", str(path))
    target = target_of(path, root)
    with locked(target.parent):
        _leftovers(target)
        _replace(target, data, exclusive=True)


# ---- the one line model (docs/SECURITY.md, "Hand-written bytes")
def split_lines(text: str) -> list[str]:
    """text as lines, each with its ending: a line ends after "\n" (a "\r\n" ending stays whole). A lone "\r",
    U+2028, U+2029, form feed, vertical tab and NEL are text inside a line, as everywhere spectools edits a file;
    "".join(split_lines(text)) == text."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def blank(line: str) -> bool:
    """Whether a line holds nothing but spaces, tabs and its ending (U+2028 and the like are text)."""
    return not line.strip(" \t\r\n")


# ---- the caches: outside any working tree, and never through a link (docs/SECURITY.md, "State")
def cache_home() -> Path:
    """Where spectools keeps what it can compute again (each cache in a folder of its own beneath: eval/ for the
    answers): $SPECTOOLS_CACHE_DIR, else $XDG_CACHE_HOME/spectools, else ~/.cache/spectools. Never a repository's
    folder, so nothing a pull request commits is read as a cache."""
    if os.environ.get("SPECTOOLS_CACHE_DIR"):
        return Path(os.environ["SPECTOOLS_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache") / "spectools"


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def _open_folder(folder: Path, parts: tuple[str, ...], make: bool) -> int:
    """A descriptor of folder/parts..., each part opened without following a link (OSError if one is a link)."""
    fd = os.open(folder, os.O_RDONLY | _DIRECTORY)
    try:
        for part in parts:
            if make:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o700, dir_fd=fd)
            inner = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_entry(folder: Path, parts: tuple[str, ...], limit: int) -> bytes | None:
    """The bytes of folder/parts... when that is a regular file of at most limit bytes reached through no link
    below folder; None otherwise (a link, a fifo, a folder, a file too large, or nothing)."""
    got = read_entry_aged(folder, parts, limit)
    return None if got is None else got[0]


def read_entry_aged(folder: Path, parts: tuple[str, ...], limit: int) -> tuple[bytes, float] | None:
    """read_entry, and the entry's modification time (what a least-recently-used cache refreshes)."""
    import stat

    try:
        dfd = _open_folder(folder, parts[:-1], make=False)
    except OSError:
        return None
    try:
        fd = os.open(parts[-1], os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=dfd)
    except OSError:
        return None
    finally:
        os.close(dfd)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        return fh.read(info.st_size + 1), info.st_mtime  # read(n) sets n bytes aside first: never more than the file holds


def write_entry(folder: Path, parts: tuple[str, ...], data: bytes, mode: int = 0o600) -> None:
    """Write folder/parts... atomically without following a link: a link where the file should be is replaced by the
    new file, never written through; a link where a folder should be is refused (OSError, as for anything the file
    system refuses: the caller warns, and that entry is not kept). mode: the new file's (0600: a cache's own)."""
    import threading

    folder.mkdir(parents=True, exist_ok=True)
    dfd = _open_folder(folder, parts[:-1], make=True)
    try:
        tmp = f".{parts[-1]}{_TMP_TAG}{os.getpid()}-{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=dfd)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if mode != 0o600:
                    os.fchmod(fh.fileno(), mode)
            os.replace(tmp, parts[-1], src_dir_fd=dfd, dst_dir_fd=dfd)  # a rename replaces a link, never follows it
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=dfd)
    finally:
        os.close(dfd)


def remove_entry(folder: Path, parts: tuple[str, ...]) -> None:
    """Remove folder/parts... (the file, or a link in its place, never what a link points to), reached through no
    link below folder; nothing when it is not there."""
    try:
        dfd = _open_folder(folder, parts[:-1], make=False)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # gone already, a folder, a read-only cache: it stays, and is not read
            os.unlink(parts[-1], dir_fd=dfd)
    finally:
        os.close(dfd)


# ---- safe YAML
KeyPath = tuple[Any, ...]
MAX_NUMBER_CHARS = 40  # an integer in YAML: no count or limit needs more (Python cannot show ints of 4,300 digits)


class YamlError(Exception):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 1-based, relative to the text given
        self.col = col


_LOADER: Any = None


def _loader() -> Any:
    """yaml.SafeLoader that refuses aliases and numbers too long to show; made once (a class made per call is a garbage
    cycle that only the cyclic collector frees: see load.paused_gc)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                mark = event.start_mark
                raise YamlError(
                    "YAML aliases (*name) are not allowed here; write the value out in full",
                    mark.line + 1,
                    mark.column + 1,
                )
            return super().compose_node(parent, index)

        def construct_yaml_int(self, node: Any) -> Any:
            if len(str(node.value)) > MAX_NUMBER_CHARS:  # 0x and 4,000 digits: an int no text can show
                mark = node.start_mark
                raise YamlError(f"a number of more than {MAX_NUMBER_CHARS} characters; write a smaller one", mark.line + 1,
                                mark.column + 1)  # fmt: skip
            return super().construct_yaml_int(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    _LOADER = Loader
    return Loader


def load_yaml(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse one YAML document; return the data and {key path: 1-based line}."""
    import yaml

    Loader = _loader()
    try:
        loader = Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise YamlError(f"YAML cannot hold the character {exc.character!r}; remove it", line, col) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[KeyPath, int] = {}
        _index(node, (), lines)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"YAML syntax error: {problem}", line, col) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlError(f"YAML cannot hold the character {exc.character!r}; remove it", line, 1) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}", 1, 1) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise YamlError(f"YAML value error: {exc}", 1, 1) from None
    finally:
        loader.dispose()
    return data, lines


def _index(node: Any, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            sub = (*path, k)
            lines[sub] = key.start_mark.line + 1
            if not isinstance(value, yaml.ScalarNode):
                _index(value, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


def line_of(lines: dict[KeyPath, int], path: KeyPath, default: int = 1) -> int:
    """The line of the deepest known prefix of path."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), default)


# ---- files shipped with spectools
_HERE = Path(__file__).resolve().parent.parent  # spectools/


def data_dir(name: str) -> Path:
    """`schema` or `templates`: spectools/_data/NAME in a wheel, NAME/ beside the package in a checkout."""
    packaged = _HERE / "_data" / name
    return packaged if packaged.is_dir() else _HERE.parent / name


@cache
def packaged_yaml(path: Path) -> Any:
    """A YAML file shipped inside spectools (trusted data, such as lint's word lists), read with libyaml's safe
    loader when PyYAML has it (a tenth of the time of the pure-Python one). A repository's YAML goes through
    `load_yaml`, never here."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


@cache
def schema(name: str) -> dict[str, Any]:
    """A built-in JSON Schema by file stem, e.g. `config` for schema/config.schema.json."""
    import json

    with open(data_dir("schema") / f"{name}.schema.json", encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


def builtin_valid(name: str, instance: Any) -> bool:
    """True when instance is valid under the built-in schema `name` (section, document, challenge or
    config), decided by the code fastjsonschema generated from it (spectools/io/validators/, made by
    tools/validators.py): no schema is compiled at run time. False means "ask jsonschema", which then
    writes every message: fastjsonschema stops at the first error and words it its own way. Only
    spectools' own schemas are turned into code, never a repository's."""
    from importlib import import_module

    try:
        import_module(f"spectools.io.validators.{name}").validate(instance)
    except ValueError:  # the generated code's exceptions are ValueErrors
        return False
    return True
