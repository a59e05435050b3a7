"""`spectools eval run`: the spec's challenges against a model, each answer graded against its clause."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from spectools.cli.eval_endpoints import cache, endpoint_flags, endpoints, out_root, outputs_of, urls
from spectools.cli.output import PATH_HELP, Parser, Progress, display, say, warn, write_json

if TYPE_CHECKING:
    from pathlib import Path

    from spectools.eval.endpoint import Endpoint
    from spectools.eval.results import Sample
    from spectools.eval.run import Outcome, Settings, Task
    from spectools.io.results import ClauseResult, RunInfo


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    e = sub.add_parser(
        "eval",
        help="run the challenges against a model and grade every answer against its clause",
        description="Run every challenge file's prompts against a model through an OpenAI-compatible chat-completions "
        "endpoint, and have a grader model score each answer against its clause (1 to 7; an answer passes at the "
        "threshold). Needs `pip install 'spectools[eval]'`. Exit codes: 0 done, 1 under --fail-under, 2 usage or "
        "endpoint problem, every sample failed, or a batch still running past --batch-wait; 130 interrupted (what was "
        "done is written).",
    )
    what = e.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
    r = what.add_parser("run", help="answer and grade the challenges", description=e.description)
    r.add_argument("path", nargs="?", default=".", metavar="PATH", help=PATH_HELP)
    r.add_argument("--model", help="the model under test (or eval.model in spectools.yaml)")
    r.add_argument("--grader-model", metavar="MODEL", help="the grader (default: --model, which is not advised)")
    endpoint_flags(r)
    r.add_argument("--clauses", nargs="+", metavar="ID", help="only these clauses")
    r.add_argument("--changed-since", metavar="REF", help="only the clauses whose text or challenges changed since REF")
    r.add_argument("--samples", type=int, metavar="N", help="answers per prompt (default: 1)")
    r.add_argument("--max-requests", type=int, metavar="N", help="send at most N requests, then stop (incomplete)")
    _grading_flags(r)
    r.add_argument(
        "--developer-role", choices=("developer", "system"), help="the role developer messages get (default: developer)"
    )
    r.add_argument("--dry-run", action="store_true", help="say how many requests the run would send, and send none")
    r.add_argument(
        "--batch",
        action="store_true",
        help="send the answers, then the grades, as two Batch API jobs (half the price at OpenAI; a vLLM batch runner); "
        "a rerun resumes a batch already sent; what a batch did not answer is asked for directly",
    )
    r.add_argument(
        "--batch-poll", type=float, default=30.0, metavar="SECONDS", help="how often to ask a batch how it is (default: 30)"
    )
    r.add_argument(
        "--batch-wait",
        type=float,
        default=86400.0,
        metavar="SECONDS",
        help="how long to wait for a batch, then stop (default: a day)",
    )
    r.add_argument(
        "--out", metavar="FILE", help="write the results (schema/results.schema.json) here, and every answer to FILE.jsonl"
    )
    r.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="what is printed (default: text)")
    r.add_argument("--fail-under", type=float, metavar="RATE", help="exit 1 when the pass rate is under RATE (0 to 1)")
    r.add_argument(
        "--calibration", metavar="FILE", help="a report of `eval calibrate --out`: marks each result calibrated or not"
    )

    from spectools.cli.eval_export import add_export

    _add_calibrate(what)
    add_export(what)


def _add_calibrate(what: argparse._SubParsersAction[Parser]) -> None:
    c = what.add_parser(
        "calibrate",
        help="grade the spec's own GOOD and BAD answers, and say how far the grader agrees",
        description="Grade every labelled candidate of the spec's <comparison> blocks against its section (or the one "
        "BAD[#anchor] names): GOOD should pass, BAD fail. Prints the true positive and negative rates, Cohen's kappa, "
        "per section with Wilson intervals, and the threshold with the best kappa.",
    )
    c.add_argument("path", nargs="?", default=".", metavar="PATH", help=PATH_HELP)
    c.add_argument("--grader-model", metavar="MODEL", help="the grader to calibrate (or eval.grader_model in spectools.yaml)")
    c.add_argument("--model", help="the model you will test (a warning when it is the grader)")
    endpoint_flags(c)
    _grading_flags(c)
    c.add_argument("--clauses", nargs="+", metavar="ID", help="only the labelled answers of the sections of these clauses")
    c.add_argument("--sections", nargs="+", metavar="ANCHOR", help="only the labelled answers graded against these sections")
    c.add_argument("--max-requests", type=int, metavar="N", help="send at most N requests, then stop (the report is incomplete)")
    c.add_argument("--dry-run", action="store_true", help="say how many grades calibrating would ask for, and send none")
    c.add_argument("--out", metavar="FILE", help="write the calibration report (JSON) here")
    c.add_argument("--include-qualified", action="store_true", help="count qualified labels (`GOOD, given ...`) in the rates")
    c.add_argument("--format", choices=("text", "json"), default="text", help="what is printed (default: text)")


def _grading_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--progress-every",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="off a terminal, a progress line this often on stderr (default: 30; 0: none)",
    )
    p.add_argument("--grader-samples", type=int, metavar="K", help="grades per answer, the median decides (default: 1)")
    p.add_argument(
        "--grader-context",
        choices=("section", "spec"),
        help="what the grader reads besides the clause: its section (default), or the whole spec, put before the clause",
    )
    p.add_argument(
        "--preset",
        choices=("openai-model-spec",),
        help="settings of a published method: openai-model-spec = the whole spec as context, 5 grades per answer, "
        "their median, passing at 6 of 7 (a flag still wins)",
    )
    from spectools.eval.grader import THRESHOLD

    p.add_argument("--threshold", type=int, metavar="SCORE", help=f"the score from which an answer passes (default: {THRESHOLD})")
    p.add_argument("--concurrency", type=int, metavar="N", help="requests at once (default: 8)")


def _defaults() -> dict[str, Any]:
    from spectools.eval import grader
    from spectools.eval.endpoint import MAX_TOKENS

    return {"samples": 1, "grader_samples": 1, "threshold": grader.THRESHOLD, "concurrency": 8, "timeout": 60.0,
            "developer_role": "developer", "max_tokens": MAX_TOKENS, "grader_max_tokens": grader.MAX_TOKENS,
            "grader_context": "section"}  # fmt: skip


def _settled(args: argparse.Namespace, root: Path, config: dict[str, Any]) -> argparse.Namespace:
    """The flags, then eval: in spectools.yaml, then the defaults; checked. What spectools.yaml sets is shown with
    the results (threshold and setup), and results of another setup are never compared. A gated run (--fail-under)
    reads nothing from spectools.yaml: a pull request could change what the gate measures (docs/SECURITY.md)."""
    from spectools.model import SpecError

    if getattr(args, "fail_under", None) is not None and config:
        warn(
            "--fail-under gates this run, so the eval: settings of spectools.yaml are not read (a pull request could "
            f"change what the gate measures: {', '.join(sorted(config))}); give them as flags"
        )
        config = {}
    from spectools.eval.grader import PRESETS

    fallback = {**_defaults(), **config, **PRESETS.get(getattr(args, "preset", None) or "", {})}
    settled = argparse.Namespace(**{k: fallback.get(k) if v is None else v for k, v in vars(args).items()})
    needed = "grader_model" if args.what == "calibrate" else "model"
    if not getattr(settled, needed):
        flag = needed.replace("_", "-")
        where = "" if getattr(args, "fail_under", None) is not None else f" (or eval.{needed} in spectools.yaml)"
        raise SpecError(f"give --{flag}{where}")
    _check(settled)
    return settled


def _check(args: argparse.Namespace) -> None:
    from spectools.model import SpecError

    names = ("samples", "grader_samples", "concurrency", "max_requests", "max_tokens", "grader_max_tokens")
    for name, low in zip(names, (1, 1, 1, 0, 1, 1), strict=True):
        value = getattr(args, name, None)
        if value is not None and value < low:
            raise SpecError(f"--{name.replace('_', '-')} takes a whole number from {low}")
    if not 0 < args.timeout <= 3600:
        raise SpecError("--timeout takes seconds, more than 0 and at most 3600")
    if not 1 <= args.threshold <= 7:
        raise SpecError("--threshold takes a score from 1 to 7")
    if getattr(args, "fail_under", None) is not None and not 0 <= args.fail_under <= 1:
        raise SpecError("--fail-under takes a pass rate from 0 to 1, such as 0.8")


def _only(args: argparse.Namespace, root: Path) -> set[str] | None:
    """The clauses to run: --clauses, and those --changed-since finds (both: the ids in both)."""
    only = set(args.clauses) if args.clauses else None
    if args.changed_since:
        from spectools.eval.changed import changed_since

        changed = changed_since(root, args.changed_since)
        only = changed if only is None else only & changed
    return only


def _progress(args: argparse.Namespace, total: int, *endpoints: Endpoint, what: str = "samples") -> Progress:
    """Progress on stderr: a bar on a terminal, else a line every --progress-every seconds."""
    return Progress(total, args.progress_every, lambda: sum(e.sent for e in endpoints), what)


def _batches(args: argparse.Namespace, todo: list[Task], settings: Settings, target: Endpoint, judge: Endpoint) -> None:
    """The answers the cache lacks as one batch, then the grades of those answers as another (eval/batch.py)."""
    from spectools.eval import grader
    from spectools.eval.batch import answer_lines, grade_lines, run_batch
    from spectools.model import SpecError

    if target.cache is None or judge.cache is None:
        raise SpecError("--batch keeps the replies in the answer cache, and a rerun resumes from it: drop --no-cache")
    if settings.max_requests is not None:
        raise SpecError("--batch sends every request at once: --max-requests cannot bound it; give one of them")
    if not (0 < args.batch_poll <= 3600 and args.batch_wait > 0):
        raise SpecError("--batch-poll takes seconds, more than 0 and at most 3600; --batch-wait, more than 0")
    wait = (args.batch_poll, args.batch_wait)
    answers = run_batch(answer_lines(todo, settings, target, target.cache), target, target.cache, wait, say)
    grades = run_batch(
        grade_lines(todo, settings, target, judge, judge.cache), judge, judge.cache, wait, say,
        lambda r: grader.usable(r.text, r.finish_reason),
    )  # fmt: skip
    target.sent, judge.sent = target.sent + answers.sent, judge.sent + grades.sent  # a batch's lines are requests sent
    for what, done in (("answers", answers), ("grades", grades)):
        if done.sent:
            say(f"{what}: {done.loaded} of {done.sent} from the batch ({done.status}); {done.failed} asked for directly")


def _expected(args: argparse.Namespace, root: Path, todo: list[Task], settings: Settings) -> int:
    """How many samples the run will do: all of them, or with --max-requests those the cache holds and those the
    budget can pay for (an answer and its grades each)."""
    total = len(todo) * settings.samples
    if settings.max_requests is None:
        return total
    from spectools.eval.run import plan

    p = plan(todo, settings, cache(args, root), *urls(args), args.max_tokens, args.grader_max_tokens)
    return min(total, p.answers_cached + settings.max_requests // (1 + settings.grader_samples))


def _dry_run(todo: list[Task], args: argparse.Namespace, skipped: int, settings: Settings, root: Path) -> int:
    """Say what a run would send, and why: each prompt answered --samples times, each answer graded --grader-samples
    times, less what the cache holds."""
    from spectools.eval.run import plan

    p = plan(todo, settings, cache(args, root), *urls(args), args.max_tokens, args.grader_max_tokens)
    clauses = len({t.clause.id for t in todo})
    sys.stdout.write(
        f"{len(todo)} prompts from {clauses} clauses' challenge files ({skipped} skipped), {args.samples} answer"
        f"{'s' * (args.samples != 1)} each, each graded {args.grader_samples} time{'s' * (args.grader_samples != 1)}: "
        f"{p.answers} answers ({p.answers_cached} cached) and {p.grades} grades ({p.grades_cached} cached); "
        f"up to {p.to_send if settings.max_requests is None else min(p.to_send, settings.max_requests)} requests would be "
        "sent\n"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    if args.what == "export":
        from spectools.cli.eval_export import export

        return export(args)
    return calibrate(args) if args.what == "calibrate" else run_challenges(args)


def calibrate(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from spectools.eval.calibrate import cases, grade_all, in_scope, report
    from spectools.eval.run import Settings
    from spectools.parse.load import load, open_worktree

    root = Path(args.path)
    loaded = load(open_worktree(root))
    args = _settled(args, root, loaded.config.eval)
    confined = out_root(args, root)  # before anything is sent
    everything, warnings = cases(loaded.spec)
    todo = in_scope(everything, loaded.spec, args.clauses, args.sections)
    anchors = set(loaded.spec.section_index())
    warnings += [f"--sections: no section #{a} in the spec" for a in args.sections or () if a not in anchors]
    for message in warnings:
        warn(message)
    if not todo:
        from spectools.model import SpecError

        raise SpecError(
            "no labelled answers to calibrate on (GOOD or BAD candidates in <comparison> blocks, in the spec or its "
            "challenge files" + (", in the sections asked for" if args.clauses or args.sections else "") + "); add some"
        )
    if args.dry_run:
        grades = len(todo) * args.grader_samples
        sys.stdout.write(
            f"{len(todo)} labelled answers in scope, each graded {args.grader_samples} time(s): up to {grades} requests\n"
        )
        return 0
    if args.model and args.model == args.grader_model:
        warn(f"the grader is the model under test ({args.model}): a model grading its own answers is not calibrated by this")
    _, judge = endpoints(args, root)
    whole = grader_text(args, loaded.spec)
    settings = Settings("", args.grader_model, 1, args.grader_samples, args.threshold, args.concurrency, args.max_requests,
                        whole_spec=whole)  # fmt: skip
    bar = _progress(args, len(todo), judge, what="labelled answers")
    graded, _, interrupted = grade_all(todo, judge, settings, lambda g: bar.update(g.score is None))
    bar.close()
    doc = report(graded, args.threshold, args.include_qualified, len(todo), len(everything))
    doc["grader"] = args.grader_model  # read back by `eval run --calibration`, which warns of another grader
    if not doc["complete"]:
        said = f"{len(graded)} of the spec's {len(everything)} labelled answers graded"
        warn(f"the calibration is incomplete: {said}; it is marked so")
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.out:
        from spectools.io import write_atomic

        write_atomic(Path(args.out), text.encode("utf-8"), confined)
    from spectools.render.results import calibration

    write_json(text) if args.format == "json" else sys.stdout.write(calibration(doc))
    return 130 if interrupted else 0


def run_challenges(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spectools.eval.run import Settings, tasks
    from spectools.parse.load import load, open_worktree

    root = Path(args.path)
    loaded = load(open_worktree(root))
    args = _settled(args, root, loaded.config.eval)
    spec = loaded.spec
    todo, skipped = tasks(spec, _only(args, root), args.developer_role)
    unknown = sorted(set(args.clauses or ()) - {c.id for c in spec.clauses()})
    for message in [*skipped, *(f"--clauses: no clause [^{cid}] in the spec" for cid in unknown)]:
        warn(message)
    grader_model = args.grader_model or args.model
    if args.dry_run:
        settings = Settings(args.model, grader_model, args.samples, args.grader_samples, max_requests=args.max_requests,
                            whole_spec=grader_text(args, spec))  # fmt: skip
        return _dry_run(todo, args, len(skipped), settings, root)
    if grader_model == args.model:
        warn(f"the grader is the model under test ({args.model}); give --grader-model for a fairer grade")
    settings = Settings(
        args.model,
        grader_model,
        args.samples,
        args.grader_samples,
        args.threshold,
        args.concurrency,
        args.max_requests,
        args.developer_role,
        grader_text(args, spec),
    )
    return _run(args, root, spec, todo, settings)


def grader_text(args: argparse.Namespace, spec: Any) -> str:
    """The whole spec's text for the grader with --grader-context spec, else "" (its section only)."""
    from spectools.eval.grader import spec_text

    return spec_text(spec) if args.grader_context == "spec" else ""


def _run(args: argparse.Namespace, root: Path, spec: Any, todo: list[Task], settings: Settings) -> int:
    calibration = _calibration(args)  # a bad report is refused before anything is sent
    outputs = outputs_of(args)  # and so is an --out that may not be written
    from spectools.eval.results import per_clause, where
    from spectools.eval.run import run as run_all

    target, judge = endpoints(args, root)
    if args.batch:
        _batches(args, todo, settings, target, judge)
    bar = _progress(args, _expected(args, root, todo, settings), target, judge)
    started = _now()
    outcome = run_all(todo, target, judge, settings, lambda s: bar.update(s.error is not None))
    bar.close()
    results = per_clause(outcome.samples, where(spec), settings.threshold)
    if calibration is not None:
        results = [r._replace(calibrated=calibration[0].get(r.section or "", False)) for r in results]
    from spectools.eval.results import run_info

    info = run_info(root, settings, started, _now(), outcome, target, judge)
    _write(args, outputs, info, results, outcome.samples, calibration[1] if calibration else None)
    _say(outcome, target, judge)
    return _exit_code(args, outcome, results)


def _exit_code(args: argparse.Namespace, outcome: Outcome, results: list[ClauseResult]) -> int:
    """130 interrupted; 2 when every sample failed (nothing was measured: an endpoint out of reach, say), with the
    first failure; 1 under --fail-under; else 0."""
    from spectools.model import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

    if outcome.interrupted:
        say("interrupted: no request was sent after Ctrl-C; what was done is written")
        return EXIT_INTERRUPTED
    if outcome.samples and all(s.error for s in outcome.samples):
        first = next(s.error for s in outcome.samples if s.error)
        say(f"error: every sample failed, so the run measured nothing; the first failure: {first}")
        return EXIT_USAGE
    if args.fail_under is None:
        return EXIT_OK
    graded, passed = sum(r.samples for r in results), sum(r.passed for r in results)
    rate = passed / graded if graded else 0.0
    if not outcome.complete:  # a gate passes only on a whole measure
        say(f"exit code 1: the run is incomplete, so it cannot pass --fail-under {args.fail_under:g}")
        return EXIT_FINDINGS
    if rate < args.fail_under:
        say(f"exit code 1: the pass rate {rate:.2f} is under --fail-under {args.fail_under:g}")
        return EXIT_FINDINGS
    return EXIT_OK


def _calibration(args: argparse.Namespace) -> tuple[dict[str, bool], dict[str, Any]] | None:
    """({section: calibrated?}, the grader's kappa, TPR, TNR and completeness) from --calibration (read before anything
    is sent)."""
    if not args.calibration:
        return None
    from spectools.io.results import load_calibration

    sections, said, warning = load_calibration(args.calibration)
    if warning:
        warn(warning)
    grader, threshold = said.pop("grader", None), said.pop("threshold", None)
    if grader not in (None, args.grader_model or args.model) or threshold not in (None, args.threshold):
        warn(
            f"{args.calibration} calibrated {grader or 'another grader'} at threshold {threshold}; this run grades with "
            f"{args.grader_model or args.model} at {args.threshold}: its calibration says little of this run"
        )
    return sections, said


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(
    args: argparse.Namespace,
    outputs: list[tuple[Path, Path | None]],
    info: RunInfo,
    results: list[ClauseResult],
    samples: list[Sample],
    calibration: dict[str, Any] | None,
) -> None:
    from spectools.eval.results import audit_lines
    from spectools.io.results import document, dumps

    doc = document(info, results, calibration)
    text = dumps(doc)
    if outputs:
        from spectools.io import write_atomic

        (out, out_at), (audit, audit_at) = outputs
        write_atomic(out, text.encode("utf-8"), out_at)
        write_atomic(audit, audit_lines(samples).encode("utf-8"), audit_at)
        say(f"wrote the results to {display('.')(str(out))} and every answer to {display('.')(str(audit))}")
    if args.format == "json":
        write_json(text)
    else:
        from spectools.render.results import markdown
        from spectools.render.results import text as as_text

        sys.stdout.write((markdown if args.format == "markdown" else as_text)(doc))


def _say(outcome: Outcome, target: Endpoint, judge: Endpoint) -> None:
    errors = sum(1 for s in outcome.samples if s.error)
    state = "complete" if outcome.complete else ("interrupted" if outcome.interrupted else "incomplete (--max-requests)")
    sent, hits = target.sent + judge.sent, target.hits + judge.hits
    tokens = target.prompt_tokens + judge.prompt_tokens + target.completion_tokens + judge.completion_tokens
    cut = sum(1 for s in outcome.samples if s.cut_off)
    n = len(outcome.samples)
    counts = f"{n} sample{'s' * (n != 1)}, {errors} error{'s' * (errors != 1)}, {cut} cut at max_tokens; {sent} requests, "
    counts += f"{hits} from the cache"
    say(f"{counts}, {tokens} tokens; the run is {state}")
    if outcome.fell_back:
        warn(f"the grader's endpoint refused the JSON schema, so later grades were asked for as plain text: {outcome.fell_back}")
    failures = target.cache_failures + judge.cache_failures
    if failures:
        warn(f"{len(failures)} replies could not be kept in the cache (the run has them; a rerun asks again): {failures[0]}")
