"""Prompt versions say whether they are text or chat and carry a config; calls in the log
say where they came from (our gateway, or a span another system sent us over OTLP).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE ADD COLUMN with no CHECK: a batch rebuild would cascade through the
# foreign keys, and a CHECK in ADD COLUMN has lost the migration's transaction on sqld
# (migration 0007). The API validates the values.


def upgrade() -> None:
    # "text": `content` is the template. "chat": `content` is a JSON list of messages.
    op.add_column(
        "prompt_versions",
        sa.Column("kind", sa.String(8), nullable=False, server_default="text"),
    )
    # Free-form settings that travel with a version (model, temperature...), as in Langfuse.
    op.add_column("prompt_versions", sa.Column("config", sa.JSON(), nullable=True))

    # "gateway": a call we made. "otlp": a span we were sent.
    op.add_column(
        "llm_calls",
        sa.Column("source", sa.String(16), nullable=False, server_default="gateway"),
    )
    op.add_column("llm_calls", sa.Column("provider", sa.String(64), nullable=True))
    op.add_column("llm_calls", sa.Column("trace_id", sa.String(32), nullable=True))
    op.add_column("llm_calls", sa.Column("span_id", sa.String(16), nullable=True))
    # As the span named it: another system knows our prompts by name, not by id.
    op.add_column("llm_calls", sa.Column("prompt_name", sa.String(200), nullable=True))


def downgrade() -> None:
    for column in ("prompt_name", "span_id", "trace_id", "provider", "source"):
        op.drop_column("llm_calls", column)
    op.drop_column("prompt_versions", "config")
    op.drop_column("prompt_versions", "kind")
