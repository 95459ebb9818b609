"""Project secrets: provider API keys and other values a project stores, Fernet-encrypted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_secrets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(name) BETWEEN 2 AND 64", name=op.f("ck_project_secrets_secret_name_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_secrets")),
    )
    op.create_index(
        "uq_project_secrets_project_name", "project_secrets", ["project_id", "name"], unique=True
    )


def downgrade() -> None:
    # The values go with the table: there is nowhere older to keep them.
    op.drop_index("uq_project_secrets_project_name", table_name="project_secrets")
    op.drop_table("project_secrets")
