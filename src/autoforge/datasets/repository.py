"""Every query of the dataset aggregate, scoped to one owner. Flushes, never commits.

Versions and items are reached by a dataset id (or a version id) that the service has
already loaded through the owner-scoped queries here, so they need no owner filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, Select, and_, select
from sqlalchemy.orm import Session

from autoforge.datasets.models import DatasetItemRow, DatasetRow, DatasetVersionRow
from autoforge.db.base import table_of
from autoforge.db.bulk import bulk_insert
from autoforge.db.tenancy import actor_of
from autoforge.prompts.domain import Cursor
from autoforge.prompts.repository import beyond

DatasetView = tuple[DatasetRow, DatasetVersionRow | None]
ITEMS = table_of(DatasetItemRow)
# What a new version copies from its predecessor, in the bulk insert's column names.
COPIED_COLUMNS = ("name", "input", "expected", "metadata")


class DatasetRepository:
    def __init__(self, session: Session, owner: str) -> None:
        self.session = session
        self.owner = owner

    def _views(self) -> Select[DatasetRow, DatasetVersionRow]:
        """Each dataset with its latest version (None before the first) in one query."""
        latest = and_(
            DatasetVersionRow.dataset_id == DatasetRow.id,
            DatasetVersionRow.version_number == DatasetRow.latest_version,
        )
        return select(DatasetRow, DatasetVersionRow).outerjoin(DatasetVersionRow, latest)

    @staticmethod
    def _view(found: Row[DatasetRow, DatasetVersionRow] | None) -> DatasetView | None:
        return None if found is None else (found[0], found[1])

    def view(self, dataset_id: str) -> DatasetView | None:
        return self._view(
            self.session.execute(self._views().where(DatasetRow.id == dataset_id)).first()
        )

    def view_by_name(self, name: str) -> DatasetView | None:
        return self._view(
            self.session.execute(self._views().where(DatasetRow.name == name)).first()
        )

    def page(self, after: Cursor | None, limit: int) -> list[DatasetView]:
        """Newest first, keyset-paginated on (created_at, id)."""
        query = self._views()
        if after is not None:
            query = query.where(
                beyond(DatasetRow.created_at, DatasetRow.id, after, newest_first=True)
            )
        query = query.order_by(DatasetRow.created_at.desc(), DatasetRow.id.desc()).limit(limit)
        return [(dataset, version) for dataset, version in self.session.execute(query)]

    def get(self, dataset_id: str) -> DatasetRow | None:
        return self.session.scalar(select(DatasetRow).where(DatasetRow.id == dataset_id))

    def by_name(self, name: str) -> DatasetRow | None:
        return self.session.scalar(select(DatasetRow).where(DatasetRow.name == name))

    def add(self, row: DatasetRow) -> None:
        row.project_id = self.owner
        self.session.add(row)
        self.session.flush()

    def add_version(self, row: DatasetVersionRow) -> None:
        row.created_by = actor_of(self.session, self.owner)
        self.session.add(row)
        self.session.flush()

    def versions(self, dataset_id: str, before: int | None, limit: int) -> list[DatasetVersionRow]:
        query = select(DatasetVersionRow).where(DatasetVersionRow.dataset_id == dataset_id)
        if before is not None:
            query = query.where(DatasetVersionRow.version_number < before)
        query = query.order_by(DatasetVersionRow.version_number.desc()).limit(limit)
        return list(self.session.scalars(query))

    def version(self, dataset_id: str, number: int) -> DatasetVersionRow | None:
        return self.session.scalar(
            select(DatasetVersionRow).where(
                DatasetVersionRow.dataset_id == dataset_id,
                DatasetVersionRow.version_number == number,
            )
        )

    def items(
        self, version_id: str, offset: int = 0, limit: int | None = None
    ) -> list[DatasetItemRow]:
        """Positions are 0..n-1 with no gaps, so `position >= offset` is a keyset seek on the
        (version, position) index, not an OFFSET scan."""
        query = (
            select(DatasetItemRow)
            .where(
                DatasetItemRow.dataset_version_id == version_id, DatasetItemRow.position >= offset
            )
            .order_by(DatasetItemRow.position)
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def expected_answers(self, version_id: str) -> list[str | None]:
        query = select(ITEMS.c.expected).where(ITEMS.c.dataset_version_id == version_id)
        return list(self.session.scalars(query))

    def copyable_items(self, version_id: str) -> Sequence[Row[Any, Any, Any, Any]]:
        """A version's items in position order, as COPIED_COLUMNS."""
        query = (
            select(*(ITEMS.c[name] for name in COPIED_COLUMNS))
            .where(ITEMS.c.dataset_version_id == version_id)
            .order_by(ITEMS.c.position)
        )
        return self.session.execute(query).all()

    def sealed_items(self) -> list[tuple[DatasetItemRow, DatasetVersionRow, DatasetRow]]:
        """Each item of a version with sensitive fields, with its version and dataset, in a
        stable order; in a system transaction, every project's (a key rotation)."""
        query = (
            select(DatasetItemRow, DatasetVersionRow, DatasetRow)
            .join(DatasetVersionRow, DatasetVersionRow.id == DatasetItemRow.dataset_version_id)
            .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
            .where(DatasetVersionRow.sensitive.is_not(None))
            .order_by(DatasetRow.project_id, DatasetRow.name, DatasetVersionRow.version_number)
            .order_by(DatasetItemRow.position)
        )
        return [(item, version, dataset) for item, version, dataset in self.session.execute(query)]

    def insert_items(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Core executemany: ten times the ORM's speed for a version of many items."""
        return bulk_insert(self.session, ITEMS, rows)

    def delete(self, row: DatasetRow) -> None:
        """Versions and items go with it via ON DELETE CASCADE; evaluations keep their
        results, and their `dataset_version_id` becomes null."""
        self.session.delete(row)
        self.session.flush()
