"""spectools.yaml -> Config, validated by schema/config.schema.json."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from spectools.io import YamlError, line_of, load_yaml
from spectools.model import CHECKS, Diagnostic, Location, diag
from spectools.sources.base import glob_regex, outside
from spectools.sources.patterns import Matcher, PatternError, compile_pattern

CONFIG_FILE = "spectools.yaml"
DEFAULT_LEVELS = ("root", "system", "developer", "user", "guideline")
# The public Model Spec called its top level `platform` until 2025-09-12 and `root` since: old releases
# read cleanly with no config. A default alias applies only while its old name is no level of the
# repository's and its new name is one.
DEFAULT_ALIASES = {"platform": "root"}


def _default_aliases(levels: tuple[str, ...]) -> dict[str, str]:
    return {old: new for old, new in DEFAULT_ALIASES.items() if old not in levels and new in levels}


@dataclass(frozen=True)
class Config:
    documents: tuple[str, ...] | None = None  # None: model_spec.md if present, else spec/**/*.md
    challenges: str = "examples"
    section_id: str = r"^[a-z][a-z0-9_]*$"
    clause_id: str = r"^[a-z0-9]{4}$"
    levels: tuple[str, ...] = DEFAULT_LEVELS
    aliases: dict[str, str] = field(default_factory=lambda: _default_aliases(DEFAULT_LEVELS))
    configured_aliases: frozenset[str] = frozenset()  # the old names spectools.yaml itself gives (SPEC206 for those)
    tag_pattern: str = "v*"
    accepted_reuse: frozenset[str] = frozenset()  # clause ids whose past reuse the maintainers accept
    schemas: dict[str, str] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)
    eval: dict[str, Any] = field(default_factory=dict)  # defaults for `spectools eval` (never an endpoint or a key)
    lint: dict[str, Any] = field(default_factory=dict)  # `spectools lint`: word lists to extend or trim, known terms
    site: dict[str, Any] = field(default_factory=dict)  # `spectools site`: title, base_url
    max_file_bytes: int = 10 * 1024 * 1024
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)  # key path -> line in spectools.yaml

    def line(self, *path: Any) -> int:
        return line_of(self.lines, path)


def parse_config(text: str | None, path: str = CONFIG_FILE) -> tuple[Config, list[Diagnostic]]:
    """Read spectools.yaml text (None when there is none). On any problem, the defaults are used."""
    if text is None:
        return Config(), []
    try:
        data, lines = load_yaml(text)
    except YamlError as exc:
        return Config(), [diag("SPEC001", Location(path, exc.line, exc.col), exc.message)]
    if data is None:
        return Config(), []
    if isinstance(data, dict) and isinstance(data.get("checks"), dict):
        # YAML 1.1 reads a bare `off` as false: take it as the user meant it.
        data["checks"] = {k: "off" if v is False else v for k, v in data["checks"].items()}
    problems, bad_keys = _schema_problems(data, lines, path)
    if not isinstance(data, dict):
        return Config(), problems
    cfg = _from_data({k: v for k, v in data.items() if k not in bad_keys}, lines)  # keep what is valid
    for key, attr in (("section", "section_id"), ("clause", "clause_id")):
        try:
            id_pattern(getattr(cfg, attr))
        except PatternError as exc:
            problems.append(diag("SPEC001", Location(path, cfg.line("ids", key), 1), f"ids.{key}: {exc}"))
            cfg = replace(cfg, **{attr: getattr(Config, attr)})
    cfg, found = _confined(cfg, path)
    return cfg, problems + found + _unknown_names(cfg, path)


def _from_data(data: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> Config:
    ids = data.get("ids", {})
    authority = data.get("authority", {})
    return Config(
        documents=tuple(data["documents"]) if "documents" in data else None,
        challenges=data.get("challenges", "examples").rstrip("/") or "/",
        section_id=ids.get("section", Config.section_id),
        clause_id=ids.get("clause", Config.clause_id),
        accepted_reuse=frozenset(ids.get("accepted_reuse", ())),
        levels=tuple(authority.get("levels", DEFAULT_LEVELS)),
        aliases={**_default_aliases(tuple(authority.get("levels", DEFAULT_LEVELS))), **authority.get("aliases", {})},
        configured_aliases=frozenset(authority.get("aliases", {})),
        tag_pattern=data.get("releases", {}).get("tag_pattern", "v*"),
        schemas=dict(data.get("schemas", {})),
        checks=dict(data.get("checks", {})),
        renames=dict(data.get("renames", {})),
        eval=dict(data.get("eval", {})),
        lint=dict(data.get("lint", {})),
        site=dict(data.get("site", {})),
        max_file_bytes=data.get("limits", {}).get("max_file_bytes", Config.max_file_bytes),
        lines=lines,
    )


def _unknown_names(cfg: Config, path: str) -> list[Diagnostic]:
    """Check codes that do not exist, and aliases to a level that is not one."""
    problems = []
    for code in cfg.checks:
        if code not in CHECKS:
            problems.append(
                diag(
                    "SPEC001",
                    Location(path, cfg.line("checks", code), 1),
                    f"checks: unknown check code {code}; see docs/checks.md for the list",
                )
            )
    for old, new in cfg.aliases.items():
        if new not in cfg.levels and old in cfg.configured_aliases:
            problems.append(
                diag(
                    "SPEC001",
                    Location(path, cfg.line("authority", "aliases", old), 1),
                    f"authority.aliases: '{old}' maps to '{new}', which is not one of the levels ({', '.join(cfg.levels)})",
                )
            )
    return problems


def id_pattern(pattern: str) -> Matcher:
    """The compiled id pattern: the defaults on re, a repository's own on RE2 (linear time)."""
    return compile_pattern(pattern, (Config.section_id, Config.clause_id))


_UNREAD_EVAL = {  # docs/SECURITY.md, "State"
    "cache_dir": "the answer cache lives outside the repository, where a pull request cannot write it; remove the key, "
    "and give --cache-dir or $SPECTOOLS_CACHE_DIR to move the cache",
    "fail_under": "a pull request could lower the gate; remove the key, and give --fail-under in the workflow",
}
_OUTSIDE_HINT = "is outside the repository; give a path relative to the repository's root, without '..'"


def _confined(cfg: Config, path: str) -> tuple[Config, list[Diagnostic]]:
    """Paths in the config that could lead out of the repository are findings, and are dropped."""
    problems = []
    documents = cfg.documents
    if documents is not None:
        kept = []
        for n, pattern in enumerate(documents):
            where = Location(path, cfg.line("documents", n), 1)
            if outside(pattern.removeprefix("./")):
                problems.append(diag("SPEC001", where, f"documents: '{pattern}' {_OUTSIDE_HINT}"))
                continue
            try:
                glob_regex(pattern)
            except PatternError as exc:
                problems.append(diag("SPEC001", where, f"documents: '{pattern}': {exc}"))
                continue
            kept.append(pattern)
        documents = tuple(kept)
    challenges = cfg.challenges
    where = Location(path, cfg.line("challenges"), 1)
    if outside(challenges.removeprefix("./")):
        problems.append(diag("SPEC001", where, f"challenges: '{challenges}' {_OUTSIDE_HINT}"))
        challenges = Config.challenges
    try:
        glob_regex(f"{challenges}/*.md")
    except PatternError as exc:
        problems.append(diag("SPEC001", where, f"challenges: '{challenges}': {exc}"))
        challenges = Config.challenges
    schemas = dict(cfg.schemas)
    for kind, file in cfg.schemas.items():
        if outside(file.removeprefix("./")):
            problems.append(
                diag("SPEC001", Location(path, cfg.line("schemas", kind), 1), f"schemas.{kind}: '{file}' {_OUTSIDE_HINT}")
            )
            del schemas[kind]
    evaluation = dict(cfg.eval)
    for key, why in _UNREAD_EVAL.items():  # the repository cannot hold state or a gate that decides a verdict
        if key in evaluation:
            problems.append(diag("SPEC001", Location(path, cfg.line("eval", key), 1), f"eval.{key} is not read: {why}"))
            del evaluation[key]
    return replace(cfg, documents=documents, challenges=challenges, schemas=schemas, eval=evaluation), problems


def _schema_problems(data: Any, lines: dict[tuple[Any, ...], int], path: str) -> tuple[list[Diagnostic], set[str]]:
    """(problems, top-level keys that hold one)."""
    from spectools.io import builtin_valid, schema

    if builtin_valid("config", data):
        return [], set()
    import difflib

    from spectools.io.external import validator as checker

    validator = checker(schema("config"))
    problems = []
    bad: set[str] = set()
    for err in validator.iter_errors(data):
        at = tuple(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = sorted(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - set(known)):
                close = difflib.get_close_matches(str(key), known, n=1) if len(str(key)) <= 80 else []
                hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
                where = ".".join(str(p) for p in (*at, key))
                problems.append(diag("SPEC001", Location(path, line_of(lines, (*at, key)), 1), f"unknown key '{where}'{hint}"))
                bad.add(str(at[0]) if at else str(key))
            continue
        where = ".".join(str(p) for p in at) or "(top level)"
        problems.append(diag("SPEC001", Location(path, line_of(lines, at), 1), f"{where}: {err.message}"))
        if at:
            bad.add(str(at[0]))
    return sorted(problems, key=Diagnostic.sort_key), bad
