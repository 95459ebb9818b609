"""Seeds what an evaluation runs on: a prompt (through its service) and a dataset (rows).

Datasets are written as rows directly: evaluations read them by version id only, and this
keeps the evaluation tests independent of the dataset service.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from autoforge.bootstrap import Container
from autoforge.datasets.models import DatasetItemRow, DatasetRow, DatasetVersionRow
from autoforge.db.unit_of_work import Database, UnitOfWork
from autoforge.evaluations.examples import example_setup, load_example
from autoforge.evaluations.models import TestResultRow
from autoforge.evaluations.repository import EvaluationRepository
from autoforge.evaluations.schemas import Evaluation, EvaluationCreate
from autoforge.evaluations.scoring import GenerationDefaults, Scoring
from autoforge.evaluations.service import Defaults, get_evaluation, start_evaluations
from autoforge.identity.caller import DEFAULT_PROJECT_ID
from autoforge.llm.types import CompletionRequest
from autoforge.prompts.schemas import PromptCreate
from autoforge.prompts.service import create_prompt
from autoforge.worker.jobs import JobRepository
from autoforge.worker.models import JobRow

OWNER = DEFAULT_PROJECT_ID
MODEL = "fake/primary"


def seed_prompt(database: Database, name: str, content: str, owner: str = OWNER) -> str:
    def work(uow: UnitOfWork) -> str:
        data = PromptCreate(name=name, title=name, content=content)
        return create_prompt(uow, owner, data).id

    return database.run(work)


def items(count: int, *, expected: str = "yes") -> list[dict[str, Any]]:
    """`count` cases named case-000..., each asking about a different number."""
    return [
        {"name": f"case-{i:03d}", "input": {"text": f"number {i}"}, "expected": expected}
        for i in range(count)
    ]


def seed_dataset(
    database: Database,
    name: str,
    cases: Sequence[dict[str, Any]],
    owner: str = OWNER,
    scoring: Scoring | None = None,
) -> tuple[str, str]:
    """A dataset with one version holding `cases`; returns (dataset id, version id). Without
    `scoring` the version has none stored, like one written before versions carried it:
    it is inferred from the answers when read."""

    def work(uow: UnitOfWork) -> tuple[str, str]:
        dataset = DatasetRow(project_id=owner, name=name, latest_version=1)
        uow.session.add(dataset)
        uow.session.flush()
        version = DatasetVersionRow(
            dataset_id=dataset.id,
            version_number=1,
            item_count=len(cases),
            created_by=owner,
            scoring=None if scoring is None else scoring.model_dump(mode="json"),
        )
        uow.session.add(version)
        uow.session.flush()
        uow.session.add_all(
            DatasetItemRow(
                dataset_version_id=version.id,
                position=position,
                name=case["name"],
                input=case["input"],
                expected=case.get("expected"),
                metadata_=case.get("metadata", {}),
            )
            for position, case in enumerate(cases)
        )
        return dataset.id, version.id

    return database.run(work)


def seed_example(database: Database, name: str, count: int | None = None) -> tuple[str, str]:
    """A shipped example dataset with the scoring it ships with."""
    setup = example_setup(name)
    scoring = Scoring(
        assertions=setup.assertions,
        generation=GenerationDefaults.model_validate(setup.generation),
        explanation=setup.explanation,
    )
    return seed_dataset(database, name, load_example(name)[:count], scoring=scoring)


def read(container: Container, evaluation_id: str, owner: str = OWNER) -> Evaluation:
    return container.database.run(
        lambda uow: get_evaluation(uow, owner, evaluation_id), read_only=True
    )


def wait_until_finished(
    container: Container, evaluation_id: str, timeout_s: float = 30.0
) -> Evaluation:
    deadline = time.monotonic() + timeout_s
    while True:
        current = read(container, evaluation_id)
        if current.status in ("completed", "failed"):
            return current
        if time.monotonic() > deadline:
            raise AssertionError(f"evaluation still {current.status} after {timeout_s} s")
        time.sleep(0.05)


def even_says_yes(request: CompletionRequest) -> str:
    """'yes' for an even number at the end of the prompt, else 'no' (for `items`)."""
    text = request.prompt or str(request.messages[-1]["content"])  # type: ignore[index]
    number = int(text.rsplit(" ", 1)[-1].rstrip("?"))
    return "yes" if number % 2 == 0 else "no"


def start_evaluation(container: Container, **overrides: object) -> tuple[list[str], list[str]]:
    """Starts evaluating prompt `p` on dataset `d` with MODEL; (evaluation ids, job ids)."""
    body = {"prompt_name": "p", "dataset_name": "d", "models": [MODEL], "concurrency": 3}
    data = EvaluationCreate.model_validate({**body, **overrides})
    defaults = Defaults(model=MODEL, concurrency=4)
    started = container.database.run(lambda uow: start_evaluations(uow, OWNER, data, defaults))
    return [e.id for e in started.batch.evaluations], started.job_ids


def results_of(container: Container, evaluation_id: str) -> list[TestResultRow]:
    return container.database.run(
        lambda uow: EvaluationRepository(uow.session).results(evaluation_id), read_only=True
    )


def job_row(container: Container, job_id: str) -> JobRow:
    row = container.database.run(lambda uow: JobRepository(uow.session).get(job_id), read_only=True)
    assert row is not None
    return row
