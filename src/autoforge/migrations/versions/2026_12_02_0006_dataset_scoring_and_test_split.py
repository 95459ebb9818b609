"""Dataset versions carry their default scoring; optimizations report on a held-out test split.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: written before versions carried scoring; it is inferred from the items on read.
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scoring", sa.JSON(), nullable=True))
    with op.batch_alter_table("optimizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline_test", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("test_cases", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("test_delta_low", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("test_delta_high", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("measured_on", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("verdict", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("optimizations", schema=None) as batch_op:
        for column in (
            "verdict",
            "measured_on",
            "test_delta_high",
            "test_delta_low",
            "test_cases",
            "baseline_test",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.drop_column("scoring")
