"""Storage behaviour on both backends: a local libSQL file and a real sqld with JWT auth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from autoforge.bootstrap import Container
from autoforge.db.base import utcnow
from autoforge.errors import ReadOnlyTransactionError
from autoforge.evaluations.models import EvaluationRow
from autoforge.evaluations.models import TestResultRow as ResultRow
from autoforge.identity.caller import DEFAULT_PROJECT_ID as OWNER_PROJECT
from autoforge.prompts.models import PromptRow, PromptTagRow, PromptVersionRow


def make_prompt(name: str = "greeting", **overrides: Any) -> PromptRow:
    fields: dict[str, Any] = {
        "project_id": "alice",
        "name": name,
        "title": "Greeting",
        "content": "Say hello to {{name}}",
    }
    fields.update(overrides)
    return PromptRow(**fields)


def count(container: Container, model: type[Any]) -> int:
    with container.database.transaction(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_commit_on_success_is_visible_to_a_new_transaction(any_container: Container) -> None:
    with any_container.database.transaction() as uow:
        uow.session.add(make_prompt())
    with any_container.database.transaction(read_only=True) as uow:
        stored = uow.session.scalars(select(PromptRow)).one()
    assert stored.name == "greeting"
    assert stored.created_at.tzinfo is not None


def test_error_rolls_back_everything(any_container: Container) -> None:
    with pytest.raises(RuntimeError), any_container.database.transaction() as uow:
        uow.session.add(make_prompt())
        uow.session.flush()
        raise RuntimeError("boom")
    assert count(any_container, PromptRow) == 0


def test_failed_savepoint_keeps_outer_work(any_container: Container) -> None:
    with any_container.database.transaction() as uow:
        uow.session.add(make_prompt("kept"))
        uow.session.flush()
        with pytest.raises(IntegrityError), uow.savepoint():
            uow.session.add(make_prompt("kept"))  # duplicate (project_id, name)
            uow.session.flush()
        uow.session.add(make_prompt("also-kept"))
    with any_container.database.transaction(read_only=True) as uow:
        names = sorted(uow.session.scalars(select(PromptRow.name)))
    assert names == ["also-kept", "kept"]


def test_read_only_transaction_refuses_writes(any_container: Container) -> None:
    with (
        pytest.raises(ReadOnlyTransactionError),
        any_container.database.transaction(read_only=True) as uow,
    ):
        uow.session.add(make_prompt())
        uow.session.flush()
    with (
        pytest.raises(ReadOnlyTransactionError),
        any_container.database.transaction(read_only=True) as uow,
    ):
        uow.session.execute(PromptRow.__table__.delete())
    assert count(any_container, PromptRow) == 0


def test_deleting_a_prompt_cascades_to_versions_tags_and_evaluations(
    any_container: Container,
) -> None:
    with any_container.database.transaction() as uow:
        prompt = make_prompt()
        uow.session.add(prompt)
        uow.session.flush()
        evaluation = EvaluationRow(
            project_id=OWNER_PROJECT,
            prompt_id=prompt.id,
            prompt_version=1,
            provider="local",
            model="m",
        )
        uow.session.add_all(
            [
                PromptVersionRow(
                    prompt_id=prompt.id,
                    version_number=1,
                    title="t",
                    content="c",
                    created_by="alice",
                ),
                PromptTagRow(prompt_id=prompt.id, tag_name="support"),
                evaluation,
            ]
        )
        uow.session.flush()
        uow.session.add(
            ResultRow(evaluation_id=evaluation.id, test_case_name="c1", score=1.0, passed=True)
        )
    with any_container.database.transaction() as uow:
        uow.session.execute(text("DELETE FROM prompts"))
    for model in (PromptVersionRow, PromptTagRow, EvaluationRow, ResultRow):
        assert count(any_container, model) == 0, model.__tablename__


BAD_ROWS: list[tuple[str, Callable[[str], Any]]] = [
    ("prompt status", lambda _: make_prompt(status="published")),
    ("prompt version", lambda _: make_prompt(version=0)),
    ("prompt empty name", lambda _: make_prompt(name="")),
    ("prompt empty title", lambda _: make_prompt(title="")),
    (
        "version number",
        lambda pid: PromptVersionRow(
            prompt_id=pid, version_number=0, title="t", content="c", created_by="a"
        ),
    ),
    ("tag length", lambda pid: PromptTagRow(prompt_id=pid, tag_name="x" * 51)),
    (
        "evaluation status",
        lambda pid: EvaluationRow(
            project_id=OWNER_PROJECT,
            prompt_id=pid,
            prompt_version=1,
            provider="p",
            model="m",
            status="done",
        ),
    ),
    (
        "evaluation score",
        lambda pid: EvaluationRow(
            project_id=OWNER_PROJECT,
            prompt_id=pid,
            prompt_version=1,
            provider="p",
            model="m",
            overall_score=1.5,
        ),
    ),
    (
        "hallucination rate",
        lambda pid: EvaluationRow(
            project_id=OWNER_PROJECT,
            prompt_id=pid,
            prompt_version=1,
            provider="p",
            model="m",
            hallucination_rate=-0.1,
        ),
    ),
]


@pytest.mark.parametrize(("what", "build"), BAD_ROWS, ids=[w for w, _ in BAD_ROWS])
def test_check_constraints_reject_bad_rows(
    any_container: Container, what: str, build: Callable[[str], Any]
) -> None:
    with any_container.database.transaction() as uow:
        prompt = make_prompt("owner")
        uow.session.add(prompt)
    with pytest.raises(IntegrityError) as raised, any_container.database.transaction() as uow:
        uow.session.add(build(prompt.id))
        uow.session.flush()
    assert "constraint" in str(raised.value).lower()


def test_test_result_checks_reject_out_of_range_values(any_container: Container) -> None:
    with any_container.database.transaction() as uow:
        prompt = make_prompt()
        uow.session.add(prompt)
        uow.session.flush()
        evaluation = EvaluationRow(
            project_id="alice", prompt_id=prompt.id, prompt_version=1, provider="p", model="m"
        )
        uow.session.add(evaluation)
    bad_values = [{"score": 1.01}, {"latency_ms": -1.0}, {"tokens": -5}, {"cost": -0.01}]
    for values in bad_values:
        fields: dict[str, Any] = {"score": 0.5, "passed": True, **values}
        with pytest.raises(IntegrityError), any_container.database.transaction() as uow:
            uow.session.add(ResultRow(evaluation_id=evaluation.id, test_case_name="c", **fields))
            uow.session.flush()
    assert count(any_container, ResultRow) == 0


def test_naive_timestamps_are_refused(any_container: Container) -> None:
    naive = utcnow().replace(tzinfo=None)
    with (
        pytest.raises(Exception, match="naive datetime"),
        any_container.database.transaction() as uow,
    ):
        uow.session.add(make_prompt(created_at=naive))
        uow.session.flush()
