"""Prompt SLOs: targets and state per prompt, the history of checks, alert webhooks and
their deliveries, and the schedules table that makes periodic work single-flight.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.String(length=32)


def upgrade() -> None:
    op.create_table(
        "prompt_slos",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("prompt_id", sa.String(length=36), nullable=False),
        sa.Column("prompt_name", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("window_s", sa.Integer(), nullable=False),
        sa.Column("min_score", sa.Float(), nullable=True),
        sa.Column("max_p95_latency_ms", sa.Float(), nullable=True),
        sa.Column("max_error_rate", sa.Float(), nullable=True),
        sa.Column("max_cost_per_call", sa.Float(), nullable=True),
        sa.Column("min_calls", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_since", _TIME, nullable=False),
        sa.Column("breached", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("checked_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.CheckConstraint(
            "state IN ('unknown', 'ok', 'violated')", name=op.f("ck_prompt_slos_slo_state_enum")
        ),
        sa.CheckConstraint("window_s >= 60", name=op.f("ck_prompt_slos_slo_window_min")),
        sa.CheckConstraint("min_calls >= 1", name=op.f("ck_prompt_slos_slo_min_calls_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_slos")),
    )
    op.create_index(
        "uq_prompt_slos_project_prompt_label",
        "prompt_slos",
        ["project_id", "prompt_id", "label"],
        unique=True,
    )
    op.create_table(
        "slo_checks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("slo_id", sa.String(length=36), nullable=False),
        sa.Column("checked_at", _TIME, nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("transition", sa.String(length=16), nullable=True),
        sa.Column("breached", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "result IN ('ok', 'violated', 'no_data')",
            name=op.f("ck_slo_checks_slo_check_result_enum"),
        ),
        sa.ForeignKeyConstraint(
            ["slo_id"],
            ["prompt_slos.id"],
            name=op.f("fk_slo_checks_slo_id_prompt_slos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slo_checks")),
    )
    op.create_index("ix_slo_checks_slo_checked", "slo_checks", ["slo_id", "checked_at"])
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index("ix_webhooks_project", "webhooks", ["project_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("delivered_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'dead')",
            name=op.f("ck_webhook_deliveries_delivery_status_enum"),
        ),
        sa.CheckConstraint(
            "attempts >= 0", name=op.f("ck_webhook_deliveries_delivery_attempts_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_webhook_deliveries_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        "uq_webhook_deliveries_event_webhook",
        "webhook_deliveries",
        ["event_id", "webhook_id"],
        unique=True,
    )
    op.create_index(
        "ix_webhook_deliveries_status_next", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_table(
        "schedules",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("due_at", _TIME, nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=True),
        sa.Column("held_until", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_schedules")),
    )


def downgrade() -> None:
    op.drop_table("schedules")
    op.drop_index("ix_webhook_deliveries_status_next", table_name="webhook_deliveries")
    op.drop_index("uq_webhook_deliveries_event_webhook", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhooks_project", table_name="webhooks")
    op.drop_table("webhooks")
    op.drop_index("ix_slo_checks_slo_checked", table_name="slo_checks")
    op.drop_table("slo_checks")
    op.drop_index("uq_prompt_slos_project_prompt_label", table_name="prompt_slos")
    op.drop_table("prompt_slos")
