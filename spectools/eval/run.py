"""Run the challenges: every prompt answered `samples` times by the model under test, and every answer
graded `grader_samples` times (the median score decides), with at most `concurrency` requests at once.

A sample whose answer or grade cannot be had is an error, counted and kept apart. --max-requests and
Ctrl-C stop the run cleanly: what is done is kept (and cached), and the run is marked incomplete.
"""

from __future__ import annotations

import statistics
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, NamedTuple

from spectools.eval import grader
from spectools.eval.endpoint import Budget, Endpoint, OutOfBudget, RequestFailed
from spectools.eval.prompt import messages
from spectools.eval.results import Sample
from spectools.model import Clause, Section, Spec


class Task(NamedTuple):
    id: str  # "<clause>/<n>": the n-th example of the clause's challenge file
    clause: Clause
    section: Section | None
    messages: list[dict[str, Any]]


class Settings(NamedTuple):
    model: str
    grader_model: str
    samples: int = 1
    grader_samples: int = 1
    threshold: int = grader.THRESHOLD
    concurrency: int = 8
    max_requests: int | None = None
    developer_role: str = "developer"


class Outcome(NamedTuple):
    samples: list[Sample]
    complete: bool  # every sample was done (no budget spent, no interruption)
    interrupted: bool


def tasks(spec: Spec, only: set[str] | None = None, developer_role: str = "developer") -> tuple[list[Task], list[str]]:
    """(a task per example of every challenge file, warnings for challenge files whose clause does not exist)."""
    clauses = {c.id: c for c in spec.clauses()}
    sections = {s.anchor: s for s in spec.sections()}
    out: list[Task] = []
    warnings = []
    for challenge in sorted(spec.challenges, key=lambda c: c.clause_id):
        cid = challenge.clause_id
        if only is not None and cid not in only:
            continue
        clause = clauses.get(cid)
        if clause is None:
            warnings.append(f"{challenge.path}: no clause [^{cid}] in the spec, so its challenges were skipped")
            continue
        for n, example in enumerate(challenge.examples, 1):
            sent = messages(example, developer_role)
            if sent:
                out.append(Task(f"{cid}/{n}", clause, sections.get(clause.section or ""), sent))
    return out, warnings


class _Run:
    def __init__(self, target: Endpoint, judge: Endpoint, settings: Settings) -> None:
        self.target, self.judge, self.settings = target, judge, settings
        self.budget = Budget(settings.max_requests)
        self.structured = True  # until the grader's endpoint refuses response_format
        self._lock = threading.Lock()

    def one(self, task: Task, sample: int) -> Sample | None:
        """The graded sample, or None when the budget ran out before it was done."""
        body = {"model": self.settings.model, "messages": task.messages}
        try:
            answer = self.target.chat(body, sample, budget=self.budget).text
        except RequestFailed as exc:
            return Sample(task.id, task.clause.id, sample, None, None, "", f"no answer: {exc}")
        except OutOfBudget:
            return None
        grades, failures = [], []
        for k in range(self.settings.grader_samples):
            try:
                reply = self._grade(task, answer, k)
            except RequestFailed as exc:
                failures.append(str(exc))
                continue
            except OutOfBudget:
                return None
            found = grader.parse(reply)
            if found is None:
                failures.append("the grader's reply could not be read")
            else:
                grades.append(found)
        if not grades:
            return Sample(task.id, task.clause.id, sample, answer, None, "", f"no grade: {failures[0]}")
        score = statistics.median_low(g.score for g in grades)
        reasoning = next(g.reasoning for g in grades if g.score == score)
        return Sample(task.id, task.clause.id, sample, answer, score, reasoning, None)

    def _grade(self, task: Task, answer: str, k: int) -> str:
        structured = self.structured
        body = grader.request(self.settings.grader_model, task.clause, task.section, task.messages, answer, structured)
        try:
            return self.judge.chat(body, k, grader.PROMPT_VERSION, self.budget).text
        except RequestFailed as exc:
            if not (structured and "answered 400" in str(exc)):
                raise
        with self._lock:
            self.structured = False  # the endpoint takes no JSON schema: read replies tolerantly
        body = grader.request(self.settings.grader_model, task.clause, task.section, task.messages, answer, False)
        return self.judge.chat(body, k, grader.PROMPT_VERSION, self.budget).text


def run(
    todo: list[Task], target: Endpoint, judge: Endpoint, settings: Settings, done: Callable[[Sample], None] | None = None
) -> Outcome:
    """Every sample of every task; `done` is told of each as it finishes (for a progress bar)."""
    state = _Run(target, judge, settings)
    pool = ThreadPoolExecutor(max_workers=max(1, settings.concurrency))
    pending: set[Future[Sample | None]] = {pool.submit(state.one, t, s) for t in todo for s in range(settings.samples)}
    samples: list[Sample] = []
    complete, interrupted = True, False
    try:
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                sample = future.result()
                if sample is None:
                    complete = False
                    continue
                samples.append(sample)
                if done is not None:
                    done(sample)
    except KeyboardInterrupt:
        complete, interrupted = False, True
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
    samples.sort(key=lambda s: (s.task, s.sample))
    return Outcome(samples, complete, interrupted)
