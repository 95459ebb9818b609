"""Prompt embeddings: distinct vectors in a native F32_BLOB(384) column with a cosine vector
index, and the embedding of each prompt version.

The index is created with `compress_neighbors=float8` and `max_neighbors=16` on purpose: each
indexed vector carries copies of its neighbours, so the defaults (uncompressed neighbours,
3·√D ≈ 58 of them) make the index many times the data. Measured on 5,000 clustered vectors
(bench/similarity.py, docs/similar-prompts.md): float8 with 32 neighbours made the file 8x
the table without the index at recall@10 0.99; with 16, about 4.5x at 0.98; float1bit
shrank it further but recall fell to 0.80.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.String(length=32)
VECTOR_INDEX = (
    "CREATE INDEX ix_embedding_vectors_embedding ON embedding_vectors("
    "libsql_vector_idx(embedding, 'metric=cosine', 'compress_neighbors=float8', "
    "'max_neighbors=16'))"
)


def upgrade() -> None:
    # Raw SQL: Alembic has no F32_BLOB type. It reflects as a BLOB, as the model declares.
    op.execute(
        "CREATE TABLE embedding_vectors ("
        " id INTEGER NOT NULL,"
        " digest VARCHAR(64) NOT NULL,"
        " model VARCHAR(100) NOT NULL,"
        " embedding F32_BLOB(384) NOT NULL,"
        " created_at VARCHAR(32) NOT NULL,"
        " CONSTRAINT pk_embedding_vectors PRIMARY KEY (id))"
    )
    op.create_index("uq_embedding_vectors_digest", "embedding_vectors", ["digest"], unique=True)
    op.execute(VECTOR_INDEX)
    op.create_table(
        "prompt_embeddings",
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("prompt_id", sa.String(length=36), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("vector_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["prompt_versions.id"],
            name=op.f("fk_prompt_embeddings_version_id_prompt_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["prompts.id"],
            name=op.f("fk_prompt_embeddings_prompt_id_prompts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vector_id"],
            ["embedding_vectors.id"],
            name=op.f("fk_prompt_embeddings_vector_id_embedding_vectors"),
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_prompt_embeddings")),
    )
    op.create_index(
        "ix_prompt_embeddings_prompt_version",
        "prompt_embeddings",
        ["prompt_id", "version_number"],
    )
    op.create_index("ix_prompt_embeddings_vector_id", "prompt_embeddings", ["vector_id"])


def downgrade() -> None:
    op.drop_index("ix_prompt_embeddings_vector_id", table_name="prompt_embeddings")
    op.drop_index("ix_prompt_embeddings_prompt_version", table_name="prompt_embeddings")
    op.drop_table("prompt_embeddings")
    op.execute("DROP INDEX ix_embedding_vectors_embedding")
    op.drop_index("uq_embedding_vectors_digest", table_name="embedding_vectors")
    op.drop_table("embedding_vectors")
    # libSQL's bookkeeping of vector indexes; this revision made the only one.
    op.execute("DROP TABLE IF EXISTS libsql_vector_meta_shadow")
