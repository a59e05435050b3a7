"""templates/ -> a new spec repository. Each template is also a copier template (copier.yml), and
`spectools init` renders it the way copier does: files ending in the templates suffix (.jinja) are
rendered with Jinja and lose the suffix, names are rendered too, everything else is copied as it is."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from spectools.io import YamlError, data_dir, load_yaml, write_atomic
from spectools.model import SpecError

EXCLUDE = ("copier.yaml", "copier.yml", "~*", "*.py[co]", "__pycache__", ".git", ".DS_Store", ".svn")  # copier's own
FIRST_TAG = "v0.1.0"


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    description: str
    questions: dict[str, dict[str, Any]]
    suffix: str
    envops: dict[str, Any]
    answers_file: str


def templates() -> list[Template]:
    root = data_dir("templates")
    return [load_template(p) for p in sorted(root.iterdir()) if (p / "copier.yml").is_file()]


def load_template(path: Path) -> Template:
    config_path = path / "copier.yml"
    if not config_path.is_file():
        raise SpecError(f"{path}: not a template (it has no copier.yml); see `spectools init --list-templates`")
    text = config_path.read_text(encoding="utf-8")
    try:
        data, _ = load_yaml(text)
    except YamlError as exc:
        raise SpecError(f"{config_path}:{exc.line}: {exc.message}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{config_path}: must be a mapping of questions and _settings")
    first = text.splitlines()[0] if text else ""
    questions = {k: (v if isinstance(v, dict) else {"default": v}) for k, v in data.items() if not k.startswith("_")}
    return Template(
        name=path.name,
        path=path,
        description=first.lstrip("# ").strip() if first.startswith("#") else "",
        questions=questions,
        suffix=str(data.get("_templates_suffix", ".jinja")),
        envops=dict(data.get("_envops", {})),
        answers_file=str(data.get("_answers_file", ".copier-answers.yml")),
    )


def find_template(name_or_path: str) -> Template:
    path = Path(name_or_path)
    if os.sep in name_or_path or "/" in name_or_path or name_or_path.startswith("."):
        if not path.is_dir():
            raise SpecError(f"{name_or_path}: no such template folder")
        return load_template(path)
    known = {t.name: t for t in templates()}
    if name_or_path not in known:
        raise SpecError(
            f"unknown template '{name_or_path}'; choose one of {', '.join(sorted(known))} "
            "(see `spectools init --list-templates`), or give a template folder"
        )
    return known[name_or_path]


def _environment(template: Template) -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, **{"keep_trailing_newline": True, **template.envops})


def plan(template: Template, answers: dict[str, str]) -> list[tuple[str, bytes]]:
    """(path in the new repository, bytes) for every file, rendered; nothing is written."""
    from jinja2 import TemplateError

    env = _environment(template)
    src = str(template.path)
    context = {
        **answers,
        "_copier_conf": {"answers_file": template.answers_file, "src_path": src},
        "_copier_answers": {"_src_path": src, **{k: answers[k] for k in template.questions}},
    }
    out: list[tuple[str, bytes]] = []
    for dirpath, dirnames, filenames in os.walk(template.path, followlinks=False):
        rel_dir = Path(dirpath).relative_to(template.path)
        for name in [*dirnames, *filenames]:
            full = Path(dirpath) / name
            if full.is_symlink():
                raise SpecError(f"{full}: templates may not hold symlinks (they could point outside the new repository)")
        dirnames[:] = sorted(d for d in dirnames if not _excluded(d))
        for name in sorted(filenames):
            if _excluded(name):
                continue
            source = Path(dirpath) / name
            rel = PurePosixPath(*rel_dir.parts, name).as_posix()
            try:
                target = env.from_string(rel).render(context)
                if rel.endswith(template.suffix):
                    target = target[: -len(template.suffix)]
                    data = env.from_string(source.read_text(encoding="utf-8")).render(context).encode("utf-8")
                else:
                    data = source.read_bytes()
            except TemplateError as exc:
                line = getattr(exc, "lineno", None)
                raise SpecError(f"{source}{f':{line}' if line else ''}: the template cannot be rendered: {exc}") from None
            except UnicodeDecodeError as exc:
                raise SpecError(
                    f"{source}: a template file ending in {template.suffix} must be UTF-8 text (byte {exc.start} is not)"
                ) from None
            out.append((_safe(target, source), data))
    return sorted(out)


def _excluded(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in EXCLUDE)


def _safe(target: str, source: Path) -> str:
    """A rendered path must stay inside the new repository."""
    p = PurePosixPath(target)
    if p.is_absolute() or ".." in p.parts or not p.parts or target.startswith("/"):
        raise SpecError(f"{source}: renders to '{target}', which is outside the new repository; templates may not do that")
    return p.as_posix()


def conflicts(root: Path, files: list[tuple[str, bytes]]) -> list[str]:
    """The template's paths that exist already, or that a file standing where a folder must go would block."""
    return [rel for rel, _ in files if (root / rel).exists() or (root / rel).is_symlink() or _blocked(root, rel)]


def _blocked(root: Path, rel: str) -> bool:
    parent = (root / rel).parent
    while parent != root and parent != parent.parent:
        if parent.exists() and not parent.is_dir():
            return True
        parent = parent.parent
    return False


def write(root: Path, files: list[tuple[str, bytes]]) -> None:
    from spectools.io import target_of

    for rel, _ in files:  # a symlinked folder in DIR must not lead a file out of it: checked before any write
        target_of(root / rel, root)
    for rel, data in files:
        path = root / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data, root)
        except OSError as exc:
            raise SpecError(
                f"{path}: cannot write it ({exc.strerror}); the files before it in `--dry-run` were written"
            ) from None


def git_start(root: Path, template: str, files: list[str], fresh: bool) -> str:
    """Commit the files init wrote, and nothing else; say what was done.

    - DIR was new or empty (fresh): it gets a repository of its own, even inside another one,
      a first commit and the first release tag;
    - DIR held files and is inside a repository already: no `git init`, no tag; the written files
      are committed alone (`git commit --only`), so the user's own changes, staged or not, and
      untracked files stay out of the commit;
    - DIR held files and is in no repository: `git init`, the written files alone, and the tag.
    """

    from spectools.sources.git import GitError, require_git, run

    def git(*args: str) -> str:
        try:
            return run(["--literal-pathspecs", *args], root).decode("utf-8", "replace")
        except GitError as exc:
            raise SpecError(
                f"git {args[0]} failed in {root}: {exc.stderr.strip()}; the files are written, finish with git by hand"
            ) from None

    def asks(*args: str) -> str | None:
        try:
            return run(args, root).decode("utf-8", "replace")
        except GitError:
            return None

    require_git()
    existing = asks("rev-parse", "--show-toplevel") is not None and not fresh
    if not existing:
        git("init", "-q", "-b", "main")
    git("add", "--", *files)
    who = (asks("var", "GIT_COMMITTER_IDENT") or "").strip()
    identity = [] if who else ["-c", "user.name=spectools init", "-c", "user.email=init@spectools.invalid"]
    git(*identity, "commit", "-q", "--only", "-m", f"Start the spec from the spectools '{template}' template", "--", *files)
    said = "committed them" if not existing else "committed them (and nothing else) in the existing repository; no tag made"
    if not existing:
        git("tag", FIRST_TAG)
        said += f" and tagged {FIRST_TAG}"
    if not who:
        said += (
            " (git has no user.email here, so the commit's author is 'spectools init'; "
            "set yours and run `git commit --amend --reset-author`)"
        )
    return said
