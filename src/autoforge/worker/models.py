"""The job table: the durable queue of the embedded worker and the ledger of Celery runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow

JOB_KINDS = ("evaluation", "optimization")
JOB_STATUSES = ("queued", "running", "completed", "failed")


class JobRow(Base):
    """A unit of background work. A running job holds a lease; a job whose lease expired
    (its worker died) is claimed again and resumes from what was committed."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    lease_owner: Mapped[str | None] = mapped_column(String(128), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('evaluation', 'optimization')", name="job_kind_enum"),
        CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed')", name="job_status_enum"
        ),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        CheckConstraint("max_attempts >= 1", name="max_attempts_positive"),
        Index("ix_jobs_target", "kind", "target_id"),
        # What a worker polls for: queued jobs, and running ones whose lease ran out.
        Index(
            "ix_jobs_claimable",
            "status",
            "created_at",
            sqlite_where=text("status IN ('queued', 'running')"),
        ),
    )
