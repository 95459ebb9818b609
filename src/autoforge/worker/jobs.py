"""Queries on the job table: enqueue, claim under a lease, heartbeat, complete, fail, release.

A lease is a promise with an end: `lease_owner` runs the job until `lease_expires_at`, and
renews it while alive. A job whose lease ran out belongs to nobody and is claimed again, so
a killed worker's job resumes elsewhere. Every state change is one UPDATE guarded by the
state it expects, which keeps two claimants from both winning even across processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from autoforge.worker.models import JobRow

_ERROR_LIMIT = 4000


class JobInterrupted(Exception):
    """A job stopped before finishing because its worker is stopping or lost the lease.
    Nothing is wrong with the job: it resumes, from what was committed, on its next claim."""


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds a lease on; `attempts` counts this claim too."""

    id: str
    kind: str
    target_id: str
    attempts: int
    max_attempts: int
    payload: dict[str, Any]
    owner: str

    @property
    def exhausted(self) -> bool:
        """Claimed once more than allowed: earlier holders all died without finishing it."""
        return self.attempts > self.max_attempts


def _claimable(now: datetime) -> ColumnElement[bool]:
    # The explicit IN lets SQLite use the partial index ix_jobs_claimable.
    return and_(
        JobRow.status.in_(("queued", "running")),
        or_(
            JobRow.status == "queued",
            and_(JobRow.status == "running", JobRow.lease_expires_at < now),
        ),
    )


class JobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(
        self, kind: str, target_id: str, payload: dict[str, Any], *, max_attempts: int = 3
    ) -> JobRow:
        row = JobRow(kind=kind, target_id=target_id, payload=payload, max_attempts=max_attempts)
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, job_id: str) -> JobRow | None:
        return self.session.get(JobRow, job_id)

    def for_target(self, kind: str, target_id: str) -> list[JobRow]:
        query = select(JobRow).where(JobRow.kind == kind, JobRow.target_id == target_id)
        return list(self.session.scalars(query.order_by(JobRow.created_at)))

    def any_claimable(self, now: datetime) -> bool:
        """A cheap read first, so idle workers do not take the write lock every poll."""
        return bool(self.session.scalar(select(exists().where(_claimable(now)))))

    def claim(
        self, owner: str, lease_s: float, now: datetime, *, job_id: str | None = None
    ) -> ClaimedJob | None:
        """Takes `job_id` (or the oldest claimable job) if it is queued or its lease expired."""
        if job_id is not None:
            target: ColumnElement[bool] = JobRow.id == job_id
        else:
            oldest = select(JobRow.id).where(_claimable(now)).order_by(JobRow.created_at).limit(1)
            target = JobRow.id == oldest.scalar_subquery()
        statement = (
            update(JobRow)
            .where(target, _claimable(now))
            .values(
                status="running",
                lease_owner=owner,
                lease_expires_at=now + timedelta(seconds=lease_s),
                attempts=JobRow.attempts + 1,
                updated_at=now,
            )
            .returning(
                JobRow.id,
                JobRow.kind,
                JobRow.target_id,
                JobRow.attempts,
                JobRow.max_attempts,
                JobRow.payload,
            )
            .execution_options(synchronize_session=False)
        )
        row = self.session.execute(statement).first()
        if row is None:
            return None
        return ClaimedJob(row[0], row[1], row[2], row[3], row[4], dict(row[5] or {}), owner)

    def heartbeat(self, job: ClaimedJob, lease_s: float, now: datetime) -> bool:
        """Extends the lease; False if it is no longer ours (it expired and was taken over)."""
        statement = (
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.lease_owner == job.owner, JobRow.status == "running")
            .values(lease_expires_at=now + timedelta(seconds=lease_s), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        updated: int = self.session.execute(statement).rowcount  # type: ignore[attr-defined]
        return updated == 1

    def complete(self, job_id: str, now: datetime) -> None:
        """Whoever finishes the work completes the job, even if its lease passed to another:
        the target is done, and the other holder would only find that out."""
        self._set(job_id, now, status="completed", error=None)

    def fail(self, job_id: str, error: str, now: datetime) -> None:
        self._set(job_id, now, status="failed", error=error[:_ERROR_LIMIT])

    def requeue(self, job: ClaimedJob, error: str, now: datetime) -> None:
        """Puts a job that failed back in the queue for another attempt."""
        self._give_back(job, now, attempts=JobRow.attempts, error=error[:_ERROR_LIMIT])

    def release(self, job: ClaimedJob, now: datetime) -> None:
        """Gives the job back unfinished (the worker is stopping); the claim is not counted."""
        self._give_back(job, now, attempts=JobRow.attempts - 1)

    def _give_back(self, job: ClaimedJob, now: datetime, **values: Any) -> None:
        statement = (
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.lease_owner == job.owner, JobRow.status == "running")
            .values(
                status="queued", lease_owner=None, lease_expires_at=None, updated_at=now, **values
            )
            .execution_options(synchronize_session=False)
        )
        self.session.execute(statement)

    def _set(self, job_id: str, now: datetime, **values: Any) -> None:
        statement = (
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(("queued", "running")))
            .values(lease_owner=None, lease_expires_at=None, updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(statement)
