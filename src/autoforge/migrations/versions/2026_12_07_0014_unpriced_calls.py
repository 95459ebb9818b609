"""Unpriced calls (issue #19): a call to a model nobody has a price for keeps cost 0.0 and
says so with `unpriced`; an evaluation counts its unpriced calls. Plain added columns: a
batch rebuild of llm_calls would put 0011's partial unique index at risk.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "llm_calls", sa.Column("unpriced", sa.Boolean(), nullable=False, server_default="0")
    )
    op.add_column(
        "test_results", sa.Column("unpriced", sa.Boolean(), nullable=False, server_default="0")
    )
    op.add_column(
        "evaluations",
        sa.Column("unpriced_calls", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("evaluations", "unpriced_calls")
    op.drop_column("test_results", "unpriced")
    op.drop_column("llm_calls", "unpriced")
