"""Jobs and their leases on a real libSQL file: exclusive claims, expiry and takeover,
giving up on a job whose workers keep dying, stopping and resuming, the in-process worker."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from autoforge.bootstrap import Container
from autoforge.db.base import utcnow
from autoforge.evaluations.runner import run_evaluation
from autoforge.llm.fake import FakeModelClient
from autoforge.worker.inprocess import InProcessWorker
from autoforge.worker.jobs import JobInterrupted, JobRepository
from autoforge.worker.models import JobRow
from autoforge.worker.runner import execute_job, run_claimed
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
    wait_until_finished,
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
def seeded(container: Container) -> None:
    seed_prompt(container.database, "p", "Is {{text}}?")
    seed_dataset(container.database, "d", items(CASES))


@pytest.mark.usefixtures("seeded")
def test_a_stopped_run_hands_its_job_back_and_resumes_later(
    container: Container, fake: FakeModelClient
) -> None:
    [evaluation_id], [job_id] = start_evaluation(container, concurrency=1)
    claimed = container.database.run(
        lambda uow: JobRepository(uow.session).claim("w1", 30, utcnow(), job_id=job_id)
    )
    assert claimed is not None

    assert run_claimed(container, claimed, should_stop=lambda: len(fake.calls) >= 5) == "released"

    stopped = job_row(container, job_id)
    assert (stopped.status, stopped.attempts, stopped.lease_owner) == ("queued", 0, None)
    assert read(container, evaluation_id).status == "running"
    assert len(results_of(container, evaluation_id)) == 5

    execute_job(container, job_id)
    assert len(fake.calls) == CASES
    assert read(container, evaluation_id).progress.done == CASES


@pytest.mark.usefixtures("seeded")
def test_run_evaluation_raises_interrupted_when_asked_to_stop(container: Container) -> None:
    [evaluation_id], _ = start_evaluation(container)
    with pytest.raises(JobInterrupted):
        run_evaluation(container, evaluation_id, should_stop=lambda: True)
    assert read(container, evaluation_id).status == "running"


def test_a_claim_is_exclusive_until_its_lease_expires(container: Container) -> None:
    def jobs(work: object) -> object:
        return container.database.run(lambda uow: work(JobRepository(uow.session)))  # type: ignore[operator]

    job_id = container.database.run(
        lambda uow: JobRepository(uow.session).enqueue("evaluation", "target", {}).id
    )
    now = utcnow()
    first = jobs(lambda repo: repo.claim("w1", 30, now))
    assert first is not None
    assert (first.id, first.attempts, first.owner) == (job_id, 1, "w1")
    assert jobs(lambda repo: repo.claim("w2", 30, now + timedelta(seconds=29))) is None
    # A heartbeat pushes the end of the lease forward.
    assert jobs(lambda repo: repo.heartbeat(first, 30, now + timedelta(seconds=20))) is True
    assert jobs(lambda repo: repo.claim("w2", 30, now + timedelta(seconds=45))) is None

    later = now + timedelta(seconds=51)  # w1 stopped beating: its lease ran out
    second = jobs(lambda repo: repo.claim("w2", 30, later))
    assert second is not None
    assert (second.id, second.attempts, second.owner) == (job_id, 2, "w2")
    assert jobs(lambda repo: repo.heartbeat(first, 30, later)) is False  # w1 lost it

    jobs(lambda repo: repo.complete(job_id, later))
    assert jobs(lambda repo: repo.claim("w3", 30, later + timedelta(hours=1))) is None
    assert job_row(container, job_id).status == "completed"


@pytest.mark.usefixtures("seeded")
def test_a_job_whose_workers_keep_dying_is_given_up(container: Container) -> None:
    [evaluation_id], [job_id] = start_evaluation(container)
    container.database.run(
        lambda uow: uow.session.get(JobRow, job_id).__setattr__("max_attempts", 1)  # type: ignore[union-attr]
    )
    now = utcnow()
    container.database.run(lambda uow: JobRepository(uow.session).claim("dead", 1, now))
    again = container.database.run(
        lambda uow: JobRepository(uow.session).claim("w2", 30, now + timedelta(seconds=5))
    )
    assert again is not None
    assert again.exhausted

    assert run_claimed(container, again, should_stop=lambda: False) == "failed"

    assert job_row(container, job_id).status == "failed"
    failed = read(container, evaluation_id)
    assert failed.status == "failed"
    assert "gave up after 1 attempts" in (failed.error or "")


@pytest.mark.usefixtures("seeded")
def test_the_inprocess_worker_runs_a_job_as_soon_as_it_is_dispatched(
    container: Container,
) -> None:
    slow_poll = dataclasses.replace(
        container,
        settings=container.settings.model_copy(update={"job_poll_s": 3600.0}),
    )
    worker = InProcessWorker(slow_poll, threads=2)
    worker.start()
    try:
        time.sleep(0.2)  # both threads polled once and now wait (up to an hour)
        [evaluation_id], _jobs = start_evaluation(slow_poll)
        # Far below the hour the next poll would take: only the wake-up can finish it.
        done = wait_until_finished(slow_poll, evaluation_id, timeout_s=120)
    finally:
        worker.stop()
    assert done.status == "completed"
    assert [t for t in threading.enumerate() if t.name.startswith("job-worker")] == []
