"""Dataset versions name the input fields of their items that are stored encrypted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not a batch: a batch rebuilds the table, and dropping the old copy
# would cascade through the foreign keys to the items (deleted) and to the evaluations and
# optimizations that ran on a version (their reference nulled).


def upgrade() -> None:
    # NULL: no sensitive field (every version written before this revision).
    op.add_column("dataset_versions", sa.Column("sensitive", sa.JSON(), nullable=True))


def downgrade() -> None:
    # The values stay sealed ({"$fernet": ...}) in the items: dropping the list of fields
    # does not decrypt them, so nothing is written back in plaintext.
    op.drop_column("dataset_versions", "sensitive")
