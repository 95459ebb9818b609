"""Tables of the LLM gateway: the response cache and the log of every model call (traces)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow
from autoforge.db.tenancy import ProjectOwned


class CachedResponseRow(Base):
    """One stored answer, keyed by the hash of everything that shapes the model's output."""

    __tablename__ = "llm_response_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hit_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("hit_count >= 0", name="hit_count_non_negative"),)


class LLMCallRow(ProjectOwned, Base):
    """One call through the gateway, answered or failed, cached or not.

    `prompt_id` is a plain reference, not a foreign key: the log is append-only and
    outlives the prompts it mentions (aggregates refer to each other by id only).
    """

    __tablename__ = "llm_calls"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str | None] = mapped_column(String(64), default=None)
    model: Mapped[str] = mapped_column(String(200))
    prompt_id: Mapped[str | None] = mapped_column(String(36), default=None)
    prompt_version: Mapped[int | None] = mapped_column(Integer, default=None)
    variables: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    output: Mapped[str | None] = mapped_column(Text, default=None)
    finish_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    # No price known for the model: cost_usd is 0.0 and means "unknown", not free.
    unpriced: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cache_hit: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "gateway": a call we made; "otlp": a span another system sent us.
    source: Mapped[str] = mapped_column(String(16), default="gateway", server_default="gateway")
    provider: Mapped[str | None] = mapped_column(String(64), default=None)
    trace_id: Mapped[str | None] = mapped_column(String(32), default=None)
    span_id: Mapped[str | None] = mapped_column(String(16), default=None)
    prompt_name: Mapped[str | None] = mapped_column(String(200), default=None)

    __table_args__ = (
        CheckConstraint("tokens_in >= 0 AND tokens_out >= 0", name="tokens_non_negative"),
        CheckConstraint("cost_usd >= 0", name="cost_non_negative"),
        CheckConstraint("latency_ms >= 0", name="latency_non_negative"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_llm_calls_created_at", "created_at"),
        Index("ix_llm_calls_project_created", "project_id", "created_at"),
        Index("ix_llm_calls_prompt_created", "prompt_id", "created_at"),
        Index("ix_llm_calls_model", "model"),
        # An exporter's retry sends a span again: it is stored once (migration 0011).
        Index(
            "uq_llm_calls_project_trace_span",
            "project_id",
            "trace_id",
            "span_id",
            unique=True,
            sqlite_where=text("span_id IS NOT NULL"),
        ),
    )
