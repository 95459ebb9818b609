"""Tables of the evaluation aggregate: an evaluation and its per-test-case results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow
from autoforge.db.tenancy import ProjectOwned

EVALUATION_STATUSES = ("pending", "running", "completed", "failed")


def _unit_range(column: str) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IS NULL OR ({column} >= 0.0 AND {column} <= 1.0)", name=f"{column}_range"
    )


class EvaluationRow(ProjectOwned, Base):
    __tablename__ = "evaluations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(128))
    prompt_id: Mapped[str] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"))
    prompt_version: Mapped[int] = mapped_column(Integer)
    dataset_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="SET NULL"), default=None
    )
    # Evaluations started together (several models, or versions to compare) share a group.
    group_id: Mapped[str | None] = mapped_column(String(36), default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(200))
    overall_score: Mapped[float | None] = mapped_column(Float, default=None)
    accuracy_score: Mapped[float | None] = mapped_column(Float, default=None)
    hallucination_rate: Mapped[float | None] = mapped_column(Float, default=None)
    style_consistency: Mapped[float | None] = mapped_column(Float, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total_cases: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    done_cases: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    passed_cases: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cache_hits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_cost: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # Calls without a known price: their cost is missing from total_cost (the priced sum).
    unpriced_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    latency_p50_ms: Mapped[float | None] = mapped_column(Float, default=None)
    latency_p95_ms: Mapped[float | None] = mapped_column(Float, default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed')", name="status_enum"
        ),
        _unit_range("overall_score"),
        _unit_range("accuracy_score"),
        _unit_range("hallucination_rate"),
        _unit_range("style_consistency"),
        CheckConstraint(
            "done_cases >= 0 AND done_cases <= total_cases AND passed_cases <= done_cases",
            name="progress_consistent",
        ),
        CheckConstraint("total_cost >= 0 AND total_tokens >= 0", name="totals_non_negative"),
        Index("ix_evaluations_project_created", "project_id", "created_at"),
        Index("ix_evaluations_group", "group_id"),
        Index("ix_evaluations_prompt_id", "prompt_id"),
        Index("ix_evaluations_status", "status"),
        Index("ix_evaluations_created_at", "created_at"),
        Index("ix_evaluations_provider_model", "provider", "model"),
        Index("ix_evaluations_prompt_created", "prompt_id", "created_at"),
        Index("ix_evaluations_prompt_status_score", "prompt_id", "status", "overall_score"),
        Index("ix_evaluations_running", "prompt_id", sqlite_where=text("status = 'running'")),
    )


class TestResultRow(Base):
    __tablename__ = "test_results"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    test_case_name: Mapped[str] = mapped_column(String(255))
    input: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    output: Mapped[str | None] = mapped_column(Text, default=None)
    expected: Mapped[str | None] = mapped_column(Text, default=None)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    # No price known for the model: `cost` is 0.0 and means "unknown" (issue #19).
    unpriced: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    cache_hit: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # Whether the case counts towards the evaluation's hallucination rate (the judge's
    # verdict, else the reference check); NULL for rows recorded before it was stored.
    unsupported: Mapped[bool | None] = mapped_column(Boolean, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("score >= 0.0 AND score <= 1.0", name="score_range"),
        CheckConstraint("latency_ms >= 0", name="latency_non_negative"),
        CheckConstraint("tokens >= 0", name="tokens_non_negative"),
        CheckConstraint("cost >= 0", name="cost_non_negative"),
        # One result per case per evaluation: a redelivered job can never double-count.
        Index("uq_test_results_eval_case", "evaluation_id", "test_case_name", unique=True),
        Index("ix_test_results_evaluation_id", "evaluation_id"),
        Index("ix_test_results_passed", "passed"),
        Index("ix_test_results_score", "score"),
        Index("ix_test_results_eval_score", "evaluation_id", "score"),
        Index("ix_test_results_eval_passed_score", "evaluation_id", "passed", "score"),
    )
