"""Publishes committed outbox rows to the bus, exactly once per handler, even after a crash."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import insert, select, update

from autoforge.db.base import utcnow
from autoforge.db.unit_of_work import Database
from autoforge.events.base import DomainEvent, rebuild
from autoforge.events.bus import EventBus, Outcome
from autoforge.events.models import DeadLetterRow, EventDeliveryRow, StoredEventRow

log = logging.getLogger(__name__)


class OutboxRelay:
    """Reads unpublished events in commit order, dispatches them, records what happened.

    A process that dies between commit and publish leaves rows with `published_at IS NULL`;
    the next relay (at start-up) picks them up. Per-handler delivery rows make a replay skip
    handlers that already ran, so each handler sees each event once.
    """

    def __init__(self, database: Database, bus: EventBus, *, poll_interval_s: float = 1.0) -> None:
        self.database = database
        self.bus = bus
        self.poll_interval_s = poll_interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def publish_pending(self, batch: int = 200) -> int:
        """Publishes everything pending; returns how many events were published."""
        published = 0
        with self._lock:
            while True:
                pending = self._load(batch)
                for event, delivered in pending:
                    self._record(event, self.bus.dispatch(event, skip=delivered))
                published += len(pending)
                if len(pending) < batch:
                    return published

    def _load(self, batch: int) -> list[tuple[DomainEvent, set[str]]]:
        with self.database.transaction(read_only=True) as uow:
            rows = uow.session.scalars(
                select(StoredEventRow)
                .where(StoredEventRow.published_at.is_(None))
                .order_by(StoredEventRow.occurred_at, StoredEventRow.version)
                .limit(batch)
            ).all()
            ids = [row.id for row in rows]
            done: dict[str, set[str]] = {i: set() for i in ids}
            if ids:
                for event_id, handler in uow.session.execute(
                    select(EventDeliveryRow.event_id, EventDeliveryRow.handler).where(
                        EventDeliveryRow.event_id.in_(ids)
                    )
                ):
                    done[event_id].add(handler)
            return [
                (rebuild(r.event_type, r.id, r.occurred_at, r.event_data), done[r.id]) for r in rows
            ]

    def _record(self, event: DomainEvent, outcome: Outcome) -> None:
        with self.database.transaction() as uow:
            if outcome.delivered:
                uow.session.execute(
                    insert(EventDeliveryRow),
                    [{"event_id": event.event_id, "handler": h} for h in outcome.delivered],
                )
            if outcome.failed:
                uow.session.execute(
                    insert(DeadLetterRow).prefix_with("OR IGNORE"),
                    [
                        {
                            "event_id": event.event_id,
                            "event_type": event.event_type,
                            "handler": f.handler,
                            "error": f.error[:2000],
                            "attempts": f.attempts,
                        }
                        for f in outcome.failed
                    ],
                )
            uow.session.execute(
                update(StoredEventRow)
                .where(StoredEventRow.id == event.event_id)
                .values(published_at=utcnow())
            )

    def notify(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.publish_pending()
            except Exception:
                log.exception("outbox relay pass failed; will retry")
            self._wake.wait(self.poll_interval_s)
            self._wake.clear()
