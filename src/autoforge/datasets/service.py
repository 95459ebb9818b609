"""Dataset use cases: create, read, list, new versions, delete.

Each takes the caller's unit of work and owner; none commits. A version is never changed
once written: new items, or changed ones, always make the next version. Those that write or
read items take a `vault` source as well, opened only for a version with sensitive fields
(`datasets/sensitive.py`); None stands for a caller without keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autoforge.audit.log import record
from autoforge.datasets import domain
from autoforge.datasets.models import DatasetRow, DatasetVersionRow
from autoforge.datasets.repository import DatasetRepository, DatasetView
from autoforge.datasets.schemas import (
    Dataset,
    DatasetCreate,
    DatasetItem,
    DatasetItemIn,
    DatasetPage,
    DatasetVersionCreate,
    DatasetVersionInfo,
    ItemPage,
    VersionPage,
)
from autoforge.datasets.sealing import VaultSource
from autoforge.datasets.sensitive import fields_of, item_rows, next_fields, opened_items
from autoforge.db.base import utcnow
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, NotFoundError, ValidationFailed
from autoforge.evaluations.scoring import Scoring, infer_scoring
from autoforge.prompts.domain import DEFAULT_PAGE_SIZE, Cursor


def scoring_of(repo: DatasetRepository, row: DatasetVersionRow) -> Scoring:
    """The version's default scoring; inferred from its items for a version written before
    versions carried one (never stored then: a read does not write)."""
    if row.scoring is not None:
        return Scoring.model_validate(row.scoring)
    return infer_scoring(repo.expected_answers(row.id))


def version_schema(repo: DatasetRepository, row: DatasetVersionRow) -> DatasetVersionInfo:
    return DatasetVersionInfo(
        id=row.id,
        dataset_id=row.dataset_id,
        version=row.version_number,
        item_count=row.item_count,
        note=row.note,
        scoring=scoring_of(repo, row),
        sensitive=fields_of(row),
        created_by=row.created_by,
        created_at=row.created_at,
    )


def to_schema(repo: DatasetRepository, view: DatasetView) -> Dataset:
    row, latest = view
    return Dataset(
        id=row.id,
        name=row.name,
        description=row.description,
        latest_version=row.latest_version,
        latest=None if latest is None else version_schema(repo, latest),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _audit(uow: UnitOfWork, owner: str, action: str, dataset_id: str, **details: Any) -> None:
    record(
        uow.session,
        actor=owner,
        action=action,
        entity_type="dataset",
        entity_id=dataset_id,
        details=details,
    )


def load_row(repo: DatasetRepository, dataset_id: str) -> DatasetRow:
    row = repo.get(dataset_id)
    if row is None:
        raise NotFoundError(f"dataset {dataset_id} not found")
    return row


def _view(repo: DatasetRepository, dataset_id: str) -> DatasetView:
    view = repo.view(dataset_id)
    if view is None:
        raise NotFoundError(f"dataset {dataset_id} not found")
    return view


def create_dataset(
    uow: UnitOfWork, owner: str, data: DatasetCreate, *, vault: VaultSource | None = None
) -> Dataset:
    """Items, when given (even none), become version 1."""
    repo = DatasetRepository(uow.session, owner)
    if repo.by_name(data.name) is not None:
        raise ConflictError(f"a dataset named {data.name!r} already exists")
    now = utcnow()
    row = DatasetRow(
        name=data.name,
        description=data.description,
        latest_version=0,
        created_at=now,
        updated_at=now,
    )
    repo.add(row)
    _audit(uow, owner, "create", row.id, name=row.name)
    uow.collect(domain.DatasetCreated(dataset_id=row.id, owner_id=owner, name=row.name))
    if data.items is not None:
        labels = [f"items.{index}" for index in range(len(data.items))]
        add_version(
            uow,
            repo,
            row,
            data.items,
            labels,
            mode="replace",
            note=None,
            source="create",
            scoring=data.scoring,
            sensitive=data.sensitive,
            vault=vault,
        )
    return to_schema(repo, _view(repo, row.id))


def get_dataset(uow: UnitOfWork, owner: str, dataset_id: str) -> Dataset:
    repo = DatasetRepository(uow.session, owner)
    return to_schema(repo, _view(repo, dataset_id))


def resolve_dataset(uow: UnitOfWork, owner: str, name_or_id: str) -> Dataset:
    """The dataset named `name_or_id`, else the one whose id it is."""
    repo = DatasetRepository(uow.session, owner)
    view = repo.view_by_name(name_or_id) or repo.view(name_or_id)
    if view is None:
        raise NotFoundError(f"dataset {name_or_id!r} not found")
    return to_schema(repo, view)


@dataclass(frozen=True)
class ResolvedVersion:
    """A dataset version a run is about to use, with the scoring it carries."""

    dataset_id: str
    dataset_name: str
    version: DatasetVersionRow
    scoring: Scoring


def resolve_version(
    uow: UnitOfWork, owner: str, name_or_id: str, number: int | None = None, *, min_items: int = 1
) -> ResolvedVersion:
    """The one way runs pick a dataset version: by name, else by id; the version `number`,
    else the latest; refused when it has fewer than `min_items` items."""
    repo = DatasetRepository(uow.session, owner)
    view = repo.view_by_name(name_or_id) or repo.view(name_or_id)
    if view is None:
        raise NotFoundError(f"dataset {name_or_id!r} not found")
    dataset = view[0]
    wanted = number or dataset.latest_version
    version = repo.version(dataset.id, wanted) if wanted else None
    if version is None:
        raise NotFoundError(f"dataset {dataset.name!r} has no version {wanted}")
    if version.item_count < min_items:
        raise ValidationFailed(
            f"dataset {dataset.name!r} version {wanted} has {version.item_count} items; "
            f"this needs at least {min_items}",
            errors=[{"field": "dataset_version", "message": "too few items"}],
        )
    return ResolvedVersion(dataset.id, dataset.name, version, scoring_of(repo, version))


def get_by_name(uow: UnitOfWork, owner: str, name: str) -> Dataset:
    repo = DatasetRepository(uow.session, owner)
    view = repo.view_by_name(name)
    if view is None:
        raise NotFoundError(f"dataset {name!r} not found")
    return to_schema(repo, view)


def list_datasets(
    uow: UnitOfWork, owner: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> DatasetPage:
    """Newest first; one row more than asked tells whether a next page exists."""
    after = Cursor.decode(cursor) if cursor else None
    repo = DatasetRepository(uow.session, owner)
    views = repo.page(after, limit + 1)
    more = len(views) > limit
    views = views[:limit]
    last = views[-1][0] if views else None
    next_cursor = Cursor(last.created_at, last.id).encode() if more and last else None
    return DatasetPage(items=[to_schema(repo, view) for view in views], next_cursor=next_cursor)


def list_versions(
    uow: UnitOfWork, owner: str, dataset_id: str, *, before: int | None = None, limit: int = 50
) -> VersionPage:
    repo = DatasetRepository(uow.session, owner)
    load_row(repo, dataset_id)
    rows = repo.versions(dataset_id, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return VersionPage(
        items=[version_schema(repo, row) for row in rows],
        next_before=rows[-1].version_number if more else None,
    )


def _version(repo: DatasetRepository, dataset_id: str, number: int | None) -> DatasetVersionRow:
    dataset = load_row(repo, dataset_id)
    if dataset.latest_version == 0:
        raise NotFoundError(f"dataset {dataset.name!r} has no version yet")
    number = dataset.latest_version if number is None else number
    row = repo.version(dataset_id, number)
    if row is None:
        raise NotFoundError(
            f"dataset {dataset.name!r} has versions 1 to {dataset.latest_version}, not {number}"
        )
    return row


def list_items(
    uow: UnitOfWork,
    owner: str,
    dataset_id: str,
    version: int | None,
    *,
    offset: int = 0,
    limit: int = domain.DEFAULT_ITEMS_PAGE,
    vault: VaultSource | None = None,
) -> ItemPage:
    """A page of items, sensitive values decrypted: encryption guards the storage, and a
    caller here may read the dataset."""
    repo = DatasetRepository(uow.session, owner)
    found = _version(repo, dataset_id, version)
    rows = repo.items(found.id, offset, limit)
    end = offset + len(rows)
    return ItemPage(
        dataset_id=dataset_id,
        version=found.version_number,
        total=found.item_count,
        items=opened_items(rows, fields_of(found), vault),
        next_offset=end if rows and end < found.item_count else None,
    )


def version_items(
    uow: UnitOfWork,
    owner: str,
    dataset_id: str,
    version: int | None,
    *,
    vault: VaultSource | None = None,
) -> tuple[DatasetVersionInfo, list[DatasetItem]]:
    """A whole version (None: the latest) and its items in order, decrypted."""
    repo = DatasetRepository(uow.session, owner)
    found = _version(repo, dataset_id, version)
    rows = repo.items(found.id)
    return version_schema(repo, found), opened_items(rows, fields_of(found), vault)


def create_version(
    uow: UnitOfWork,
    owner: str,
    dataset_id: str,
    data: DatasetVersionCreate,
    *,
    vault: VaultSource | None = None,
) -> DatasetVersionInfo:
    """Replaces the items, or (`append`) copies the previous version's and adds these."""
    repo = DatasetRepository(uow.session, owner)
    row = load_row(repo, dataset_id)
    if data.mode == "append" and not data.items:
        raise ValidationFailed(
            "append needs at least one item", errors=[{"field": "items", "message": "empty"}]
        )
    labels = [f"items.{index}" for index in range(len(data.items))]
    return add_version(
        uow,
        repo,
        row,
        data.items,
        labels,
        mode=data.mode,
        note=data.note,
        source=data.mode,
        scoring=data.scoring,
        sensitive=data.sensitive,
        vault=vault,
    )


def add_version(
    uow: UnitOfWork,
    repo: DatasetRepository,
    dataset: DatasetRow,
    items: Sequence[DatasetItemIn],
    labels: Sequence[str],
    *,
    mode: domain.VersionMode,
    note: str | None,
    source: str,
    scoring: Scoring | None = None,
    sensitive: Sequence[str] | None = None,
    vault: VaultSource | None = None,
) -> DatasetVersionInfo:
    """Writes the next version: the copied items (append) first, then `items`. `labels` name
    the items in errors (`items.3`, `line 7`). Its scoring: `scoring` if given, else the
    previous version's if that was given by someone, else inferred from the answers. Its
    sensitive fields: `sensitive` if given, else the previous version's."""
    copied: Sequence[Any] = ()
    previous = repo.version(dataset.id, dataset.latest_version) if dataset.latest_version else None
    if mode == "append" and previous is not None:
        copied = repo.copyable_items(previous.id)
    domain.check_size(len(copied) + len(items))
    names, errors = domain.name_items(
        [item.name for item in items], labels, start=len(copied), taken={c.name for c in copied}
    )
    if errors:
        raise domain.rejected(errors, len(items), "items")
    fields = next_fields(sensitive, previous, [c.input for c in copied] + [i.input for i in items])
    if scoring is None and previous is not None and previous.scoring is not None:
        kept = Scoring.model_validate(previous.scoring)
        scoring = kept if kept.source == "given" else None
    if scoring is None:
        expected = [c.expected for c in copied] + [item.expected for item in items]
        scoring = infer_scoring(expected)
    now = utcnow()
    version = DatasetVersionRow(
        dataset_id=dataset.id,
        version_number=dataset.latest_version + 1,
        item_count=len(copied) + len(items),
        note=note,
        scoring=scoring.model_dump(mode="json"),
        sensitive=fields or None,
        created_at=now,
    )
    repo.add_version(version)
    named = list(zip(names, items, strict=True))
    was = fields_of(previous)
    repo.insert_items(item_rows(version.id, copied, named, was=was, now=fields, vault=vault))
    dataset.latest_version = version.version_number
    dataset.updated_at = now
    uow.session.flush()
    # Versions are entities of their own: created (or imported) once, never updated.
    record(
        uow.session,
        actor=repo.owner,
        action="import" if source.startswith("import") else "create",
        entity_type="dataset_version",
        entity_id=version.id,
        details={
            "dataset_id": dataset.id,
            "version": version.version_number,
            "items": version.item_count,
            "source": source,
            "sensitive": fields,  # names only: values never reach the audit log
        },
    )
    uow.collect(
        domain.DatasetVersionCreated(
            dataset_id=dataset.id,
            owner_id=repo.owner,
            version=version.version_number,
            version_id=version.id,
            item_count=version.item_count,
            source=source,
        )
    )
    return version_schema(repo, version)


def delete_dataset(uow: UnitOfWork, owner: str, dataset_id: str) -> None:
    """Removes the dataset with every version and item, for good."""
    repo = DatasetRepository(uow.session, owner)
    row = load_row(repo, dataset_id)
    repo.delete(row)
    _audit(uow, owner, "delete", dataset_id, name=row.name, versions=row.latest_version)
    uow.collect(domain.DatasetDeleted(dataset_id=dataset_id, owner_id=owner, name=row.name))
