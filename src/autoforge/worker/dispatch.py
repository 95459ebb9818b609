"""How work gets to a worker: a job row written in the caller's transaction, then a nudge.

The job row is the durable part: it commits with the evaluation it runs, so a job is never
lost and never runs for a rolled-back request. The unit of work remembers the jobs queued in
it, and the database hands them to `dispatch_jobs` after the commit (wired in bootstrap), as
Polar does: no caller dispatches by hand. Embedded, the nudge only makes a worker start now
instead of at its next poll; the Celery transport replaces the nudge with a task.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from autoforge.db.unit_of_work import UnitOfWork
from autoforge.observability.jobs import with_request_id
from autoforge.worker.jobs import JobRepository

if TYPE_CHECKING:
    from autoforge.bootstrap import Container


class JobSignal:
    """Wakes idle in-process workers. A counter, not a flag: a wake that arrives between a
    worker's empty poll and its wait is still seen, because the count moved."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0

    @property
    def generation(self) -> int:
        with self._condition:
            return self._generation

    def notify(self) -> None:
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout_s: float) -> bool:
        """Returns once `notify` was called after `seen` was read (True), or after
        `timeout_s` without one (False)."""
        with self._condition:
            return self._condition.wait_for(lambda: self._generation != seen, timeout_s)


def enqueue_job(uow: UnitOfWork, kind: str, target_id: str, payload: dict[str, Any]) -> str:
    """Queues a job in the caller's transaction and returns its id; a worker gets it once
    that transaction has committed. The payload keeps the queuing request's id, which
    the job's log lines carry."""
    row = JobRepository(uow.session).enqueue(kind, target_id, with_request_id(payload))
    job_id: str = row.id
    uow.jobs.append(job_id)
    return job_id


def dispatch_jobs(container: Container, job_ids: Sequence[str]) -> None:
    """Hands committed jobs to a worker. Scaled out (REDIS_URL set): one Celery task per job.
    Embedded: wake the in-process workers (they would find the jobs at their next poll
    anyway, so this is never needed for correctness)."""
    if not job_ids:
        return
    if container.settings.redis_url:
        from autoforge.worker.celery_app import celery_for, send_jobs

        send_jobs(celery_for(container.settings), list(job_ids))
        return
    container.jobs.notify()
