"""Tables of prompt embeddings: each distinct vector once, and which version has which vector.

Identical texts give identical vectors, and libsql#2197 reports that deleting one of two rows
with identical vectors drops both from the vector index. Storing each distinct vector once
(keyed by a digest of its bytes) means the index never holds two identical vectors, and a
vector row is only deleted once no version refers to it any more.

The `embedding` column is `F32_BLOB(384)` and carries a `libsql_vector_idx` index; SQLAlchemy
cannot express either, so the migration creates them in raw SQL (see migration 0013).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, utcnow

INDEX_NAME = "ix_embedding_vectors_embedding"


class F32Blob(TypeDecorator[bytes]):
    """`F32_BLOB(384)` in the schema; little-endian float32 bytes in Python. Reflected as a
    BLOB, which is what this type compares as."""

    impl = LargeBinary
    cache_ok = True


class EmbeddingVectorRow(Base):
    __tablename__ = "embedding_vectors"

    # An INTEGER PRIMARY KEY is the rowid: what `vector_top_k` returns.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(100))
    embedding: Mapped[bytes] = mapped_column(F32Blob())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("uq_embedding_vectors_digest", "digest", unique=True),)


class PromptEmbeddingRow(Base):
    """One row per embedded prompt version (a child of the version: no project column)."""

    __tablename__ = "prompt_embeddings"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("prompt_versions.id", ondelete="CASCADE"), primary_key=True
    )
    prompt_id: Mapped[str] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    vector_id: Mapped[int] = mapped_column(ForeignKey("embedding_vectors.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_prompt_embeddings_prompt_version", "prompt_id", "version_number"),
        Index("ix_prompt_embeddings_vector_id", "vector_id"),
    )
