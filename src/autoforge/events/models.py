"""Tables of the event store: the outbox itself, per-handler deliveries, dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow


class StoredEventRow(Base):
    __tablename__ = "event_store"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stream_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(128))
    event_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        CheckConstraint("version >= 1", name="event_version_positive"),
        Index("uq_event_store_stream_version", "stream_id", "version", unique=True),
        Index("ix_event_store_event_type", "event_type"),
        # The relay only ever looks for what it has not yet published.
        Index(
            "ix_event_store_unpublished",
            "occurred_at",
            sqlite_where=text("published_at IS NULL"),
        ),
    )


class EventDeliveryRow(Base):
    """Marks that one handler has processed one event, so a replay never runs it twice."""

    __tablename__ = "event_deliveries"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeadLetterRow(Base):
    __tablename__ = "event_dead_letters"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(128))
    handler: Mapped[str] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("attempts >= 1", name="attempts_positive"),
        Index("uq_event_dead_letters_event_handler", "event_id", "handler", unique=True),
    )
