"""Runs one job under a lease, whichever transport delivered it (in-process poller or Celery).

`execute_job` is safe to call any number of times for the same job, at the same time or
after a crash: a finished job is a no-op, a job another live worker holds is waited for,
and the work itself is resumable (an evaluation skips the cases it already committed).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from autoforge.db.base import utcnow
from autoforge.errors import NotFoundError, describe_failure, is_final
from autoforge.evaluations.runner import fail_evaluation, run_evaluation
from autoforge.observability.jobs import observe_job
from autoforge.optimizations.runner import fail_optimization, run_optimization_job
from autoforge.worker.jobs import ClaimedJob, JobInterrupted, JobRepository

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

log = logging.getLogger(__name__)
T = TypeVar("T")
StopCheck = Callable[[], bool]
Outcome = Literal["completed", "requeued", "failed", "released"]
_TERMINAL = ("completed", "failed")
_MAX_WAIT_S = 1.0


@dataclass(frozen=True)
class Handler:
    """What a job kind does (`run`), and how its target is marked failed when given up on."""

    run: Callable[[Container, str, StopCheck], None]
    give_up: Callable[[Container, str, str], None]


HANDLERS: dict[str, Handler] = {
    "evaluation": Handler(
        run=lambda container, target, stop: run_evaluation(container, target, should_stop=stop),
        give_up=fail_evaluation,
    ),
    "optimization": Handler(run=run_optimization_job, give_up=fail_optimization),
}


def worker_identity() -> str:
    """Unique per claim, and says where the holder runs (useful when reading the job table)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _jobs(container: Container, work: Callable[[JobRepository], T]) -> T:
    return container.database.run(lambda uow: work(JobRepository(uow.session)))


def execute_job(container: Container, job_id: str, *, should_stop: StopCheck | None = None) -> None:
    """Runs the job `job_id` to its end. Returns at once if it is already completed or failed;
    waits while another live worker holds it; re-raises the error of a final failure."""
    stop = should_stop or (lambda: False)
    while not stop():
        job = _claim_when_free(container, job_id, stop)
        if job is None or run_claimed(container, job, should_stop=stop) != "requeued":
            return


def claim_next(container: Container) -> ClaimedJob | None:
    """The oldest queued job, or a job whose holder died, now leased to the caller."""
    lease = container.settings.job_lease_s
    if not container.database.run(
        lambda uow: JobRepository(uow.session).any_claimable(utcnow()), read_only=True
    ):
        return None
    owner = worker_identity()
    return _jobs(container, lambda repo: repo.claim(owner, lease, utcnow()))


def _claim_when_free(container: Container, job_id: str, stop: StopCheck) -> ClaimedJob | None:
    lease = container.settings.job_lease_s
    owner = worker_identity()
    while not stop():
        job = _jobs(container, lambda repo: repo.claim(owner, lease, utcnow(), job_id=job_id))
        if job is not None:
            return job
        row = container.database.run(
            lambda uow: JobRepository(uow.session).get(job_id), read_only=True
        )
        if row is None:
            raise NotFoundError(f"job {job_id} not found")
        if row.status in _TERMINAL:
            return None
        # Held by someone else: either it finishes, or its lease runs out and we take over.
        expires = row.lease_expires_at
        remaining = (expires - utcnow()).total_seconds() if expires is not None else 0.0
        time.sleep(min(_MAX_WAIT_S, max(0.05, remaining)))
    return None


def run_claimed(container: Container, job: ClaimedJob, *, should_stop: StopCheck) -> Outcome:
    """Runs a claimed job while renewing its lease, then records how it ended; observed
    (duration, span, the queuing request's id in its logs)."""
    return observe_job(
        job.kind, job.id, job.payload, lambda: _run(container, job, should_stop=should_stop)
    )


def _run(container: Container, job: ClaimedJob, *, should_stop: StopCheck) -> Outcome:
    handler = HANDLERS[job.kind]
    if job.exhausted:
        return _give_up(container, job, handler)
    with _Lease(container, job) as lease:
        try:
            handler.run(container, job.target_id, lambda: should_stop() or lease.lost)
        except JobInterrupted:
            _jobs(container, lambda repo: repo.release(job, utcnow()))
            log.info("job %s interrupted; it resumes on its next claim", job.id)
            return "released"
        except Exception as exc:
            return _failed(container, job, handler, exc)
    _jobs(container, lambda repo: repo.complete(job.id, utcnow()))
    return "completed"


def _failed(container: Container, job: ClaimedJob, handler: Handler, exc: Exception) -> Outcome:
    error = describe_failure(exc)
    if is_final(exc) or job.attempts >= job.max_attempts:
        handler.give_up(container, job.target_id, error)  # no retry comes: say so visibly
        _jobs(container, lambda repo: repo.fail(job.id, error, utcnow()))
        raise exc
    log.warning("job %s attempt %d failed, retrying: %s", job.id, job.attempts, error)
    _jobs(container, lambda repo: repo.requeue(job, error, utcnow()))
    return "requeued"


def _give_up(container: Container, job: ClaimedJob, handler: Handler) -> Outcome:
    error = (
        f"gave up after {job.max_attempts} attempts: each worker that ran it stopped "
        "without finishing (killed, or lost its lease)"
    )
    log.error("job %s: %s", job.id, error)
    handler.give_up(container, job.target_id, error)
    _jobs(container, lambda repo: repo.fail(job.id, error, utcnow()))
    return "failed"


class _Lease:
    """Renews a job's lease every heartbeat while the job runs; `lost` once it is not ours."""

    def __init__(self, container: Container, job: ClaimedJob) -> None:
        self._container = container
        self._job = job
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job.id[:8]}", daemon=True)
        self.lost = False

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closed.set()
        self._thread.join()

    def _beat(self) -> None:
        settings = self._container.settings
        while not self._closed.wait(settings.job_heartbeat_s):
            try:
                held = _jobs(
                    self._container,
                    lambda repo: repo.heartbeat(self._job, settings.job_lease_s, utcnow()),
                )
            except Exception:
                # One missed beat is fine: the lease outlasts several heartbeats.
                log.exception("heartbeat of job %s failed", self._job.id)
                continue
            if not held:
                log.warning("job %s: lease lost to another worker; stopping", self._job.id)
                self.lost = True
                return
