"""Every query of prompt similarity. Flushes, never commits.

Prompts are read through the ORM, so the unit of work's project filter applies to every
statement that touches `prompts` (`db/tenancy.py`). The one raw statement, `vector_top_k`,
reads only vectors, which carry no tenant data: it cannot filter (it has no WHERE clause), so
callers over-fetch candidates from it and filter them with a scoped query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from autoforge.prompts.domain import ListFilters
from autoforge.prompts.models import PromptRow, PromptVersionRow
from autoforge.prompts.repository import apply_filters
from autoforge.similarity.models import INDEX_NAME, EmbeddingVectorRow, PromptEmbeddingRow


@dataclass(frozen=True)
class Unembedded:
    version_id: str
    prompt_id: str
    version_number: int
    content: str


@dataclass(frozen=True)
class Match:
    prompt: PromptRow
    distance: float  # cosine distance: 1 - cosine similarity


def digest(vector: bytes) -> str:
    return hashlib.sha256(vector).hexdigest()


def _current(embedding: type[PromptEmbeddingRow] = PromptEmbeddingRow) -> ColumnElement[bool]:
    """The embedding of the prompt's current version (similarity is between prompts as they
    are now; older versions keep their embeddings for history)."""
    return (embedding.prompt_id == PromptRow.id) & (embedding.version_number == PromptRow.version)


class SimilarityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def unembedded(self, prompt_id: str | None, limit: int, model: str) -> list[Unembedded]:
        """Versions without an embedding by `model`, of prompts this transaction may see:
        never embedded, or embedded by another model (EMBEDDING_MODEL changed)."""
        query = (
            select(
                PromptVersionRow.id,
                PromptVersionRow.prompt_id,
                PromptVersionRow.version_number,
                PromptVersionRow.content,
            )
            .join(PromptRow, PromptRow.id == PromptVersionRow.prompt_id)
            .outerjoin(PromptEmbeddingRow, PromptEmbeddingRow.version_id == PromptVersionRow.id)
            .outerjoin(EmbeddingVectorRow, EmbeddingVectorRow.id == PromptEmbeddingRow.vector_id)
            .where(or_(PromptEmbeddingRow.version_id.is_(None), EmbeddingVectorRow.model != model))
            .order_by(PromptVersionRow.prompt_id, PromptVersionRow.version_number)
            .limit(limit)
        )
        if prompt_id is not None:
            query = query.where(PromptVersionRow.prompt_id == prompt_id)
        return [Unembedded(*row) for row in self.session.execute(query)]

    def pending(self) -> int:
        """Live prompts whose current version has no embedding yet."""
        query = (
            select(func.count())
            .select_from(PromptRow)
            .outerjoin(PromptEmbeddingRow, _current())
            .where(PromptRow.deleted_at.is_(None), PromptEmbeddingRow.version_id.is_(None))
        )
        return int(self.session.scalar(query) or 0)

    def store(self, versions: Sequence[Unembedded], vectors: Sequence[bytes], model: str) -> None:
        """Each distinct vector once (see models.py on libsql#2197), then each version's link."""
        digests = [digest(v) for v in vectors]
        self.session.execute(
            insert(EmbeddingVectorRow).prefix_with("OR IGNORE"),
            [
                {"digest": d, "model": model, "embedding": v}
                for d, v in dict(zip(digests, vectors, strict=True)).items()
            ],
        )
        found = self.session.execute(
            select(EmbeddingVectorRow.digest, EmbeddingVectorRow.id).where(
                EmbeddingVectorRow.digest.in_(set(digests))
            )
        )
        ids = {d: int(i) for d, i in found}
        # OR REPLACE: a version embedded again by another model takes its new vector (the
        # old one, linked to nothing, goes with the next garbage collection).
        self.session.execute(
            insert(PromptEmbeddingRow).prefix_with("OR REPLACE"),
            [
                {
                    "version_id": u.version_id,
                    "prompt_id": u.prompt_id,
                    "version_number": u.version_number,
                    "vector_id": ids[d],
                }
                for u, d in zip(versions, digests, strict=True)
            ],
        )

    def version_vector(self, prompt_id: str, version: int) -> bytes | None:
        """The stored embedding of one version of a prompt the caller has already loaded."""
        query = (
            select(EmbeddingVectorRow.embedding)
            .join(PromptEmbeddingRow, PromptEmbeddingRow.vector_id == EmbeddingVectorRow.id)
            .where(
                PromptEmbeddingRow.prompt_id == prompt_id,
                PromptEmbeddingRow.version_number == version,
            )
        )
        found = self.session.scalar(query)
        return None if found is None else bytes(found)

    def candidates(self, query: bytes, n: int) -> list[tuple[int, float]]:
        """The index's `n` nearest vectors, across every project: (vector id, distance)."""
        rows = self.session.execute(
            text(
                "SELECT v.id, vector_distance_cos(v.embedding, vector32(:q)) AS d"
                f" FROM vector_top_k('{INDEX_NAME}', vector32(:q), :n) AS t"
                " JOIN embedding_vectors AS v ON v.id = t.id ORDER BY d"
            ),
            {"q": query, "n": n},
        )
        return [(int(i), float(d)) for i, d in rows]

    def prompts_with(
        self, vector_ids: Sequence[int], filters: ListFilters, exclude: str | None
    ) -> list[tuple[PromptRow, int]]:
        """This project's prompts whose current version has one of these vectors."""
        query = apply_filters(
            select(PromptRow, PromptEmbeddingRow.vector_id)
            .join(PromptEmbeddingRow, _current())
            .where(PromptEmbeddingRow.vector_id.in_(vector_ids)),
            filters,
        )
        if exclude is not None:
            query = query.where(PromptRow.id != exclude)
        return [(row, int(vector_id)) for row, vector_id in self.session.execute(query)]

    def exact(
        self, query: bytes, k: int, max_distance: float, filters: ListFilters, exclude: str | None
    ) -> list[Match]:
        """The exact answer, by a scan of this project's embeddings ordered by distance."""
        distance = func.vector_distance_cos(
            EmbeddingVectorRow.embedding, func.vector32(literal(query, LargeBinary()))
        )
        statement = apply_filters(
            select(PromptRow, distance)
            .join(PromptEmbeddingRow, _current())
            .join(EmbeddingVectorRow, EmbeddingVectorRow.id == PromptEmbeddingRow.vector_id)
            .where(distance <= max_distance),
            filters,
        )
        if exclude is not None:
            statement = statement.where(PromptRow.id != exclude)
        rows = self.session.execute(statement.order_by(distance, PromptRow.id).limit(k))
        return [Match(row, float(d)) for row, d in rows]

    def current_vectors(self) -> list[tuple[PromptRow, bytes]]:
        """Every live prompt of this project with the embedding of its current version."""
        query = (
            select(PromptRow, EmbeddingVectorRow.embedding)
            .join(PromptEmbeddingRow, _current())
            .join(EmbeddingVectorRow, EmbeddingVectorRow.id == PromptEmbeddingRow.vector_id)
            .where(PromptRow.deleted_at.is_(None))
            .order_by(PromptRow.name)
        )
        return [(row, bytes(vector)) for row, vector in self.session.execute(query)]

    def vector_count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(EmbeddingVectorRow)) or 0)

    def collect_garbage(self) -> int:
        """Deletes vectors no version refers to any more. A vector shared by two versions
        stays as long as either remains, so a delete never takes a live prompt's vector."""
        unused = select(PromptEmbeddingRow.vector_id).where(
            PromptEmbeddingRow.vector_id == EmbeddingVectorRow.id
        )
        result = self.session.execute(delete(EmbeddingVectorRow).where(~unused.exists()))
        return int(getattr(result, "rowcount", 0) or 0)
