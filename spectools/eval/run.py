"""Run the challenges: every prompt answered `samples` times by the model under test, and every answer
graded `grader_samples` times (the median score decides), with at most `concurrency` requests at once.

A sample whose answer or grade cannot be had is an error, counted and kept apart. --max-requests and
Ctrl-C stop the run cleanly: what is done is kept (and cached), and the run is marked incomplete.
"""

from __future__ import annotations

import queue
import statistics
import threading
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from spectools.eval import grader
from spectools.eval.endpoint import MAX_TOKENS, Budget, Endpoint, OutOfBudget, Reply, RequestFailed
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
    whole_spec: str = ""  # the spec's text, before each clause the grader sees (--grader-context spec); "": its section


class Outcome(NamedTuple):
    samples: list[Sample]
    complete: bool  # every sample was done (no budget spent, no interruption)
    interrupted: bool
    fell_back: str = ""  # why grades were asked for as plain text ("": they never were)


def tasks(spec: Spec, only: set[str] | None = None, developer_role: str = "developer") -> tuple[list[Task], list[str]]:
    """(a task per example of every challenge file, warnings for challenge files whose clause does not exist)."""
    clauses = {c.id: c for c in spec.clauses()}
    sections = spec.section_index()  # the first section of an anchor wins, as everywhere
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


class Graded(NamedTuple):
    """The grades of one answer: the median score (None: none could be had), its reasoning, why grades failed, and
    how they were asked for."""

    score: int | None
    reasoning: str
    failures: list[str]
    modes: set[str]


class RunState:
    """What the threads of one run share: the endpoints, the settings, the budget, whether to ask for JSON."""

    def __init__(self, target: Endpoint, judge: Endpoint, settings: Settings) -> None:
        self.target, self.judge, self.settings = target, judge, settings
        self.budget = Budget(settings.max_requests)
        self.structured = True  # until the grader's endpoint says it cannot take response_format
        self.fell_back = ""  # what the endpoint said when it refused the JSON schema (shown with the results)
        self._lock = threading.Lock()

    def one(self, task: Task, sample: int) -> Sample | None:
        """The graded sample, or None when the budget ran out (or the run was stopped) before it was done."""
        body = {"model": self.settings.model, "messages": task.messages}
        try:
            answered = self.target.chat(body, sample, budget=self.budget)
        except RequestFailed as exc:
            return Sample(task.id, task.clause.id, sample, None, None, "", f"no answer: {exc}")
        except OutOfBudget:
            return None
        answer, cut_off = answered.text, answered.finish_reason == "length"  # a cut answer is graded as it is, and counted
        try:
            graded = grade(self, task.clause, task.section, task.messages, answer)
        except OutOfBudget:
            return None
        mode = "+".join(sorted(graded.modes))
        if graded.score is None:
            error = f"no grade: {graded.failures[0]}"
            return Sample(task.id, task.clause.id, sample, answer, None, "", error, cut_off, mode)
        return Sample(task.id, task.clause.id, sample, answer, graded.score, graded.reasoning, None, cut_off, mode,
                      tuple(graded.failures))  # fmt: skip

    def ask(
        self, clause: Clause | None, section: Section | None, conversation: list[dict[str, Any]], answer: str, k: int
    ) -> tuple[Reply, str]:
        """The grader's k-th reply for this answer, and how it was asked for: with the JSON schema while the endpoint
        takes it; as plain text (read tolerantly) once a 400 said it cannot. Any other failure is this grade's."""
        structured = self.structured
        whole = self.settings.whole_spec
        body = grader.request(self.settings.grader_model, clause, section, conversation, answer, structured, whole)
        good = _usable
        try:
            return self.judge.chat(body, k, grader.PROMPT_VERSION, self.budget, good), ("json_schema" if structured else "plain")
        except RequestFailed as exc:
            if not (structured and grader.refuses_schema(exc.status, str(exc))):
                raise
            with self._lock:
                self.structured, self.fell_back = False, self.fell_back or str(exc)
        body = grader.request(self.settings.grader_model, clause, section, conversation, answer, False, whole)
        return self.judge.chat(body, k, grader.PROMPT_VERSION, self.budget, good), "plain"


def _usable(reply: Reply) -> bool:
    return grader.usable(reply.text, reply.finish_reason)


def grade(
    state: RunState, clause: Clause | None, section: Section | None, conversation: list[dict[str, Any]], answer: str
) -> Graded:
    """The one grading loop (eval run and calibrate): --grader-samples grades, the median of the readable ones. A grade
    cut at max_tokens or unreadable is a failure, never a score. OutOfBudget when the run stops on the way."""
    grades: list[grader.Grade] = []
    failures: list[str] = []
    modes: set[str] = set()
    for k in range(state.settings.grader_samples):
        try:
            reply, mode = state.ask(clause, section, conversation, answer, k)
        except RequestFailed as exc:
            failures.append(str(exc))
            continue
        modes.add(mode)
        found = grader.parse(reply.text)
        if reply.finish_reason == "length":
            failures.append("the grader's reply was cut at max_tokens (raise --grader-max-tokens)")
        elif found is None:
            failures.append("the grader's reply could not be read")
        else:
            grades.append(found)
    if not grades:
        return Graded(None, "", failures, modes)
    score = statistics.median_low(g.score for g in grades)
    return Graded(score, next(g.reasoning for g in grades if g.score == score), failures, modes)


T = TypeVar("T")
R = TypeVar("R")


def parallel(
    items: list[T],
    work: Callable[[T], R | None],
    concurrency: int,
    done: Callable[[R], None] | None = None,
    budget: Budget | None = None,
) -> tuple[list[R], bool, bool]:
    """(what work gave for each item, in no order; all done?; interrupted?). At most `concurrency` at once, on daemon
    threads; an item whose work gives None (the budget ran out) leaves the run incomplete. Ctrl-C stops at once:
    the budget is stopped (no request is sent after it), what is done is kept, and work still in flight is
    abandoned (its threads end with the process)."""
    todo: queue.Queue[T] = queue.Queue()
    for item in items:
        todo.put(item)
    results: queue.Queue[tuple[BaseException | None, R | None]] = queue.Queue()

    def worker() -> None:
        while True:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results.put((None, work(item)))
            except BaseException as exc:  # handed to the main thread, which raises it (a bug is never swallowed)
                results.put((exc, None))

    for n in range(max(1, min(concurrency, len(items)))):
        threading.Thread(target=worker, daemon=True, name=f"spectools-eval-{n}").start()
    out: list[R] = []
    complete = True
    try:
        for _ in items:
            failed, result = results.get()
            if failed is not None:
                raise failed
            if result is None:
                complete = False
                continue
            out.append(result)
            if done is not None:
                done(result)
    except KeyboardInterrupt:
        if budget is not None:
            budget.stop()
        while not todo.empty():  # nothing more is started
            try:
                todo.get_nowait()
            except queue.Empty:
                break
        return out, False, True
    return out, complete, False


def run(
    todo: list[Task], target: Endpoint, judge: Endpoint, settings: Settings, done: Callable[[Sample], None] | None = None
) -> Outcome:
    """Every sample of every task; `done` is told of each as it finishes (for progress)."""
    state = RunState(target, judge, settings)
    jobs = [(t, s) for t in todo for s in range(settings.samples)]
    samples, complete, interrupted = parallel(jobs, lambda job: state.one(*job), settings.concurrency, done, state.budget)
    samples.sort(key=lambda s: (s.task, s.sample))
    return Outcome(samples, complete, interrupted, state.fell_back)


class Plan(NamedTuple):
    answers: int
    answers_cached: int
    grades: int
    grades_cached: int  # counted only for answers that are cached (the others' grades cannot be known yet)

    @property
    def to_send(self) -> int:
        return self.answers - self.answers_cached + self.grades - self.grades_cached


def plan(
    todo: list[Task],
    settings: Settings,
    cache: Any,
    base_url: str,
    grader_base_url: str,
    max_tokens: int = MAX_TOKENS,
    grader_max_tokens: int = grader.MAX_TOKENS,
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
                    grader.request(
                        settings.grader_model, task.clause, task.section, task.messages, hit["text"], True, settings.whole_spec
                    ),
                    grader_max_tokens,
                )
                kept = cache.get(cache_key(request, grader_base_url, k, grader.PROMPT_VERSION))
                grades_cached += kept is not None and grader.usable(kept["text"], str(kept.get("finish_reason") or ""))
    return Plan(answers, cached, answers * settings.grader_samples, grades_cached)
