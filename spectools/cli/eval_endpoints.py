"""Where `spectools eval` sends requests and keeps what it gets: the endpoint flags, each endpoint's own key, the
answer cache outside the repository, and the files --out names (docs/SECURITY.md, "Keys" and "State")."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spectools.eval.endpoint import Cache, Endpoint


def endpoint_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-url", metavar="URL", help="the endpoint (default: $OPENAI_BASE_URL, else OpenAI's)")
    p.add_argument("--grader-base-url", metavar="URL", help="the grader's endpoint (default: --base-url)")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="NAME", help="the variable that holds the key")
    p.add_argument(
        "--grader-api-key-env",
        default="SPECTOOLS_GRADER_API_KEY",
        metavar="NAME",
        help="the variable that holds the grader's key (default: SPECTOOLS_GRADER_API_KEY; needed when the grader's "
        "endpoint is another one)",
    )
    p.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="the most one request may take, retries included (default: 60)"
    )
    p.add_argument("--max-tokens", type=int, metavar="N", help="max_tokens of every answer (default: 4096)")
    p.add_argument(
        "--grader-max-tokens",
        type=int,
        metavar="N",
        help="max_tokens of every grade (default: 1024; a grade cut there is an error, never a score)",
    )
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where answers and grades are kept, outside the repository (default: eval/ in $SPECTOOLS_CACHE_DIR, "
        "else in $XDG_CACHE_HOME/spectools, else ~/.cache/spectools/eval)",
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


def urls(args: argparse.Namespace) -> tuple[str, str]:
    """(the endpoint, the grader's endpoint): flags, then $OPENAI_BASE_URL, then OpenAI's."""
    from spectools.eval.endpoint import OPENAI_URL

    base = (args.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL).rstrip("/")
    return base, (args.grader_base_url or base).rstrip("/")


def _keys(args: argparse.Namespace, base: str, grader_base: str) -> tuple[str, str]:
    """(the answerer's key, the grader's key). A key goes only to its own endpoint: the grader's comes from
    --grader-api-key-env; when that is unset, the answerer's is used only if both endpoints are the same one."""
    from spectools.model import SpecError

    key = os.environ.get(args.api_key_env, "")
    grader_key = os.environ.get(args.grader_api_key_env, "")
    if grader_key:
        return key, grader_key
    if grader_base != base and key:
        raise SpecError(
            f"the grader's endpoint ({grader_base}) is not the model's ({base}), and ${args.grader_api_key_env} is not "
            f"set: spectools never sends ${args.api_key_env} to another endpoint. Set ${args.grader_api_key_env} "
            "(or name the variable with --grader-api-key-env) to the grader's key"
        )
    return key, key


def cache(args: argparse.Namespace, root: Path) -> Cache | None:
    """The answer cache: --cache-dir, else the user's cache folder; never inside the repository, where a pull request
    could commit forged replies (docs/SECURITY.md, "State")."""
    from spectools.eval.endpoint import Cache
    from spectools.io import cache_home, inside
    from spectools.model import SpecError
    from spectools.sources.git import toplevel

    if args.no_cache:
        return None
    folder = Path(args.cache_dir) if args.cache_dir else cache_home() / "eval"
    top = toplevel(root)
    if inside(folder, top):
        raise SpecError(
            f"{folder}: the answer cache is inside the repository {top}, where a pull request could commit forged "
            "replies; give a --cache-dir outside it (or set $SPECTOOLS_CACHE_DIR)"
        )
    return Cache(folder)


def endpoints(args: argparse.Namespace, root: Path) -> tuple[Endpoint, Endpoint]:
    from spectools.eval.endpoint import Endpoint

    base, grader_base = urls(args)
    key, grader_key = _keys(args, base, grader_base)
    kept = cache(args, root)
    return (
        Endpoint(base, key, timeout=args.timeout, cache=kept, max_tokens=args.max_tokens),
        Endpoint(grader_base, grader_key, timeout=args.timeout, cache=kept, max_tokens=args.grader_max_tokens),
    )


def out_root(args: argparse.Namespace, root: Path) -> Path | None:
    """The root calibrate's --out is confined to, checked now (see outputs_of)."""
    from pathlib import Path

    from spectools.io import root_for, target_of
    from spectools.sources.git import toplevel

    if not args.out:
        return None
    confined = root_for(Path(args.out), toplevel(root))
    target_of(Path(args.out), confined)
    return confined


def outputs_of(args: argparse.Namespace) -> list[tuple[Path, Path | None]]:
    """(path, the root it is confined to) of the results file and the audit file --out names, each checked now: a link
    the pull request committed there may lead only inside the repository (SpecError before any request is sent)."""
    from pathlib import Path

    from spectools.io import root_for, target_of
    from spectools.sources.git import toplevel

    if not args.out:
        return []
    out = Path(args.out)
    audit = out.with_name(out.name + "l" if out.suffix == ".json" else out.name + ".jsonl")  # results.json -> .jsonl
    top = toplevel(Path(args.path))
    found = [(path, root_for(path, top)) for path in (out, audit)]
    for path, root in found:
        target_of(path, root)
    return found
