"""Seeds what an evaluation runs on: a prompt (through its service) and a dataset (rows).

Datasets are written as rows directly: evaluations read them by version id only, and this
keeps the evaluation tests independent of the dataset service.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

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
from tests.support.fake_model import calls_in

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


def committed(container: Container, evaluation_id: str) -> dict[str, tuple[str, Any]]:
    """Case name -> (result id, created_at) as committed."""

    def work(uow: Any) -> dict[str, tuple[str, Any]]:
        rows = uow.session.execute(
            select(TestResultRow.test_case_name, TestResultRow.id, TestResultRow.created_at).where(
                TestResultRow.evaluation_id == evaluation_id
            )
        )
        return {name: (row_id, created) for name, row_id, created in rows}

    return container.database.run(work, read_only=True)


def model_calls_per_case(call_log: Path) -> Counter[str]:
    """How often the test fake was asked about each case of `items` (by the number in its
    prompt), from the fake's call log."""
    asked = Counter[str]()
    for call in calls_in(call_log):
        number = re.search(r"number (\d+)", json.dumps(call["input"]))
        assert number is not None, call
        asked[f"case-{int(number.group(1)):03d}"] += 1
    return asked


def assert_scored_once(
    before_kill: dict[str, tuple[str, Any]],
    asked_before_kill: Counter[str],
    after: dict[str, tuple[str, Any]],
    asked: Counter[str],
    *,
    in_flight: int,
) -> None:
    """After a crash and a resumed run: the results committed before the kill kept their
    ids and times; none of their cases went to the model again; every case was asked; and
    only the cases in flight at the kill (at most `in_flight`) were asked a second time."""
    assert {name: after[name] for name in before_kill} == before_kill
    assert set(asked) == set(after)
    for name in before_kill:
        assert asked[name] == asked_before_kill[name] == 1, name
    repeated = [name for name, times in asked.items() if times > 1]
    assert len(repeated) <= in_flight, repeated
    assert all(asked[name] == 2 for name in repeated), asked
