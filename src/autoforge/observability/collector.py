"""Gauges read from the database when `/metrics` is scraped: the job queue and the outbox.
The database is the truth every process shares, so these are right however many processes
run, with nothing to add up."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from autoforge.db.base import utcnow
from autoforge.db.unit_of_work import Database, UnitOfWork
from autoforge.events.models import DeadLetterRow, StoredEventRow
from autoforge.worker.models import JOB_KINDS, JobRow

log = logging.getLogger(__name__)


class DatabaseCollector:
    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        try:
            state = self.database.run(_read, read_only=True)
        except Exception:
            # A scrape still answers (with the process metrics) while the database does not.
            log.exception("could not read the queue and outbox gauges")
            return
        queued, running, pending, oldest, dead = state
        queued_family = GaugeMetricFamily(
            "autoforge_jobs_queued", "Jobs waiting for a worker, by kind", labels=["kind"]
        )
        running_family = GaugeMetricFamily(
            "autoforge_jobs_running",
            "Jobs a worker holds a live lease on, by kind",
            labels=["kind"],
        )
        for kind in JOB_KINDS:
            queued_family.add_metric([kind], queued.get(kind, 0))
            running_family.add_metric([kind], running.get(kind, 0))
        yield queued_family
        yield running_family
        yield GaugeMetricFamily(
            "autoforge_outbox_pending_events", "Committed events not yet published", pending
        )
        lag = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "autoforge_outbox_lag_seconds",
            "Age of the oldest unpublished event (0 when none waits)",
            max(lag, 0.0),
        )
        yield GaugeMetricFamily(
            "autoforge_outbox_dead_letters",
            "Event deliveries given up after their retries (kept for inspection)",
            dead,
        )


def _read(
    uow: UnitOfWork,
) -> tuple[dict[str, int], dict[str, int], int, datetime | None, int]:
    session = uow.session
    now = utcnow()
    by_kind = select(JobRow.kind, func.count()).group_by(JobRow.kind)
    queued: dict[str, int] = dict(session.execute(by_kind.where(JobRow.status == "queued")).all())
    live = (JobRow.status == "running") & (JobRow.lease_expires_at >= now)
    running: dict[str, int] = dict(session.execute(by_kind.where(live)).all())
    unpublished = StoredEventRow.published_at.is_(None)
    pending, oldest = session.execute(
        select(func.count(), func.min(StoredEventRow.occurred_at)).where(unpublished)
    ).one()
    dead = session.scalar(select(func.count()).select_from(DeadLetterRow)) or 0
    return queued, running, int(pending), _as_datetime(oldest), int(dead)


def _as_datetime(value: object) -> datetime | None:
    # min() over a column comes back as the stored text on SQLite, not as a datetime.
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
