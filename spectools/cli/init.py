"""`spectools init`: a new spec repository from a template."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from spectools.cli.output import display, say

if TYPE_CHECKING:
    from spectools.authoring.init import Template


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    i = sub.add_parser(
        "init",
        help="create a spec repository from a template",
        description="Create a spec repository in DIR from a template (see --list-templates). Nothing is overwritten: if "
        "any file the template would write exists, the conflicts are listed and nothing is written (exit 1); --force "
        "overwrites those files and only those. Run in a terminal with --name or --authority-levels missing, it asks.",
    )
    i.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the new repository's folder (default: .)")
    i.add_argument(
        "--template",
        default="model-spec",
        metavar="NAME|PATH",
        help="a shipped template (model-spec, the default, or minimal) or a template folder",
    )
    i.add_argument("--name", help="the spec's name, its title (default: My Assistant Spec)")
    i.add_argument(
        "--authority-levels",
        metavar="LEVELS",
        help="authority levels, highest first, separated by commas (default: root,system,developer,user,guideline)",
    )
    i.add_argument("--git", action="store_true", help="git init (unless DIR is a repository), a first commit, and tag v0.1.0")
    i.add_argument("--dry-run", action="store_true", help="list the files that would be written, and write none")
    i.add_argument("--force", action="store_true", help="overwrite the template's files where they exist (never others)")
    i.add_argument("--list-templates", action="store_true", help="list the shipped templates and exit")


def _ask(question: str, default: str) -> str:
    answer = input(f"{question} [{default}]: ").strip()
    return answer or default


def _answers(template: Template, args: argparse.Namespace) -> dict[str, str]:
    """The template's questions, answered by the flags, else at the terminal, else by their defaults; checked."""
    import re

    from spectools.model import SpecError

    given = {"name": args.name, "authority_levels": args.authority_levels}
    answers = {}
    for key, spec in template.questions.items():
        value = given.get(key)
        if value is None:
            default = str(spec.get("default", ""))
            value = _ask(str(spec.get("help", key)), default) if sys.stdin.isatty() and sys.stdout.isatty() else default
        answers[key] = value
    parts = [p.strip() for p in answers.get("authority_levels", "root").split(",")]
    if not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", p) for p in parts) or len(set(parts)) != len(parts):
        raise SpecError(
            f"--authority-levels '{answers.get('authority_levels')}': give distinct names (letters, digits, _ "
            "and -), highest first, separated by commas, such as root,system,developer,user"
        )
    name_given = answers.get("name", "x")
    if not name_given.strip() or any(c in name_given for c in "{}\r\n"):
        raise SpecError("--name: give the spec a one-line name without { or } (it becomes the title heading)")
    return answers


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.authoring import init
    from spectools.model import SpecError

    if args.list_templates:
        for t in init.templates():
            sys.stdout.write(f"{t.name:12} {t.description}\n")
        return 0
    root = Path(args.dir)
    if root.exists() and not root.is_dir():
        raise SpecError(f"{args.dir}: is a file; give a folder for the new repository")
    template = init.find_template(args.template)
    files = init.plan(template, _answers(template, args))
    clashes = init.conflicts(root, files)
    show = display(args.dir)
    if args.dry_run:
        for rel, _ in files:
            sys.stdout.write(f"{'overwrite' if rel in clashes else 'write':9} {show(rel)}\n")
        return 0
    if clashes and not args.force:
        for rel in clashes:
            sys.stderr.write(f"spectools: {show(rel)} exists\n")
        sys.stderr.write(
            f"spectools: nothing was written; {len(clashes)} file{'s' * (len(clashes) != 1)} of the template "
            "already exist (use another folder, or --force to overwrite them)\n"
        )
        return 1
    fresh = not root.exists() or not any(root.iterdir())
    if args.git:  # refused before anything is written, not after
        from spectools.sources.git import require_git

        require_git()
    init.write(root, files)
    sys.stderr.write(f"spectools: wrote {len(files)} files to {args.dir} from the '{template.name}' template\n")
    if args.git:
        say(init.git_start(root, template.name, [rel for rel, _ in files], fresh))
    return 0
