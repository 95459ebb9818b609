"""Queries of the optimization aggregate, plus the reads it needs from prompts and datasets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from autoforge.datasets.models import DatasetItemRow, DatasetVersionRow
from autoforge.db.base import new_id, table_of
from autoforge.optimizations.models import OptimizationCandidateRow, OptimizationRow
from autoforge.prompts.domain import Cursor
from autoforge.prompts.models import PromptVersionRow
from autoforge.prompts.repository import beyond


class OptimizationRepository:
    """Reads are scoped to the unit of work's project (`db/tenancy.py`); the job runner's
    system transactions load by id across projects."""

    def __init__(self, session: Session, owner: str | None = None) -> None:
        self.session = session
        self.owner = owner

    def add(self, row: OptimizationRow) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, optimization_id: str) -> OptimizationRow | None:
        query = select(OptimizationRow).where(OptimizationRow.id == optimization_id)
        return self.session.scalars(query).first()

    def page(
        self, *, prompt_id: str | None, status: str | None, after: Cursor | None, limit: int
    ) -> list[OptimizationRow]:
        query = select(OptimizationRow)
        if prompt_id is not None:
            query = query.where(OptimizationRow.prompt_id == prompt_id)
        if status is not None:
            query = query.where(OptimizationRow.status == status)
        if after is not None:
            query = query.where(
                beyond(OptimizationRow.created_at, OptimizationRow.id, after, newest_first=True)
            )
        order = (OptimizationRow.created_at.desc(), OptimizationRow.id.desc())
        return list(self.session.scalars(query.order_by(*order).limit(limit)))

    def candidates_page(
        self, optimization_id: str, *, after: int | None, limit: int
    ) -> list[OptimizationCandidateRow]:
        query = select(OptimizationCandidateRow).where(
            OptimizationCandidateRow.optimization_id == optimization_id
        )
        if after is not None:
            query = query.where(OptimizationCandidateRow.position > after)
        order = OptimizationCandidateRow.position
        return list(self.session.scalars(query.order_by(order).limit(limit)))

    def save_candidates(self, optimization_id: str, rows: Sequence[dict[str, Any]]) -> None:
        """Inserts each row at its position, or updates the row already there (a candidate
        rescored since the last save). One executemany: a history can hold thousands."""
        if rows:
            values = [{"id": new_id(), "optimization_id": optimization_id, **r} for r in rows]
            self.session.execute(_SAVE_CANDIDATE, values)

    def delete_candidates(self, optimization_id: str) -> None:
        self.session.execute(
            delete(_CANDIDATES).where(_CANDIDATES.c.optimization_id == optimization_id)
        )

    def prompt_content(self, prompt_id: str, version: int) -> str | None:
        query = select(PromptVersionRow.content).where(
            PromptVersionRow.prompt_id == prompt_id, PromptVersionRow.version_number == version
        )
        return self.session.scalar(query)

    def items(self, dataset_version_id: str) -> list[DatasetItemRow]:
        query = (
            select(DatasetItemRow)
            .where(DatasetItemRow.dataset_version_id == dataset_version_id)
            .order_by(DatasetItemRow.position)
        )
        return list(self.session.scalars(query))

    def sensitive_fields(self, dataset_version_id: str) -> list[str]:
        """The input fields the version's items hold encrypted."""
        query = select(DatasetVersionRow.sensitive).where(
            DatasetVersionRow.id == dataset_version_id
        )
        return list(self.session.scalar(query) or [])


_CANDIDATES = table_of(OptimizationCandidateRow)
_INSERT_CANDIDATE = insert(_CANDIDATES)
# A row keeps its id and place; everything a later score can change is overwritten.
_SAVE_CANDIDATE = _INSERT_CANDIDATE.on_conflict_do_update(
    index_elements=["optimization_id", "position"],
    set_={
        column.name: _INSERT_CANDIDATE.excluded[column.name]
        for column in _CANDIDATES.columns
        if column.name not in ("id", "optimization_id", "position")
    },
)
