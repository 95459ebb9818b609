"""An optimization counts its unpriced calls beside its cost (issue #19): a model without a
known price makes its cost unknown, never $0.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "optimizations",
        sa.Column("unpriced_calls", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("optimizations", "unpriced_calls")
