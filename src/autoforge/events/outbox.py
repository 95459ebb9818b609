"""Writes collected events into the event store inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from autoforge.events.base import DomainEvent
from autoforge.events.models import StoredEventRow


def write_to_outbox(session: Session, events: Sequence[DomainEvent]) -> None:
    """Appends events with consecutive per-stream versions; UNIQUE(stream_id, version)
    turns a concurrent writer to the same stream into an error instead of a silent fork."""
    if not events:
        return
    next_version: dict[str, int] = {}
    for stream_id in {e.stream_id for e in events}:
        latest = session.scalar(
            select(func.max(StoredEventRow.version)).where(StoredEventRow.stream_id == stream_id)
        )
        next_version[stream_id] = (latest or 0) + 1
    rows = []
    for e in events:
        rows.append(
            {
                "id": e.event_id,
                "stream_id": e.stream_id,
                "version": next_version[e.stream_id],
                "event_type": e.event_type,
                "event_data": e.payload(),
                "occurred_at": e.occurred_at,
            }
        )
        next_version[e.stream_id] += 1
    session.execute(insert(StoredEventRow), rows)
