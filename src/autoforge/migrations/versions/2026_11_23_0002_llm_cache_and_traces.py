"""LLM gateway: response cache and the log of model calls (traces).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "llm_calls",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_id", sa.String(length=36), nullable=True),
        sa.Column("prompt_version", sa.Integer(), nullable=True),
        sa.Column("variables", sa.JSON(), nullable=True),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("finish_reason", sa.String(length=32), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("cache_hit", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_llm_calls_attempts_non_negative")),
        sa.CheckConstraint("cost_usd >= 0", name=op.f("ck_llm_calls_cost_non_negative")),
        sa.CheckConstraint("latency_ms >= 0", name=op.f("ck_llm_calls_latency_non_negative")),
        sa.CheckConstraint(
            "tokens_in >= 0 AND tokens_out >= 0", name=op.f("ck_llm_calls_tokens_non_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_calls")),
    )
    with op.batch_alter_table("llm_calls", schema=None) as batch_op:
        batch_op.create_index("ix_llm_calls_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_llm_calls_model", ["model"], unique=False)
        batch_op.create_index(
            "ix_llm_calls_prompt_created", ["prompt_id", "created_at"], unique=False
        )

    op.create_table(
        "llm_response_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("hit_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "hit_count >= 0", name=op.f("ck_llm_response_cache_hit_count_non_negative")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_llm_response_cache")),
    )


def downgrade() -> None:
    op.drop_table("llm_response_cache")
    with op.batch_alter_table("llm_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_llm_calls_prompt_created")
        batch_op.drop_index("ix_llm_calls_model")
        batch_op.drop_index("ix_llm_calls_created_at")

    op.drop_table("llm_calls")
