"""Tables of the optimization aggregate: a run and every candidate it evaluated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow
from autoforge.db.tenancy import ProjectOwned

OPTIMIZATION_STATUSES = ("pending", "running", "completed", "failed")
OPTIMIZATION_STRATEGIES = ("genetic", "bandit", "opro")


def _unit_range(column: str) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IS NULL OR ({column} >= 0.0 AND {column} <= 1.0)", name=f"{column}_range"
    )


class OptimizationRow(ProjectOwned, Base):
    """One search from a prompt version on a dataset version; the figures once it is done."""

    __tablename__ = "optimizations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(128))
    prompt_id: Mapped[str] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"))
    prompt_version: Mapped[int] = mapped_column(Integer)
    dataset_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="SET NULL"), default=None
    )
    strategy: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(200))
    optimizer_model: Mapped[str | None] = mapped_column(String(200), default=None)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    budget: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Frozen at creation: split fractions, assertions, generation params, dataset name.
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    baseline_train: Mapped[float | None] = mapped_column(Float, default=None)
    baseline_val: Mapped[float | None] = mapped_column(Float, default=None)
    best_train: Mapped[float | None] = mapped_column(Float, default=None)
    best_val: Mapped[float | None] = mapped_column(Float, default=None)
    best_test: Mapped[float | None] = mapped_column(Float, default=None)
    # The headline: winner minus start on the held-out test split (no step of the search
    # read it), with a 95 % paired-bootstrap interval; `measured_on` says which split the
    # `improvement` is on ("test", or "validation" when the run has no test split).
    baseline_test: Mapped[float | None] = mapped_column(Float, default=None)
    test_cases: Mapped[int | None] = mapped_column(Integer, default=None)
    test_delta_low: Mapped[float | None] = mapped_column(Float, default=None)
    test_delta_high: Mapped[float | None] = mapped_column(Float, default=None)
    measured_on: Mapped[str | None] = mapped_column(String(16), default=None)
    verdict: Mapped[str | None] = mapped_column(Text, default=None)
    improvement: Mapped[float | None] = mapped_column(Float, default=None)
    calls_used: Mapped[int] = mapped_column(Integer, default=0)
    cache_hits: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)  # of the priced calls
    unpriced_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    wall_s: Mapped[float | None] = mapped_column(Float, default=None)
    stop_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    best_template: Mapped[str | None] = mapped_column(Text, default=None)
    best_version: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed')",
            name="optimization_status_enum",
        ),
        CheckConstraint(
            "strategy IN ('genetic', 'bandit', 'opro')", name="optimization_strategy_enum"
        ),
        _unit_range("baseline_train"),
        _unit_range("baseline_val"),
        _unit_range("best_train"),
        _unit_range("best_val"),
        _unit_range("best_test"),
        CheckConstraint(
            "calls_used >= 0 AND cache_hits >= 0 AND cost_usd >= 0", name="spend_non_negative"
        ),
        Index("ix_optimizations_project_created", "project_id", "created_at"),
        Index("ix_optimizations_prompt_id", "prompt_id"),
    )


class OptimizationCandidateRow(Base):
    """One evaluated candidate, in the order the search found it."""

    __tablename__ = "optimization_candidates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    optimization_id: Mapped[str] = mapped_column(ForeignKey("optimizations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    candidate_key: Mapped[str] = mapped_column(String(64))  # what `parents` refer to
    round: Mapped[int] = mapped_column(Integer)
    template: Mapped[str] = mapped_column(Text)
    train_score: Mapped[float | None] = mapped_column(Float, default=None)
    train_cases: Mapped[int] = mapped_column(Integer, default=0)
    val_score: Mapped[float | None] = mapped_column(Float, default=None)
    calls_at: Mapped[int] = mapped_column(Integer, default=0)
    parents: Mapped[list[str]] = mapped_column(JSON, default=list)
    operators: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (
        CheckConstraint("position >= 0", name="position_non_negative"),
        _unit_range("train_score"),
        _unit_range("val_score"),
        Index(
            "uq_optimization_candidates_optimization_position",
            "optimization_id",
            "position",
            unique=True,
        ),
    )
