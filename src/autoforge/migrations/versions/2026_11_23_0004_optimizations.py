"""Optimization runs and the candidates each one evaluated.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:27:24.757327
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "optimizations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("prompt_id", sa.String(length=36), nullable=False),
        sa.Column("prompt_version", sa.Integer(), nullable=False),
        sa.Column("dataset_version_id", sa.String(length=36), nullable=True),
        sa.Column("strategy", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("optimizer_model", sa.String(length=200), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("budget", sa.JSON(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=True),
        sa.Column("baseline_train", sa.Float(), nullable=True),
        sa.Column("baseline_val", sa.Float(), nullable=True),
        sa.Column("best_train", sa.Float(), nullable=True),
        sa.Column("best_val", sa.Float(), nullable=True),
        sa.Column("best_test", sa.Float(), nullable=True),
        sa.Column("improvement", sa.Float(), nullable=True),
        sa.Column("calls_used", sa.Integer(), nullable=False),
        sa.Column("cache_hits", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("wall_s", sa.Float(), nullable=True),
        sa.Column("stop_reason", sa.String(length=32), nullable=True),
        sa.Column("best_template", sa.Text(), nullable=True),
        sa.Column("best_version", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=True),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed')",
            name=op.f("ck_optimizations_optimization_status_enum"),
        ),
        sa.CheckConstraint(
            "strategy IN ('genetic', 'bandit', 'opro')",
            name=op.f("ck_optimizations_optimization_strategy_enum"),
        ),
        sa.CheckConstraint(
            "baseline_train IS NULL OR (baseline_train >= 0.0 AND baseline_train <= 1.0)",
            name=op.f("ck_optimizations_baseline_train_range"),
        ),
        sa.CheckConstraint(
            "baseline_val IS NULL OR (baseline_val >= 0.0 AND baseline_val <= 1.0)",
            name=op.f("ck_optimizations_baseline_val_range"),
        ),
        sa.CheckConstraint(
            "best_test IS NULL OR (best_test >= 0.0 AND best_test <= 1.0)",
            name=op.f("ck_optimizations_best_test_range"),
        ),
        sa.CheckConstraint(
            "best_train IS NULL OR (best_train >= 0.0 AND best_train <= 1.0)",
            name=op.f("ck_optimizations_best_train_range"),
        ),
        sa.CheckConstraint(
            "best_val IS NULL OR (best_val >= 0.0 AND best_val <= 1.0)",
            name=op.f("ck_optimizations_best_val_range"),
        ),
        sa.CheckConstraint(
            "calls_used >= 0 AND cache_hits >= 0 AND cost_usd >= 0",
            name=op.f("ck_optimizations_spend_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_optimizations_dataset_version_id_dataset_versions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["prompts.id"],
            name=op.f("fk_optimizations_prompt_id_prompts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optimizations")),
    )
    with op.batch_alter_table("optimizations", schema=None) as batch_op:
        batch_op.create_index("ix_optimizations_prompt_id", ["prompt_id"], unique=False)
        batch_op.create_index(
            "ix_optimizations_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "optimization_candidates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("optimization_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("candidate_key", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("train_score", sa.Float(), nullable=True),
        sa.Column("train_cases", sa.Integer(), nullable=False),
        sa.Column("val_score", sa.Float(), nullable=True),
        sa.Column("calls_at", sa.Integer(), nullable=False),
        sa.Column("parents", sa.JSON(), nullable=False),
        sa.Column("operators", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "position >= 0", name=op.f("ck_optimization_candidates_position_non_negative")
        ),
        sa.CheckConstraint(
            "train_score IS NULL OR (train_score >= 0.0 AND train_score <= 1.0)",
            name=op.f("ck_optimization_candidates_train_score_range"),
        ),
        sa.CheckConstraint(
            "val_score IS NULL OR (val_score >= 0.0 AND val_score <= 1.0)",
            name=op.f("ck_optimization_candidates_val_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["optimization_id"],
            ["optimizations.id"],
            name=op.f("fk_optimization_candidates_optimization_id_optimizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optimization_candidates")),
    )
    with op.batch_alter_table("optimization_candidates", schema=None) as batch_op:
        batch_op.create_index(
            "uq_optimization_candidates_optimization_position",
            ["optimization_id", "position"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("optimization_candidates", schema=None) as batch_op:
        batch_op.drop_index("uq_optimization_candidates_optimization_position")

    op.drop_table("optimization_candidates")
    with op.batch_alter_table("optimizations", schema=None) as batch_op:
        batch_op.drop_index("ix_optimizations_user_created")
        batch_op.drop_index("ix_optimizations_prompt_id")

    op.drop_table("optimizations")
