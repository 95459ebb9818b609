"""Evaluations end to end on a real libSQL file with a fake model: scoring, aggregates,
per-case commits, resume, the response cache, failed calls, retries."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, inspect, select

from autoforge.bootstrap import Container, bootstrap
from autoforge.datasets.models import DatasetVersionRow
from autoforge.db import migrations
from autoforge.errors import NotFoundError
from autoforge.evaluations.models import EvaluationRow
from autoforge.evaluations.models import TestResultRow as ResultRow
from autoforge.evaluations.repository import CaseRecord, EvaluationRepository
from autoforge.evaluations.runner import run_evaluation
from autoforge.events.models import StoredEventRow
from autoforge.llm.errors import ModelRequestError
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.types import CompletionRequest
from autoforge.worker.runner import execute_job
from tests.conftest import file_settings
from tests.support.evaluations import (
    MODEL,
    even_says_yes,
    items,
    job_row,
    read,
    results_of,
    seed_dataset,
    seed_prompt,
    start_evaluation,
)
from tests.support.gateway import make_gateway

CASES = 12


@pytest.fixture
def fake() -> FakeModelClient:
    return FakeModelClient(reply=even_says_yes)


@pytest.fixture
def container(file_container: Container, fake: FakeModelClient) -> Iterator[Container]:
    gateway = make_gateway(file_container.database, fake, default_model=MODEL, max_retries=0)
    yield dataclasses.replace(file_container, gateway=gateway)
    gateway.close()


@pytest.fixture
def seeded(container: Container) -> str:
    seed_prompt(container.database, "p", "Is {{text}}?")
    return seed_dataset(container.database, "d", items(CASES))[1]


@pytest.mark.usefixtures("seeded")
def test_an_evaluation_scores_every_case_and_stores_the_aggregates(
    container: Container, fake: FakeModelClient
) -> None:
    [evaluation_id], [job_id] = start_evaluation(container)
    assert read(container, evaluation_id).status == "pending"

    execute_job(container, job_id)

    done = read(container, evaluation_id)
    assert done.status == "completed"
    assert (done.progress.done, done.progress.total, done.progress.passed) == (12, 12, 6)
    assert done.overall_score == done.accuracy_score == 0.5
    assert done.hallucination_rate == 0.0  # "yes"/"no" are in the expected output or stopwords
    assert done.style_consistency is not None
    assert done.latency_p50_ms is not None
    assert done.latency_p95_ms is not None
    assert done.latency_p50_ms <= done.latency_p95_ms
    assert done.started_at is not None
    assert done.finished_at is not None
    assert job_row(container, job_id).status == "completed"
    rows = results_of(container, evaluation_id)
    assert len(rows) == 12
    assert {r.output for r in rows} == {"yes", "no"}
    assert fake.max_active <= 3  # the run's own concurrency bound


@pytest.mark.usefixtures("seeded")
def test_completion_is_an_event_on_the_evaluations_stream(container: Container) -> None:
    [evaluation_id], [job_id] = start_evaluation(container)
    execute_job(container, job_id)

    events = container.database.run(
        lambda uow: list(uow.session.scalars(select(StoredEventRow))), read_only=True
    )
    [event] = [e for e in events if e.event_type == "EvaluationCompleted"]
    assert event.stream_id == f"evaluation-{evaluation_id}"
    assert event.event_data["cases"] == 12
    assert event.event_data["accuracy"] == 0.5


def test_each_result_is_committed_before_the_next_case_starts(container: Container) -> None:
    seed_prompt(container.database, "p", "Is {{text}}?")
    seed_dataset(container.database, "d", items(5))
    [evaluation_id], [job_id] = start_evaluation(container, concurrency=1)
    seen_committed: list[int] = []

    def count_then_answer(request: CompletionRequest) -> str:
        # A separate connection sees only committed rows.
        with container.database.engine.connect() as conn:
            count = conn.scalar(
                select(func.count()).where(ResultRow.evaluation_id == evaluation_id)
            )
        seen_committed.append(int(count or 0))
        return "yes"

    container.gateway.client.reply = count_then_answer  # type: ignore[attr-defined]
    execute_job(container, job_id)

    assert seen_committed == [0, 1, 2, 3, 4]


@pytest.mark.usefixtures("seeded")
def test_a_resumed_run_scores_only_the_cases_without_a_result(
    container: Container, fake: FakeModelClient
) -> None:
    [evaluation_id], [job_id] = start_evaluation(container)
    done_before = [f"case-{i:03d}" for i in (0, 3, 4, 9)]
    for name in done_before:  # what a killed run had committed
        record = CaseRecord(name, {}, "yes", "yes", 1.0, True, 1.0, 2, 0.0, False, "ok")
        container.database.run(
            lambda uow, r=record: EvaluationRepository(uow.session).record_case(evaluation_id, r)
        )

    execute_job(container, job_id)

    asked = [str(request.as_input()) for request in fake.calls]
    assert len(asked) == CASES - len(done_before)
    assert not any(f"number {i}?" in request for request in asked for i in (0, 3, 4, 9))
    rows = results_of(container, evaluation_id)
    assert len(rows) == len({r.test_case_name for r in rows}) == CASES
    done = read(container, evaluation_id)
    assert (done.status, done.progress.done) == ("completed", CASES)


@pytest.mark.usefixtures("seeded")
def test_a_result_written_twice_counts_once(container: Container) -> None:
    [evaluation_id], _ = start_evaluation(container)
    record = CaseRecord("case-000", {}, "yes", "yes", 1.0, True, 1.0, 2, 0.0, False, "ok")

    def write(uow: object) -> bool:
        return EvaluationRepository(uow.session).record_case(evaluation_id, record)  # type: ignore[attr-defined]

    assert container.database.run(write) is True
    assert container.database.run(write) is False
    progress = read(container, evaluation_id).progress
    assert (progress.done, progress.passed) == (1, 1)


@pytest.mark.usefixtures("seeded")
def test_executing_a_completed_job_again_changes_nothing(
    container: Container, fake: FakeModelClient
) -> None:
    [evaluation_id], [job_id] = start_evaluation(container)
    execute_job(container, job_id)
    finished = read(container, evaluation_id)

    execute_job(container, job_id)
    run_evaluation(container, evaluation_id)  # the evaluation itself is a no-op too

    assert len(fake.calls) == CASES
    assert read(container, evaluation_id) == finished


@pytest.mark.usefixtures("seeded")
def test_an_identical_rerun_is_answered_from_the_cache(
    container: Container, fake: FakeModelClient
) -> None:
    [first], [first_job] = start_evaluation(container)
    execute_job(container, first_job)
    [second], [second_job] = start_evaluation(container)
    execute_job(container, second_job)

    assert len(fake.calls) == CASES
    assert read(container, first).cache_hits == 0
    rerun = read(container, second)
    assert rerun.cache_hits == CASES  # calls saved
    assert rerun.accuracy_score == read(container, first).accuracy_score
    assert all(r.cache_hit for r in results_of(container, second))

    [third], [third_job] = start_evaluation(container, no_cache=True)
    execute_job(container, third_job)
    assert read(container, third).cache_hits == 0
    assert len(fake.calls) == 2 * CASES


@pytest.mark.usefixtures("seeded")
def test_a_failing_model_call_is_a_failed_case_not_a_failed_run(
    container: Container, fake: FakeModelClient
) -> None:
    fake.fail(MODEL, ModelRequestError("context too long"), ModelRequestError("bad request"))
    [evaluation_id], [job_id] = start_evaluation(container, concurrency=1)

    execute_job(container, job_id)

    done = read(container, evaluation_id)
    assert done.status == "completed"
    assert done.progress.done == CASES
    failed = [r for r in results_of(container, evaluation_id) if r.error is not None]
    assert len(failed) == 2
    assert all(r.score == 0.0 and not r.passed and r.output is None for r in failed)
    assert all(r.unsupported is False for r in failed)  # no output: nothing to flag
    assert "context too long" in " ".join(r.error or "" for r in failed)


def test_a_missing_template_variable_fails_only_that_case(container: Container) -> None:
    seed_prompt(container.database, "p", "Is {{text}}?")
    cases = [*items(2), {"name": "odd-one", "input": {"other": "x"}, "expected": "yes"}]
    seed_dataset(container.database, "d", cases)
    [evaluation_id], [job_id] = start_evaluation(container)

    execute_job(container, job_id)

    [bad] = [r for r in results_of(container, evaluation_id) if r.error]
    assert bad.test_case_name == "odd-one"
    assert "required variable 'text' is missing" in bad.error  # type: ignore[operator]
    assert read(container, evaluation_id).status == "completed"


def test_an_error_outside_the_cases_fails_the_run_with_its_text(
    container: Container, seeded: str
) -> None:
    [evaluation_id], [job_id] = start_evaluation(container)
    container.database.run(
        lambda uow: uow.session.execute(
            delete(DatasetVersionRow).where(DatasetVersionRow.id == seeded)
        )
    )

    with pytest.raises(NotFoundError):
        execute_job(container, job_id)

    failed = read(container, evaluation_id)
    assert failed.status == "failed"
    assert failed.error is not None
    assert "dataset version of this evaluation was deleted" in failed.error
    assert job_row(container, job_id).status == "failed"  # a 4xx is not retried


@pytest.mark.usefixtures("seeded")
def test_an_unexpected_error_is_retried_and_the_retry_resumes(
    container: Container, fake: FakeModelClient
) -> None:
    [evaluation_id], [job_id] = start_evaluation(container, concurrency=1)
    answered: list[str] = []

    def flaky(request: CompletionRequest) -> str:
        if len(answered) == 4:  # once, mid-run: not a model error, so not a per-case one
            answered.append("boom")
            raise RuntimeError("disk hiccup")
        answered.append("ok")
        return even_says_yes(request)

    fake.reply = flaky
    execute_job(container, job_id)

    done = read(container, evaluation_id)
    assert (done.status, done.error, done.progress.done) == ("completed", None, CASES)
    retried = job_row(container, job_id)
    assert (retried.status, retried.attempts) == ("completed", 2)
    assert answered.count("ok") == CASES  # the 4 cases of attempt 1 were not asked again


@pytest.mark.usefixtures("seeded")
def test_an_llm_judge_scores_through_the_gateway_and_flags_hallucinations(
    container: Container, fake: FakeModelClient
) -> None:
    def answer_or_judge(request: CompletionRequest) -> str:
        text = str(request.messages[-1]["content"]) if request.messages else ""
        if "You grade the output" not in text:
            return even_says_yes(request)
        verdict = "true" if "Output to grade:\nno" in text else "false"
        return f'{{"score": 4, "reason": "fine", "unsupported": {verdict}}}'

    fake.reply = answer_or_judge
    judge = {"type": "llm_judge", "rubric": "Is the answer right?", "threshold": 0.7}
    [evaluation_id], [job_id] = start_evaluation(
        container, assertions={"assertions": [judge]}, judge_model="fake/judge"
    )

    execute_job(container, job_id)

    done = read(container, evaluation_id)
    assert done.status == "completed", done.error
    assert done.overall_score == pytest.approx(0.8)  # 4 on the judge's 1-5 scale
    assert done.accuracy_score == 1.0
    assert done.hallucination_rate == 0.5  # the judge's verdict, not the reference check
    assert fake.calls_to("fake/judge") == CASES
    flags = {r.test_case_name: r.unsupported for r in results_of(container, evaluation_id)}
    assert flags == {f"case-{i:03d}": i % 2 == 1 for i in range(CASES)}  # the "no" answers
    checked = [flag for flag in flags.values() if flag is not None]
    assert done.hallucination_rate == sum(checked) / len(checked)


def committed(name: str, output: str, unsupported: bool | None = None) -> CaseRecord:
    """A result an earlier run committed; `unsupported` None as in rows from before flags."""
    return CaseRecord(
        name, {}, output, "yes", 1.0, True, 1.0, 2, 0.0, False, "ok", None, unsupported
    )


@pytest.mark.usefixtures("seeded")
def test_a_resumed_run_counts_the_flags_stored_before_the_restart(
    container: Container,
) -> None:
    [evaluation_id], [job_id] = start_evaluation(container)
    # case-000: a judge's verdict the reference check would not reach ("yes" is expected);
    # case-003: a row from before flags were stored, so the reference check decides.
    for record in (committed("case-000", "yes", True), committed("case-003", "purple elephants")):
        container.database.run(
            lambda uow, r=record: EvaluationRepository(uow.session).record_case(evaluation_id, r)
        )

    execute_job(container, job_id)

    flags = {r.test_case_name: r.unsupported for r in results_of(container, evaluation_id)}
    assert (flags.pop("case-000"), flags.pop("case-003")) == (True, None)
    assert set(flags.values()) == {False}  # this run's "yes"/"no" answers
    assert read(container, evaluation_id).hallucination_rate == 2 / CASES


def test_results_keep_their_rows_through_the_unsupported_migration(tmp_path: Path) -> None:
    container = bootstrap(file_settings(tmp_path))
    engine = container.database.engine
    migrations.upgrade(engine)
    seed_prompt(container.database, "p", "Is {{text}}?")
    seed_dataset(container.database, "d", items(2))
    [evaluation_id], _ = start_evaluation(container)
    migrations.downgrade(engine, "0004")
    # Raw SQL: at 0004 test_results has no `unsupported` column for the model to write.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO test_results (id, evaluation_id, test_case_name, input, output, score,"
            " passed, latency_ms, tokens, cost, cache_hit, created_at) VALUES ('r0', ?,"
            " 'case-000', '{}', 'yes', 1.0, 1, 1.0, 2, 0.0, 0, '2026-01-01T00:00:00.000000Z')",
            (evaluation_id,),
        )

    migrations.upgrade(engine)
    flagged = committed("case-001", "no", True)
    container.database.run(
        lambda uow: EvaluationRepository(uow.session).record_case(evaluation_id, flagged)
    )
    flags = {r.test_case_name: r.unsupported for r in results_of(container, evaluation_id)}
    assert flags == {"case-000": None, "case-001": True}  # NULL: recorded before the column

    migrations.downgrade(engine, "0004")
    columns = {c["name"] for c in inspect(engine).get_columns("test_results")}
    assert "unsupported" not in columns
    migrations.upgrade(engine)

    rows = results_of(container, evaluation_id)
    assert [(r.test_case_name, r.output) for r in rows] == [("case-000", "yes"), ("case-001", "no")]
    assert [r.unsupported for r in rows] == [None, None]  # the flags went with the column
    assert read(container, evaluation_id).progress.done == 1  # the raw insert counted nothing
    container.close()


def test_a_batch_makes_one_evaluation_and_one_job_per_model(container: Container) -> None:
    seed_prompt(container.database, "p", "Is {{text}}?")
    seed_dataset(container.database, "d", items(3))
    ids, job_ids = start_evaluation(container, models=[MODEL, "fake/other"])

    rows = container.database.run(
        lambda uow: list(uow.session.scalars(select(EvaluationRow))), read_only=True
    )
    assert {r.id for r in rows} == set(ids)
    assert {r.model for r in rows} == {MODEL, "fake/other"}
    assert len({r.group_id for r in rows}) == 1
    assert all(r.total_cases == 3 and r.status == "pending" for r in rows)
    assert len(set(job_ids)) == 2
