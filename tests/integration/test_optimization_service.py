"""Optimizations end to end on real libSQL, the job run as a worker runs it, with the
sentiment oracle as the target model (instant, and prompt structure matters)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from autoforge.bootstrap import Container
from autoforge.datasets.models import DatasetRow
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import BudgetTooSmall, NotFoundError, ValidationFailed
from autoforge.llm.errors import ModelCallError
from autoforge.optimizations import runner
from autoforge.optimizations.candidate import Candidate
from autoforge.optimizations.protocol import (
    CandidateScore,
    HistoryEntry,
    OptimizationResult,
    Progress,
)
from autoforge.optimizations.repository import OptimizationRepository
from autoforge.optimizations.run import run_optimization
from autoforge.optimizations.runner import ProgressWriter, run_optimization_job
from autoforge.optimizations.schemas import OptimizationCandidate
from autoforge.optimizations.service import list_candidates, list_optimizations
from autoforge.prompts import versions
from autoforge.worker.jobs import JobInterrupted
from autoforge.worker.runner import claim_next, execute_job, run_claimed
from tests.support.evaluations import OWNER, job_row, seed_dataset
from tests.support.optimizations import read, start, with_oracle
from tests.unit.optimizations.oracle import START, TARGET

NO_TEST = {"train": 0.5, "val": 0.5, "test": 0.0}


@pytest.mark.parametrize("strategy", ["bandit", "genetic", "opro"])
def test_a_run_stores_history_figures_and_a_new_prompt_version(
    file_container: Container, strategy: str
) -> None:
    container, _ = with_oracle(file_container, size=40)
    optimization_id, job_id = start(container, strategy=strategy, budget={"calls": 3000})

    execute_job(container, job_id)

    done = read(container, optimization_id)
    assert done.status == "completed", done.error
    assert job_row(container, job_id).status == "completed"
    assert done.calls_used <= 3000
    assert done.baseline_val is not None
    assert done.best_val is not None
    assert done.progress is not None
    assert done.progress.calls == done.calls_used
    # The default split holds 30 % out; the headline is measured there.
    assert (done.measured_on, done.test_cases) == ("test", 12)
    assert done.best_test is not None
    assert done.baseline_test is not None
    assert done.improvement == pytest.approx(done.best_test - done.baseline_test)
    # The oracle answers right only with a cue and demonstrations of both labels: a working
    # search gets every held-out case right from a start that gets none.
    assert (done.baseline_test, done.best_test) == (0.0, 1.0)
    assert done.test_delta_low is not None
    assert done.test_delta_low > 0
    assert done.verdict is not None
    assert "a real improvement" in done.verdict
    assert done.best_val == 1.0
    assert done.baseline_val < 0.5
    assert done.best_version == 2
    version = container.database.run(
        lambda uow: versions.get_version(uow, OWNER, done.prompt_id, 2), read_only=True
    )
    assert version.content == done.best_template != START
    page = container.database.run(
        lambda uow: list_candidates(uow, OWNER, optimization_id, limit=500), read_only=True
    )
    assert [c.position for c in page.items] == list(range(len(page.items)))
    assert page.items[0].template == START
    assert done.best_template in {c.template for c in page.items}
    assert done.progress.candidates == len(page.items)


def test_the_same_seed_gives_the_same_result_and_a_rerun_is_nearly_free(
    file_container: Container,
) -> None:
    container, client = with_oracle(file_container)
    first, first_job = start(
        container, budget={"calls": 3000}, split={"train": 0.5, "val": 0.25, "test": 0.25}
    )
    execute_job(container, first_job)
    container.gateway.flush()  # cache entries are written behind
    calls = len(client.calls)
    second, second_job = start(
        container, budget={"calls": 3000}, split={"train": 0.5, "val": 0.25, "test": 0.25}
    )
    execute_job(container, second_job)

    a, b = read(container, first), read(container, second)
    assert a.best_template == b.best_template
    assert a.best_val == b.best_val
    assert a.best_test is not None
    assert a.best_test == b.best_test
    # Cache hits are free, so the rerun's budget lasts longer and it may look a little
    # further; everything the first run asked is answered from the cache.
    assert b.cache_hits > 0
    assert b.calls_used == len(client.calls) - calls < a.calls_used // 10


def test_progress_is_written_while_running_at_most_twice_a_second(
    file_container: Container,
) -> None:
    container, _ = with_oracle(file_container)
    optimization_id, _ = start(container)
    container.database.run(lambda uow: _mark_running(uow, optimization_id))
    now = [100.0]
    writer = ProgressWriter(container, optimization_id, lambda: False, clock=lambda: now[0])

    writer(Progress("bandit", 1, 0.5, 0.25, 10, 0, 0.0, 4))
    now[0] += 0.4
    writer(Progress("bandit", 2, 0.75, 0.5, 20, 0, 0.0, 8))  # within the interval: skipped

    shown = read(container, optimization_id)
    assert shown.progress is not None
    assert (shown.progress.round, shown.progress.calls, shown.calls_used) == (1, 10, 10)

    now[0] += 0.2  # 0.6 s after the first write
    writer(Progress("bandit", 3, 0.75, 0.5, 30, 0, 0.0, 12))
    shown = read(container, optimization_id)
    assert shown.progress is not None
    assert (shown.progress.round, shown.progress.calls, shown.calls_used) == (3, 30, 30)


def _mark_running(uow: UnitOfWork, optimization_id: str) -> None:
    row = OptimizationRepository(uow.session).get(optimization_id)
    assert row is not None
    row.status = "running"


def test_a_written_report_saves_the_candidates_so_far_and_updates_rescored_ones(
    file_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container, _ = with_oracle(file_container)
    optimization_id, _ = start(container)
    container.database.run(lambda uow: _mark_running(uow, optimization_id))
    monkeypatch.setattr(runner, "PROGRESS_INTERVAL_S", 0.0)  # every report is written
    writer = ProgressWriter(container, optimization_id, lambda: False)
    first = _entry(START, CandidateScore(0.5, 0.5, 4))
    second = _entry(f"{START}Sentiment:", CandidateScore(0.25, 0.25, 4))

    writer(_report(first))
    assert _scores(container, optimization_id) == [(0, first.id, 0.5, 4, None)]

    # More train cases and a validation score: the same row is updated, one is added.
    rescored = replace(first, train=CandidateScore(0.75, 0.75, 8), val=CandidateScore(1, 1, 8))
    writer(_report(rescored, second))
    assert _scores(container, optimization_id) == [
        (0, first.id, 0.75, 8, 1.0),
        (1, second.id, 0.25, 4, None),
    ]


def _entry(template: str, train: CandidateScore) -> HistoryEntry:
    candidate = Candidate.from_template(template)
    return HistoryEntry(candidate.id, 0, candidate, train, None, train.cases)


def _report(*history: HistoryEntry) -> Progress:
    return Progress("bandit", 0, None, None, 10, 0, 0.0, len(history), history=history)


def _scores(
    container: Container, optimization_id: str
) -> list[tuple[int, str, float | None, int, float | None]]:
    return [
        (c.position, c.key, c.train_score, c.train_cases, c.val_score)
        for c in _candidates(container, optimization_id)
    ]


def _candidates(container: Container, optimization_id: str) -> list[OptimizationCandidate]:
    page = container.database.run(
        lambda uow: list_candidates(uow, OWNER, optimization_id, limit=500), read_only=True
    )
    assert page.next_cursor is None
    return page.items


@pytest.mark.parametrize("strategy", ["bandit", "genetic", "opro"])
def test_the_history_grows_while_the_run_goes_and_ends_as_the_result(
    file_container: Container, monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    container, _ = with_oracle(file_container, size=40)
    # Without a test share: what is watched here is the history, round by round.
    optimization_id, _ = start(container, strategy=strategy, budget={"calls": 3000}, split=NO_TEST)
    monkeypatch.setattr(runner, "PROGRESS_INTERVAL_S", 0.0)
    results = _recorded_results(monkeypatch)
    seen: list[list[OptimizationCandidate]] = []

    run_optimization_job(container, optimization_id, _watcher(container, optimization_id, seen))

    final = _candidates(container, optimization_id)
    assert final == _as_listed(results[-1])  # what the end of a run has always stored
    assert seen[0] == []
    assert len(seen) >= 3
    assert 0 < len(seen[1]) <= len(seen[-1]) < len(final)
    for during in seen:
        assert [c.position for c in during] == list(range(len(during)))
        assert [c.key for c in during] == [c.key for c in final[: len(during)]]


def _watcher(
    container: Container, optimization_id: str, seen: list[list[OptimizationCandidate]]
) -> Callable[[], bool]:
    """A stop check that never stops: asked at each report before it is written, it records
    what the earlier reports committed."""

    def watch() -> bool:
        seen.append(_candidates(container, optimization_id))
        return False

    return watch


def _recorded_results(monkeypatch: pytest.MonkeyPatch) -> list[OptimizationResult]:
    """Every search result the runner gets, before it stores it."""
    results: list[OptimizationResult] = []

    def recording(*args: Any, **kwargs: Any) -> OptimizationResult:
        results.append(run_optimization(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(runner, "run_optimization", recording)
    return results


def _as_listed(result: OptimizationResult) -> list[OptimizationCandidate]:
    return [
        OptimizationCandidate(
            position=position,
            key=entry.id,
            round=entry.round,
            template=entry.template,
            train_score=entry.train.score if entry.train is not None else None,
            train_cases=entry.train.cases if entry.train is not None else 0,
            val_score=entry.val.score if entry.val is not None else None,
            calls_at=entry.calls_at,
            parents=list(entry.lineage.parents),
            operators=list(entry.lineage.operators),
        )
        for position, entry in enumerate(result.history)
    ]


def test_a_restarted_run_starts_its_history_over(
    file_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container, _ = with_oracle(file_container, size=40)
    optimization_id, _ = start(container, budget={"calls": 3000}, split=NO_TEST)
    monkeypatch.setattr(runner, "PROGRESS_INTERVAL_S", 0.0)
    reports = itertools.count()
    with pytest.raises(JobInterrupted):  # at the third report, after two were written
        run_optimization_job(container, optimization_id, lambda: next(reports) == 2)
    assert _candidates(container, optimization_id)  # what the first attempt left
    results = _recorded_results(monkeypatch)
    seen: list[list[OptimizationCandidate]] = []

    run_optimization_job(container, optimization_id, _watcher(container, optimization_id, seen))

    assert seen[0] == []  # the restart dropped the first attempt's rows
    final = _candidates(container, optimization_id)
    assert final == _as_listed(results[-1])
    assert len({c.key for c in final}) == len(final)


def test_a_stop_request_interrupts_and_the_job_goes_back_to_the_queue(
    file_container: Container,
) -> None:
    container, _ = with_oracle(file_container)
    optimization_id, job_id = start(container)
    writer = ProgressWriter(container, optimization_id, lambda: True)

    with pytest.raises(JobInterrupted):
        writer(Progress("bandit", 1, 0.5, 0.25, 10, 0, 0.0, 4))

    execute_job(container, job_id)  # a later claim starts over and finishes
    assert read(container, optimization_id).status == "completed"


def test_a_deleted_dataset_marks_the_optimization_failed(file_container: Container) -> None:
    container, _ = with_oracle(file_container)
    optimization_id, job_id = start(container)

    def delete_dataset(uow: UnitOfWork) -> None:
        for row in uow.session.scalars(select(DatasetRow)).all():
            uow.session.delete(row)

    container.database.run(delete_dataset)
    with pytest.raises(NotFoundError):
        execute_job(container, job_id)

    failed = read(container, optimization_id)
    assert failed.status == "failed"
    assert failed.error is not None
    assert "dataset version" in failed.error
    assert job_row(container, job_id).status == "failed"


def test_a_budget_too_small_for_the_start_fails_at_once_and_says_why(
    file_container: Container,
) -> None:
    container, fake = with_oracle(file_container)
    optimization_id, job_id = start(container, budget={"calls": 5})

    with pytest.raises(BudgetTooSmall):
        execute_job(container, job_id)

    failed = read(container, optimization_id)
    assert failed.status == "failed"
    assert failed.error is not None
    assert "Budget too small" in failed.error
    assert "raise the budget" in failed.error
    job = job_row(container, job_id)
    assert (job.status, job.attempts) == ("failed", 1)  # no retry: it would stop the same way
    assert "set aside to score the start and the winner on the test split" in failed.error
    assert len(fake.calls) == 0  # 5 calls do not even cover the test split's reserve


def test_a_passing_failure_is_retried_without_ever_reading_failed(
    file_container: Container,
) -> None:
    container, fake = with_oracle(file_container)
    optimization_id, job_id = start(container, budget={"calls": 3000})
    fake.fail(TARGET, ModelCallError("the provider hung up"))

    job = claim_next(container)
    assert job is not None
    assert job.id == job_id

    assert run_claimed(container, job, should_stop=lambda: False) == "requeued"
    assert job_row(container, job_id).status == "queued"
    between = read(container, optimization_id)
    assert between.status == "running"  # a watcher must not see `failed` before the retry
    assert between.error is None
    execute_job(container, job_id)
    assert read(container, optimization_id).status == "completed"


def test_starting_checks_prompt_dataset_and_size(file_container: Container) -> None:
    container, _ = with_oracle(file_container)
    seed_dataset(
        container.database, "tiny", [{"name": "a", "input": {"text": "x"}, "expected": "y"}]
    )

    with pytest.raises(NotFoundError):
        start(container, prompt="nope")
    with pytest.raises(NotFoundError):
        start(container, dataset="nope")
    with pytest.raises(ValidationFailed):
        start(container, dataset="tiny")
    start(container)
    page = container.database.run(lambda uow: list_optimizations(uow, OWNER), read_only=True)
    assert [o.status for o in page.items] == ["pending"]
