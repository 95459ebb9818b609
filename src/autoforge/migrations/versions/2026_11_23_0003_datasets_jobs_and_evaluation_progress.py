"""Datasets with immutable versions, the job table, evaluation progress and totals.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:41:42.209430
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "latest_version >= 0", name=op.f("ck_datasets_latest_version_non_negative")
        ),
        sa.CheckConstraint(
            "length(name) BETWEEN 1 AND 200", name=op.f("ck_datasets_dataset_name_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
    )
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.create_index("uq_datasets_user_name", ["user_id", "name"], unique=True)

    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires_at", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "kind IN ('evaluation', 'optimization')", name=op.f("ck_jobs_job_kind_enum")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed')",
            name=op.f("ck_jobs_job_status_enum"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_jobs_attempts_non_negative")),
        sa.CheckConstraint("max_attempts >= 1", name=op.f("ck_jobs_max_attempts_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_jobs_claimable",
            ["status", "created_at"],
            unique=False,
            sqlite_where=sa.text("status IN ('queued', 'running')"),
        )
        batch_op.create_index("ix_jobs_target", ["kind", "target_id"], unique=False)

    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "item_count >= 0", name=op.f("ck_dataset_versions_item_count_non_negative")
        ),
        sa.CheckConstraint(
            "version_number >= 1", name=op.f("ck_dataset_versions_dataset_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_versions_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_versions")),
    )
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.create_index(
            "uq_dataset_versions_dataset_version", ["dataset_id", "version_number"], unique=True
        )

    op.create_table(
        "dataset_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dataset_version_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("expected", sa.Text(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_dataset_items_position_non_negative")),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_dataset_items_dataset_version_id_dataset_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_items")),
    )
    with op.batch_alter_table("dataset_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dataset_items_version_position", ["dataset_version_id", "position"], unique=False
        )
        batch_op.create_index(
            "uq_dataset_items_version_name", ["dataset_version_id", "name"], unique=True
        )

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("user_id", sa.String(length=128), server_default="local-user", nullable=False)
        )
        batch_op.add_column(sa.Column("dataset_version_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("group_id", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("total_cases", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("done_cases", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("passed_cases", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("cache_hits", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("total_tokens", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("total_cost", sa.Float(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("latency_p50_ms", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("latency_p95_ms", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("finished_at", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_evaluations_group", ["group_id"], unique=False)
        batch_op.create_index(
            "ix_evaluations_user_created", ["user_id", "created_at"], unique=False
        )
        batch_op.create_check_constraint(
            "progress_consistent",
            "done_cases >= 0 AND done_cases <= total_cases AND passed_cases <= done_cases",
        )
        batch_op.create_check_constraint(
            "totals_non_negative", "total_cost >= 0 AND total_tokens >= 0"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_evaluations_dataset_version_id_dataset_versions"),
            "dataset_versions",
            ["dataset_version_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("test_results", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cache_hit", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("test_results", schema=None) as batch_op:
        batch_op.drop_column("error")
        batch_op.drop_column("cache_hit")

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_constraint("totals_non_negative", type_="check")
        batch_op.drop_constraint("progress_consistent", type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_evaluations_dataset_version_id_dataset_versions"), type_="foreignkey"
        )
        batch_op.drop_index("ix_evaluations_user_created")
        batch_op.drop_index("ix_evaluations_group")
        batch_op.drop_column("finished_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("latency_p95_ms")
        batch_op.drop_column("latency_p50_ms")
        batch_op.drop_column("total_cost")
        batch_op.drop_column("total_tokens")
        batch_op.drop_column("cache_hits")
        batch_op.drop_column("passed_cases")
        batch_op.drop_column("done_cases")
        batch_op.drop_column("total_cases")
        batch_op.drop_column("group_id")
        batch_op.drop_column("dataset_version_id")
        batch_op.drop_column("user_id")

    with op.batch_alter_table("dataset_items", schema=None) as batch_op:
        batch_op.drop_index("uq_dataset_items_version_name")
        batch_op.drop_index("ix_dataset_items_version_position")

    op.drop_table("dataset_items")
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.drop_index("uq_dataset_versions_dataset_version")

    op.drop_table("dataset_versions")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_target")
        batch_op.drop_index(
            "ix_jobs_claimable", sqlite_where=sa.text("status IN ('queued', 'running')")
        )

    op.drop_table("jobs")
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_index("uq_datasets_user_name")

    op.drop_table("datasets")
