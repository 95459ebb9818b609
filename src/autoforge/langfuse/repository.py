"""The prompt listing Langfuse pages through: by page number, each prompt with its version
numbers and its newest version's kind and config. Flushes nothing, never commits; the unit
of work confines every statement to the caller's project (`db/tenancy.py`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from autoforge.prompts.domain import ListFilters
from autoforge.prompts.models import PromptRow, PromptVersionRow
from autoforge.prompts.repository import PromptView, apply_filters, labels_json, tags_json

Columns = TypeVarTuple("Columns")

_VERSIONS_JSON: ColumnElement[str] = (
    select(func.json_group_array(PromptVersionRow.version_number))
    .where(PromptVersionRow.prompt_id == PromptRow.id)
    .scalar_subquery()
)
_NEWEST = (PromptVersionRow.prompt_id == PromptRow.id) & (
    PromptVersionRow.version_number == PromptRow.version
)
_NEWEST_KIND: ColumnElement[str] = select(PromptVersionRow.kind).where(_NEWEST).scalar_subquery()
_NEWEST_CONFIG: ColumnElement[Any] = (
    select(PromptVersionRow.config).where(_NEWEST).scalar_subquery()
)


@dataclass(frozen=True)
class Listing:
    """Which live prompts a listing selects: our filters, plus Langfuse's name and range."""

    filters: ListFilters
    name: str | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None


@dataclass
class PromptSummary:
    view: PromptView
    versions: list[int]
    kind: str
    config: dict[str, Any] | None


class LangfuseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _where(query: Select[*Columns], listing: Listing) -> Select[*Columns]:
        query = apply_filters(query, listing.filters)
        if listing.name is not None:
            query = query.where(PromptRow.name == listing.name)
        if listing.updated_from is not None:
            query = query.where(PromptRow.updated_at >= listing.updated_from)
        if listing.updated_to is not None:
            query = query.where(PromptRow.updated_at < listing.updated_to)
        return query

    def count(self, listing: Listing) -> int:
        query = self._where(select(func.count(PromptRow.id)), listing)
        return int(self.session.scalar(query) or 0)

    def page(self, listing: Listing, offset: int, limit: int) -> list[PromptSummary]:
        """By name: a stable order for numbered pages."""
        query = self._where(
            select(
                PromptRow,
                tags_json(),
                labels_json(),
                _VERSIONS_JSON,
                _NEWEST_KIND,
                _NEWEST_CONFIG,
            ),
            listing,
        )
        query = query.order_by(PromptRow.name).offset(offset).limit(limit)
        return [
            PromptSummary(
                view=PromptView(row=row, tags=sorted(json.loads(tags)), labels=json.loads(labels)),
                versions=sorted(json.loads(versions)),
                kind=kind or "text",
                config=config,
            )
            for row, tags, labels, versions, kind, config in self.session.execute(query)
        ]
