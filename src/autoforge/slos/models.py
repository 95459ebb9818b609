"""Tables of prompt SLOs: the objectives and their state, the history of checks, the alert
webhooks with their deliveries, and the one row that schedules checks across processes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow
from autoforge.db.tenancy import ProjectOwned


class PromptSLORow(ProjectOwned, Base):
    """Targets for one prompt (all its versions, or the version `label` points at when
    checked) over a rolling window. `label` is "" for all versions."""

    __tablename__ = "prompt_slos"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(64))
    prompt_id: Mapped[str] = mapped_column(String(36))
    prompt_name: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(64), default="")
    window_s: Mapped[int] = mapped_column(Integer, default=86400)
    min_score: Mapped[float | None] = mapped_column(Float, default=None)
    max_p95_latency_ms: Mapped[float | None] = mapped_column(Float, default=None)
    max_error_rate: Mapped[float | None] = mapped_column(Float, default=None)
    max_cost_per_call: Mapped[float | None] = mapped_column(Float, default=None)
    min_calls: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16), default="unknown")
    state_since: Mapped[datetime] = mapped_column(default=utcnow)
    breached: Mapped[list[str]] = mapped_column(JSON, default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("state IN ('unknown', 'ok', 'violated')", name="slo_state_enum"),
        CheckConstraint("window_s >= 60", name="slo_window_min"),
        CheckConstraint("min_calls >= 1", name="slo_min_calls_positive"),
        Index(
            "uq_prompt_slos_project_prompt_label", "project_id", "prompt_id", "label", unique=True
        ),
    )


class SLOCheckRow(Base):
    """One check of one SLO: what the window held and what it meant. Reached through its SLO
    (no project column), deleted with it."""

    __tablename__ = "slo_checks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slo_id: Mapped[str] = mapped_column(ForeignKey("prompt_slos.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    transition: Mapped[str | None] = mapped_column(String(16), default=None)
    breached: Mapped[list[str]] = mapped_column(JSON, default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        CheckConstraint("result IN ('ok', 'violated', 'no_data')", name="slo_check_result_enum"),
        Index("ix_slo_checks_slo_checked", "slo_id", "checked_at"),
    )


class WebhookRow(ProjectOwned, Base):
    """Where a project's alerts go. `secret_ciphertext`: the signing secret, encrypted by the
    secrets vault; it is shown once, when the webhook is made."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_webhooks_project", "project_id"),)


class WebhookDeliveryRow(ProjectOwned, Base):
    """One alert for one webhook, written in the transaction that changed the SLO's state.
    `body` is fixed then, so every attempt sends the same bytes; a delivery that failed
    `attempts` times is `dead` and stays listed."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(64))
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    response_status: Mapped[int | None] = mapped_column(Integer, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'dead')", name="delivery_status_enum"),
        CheckConstraint("attempts >= 0", name="delivery_attempts_non_negative"),
        Index("uq_webhook_deliveries_event_webhook", "event_id", "webhook_id", unique=True),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )


class ScheduleRow(Base):
    """A periodic task's next due time and who holds it: the one UPDATE that moves `due_at`
    forward decides which process runs it (`slos/scheduler.py`)."""

    __tablename__ = "schedules"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    holder: Mapped[str | None] = mapped_column(String(128), default=None)
    held_until: Mapped[datetime | None] = mapped_column(default=None)
