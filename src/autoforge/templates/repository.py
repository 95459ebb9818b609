"""Every query of prompt templates, scoped to one owner. Flushes, never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from autoforge.prompts.domain import Cursor
from autoforge.prompts.models import PromptTemplateRow
from autoforge.prompts.repository import beyond


class TemplateRepository:
    def __init__(self, session: Session, owner: str) -> None:
        self.session = session
        self.owner = owner

    def get(self, template_id: str) -> PromptTemplateRow | None:
        return self.session.scalar(
            select(PromptTemplateRow).where(PromptTemplateRow.id == template_id)
        )

    def name_taken(self, name: str) -> bool:
        found = self.session.scalar(
            select(PromptTemplateRow.id).where(PromptTemplateRow.name == name)
        )
        return found is not None

    def page(
        self, category: str | None, after: Cursor | None, limit: int
    ) -> list[PromptTemplateRow]:
        """Newest first, keyset-paginated on (created_at, id)."""
        query = select(PromptTemplateRow)
        if category is not None:
            query = query.where(PromptTemplateRow.category == category)
        if after is not None:
            query = query.where(
                beyond(PromptTemplateRow.created_at, PromptTemplateRow.id, after, newest_first=True)
            )
        query = query.order_by(
            PromptTemplateRow.created_at.desc(), PromptTemplateRow.id.desc()
        ).limit(limit)
        return list(self.session.scalars(query))

    def add(self, row: PromptTemplateRow) -> None:
        row.project_id = self.owner
        self.session.add(row)
        self.session.flush()

    def count_use(self, row: PromptTemplateRow) -> None:
        # An SQL increment, not read-modify-write: concurrent renders must all be counted.
        row.usage_count = PromptTemplateRow.usage_count + 1
        self.session.flush()
        # Read back through a query (the project filter applies), not a refresh (it would not).
        counted = select(PromptTemplateRow.usage_count).where(PromptTemplateRow.id == row.id)
        set_committed_value(row, "usage_count", self.session.scalar(counted))

    def delete(self, row: PromptTemplateRow) -> None:
        self.session.delete(row)
        self.session.flush()
