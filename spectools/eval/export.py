"""`spectools eval export --to inspect`: the challenges as an Inspect (inspect_ai) dataset, the spec's
labelled answers as a calibration dataset, and a task file that grades with Inspect's model-graded
scorer and spectools' grader prompt.

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

_TEMPLATE = (
    grader.INSTRUCTIONS.replace("{", "{{").replace("}", "}}")
    + """

Clause: {clause}
Section: {section_title} (authority: {authority})
Section prose:
{section_prose}

Conversation:
{question}

Answer to grade:
{answer}

{instructions}"""
)
_GRADE_LINE = "After the JSON object, write a last line GRADE: C when the score is {threshold} or more, else GRADE: I."

TASK_FILE = '''"""Inspect tasks for a behaviour spec, written by `spectools eval export --to inspect`.

    inspect eval {task} --model openai/MODEL --model-role grader=openai/GRADER
    inspect eval {task}@calibration --model-role grader=openai/GRADER --model mockllm/model

The datasets beside this file hold every prompt, clause and labelled answer; this file holds none.
"""

from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.dataset import json_dataset
from inspect_ai.model import ModelOutput
from inspect_ai.scorer import CORRECT, INCORRECT, Score, Target, accuracy, model_graded_qa, scorer, stderr
from inspect_ai.solver import Generate, TaskState, generate, solver

HERE = Path(__file__).resolve().parent
TEMPLATE = {template!r}
INSTRUCTIONS = {instructions!r}


def spec_grader():
    return model_graded_qa(template=TEMPLATE, instructions=INSTRUCTIONS, include_history=True)


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


@scorer(metrics=[accuracy(), stderr()])
def agreement():
    """Correct when the grader passes a GOOD answer (target C) or fails a BAD one (target I)."""
    grade = spec_grader()

    async def score(state: TaskState, target: Target) -> Score:
        graded = await grade(state, target)
        agrees = graded is not None and graded.value == target.text
        explanation = graded.explanation if graded is not None else None
        return Score(value=CORRECT if agrees else INCORRECT, answer=graded.answer if graded else None, explanation=explanation)

    return score


@task
def calibration():
    """The spec's GOOD answers should pass and its BAD ones fail: accuracy is the grader's agreement with the labels."""
    return Task(dataset=json_dataset(str(HERE / {calibration!r})), solver=labelled_answer(), scorer=agreement())
'''


def _line(sample: dict[str, Any]) -> str:
    return json.dumps(sample, ensure_ascii=False, sort_keys=True) + "\n"


def _challenge(t: Task) -> dict[str, Any]:
    section = t.section
    metadata = {
        "clause": f"[^{t.clause.id}] {t.clause.text}",
        "section_title": section.title if section else "",
        "authority": (section.authority if section else None) or "none",
        "section_prose": section.prose if section else "",
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
    }
    return {"id": c.id, "input": conversation or "(none)", "target": "C" if c.verdict == "GOOD" else "I", "metadata": metadata}


def inspect_files(spec: Spec, threshold: int = grader.THRESHOLD) -> dict[str, str]:
    """{file name: its text} for Inspect: the challenges, the calibration cases and the task file."""
    todo, _ = tasks(spec, developer_role="system")
    labelled = [c for c in cases(spec)[0] if c.verdict in ("GOOD", "BAD") and not c.qualified]
    task = TASK_FILE.format(
        task=TASK,
        template=_TEMPLATE,
        instructions=_GRADE_LINE.format(threshold=threshold),
        dataset=DATASET,
        calibration=CALIBRATION,
    )
    return {
        DATASET: "".join(_line(_challenge(t)) for t in todo),
        CALIBRATION: "".join(_line(_labelled(c)) for c in labelled),
        TASK: task,
    }
