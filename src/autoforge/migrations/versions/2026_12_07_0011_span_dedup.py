"""A span another system sent is stored once per project: an exporter that retries after a
timeout sends the same span again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A plain CREATE INDEX, not a batch: a batch rebuild of llm_calls is not needed for an index.
# Calls we made have no span id and are not concerned (partial index).


def upgrade() -> None:
    # Copies a retry stored before this revision: the first one stored is kept. A NULL
    # project groups with NULL here, but ingested spans always belong to a project.
    op.execute(
        "DELETE FROM llm_calls WHERE span_id IS NOT NULL AND rowid NOT IN ("
        "SELECT min(rowid) FROM llm_calls WHERE span_id IS NOT NULL"
        " GROUP BY project_id, trace_id, span_id)"
    )
    op.create_index(
        "uq_llm_calls_project_trace_span",
        "llm_calls",
        ["project_id", "trace_id", "span_id"],
        unique=True,
        sqlite_where=sa.text("span_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_llm_calls_project_trace_span", table_name="llm_calls")
