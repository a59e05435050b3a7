"""`spectools eval export --to inspect`: the challenges as an Inspect (inspect_ai) dataset, the spec's
labelled answers as a calibration dataset, and a task file that grades as spectools does (the same prompt, the
same JSON schema, an unreadable grade no score).

Every piece of spec text goes into the JSON Lines datasets, as data; the task file is spectools' own
code and holds none of it. Inspect has no developer role, so developer messages become system ones.
"""

from __future__ import annotations

import json
from typing import Any

from spectools.eval import grader
from spectools.eval.calibrate import Case, cases
from spectools.eval.run import Task, tasks
from spectools.model import Spec

DATASET = "spectools_dataset.jsonl"
CALIBRATION = "spectools_calibration.jsonl"
TASK = "spectools_task.py"

TASK_FILE = '''"""Inspect tasks for a behaviour spec, written by `spectools eval export --to inspect`.

    inspect eval {task} --model openai/MODEL --model-role grader=openai/GRADER
    inspect eval {task}@calibration --model-role grader=openai/GRADER --model mockllm/model

Graded as `spectools eval` grades: the same prompt, the same JSON schema, a score from 1 to 7 that passes at
{threshold}. A grade cut at max_tokens or that cannot be read is no score: left out of `graded_accuracy` and
counted by `unreadable`, never a disagreement. The datasets beside this file hold every prompt, clause and labelled
answer; this file holds none.
"""

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from inspect_ai import Task, task
from inspect_ai.dataset import json_dataset
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, ModelOutput, ResponseSchema, get_model
from inspect_ai.scorer import CORRECT, INCORRECT, Score, Target, metric, scorer
from inspect_ai.solver import Generate, TaskState, generate, solver
from inspect_ai.util import JSONSchema

HERE = Path(__file__).resolve().parent
INSTRUCTIONS = {instructions!r}
SCHEMA = {schema!r}
THRESHOLD = {threshold!r}
MAX_TOKENS = {max_tokens!r}


# how spectools reads a grade (spectools/eval/grader.py), copied here as it is
{reader}


def read_grade(text):
    return parse(text)


NO_SCORE = -1.0  # an unreadable grade's value (C is 1, I is 0): kept apart through Inspect's reducers


def _values(scores):
    """Each sample's value as 1 (C), 0 (I) or None (no score), before or after Inspect's epoch reducer."""
    out = []
    for s in scores:
        v = getattr(getattr(s, "score", s), "value", None)
        v = {{CORRECT: 1.0, INCORRECT: 0.0}}.get(v, v) if isinstance(v, str) else v
        out.append(float(v) if isinstance(v, (int, float)) and v >= 0 else None)
    return out


@metric
def graded_accuracy():
    """The share of CORRECT among the samples that got a score (an unreadable grade is no score)."""

    def compute(scores):
        graded = [v for v in _values(scores) if v is not None]
        return sum(graded) / len(graded) if graded else 0.0

    return compute


@metric
def unreadable():
    """Samples whose grade was cut at max_tokens or could not be read."""

    def compute(scores):
        return float(sum(v is None for v in _values(scores)))

    return compute


async def grade(state):
    """The grader's score for the answer in state, asked as spectools asks it; None when there is none."""
    prompt = state.metadata["grader_prompt"] + "\\n\\nAnswer to grade:\\n" + state.output.completion
    schema = ResponseSchema(name=SCHEMA["name"], json_schema=JSONSchema.model_validate(SCHEMA["schema"]), strict=True)
    config = GenerateConfig(temperature=0, max_tokens=MAX_TOKENS, response_schema=schema)
    out = await get_model(role="grader").generate([ChatMessageSystem(content=INSTRUCTIONS), ChatMessageUser(content=prompt)],
                                                  config=config)
    if out.stop_reason == "max_tokens":
        return None
    return read_grade(out.completion)


@scorer(metrics=[graded_accuracy(), unreadable()])
def spec_grader():
    async def score(state: TaskState, target: Target) -> Score:
        found = await grade(state)
        if found is None:
            return Score(value=NO_SCORE, explanation="the grade was cut at max_tokens or could not be read")
        return Score(value=CORRECT if found[0] >= THRESHOLD else INCORRECT, answer=str(found[0]), explanation=found[1])

    return score


@task
def spec_challenges():
    """Every challenge answered by the model under test, graded against its clause."""
    return Task(dataset=json_dataset(str(HERE / {dataset!r})), solver=generate(), scorer=spec_grader())


@solver
def labelled_answer():
    """The spec's own answer, not a model's: the grader is what is measured."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.output = ModelOutput.from_content(model="spec", content=state.metadata["answer"])
        return state

    return solve


@scorer(metrics=[graded_accuracy(), unreadable()])
def agreement():
    """Correct when the grader passes a GOOD answer (target C) or fails a BAD one (target I); no score when the grade
    cannot be had (as `spectools eval calibrate` counts it: an error, not a disagreement)."""

    async def score(state: TaskState, target: Target) -> Score:
        found = await grade(state)
        if found is None:
            return Score(value=NO_SCORE, explanation="the grade was cut at max_tokens or could not be read")
        passed = found[0] >= THRESHOLD
        agrees = passed == (target.text == "C")
        return Score(value=CORRECT if agrees else INCORRECT, answer=str(found[0]), explanation=found[1])

    return score


@task
def calibration():
    """The spec's GOOD answers should pass and its BAD ones fail: graded_accuracy is the grader's agreement."""
    return Task(dataset=json_dataset(str(HERE / {calibration!r})), solver=labelled_answer(), scorer=agreement())
'''


def _prompt(clause: Any, section: Any, conversation: list[dict[str, Any]]) -> str:
    """What spectools' grader is told before the answer (grader.request's user message, up to "Answer to grade:")."""
    body = grader.request("", clause, section, conversation, "")
    return str(body["messages"][1]["content"]).rsplit("\n\nAnswer to grade:\n", 1)[0]


def grade_reader() -> str:
    """The source of spectools' own grade reader (grader.parse and what it uses), for the exported task: the two read
    every reply alike, because they are the same code."""
    import inspect

    parts = [inspect.getsource(x) for x in (grader.Grade, grader._grade, grader.parse)]
    return f"_OBJECT = re.compile({grader._OBJECT.pattern!r})\n\n\n" + "\n\n".join(parts)


def _line(sample: dict[str, Any]) -> str:
    return json.dumps(sample, ensure_ascii=False, sort_keys=True) + "\n"


def _challenge(t: Task) -> dict[str, Any]:
    section = t.section
    metadata = {
        "clause": f"[^{t.clause.id}] {t.clause.text}",
        "section_title": section.title if section else "",
        "authority": (section.authority if section else None) or "none",
        "section_prose": section.prose if section else "",
        "grader_prompt": _prompt(t.clause, section, t.messages),
    }
    return {"id": t.id, "input": t.messages, "target": t.clause.text, "metadata": metadata}


def _labelled(c: Case) -> dict[str, Any]:
    conversation = [{**m, "role": "system" if m["role"] == "developer" else m["role"]} for m in c.messages]
    metadata = {
        "clause": "none given; judge the answer against the section as a whole",
        "section_title": c.section.title,
        "authority": c.section.authority or "none",
        "section_prose": c.section.prose,
        "answer": c.answer,
        "grader_prompt": _prompt(None, c.section, c.messages),
    }
    return {"id": c.id, "input": conversation or "(none)", "target": "C" if c.verdict == "GOOD" else "I", "metadata": metadata}


def inspect_files(spec: Spec, threshold: int = grader.THRESHOLD) -> dict[str, str]:
    """{file name: its text} for Inspect: the challenges, the calibration cases and the task file."""
    todo, _ = tasks(spec, developer_role="system")
    labelled = [c for c in cases(spec)[0] if c.verdict in ("GOOD", "BAD") and not c.qualified]
    task = TASK_FILE.format(
        task=TASK,
        instructions=grader.INSTRUCTIONS,
        schema=grader.SCHEMA,
        threshold=threshold,
        max_tokens=grader.MAX_TOKENS,
        dataset=DATASET,
        calibration=CALIBRATION,
        reader=grade_reader(),
    )
    return {
        DATASET: "".join(_line(_challenge(t)) for t in todo),
        CALIBRATION: "".join(_line(_labelled(c)) for c in labelled),
        TASK: task,
    }
