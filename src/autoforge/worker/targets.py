"""What the worker does to a job's target (an evaluation, an optimization) when it gives up.

Both aggregates share the status lifecycle (pending -> running -> completed | failed) and
the columns that record an end, so one function marks either failed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from autoforge.db.base import utcnow

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.db.unit_of_work import UnitOfWork


class Target(Protocol):
    status: str
    error: str | None
    finished_at: datetime | None
    updated_at: datetime


def failure_marker(
    load: Callable[[UnitOfWork, str], Target | None],
) -> Callable[[Container, str, str], None]:
    """A `give_up` hook: marks the target `load` finds failed with the error, unless it
    completed meanwhile (a final failure may race a run that finished elsewhere)."""

    def mark_failed(container: Container, target_id: str, error: str) -> None:
        def work(uow: UnitOfWork) -> None:
            row = load(uow, target_id)
            if row is None or row.status == "completed":
                return
            now = utcnow()
            row.status, row.error, row.finished_at, row.updated_at = "failed", error, now, now

        container.database.run(work)

    return mark_failed
