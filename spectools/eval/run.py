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
from typing import Any, NamedTuple, TypeVar

from spectools.eval import grader
from spectools.eval.endpoint import MAX_TOKENS, Budget, Endpoint, OutOfBudget, RequestFailed
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


class RunState:
    """What the threads of one run share: the endpoints, the settings, the budget, whether to ask for JSON."""

    def __init__(self, target: Endpoint, judge: Endpoint, settings: Settings) -> None:
        self.target, self.judge, self.settings = target, judge, settings
        self.budget = Budget(settings.max_requests)
        self.structured = True  # until the grader's endpoint refuses response_format
        self._lock = threading.Lock()

    def one(self, task: Task, sample: int) -> Sample | None:
        """The graded sample, or None when the budget ran out before it was done."""
        body = {"model": self.settings.model, "messages": task.messages}
        try:
            answered = self.target.chat(body, sample, budget=self.budget)
        except RequestFailed as exc:
            return Sample(task.id, task.clause.id, sample, None, None, "", f"no answer: {exc}")
        except OutOfBudget:
            return None
        answer, cut_off = answered.text, answered.finish_reason == "length"  # a cut answer is graded as it is, and counted
        grades, failures = [], []
        for k in range(self.settings.grader_samples):
            try:
                reply = self.grade(task.clause, task.section, task.messages, answer, k)
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
            return Sample(task.id, task.clause.id, sample, answer, None, "", f"no grade: {failures[0]}", cut_off)
        score = statistics.median_low(g.score for g in grades)
        reasoning = next(g.reasoning for g in grades if g.score == score)
        return Sample(task.id, task.clause.id, sample, answer, score, reasoning, None, cut_off)

    def grade(
        self, clause: Clause | None, section: Section | None, conversation: list[dict[str, Any]], answer: str, k: int
    ) -> str:
        """The grader's k-th reply for this answer (structured where the endpoint takes it, plain once it refused)."""
        structured = self.structured
        body = grader.request(self.settings.grader_model, clause, section, conversation, answer, structured)
        try:
            return self.judge.chat(body, k, grader.PROMPT_VERSION, self.budget).text
        except RequestFailed as exc:
            if not (structured and "answered 400" in str(exc)):
                raise
        with self._lock:
            self.structured = False  # the endpoint takes no JSON schema: read replies tolerantly
        body = grader.request(self.settings.grader_model, clause, section, conversation, answer, False)
        return self.judge.chat(body, k, grader.PROMPT_VERSION, self.budget).text


T = TypeVar("T")
R = TypeVar("R")


def parallel(
    items: list[T], work: Callable[[T], R | None], concurrency: int, done: Callable[[R], None] | None = None
) -> tuple[list[R], bool, bool]:
    """(what work gave for each item, in no order; all done?; interrupted?). At most `concurrency` at once;
    an item whose work gives None (the budget ran out) leaves the run incomplete; Ctrl-C keeps what is done."""
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    pending: set[Future[R | None]] = {pool.submit(work, item) for item in items}
    out: list[R] = []
    complete, interrupted = True, False
    try:
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                result = future.result()
                if result is None:
                    complete = False
                    continue
                out.append(result)
                if done is not None:
                    done(result)
    except KeyboardInterrupt:
        complete, interrupted = False, True
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
    return out, complete, interrupted


def run(
    todo: list[Task], target: Endpoint, judge: Endpoint, settings: Settings, done: Callable[[Sample], None] | None = None
) -> Outcome:
    """Every sample of every task; `done` is told of each as it finishes (for a progress bar)."""
    state = RunState(target, judge, settings)
    jobs = [(t, s) for t in todo for s in range(settings.samples)]
    samples, complete, interrupted = parallel(jobs, lambda job: state.one(*job), settings.concurrency, done)
    samples.sort(key=lambda s: (s.task, s.sample))
    return Outcome(samples, complete, interrupted)


def grade_once(
    state: RunState, clause: Clause | None, section: Section | None, conversation: list[dict[str, Any]], answer: str
) -> int | None:
    """The median of the grader's readable scores for one answer (None: none could be read, or a request failed)."""
    scores = []
    for k in range(state.settings.grader_samples):
        try:
            found = grader.parse(state.grade(clause, section, conversation, answer, k))
        except (RequestFailed, OutOfBudget):
            continue
        if found is not None:
            scores.append(found.score)
    return statistics.median_low(scores) if scores else None


class Plan(NamedTuple):
    answers: int
    answers_cached: int
    grades: int
    grades_cached: int  # counted only for answers that are cached (the others' grades cannot be known yet)

    @property
    def to_send(self) -> int:
        return self.answers - self.answers_cached + self.grades - self.grades_cached


def plan(
    todo: list[Task], settings: Settings, cache: Any, base_url: str, grader_base_url: str, max_tokens: int = MAX_TOKENS
) -> Plan:
    """What a run would send: every answer and grade (each with its max_tokens), less what the cache already holds."""
    from spectools.eval.endpoint import bounded, cache_key

    answers = cached = grades_cached = 0
    for task in todo:
        for sample in range(settings.samples):
            answers += 1
            body = bounded({"model": settings.model, "messages": task.messages}, max_tokens)
            hit = cache.get(cache_key(body, base_url, sample, "")) if cache is not None else None
            if hit is None:
                continue
            cached += 1
            for k in range(settings.grader_samples):
                request = bounded(
                    grader.request(settings.grader_model, task.clause, task.section, task.messages, hit["text"]), max_tokens
                )
                grades_cached += cache.get(cache_key(request, grader_base_url, k, grader.PROMPT_VERSION)) is not None
    return Plan(answers, cached, answers * settings.grader_samples, grades_cached)
