"""The parse cache (issue 20): the same bytes are never parsed twice, from a ref or the working tree, and what the
cache holds can only ever save work, never change an answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.io import parsecache
from spectools.io.parsecache import ParseCache, StatIndex, blob_id
from spectools.parse import load as load_module
from spectools.parse.load import load, open_worktree
from spectools.sources.git import GitRepo as Repo
from spectools.sources.git import Side
from tests.conftest import INVALID, ROOT, VALID
from tests.gitrepo import GitRepo

SPEC = "## Tone {#tone authority=user}\n\nThe assistant must greet the passenger[^tn01].\n"
CHALLENGE = "Examples for [^tn01] in Tone:\n\n**Example**: hi\n\n```xml\n<user>\nhi\n</user>\n```\n"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ParseCache:
    cache = ParseCache(tmp_path / "cache" / "parse")
    monkeypatch.setattr(load_module, "PARSE_CACHE", cache)
    return cache


def entries(cache: ParseCache) -> list[Path]:
    return sorted(p for p in cache.folder.rglob("*") if p.is_file() and p.parent.name != "index")


def test_blob_ids_are_gits(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"some bytes\n")
    out = subprocess.run(["git", "hash-object", str(tmp_path / "f")], capture_output=True, text=True, check=True)
    assert blob_id(b"some bytes\n") == out.stdout.strip()


def test_the_same_bytes_hit_from_a_ref_and_from_the_working_tree(tmp_path: Path, store: ParseCache) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("first", {"model_spec.md": SPEC, "examples/tn01.md": CHALLENGE})
    tree = Repo(repo.root).source(Side("HEAD", repo.git("rev-parse", "HEAD").strip()))
    from_ref = load(tree)
    assert (store.hits, store.written) == (0, 2)
    from_disk = load(open_worktree(repo.root))
    assert store.hits == 2 and store.written == 2  # nothing parsed again
    assert from_disk.spec == from_ref.spec and from_disk.problems == from_ref.problems


def test_a_hit_reattaches_the_path_it_is_asked_for(tmp_path: Path, store: ParseCache) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model_spec.md").write_text(SPEC + "\n```xml\n", encoding="utf-8")  # an unclosed fence
    first, second = load(open_worktree(tmp_path / "a")), load(open_worktree(tmp_path / "b"))
    assert store.hits == 1
    assert first.spec == second.spec and [d.location.path for d in second.problems] == ["model_spec.md"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-10],  # cut short
        lambda data: data.replace(b"greet", b"GREET"),  # the payload changed: its digest no longer matches
        lambda data: b"not json\n" + data,
        lambda data: json.dumps({**json.loads(data.split(b"\n")[0]), "format": 99}).encode() + b"\n" + data.split(b"\n", 1)[1],
        lambda data: (
            json.dumps({**json.loads(data.split(b"\n")[0]), "parser": "another"}).encode() + b"\n" + data.split(b"\n", 1)[1]
        ),
        lambda data: b"",
    ],
    ids=["cut", "changed", "garbage", "future format", "foreign parser", "empty"],
)
def test_a_damaged_or_foreign_entry_is_ignored_and_rewritten(tmp_path: Path, store: ParseCache, damage) -> None:
    (tmp_path / "model_spec.md").write_text(SPEC, encoding="utf-8")
    cold = load(open_worktree(tmp_path))
    (entry,) = entries(store)
    entry.write_bytes(damage(entry.read_bytes()))
    for pack in (store.folder / "index").glob("*.pack"):  # the working tree's pack holds the entry too
        pack.unlink()
    again = load(open_worktree(tmp_path))
    assert again.spec == cold.spec and store.written == 2 and store.hits == 0
    third = load(open_worktree(tmp_path))
    assert third.spec == cold.spec and store.hits == 1  # the rewritten entry is good


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[:-10], lambda data: data.replace(b"greet", b"GREET"), lambda data: b"{}\n{}", lambda data: b""],
    ids=["cut", "changed", "foreign", "empty"],
)
def test_a_damaged_pack_is_ignored_and_rewritten(tmp_path: Path, store: ParseCache, damage) -> None:
    """A working tree's entries are also read in one file (its pack): checked as a whole, like an entry."""
    (tmp_path / "model_spec.md").write_text(SPEC, encoding="utf-8")
    cold = load(open_worktree(tmp_path))
    (pack,) = (store.folder / "index").glob("*.pack")
    good = pack.read_bytes()
    pack.write_bytes(damage(good))
    (entry,) = entries(store)
    entry.unlink()  # so that only a pack that was believed could answer
    again = load(open_worktree(tmp_path))
    assert again.spec == cold.spec and store.hits == 0 and pack.read_bytes() == good


def test_an_entry_that_is_a_link_is_never_followed(tmp_path: Path, store: ParseCache) -> None:
    (tmp_path / "model_spec.md").write_text(SPEC, encoding="utf-8")
    load(open_worktree(tmp_path))
    for pack in (store.folder / "index").glob("*.pack"):
        pack.unlink()
    (entry,) = entries(store)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(elsewhere)
    load(open_worktree(tmp_path))
    assert store.hits == 0 and not entry.is_symlink()  # read as missing, and replaced by a file
    assert elsewhere.read_bytes() == entries(store)[0].read_bytes()  # the link's target was not written


def test_two_processes_writing_at_once_leave_good_entries(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "model_spec.md").write_text(SPEC * 50, encoding="utf-8")
    env = {**os.environ, "SPECTOOLS_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "spectools", "validate", str(spec)]
    runs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [p.communicate() for p in runs]
    assert len(set(outputs)) == 1 and all(p.returncode in (0, 1) for p in runs)
    warm = subprocess.run(cmd, env=env, capture_output=True, check=False)
    assert (warm.stdout, warm.stderr) == outputs[0]
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if ".spectools-" in p.name]
    assert leftovers == []


def test_eviction_removes_the_least_recently_used_first(tmp_path: Path, store: ParseCache) -> None:
    for n in range(6):
        (tmp_path / f"s{n}").mkdir()
        (tmp_path / f"s{n}" / "model_spec.md").write_text(SPEC.replace("greet", f"greet {n}"), encoding="utf-8")
        load(open_worktree(tmp_path / f"s{n}"))
    shutil.rmtree(store.folder / "index")  # the stat indexes and packs count too; here only entries
    files = entries(store)
    for n, path in enumerate(sorted(files, key=lambda p: p.stat().st_mtime)):
        os.utime(path, (1000 + n, 1000 + n))
    oldest = sorted(files, key=lambda p: p.stat().st_mtime)[:3]
    size = sum(p.stat().st_size for p in files)
    removed = store.evict(limit=int(size * 0.7))  # down to 80% of that: 56%, three of the six
    left = entries(store)
    assert removed == 3 and set(left) == set(files) - set(oldest)
    assert store.evict(limit=size * 10) == 0


def test_no_cache_reads_and_writes_nothing(cli, tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "model_spec.md").write_text(SPEC, encoding="utf-8")
    cli("validate", str(tmp_path / "spec"), "--no-cache", "--cache-dir", str(tmp_path / "c"))
    assert not (tmp_path / "c").exists()
    cli("validate", str(tmp_path / "spec"), "--cache-dir", str(tmp_path / "c"))
    assert any((tmp_path / "c" / "parse").rglob("*"))


def test_a_cache_inside_the_working_tree_is_refused_and_under_git_allowed(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "spec")
    repo.commit("first", {"model_spec.md": SPEC})
    refused = cli("validate", str(repo.root), "--cache-dir", str(repo.root / ".cache"))
    assert refused.code == 2 and "inside the repository" in refused.err and not (repo.root / ".cache").exists()
    allowed = cli("validate", str(repo.root), "--cache-dir", str(repo.root / ".git" / "spectools"))
    assert allowed.code in (0, 1) and (repo.root / ".git" / "spectools" / "parse").is_dir()
    assert repo.git("status", "--porcelain") == ""


def _index_written_at(store: ParseCache, root: Path, written_ns: int) -> None:
    """Say the working tree's stat index was written at written_ns (what a run would have done then)."""
    name = StatIndex(store, root).name
    path = store.folder / "index" / name
    doc = json.loads(path.read_bytes())
    path.write_text(json.dumps({**doc, "written_ns": written_ns}), encoding="utf-8")


@pytest.mark.parametrize("written_later", [0, 2_000_000_000], ids=["same second: racy", "seconds later: trusted"])
def test_the_stat_index_spares_reading_only_files_it_can_trust(
    tmp_path: Path, store: ParseCache, written_later: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged file is not read when the index was written seconds after its mtime; one whose mtime falls in the
    index's own second is read and hashed again (racily clean, as git says). An edit that keeps the size, mtime and
    inode still changes the ctime, which no `touch` sets back: it is read."""
    from spectools.sources.worktree import WorktreeSource

    spec = tmp_path / "model_spec.md"
    spec.write_text(SPEC, encoding="utf-8")
    before = os.stat(spec)
    load(open_worktree(tmp_path))
    assert StatIndex(store, tmp_path).entries["model_spec.md"][-1] == blob_id(SPEC.encode())
    _index_written_at(store, tmp_path, before.st_mtime_ns + written_later)
    reads: list[str] = []
    real = WorktreeSource.read
    monkeypatch.setattr(WorktreeSource, "read", lambda self, path, limit: reads.append(path) or real(self, path, limit))
    assert load(open_worktree(tmp_path)).spec.clauses()[0].text.startswith("The assistant must greet")
    assert reads == ([] if written_later else ["model_spec.md"])
    _index_written_at(store, tmp_path, before.st_mtime_ns + written_later)
    spec.write_text(SPEC.replace("greet", "GREET"), encoding="utf-8")  # same size
    os.utime(spec, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same mtime
    assert os.stat(spec).st_ino == before.st_ino  # the same inode
    assert "GREET" in load(open_worktree(tmp_path)).spec.clauses()[0].text  # the ctime gave it away


def test_a_file_over_the_limit_is_never_taken_from_the_cache(cli, tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "model_spec.md").write_text(SPEC, encoding="utf-8")
    cache = str(tmp_path / "c")
    warm = cli("validate", str(tmp_path / "spec"), "--cache-dir", cache)
    (tmp_path / "spec" / "spectools.yaml").write_text("limits:\n  max_file_bytes: 50\n", encoding="utf-8")
    limited = cli("validate", str(tmp_path / "spec"), "--cache-dir", cache, "--format", "json")
    cold = cli("validate", str(tmp_path / "spec"), "--no-cache", "--format", "json")
    assert warm.code == 1 and limited == cold and "SPEC006" in limited.out


def test_an_enclosing_repository_is_the_working_tree_too(cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("first", {"sub/model_spec.md": SPEC})
    refused = cli("validate", str(repo.root / "sub"), "--cache-dir", str(repo.root / ".cache"))
    assert refused.code == 2 and "inside the repository" in refused.err


def test_bad_cache_settings_never_crash(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "model_spec.md").write_text(SPEC, encoding="utf-8")
    (tmp_path / "loopA").symlink_to(tmp_path / "loopB")
    (tmp_path / "loopB").symlink_to(tmp_path / "loopA")
    looped = cli("validate", str(tmp_path / "spec"), "--cache-dir", str(tmp_path / "loopA"))
    assert looped.code == 1 and "internal error" not in looped.err
    assert parsecache._max_bytes() > 0
    for bad in ("abc", "512M", "1e9", "-5", "9" * 40):
        monkeypatch.setenv("SPECTOOLS_CACHE_MAX_BYTES", bad)
        assert parsecache._max_bytes() == 512 * 1024 * 1024


def test_a_warm_run_imports_no_markdown_it(tmp_path: Path) -> None:
    env = {**os.environ, "SPECTOOLS_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-X", "importtime", "-m", "spectools", "validate", str(VALID / "model-spec")]
    cold = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    warm = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert "markdown_it" in cold.stderr and "markdown_it" not in warm.stderr


CASES = sorted(p for p in [*VALID.iterdir(), *INVALID.iterdir()] if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_warm_and_cold_runs_print_the_same_bytes_on_every_fixture(cli, case: Path, tmp_path: Path) -> None:
    runs = [cli("validate", str(case), "--format", "json", "--cache-dir", str(tmp_path / "c")) for _ in range(2)]
    plain = cli("validate", str(case), "--format", "json", "--no-cache")
    assert runs[0] == runs[1] == plain


TEXT = st.text(st.sampled_from("ab #{}[]^()*`<>!-=:\n\"'/\u00e9\u2028\t"), max_size=200)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=TEXT, challenge=TEXT, front=st.sampled_from(["", "---\ntitle: x\n---\n", "---\ndate: 2024-01-01\n---\n"]))
def test_warm_and_cold_runs_print_the_same_bytes_on_random_specs(cli, tmp_path_factory, body, challenge, front) -> None:
    root = tmp_path_factory.mktemp("spec")
    (root / "examples").mkdir()
    (root / "model_spec.md").write_text(front + "## A {#a authority=user}\n\n" + body + "[^ab12].\n", encoding="utf-8")
    (root / "examples" / "ab12.md").write_text(challenge, encoding="utf-8")
    cache = str(tmp_path_factory.mktemp("cache"))
    runs = [cli("validate", str(root), "--format", "json", "--cache-dir", cache) for _ in range(2)]
    assert runs[0] == runs[1] == cli("validate", str(root), "--format", "json", "--no-cache")


def test_an_edit_of_one_file_of_many_rewrites_neither_pack_nor_stat_index(tmp_path: Path, store: ParseCache) -> None:
    """Pre-commit's case: a few files of thousands changed. The pack and the stat index are written anew only once a
    64th of them differs; until then what they lack is read from its own entry, or hashed, and every answer is the
    cold one's."""
    n = 100
    spec = "".join(f"## S{i} {{#s{i} authority=user}}\n\nThe assistant must help{i}[^c{i:03}].\n\n" for i in range(n))
    files = {"model_spec.md": spec}
    files.update({f"examples/c{i:03}.md": CHALLENGE.replace("tn01", f"c{i:03}").replace("Tone", f"S{i}") for i in range(n)})
    for rel, text in files.items():
        (tmp_path / "spec" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "spec" / rel).write_text(text, encoding="utf-8")
    root = tmp_path / "spec"
    load(open_worktree(root))
    stamp = 1_000_000_000  # the index's second is long past: no file is racily clean
    for path in root.rglob("*.md"):
        os.utime(path, ns=(stamp, stamp))
    load(open_worktree(root))  # the stat index now holds every file
    before = {p.name: p.read_bytes() for p in (store.folder / "index").iterdir() if p.name != "usage"}  # pack, index
    assert len(before) == 2
    edited = root / "examples" / "c007.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("hi\n</user>", "hello\n</user>"), encoding="utf-8")
    warm = load(open_worktree(root))
    load_module.PARSE_CACHE = None
    cold = load(open_worktree(root))
    load_module.PARSE_CACHE = store
    assert warm.spec == cold.spec and warm.problems == cold.problems
    assert {p.name: p.read_bytes() for p in sorted((store.folder / "index").iterdir()) if p.name in before} == before
    again = load(open_worktree(root))  # the edit is still not in the pack or the index: read and hashed again
    assert again.spec == cold.spec
    for i in range(10):  # more than a 64th of the files differ: both are written anew
        f = root / "examples" / f"c{i:03}.md"
        f.write_text(f.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    load(open_worktree(root))
    after = {p.name: p.read_bytes() for p in (store.folder / "index").iterdir() if p.name in before}
    assert all(after[name] != data for name, data in before.items())


def _same(a: object, b: object, where: str = "") -> None:
    """a == b, and every record and container of the same type (a NamedTuple equals a plain tuple of its fields)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b), where  # type: ignore[arg-type]
        for n, (x, y) in enumerate(zip(a, b, strict=True)):  # type: ignore[call-overload]
            _same(x, y, f"{where}[{n}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where  # type: ignore[call-overload]
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")  # type: ignore[index]
    else:
        assert a == b, where


MARKDOWN = sorted(p for p in (ROOT / "tests" / "data").rglob("*.md") if p.is_file())


@pytest.mark.parametrize("kind", ["doc", "challenge"])
def test_an_entry_reads_back_as_the_parse_itself(kind: str) -> None:
    """Every markdown fixture, read as a document and as a challenge file: kept as plain data (through JSON, as on disk)
    and read back, it is the parse itself, record types included."""
    from spectools.parse.files import parse_challenge, parse_document

    assert len(MARKDOWN) > 50
    for path in MARKDOWN:
        rel, text = path.name, path.read_text(encoding="utf-8", errors="replace")
        parsed = parse_document(rel, text) if kind == "doc" else parse_challenge(rel, path.stem, text)
        found = [d._replace(location=d.location._replace(path=rel)) for d in parsed.problems[:2]]
        plain = json.loads(json.dumps(parsecache._plain(parsed, found), ensure_ascii=False))
        _same(parsecache._r_parsed(rel, plain, path.stem, kind), (parsed, found), str(path))


@settings(max_examples=200, deadline=None)
@given(body=TEXT, kind=st.sampled_from(["doc", "challenge"]))
def test_generated_files_read_back_as_their_parse(body: str, kind: str) -> None:
    from spectools.parse.files import parse_challenge, parse_document

    text = "## A {#a authority=user}\n\n" + body + "[^ab12].\n\n**Example**: x\n\n```xml\n<user>\n" + body + "\n</user>\n```\n"
    parsed = parse_document("d.md", text) if kind == "doc" else parse_challenge("d.md", "ab12", text)
    plain = json.loads(json.dumps(parsecache._plain(parsed, []), ensure_ascii=False))
    _same(parsecache._r_parsed("d.md", plain, "ab12", kind), (parsed, []), body)


def _forge_pack(store: ParseCache, change) -> None:
    """Rewrite the working tree's pack as a forger would: its payload changed, its header's digest made to match."""
    import hashlib

    (pack,) = (store.folder / "index").glob("*.pack")
    head, _, payload = pack.read_bytes().partition(b"\n")
    entries_ = change(json.loads(payload))
    payload = json.dumps(entries_).encode()  # ASCII: a lone surrogate is written as \ud800, as JSON allows
    header = {**json.loads(head), "sha256": hashlib.sha256(payload).hexdigest()}
    pack.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def _tree(root: Path, n: int = 100) -> Path:
    spec = "".join(f"## S{i} {{#s{i} authority=user}}\n\nThe assistant must help{i}[^c{i:03}].\n\n" for i in range(n))
    files = {"model_spec.md": spec}
    files.update({f"examples/c{i:03}.md": CHALLENGE.replace("tn01", f"c{i:03}").replace("Tone", f"S{i}") for i in range(n)})
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _lone_surrogate(entries_: dict) -> dict:
    key = next(k for k in entries_ if k.startswith("challenge"))
    entries_[key][3][0][2][0][3] = "hi \ud800"  # a message's text
    for other in [k for k in entries_ if k.startswith("challenge") and k != key][:10]:
        del entries_[other]  # more than a 64th of the pack differs from what the run uses: it is written anew
    return entries_


def _kind_swapped(entries_: dict) -> dict:
    doc = next(k for k in entries_ if k.startswith("doc"))
    for key in [k for k in entries_ if k.startswith("challenge")]:
        entries_[key] = entries_[doc]  # a document's entry where a challenge file's should be
    return entries_


@pytest.mark.parametrize("change", [_lone_surrogate, _kind_swapped], ids=["lone surrogate", "kind swapped"])
def test_a_forged_pack_never_crashes_a_run(cli, tmp_path: Path, change) -> None:
    """A pack whose digest matches its payload but whose entries no run wrote: an entry of another kind is read as
    missing, and text no UTF-8 can hold is read, never written back into a pack (the run does not crash on it)."""
    root, cache = _tree(tmp_path / "spec", 80), str(tmp_path / "cache")
    cold = cli("validate", str(root), "--no-cache")
    cli("validate", str(root), "--cache-dir", cache)
    store = ParseCache(tmp_path / "cache" / "parse")
    _forge_pack(store, change)
    for _ in range(2):
        warm = cli("validate", str(root), "--cache-dir", cache)
        assert warm.code in (0, 1) and "internal error" not in warm.err, warm.err
    if change is _kind_swapped:
        assert warm == cold


@pytest.mark.parametrize(
    "forged",
    [
        {"written_ns": float("inf")},
        {"written_ns": "soon"},
        {"written_ns": None},
        {"blob": "\ud800"},
        {"blob": "../../x"},
        {"blob": 7},
    ],
    ids=["infinite time", "time as text", "no time", "lone surrogate", "a path", "a number"],
)
def test_a_forged_stat_index_never_crashes_a_run(cli, tmp_path: Path, forged: dict) -> None:
    root, cache = _tree(tmp_path / "spec", 5), str(tmp_path / "cache")
    cold = cli("validate", str(root), "--no-cache")
    cli("validate", str(root), "--cache-dir", cache)
    store = ParseCache(tmp_path / "cache" / "parse")
    path = store.folder / "index" / StatIndex(store, root).name
    doc = json.loads(path.read_bytes())
    if "blob" in forged:
        for entry in doc["entries"].values():
            entry[-1] = forged["blob"]
        doc["written_ns"] = 2 * 10**18  # long after every mtime: each entry is believed, as far as its stat goes
    elif forged["written_ns"] is None:
        del doc["written_ns"]
    else:
        doc.update(forged)
    path.write_text(json.dumps(doc), encoding="utf-8")  # json writes inf as Infinity, which it reads back
    assert cli("validate", str(root), "--cache-dir", cache) == cold


def test_a_tree_too_large_for_a_pack_gets_none(tmp_path: Path, store: ParseCache, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_PACK bytes of entries, a working tree has no pack: one left by a smaller tree is removed, not read on
    every run, and none is encoded only to be thrown away."""
    root = _tree(tmp_path / "spec", 40)
    load(open_worktree(root))
    (pack,) = (store.folder / "index").glob("*.pack")
    monkeypatch.setattr(parsecache, "MAX_PACK", pack.stat().st_size // 2)
    dumped: list[int] = []
    real = json.dumps
    monkeypatch.setattr(parsecache.json, "dumps", lambda value, **kw: dumped.append(1) or real(value, **kw))
    warm = load(open_worktree(root))
    assert not pack.exists() and dumped == []
    again = load(open_worktree(root))  # every entry read one by one
    assert not list((store.folder / "index").glob("*.pack")) and again.spec == warm.spec and store.hits == 82
