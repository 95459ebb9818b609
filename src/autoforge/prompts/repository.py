"""Every query of the prompt aggregate. Flushes, never commits.

The unit of work scopes every statement on `prompts` to its project (`db/tenancy.py`), so
no query here filters by project itself. Child rows (versions, tags, labels) are reached by
a prompt id the service has already loaded through that filter. The bulk paths select ORM
attributes (not the Core table) so that the filter applies to them too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    SQLColumnExpression,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from autoforge.db.base import UTCDateTime
from autoforge.db.tenancy import ACROSS_PROJECTS, actor_of, scope_of
from autoforge.identity.models import ProjectRow
from autoforge.prompts.domain import LATEST_LABEL, Cursor, ListFilters, escape_like
from autoforge.prompts.models import PromptLabelRow, PromptRow, PromptTagRow, PromptVersionRow

Columns = TypeVarTuple("Columns")
AnyRow = Row[*tuple[Any, ...]]
PROMPTS: Table = PromptRow.metadata.tables["prompts"]
# Column orders of the rows the bulk import hands to `insert_rows`.
PROMPT_COLUMNS = (
    *("id", "project_id", "name", "title", "content"),
    *("status", "version", "metadata", "created_at", "updated_at"),
)
VERSION_COLUMNS = (
    *("id", "prompt_id", "version_number", "title"),
    *("content", "change_note", "created_by", "created_at", "kind", "config"),
)
TAG_COLUMNS = ("prompt_id", "tag_name")
# What an export carries per prompt, in order; all but tags, labels, kind and config (those
# of the current version) are prompts columns.
EXPORT_FIELDS = (
    *("id", "name", "title", "content", "status", "version"),
    *("tags", "labels", "metadata", "created_at", "updated_at", "kind", "config"),
)
_EXPORTED = [n for n in EXPORT_FIELDS if n not in ("tags", "labels", "kind", "config")]
TAGS: Table = PromptRow.metadata.tables["prompt_tags"]
_IN_CHUNK = 500  # names per IN (...) list, well below SQLite's bound-parameter limit


@dataclass
class PromptView:
    """A prompt with its tags and labels, as one listing query returns it."""

    row: PromptRow
    tags: list[str]
    labels: dict[str, int]


def beyond(
    created_at: SQLColumnExpression[datetime],
    row_id: SQLColumnExpression[str],
    cursor: Cursor,
    *,
    newest_first: bool,
) -> ColumnElement[bool]:
    """Rows after the cursor in (created_at, id) order. The cursor's timestamp is bound with
    our text type explicitly: a plain datetime would compare as differently formatted text."""
    position = tuple_(literal(cursor.created_at, UTCDateTime()), literal(cursor.id, String()))
    key = tuple_(created_at, row_id)
    return key < position if newest_first else key > position


# The prompt's tags (a JSON array) and labels (a JSON object), computed inside the row's own
# query (no N+1). Built once: constructing these subqueries per call cost more than running
# the query.
_TAGS_JSON: ColumnElement[str] = (
    select(func.json_group_array(PromptTagRow.tag_name))
    .where(PromptTagRow.prompt_id == PromptRow.id)
    .scalar_subquery()
)
_LABELS_JSON: ColumnElement[str] = (
    select(func.json_group_object(PromptLabelRow.label, PromptLabelRow.version_number))
    .where(PromptLabelRow.prompt_id == PromptRow.id)
    .scalar_subquery()
)


# The current version's kind and config (JSON text), for the export and the import.
_CURRENT_VERSION = (PromptVersionRow.prompt_id == PromptRow.id) & (
    PromptVersionRow.version_number == PromptRow.version
)
_KIND: ColumnElement[str] = select(PromptVersionRow.kind).where(_CURRENT_VERSION).scalar_subquery()
_CONFIG_TEXT: ColumnElement[str] = (
    select(type_coerce(PromptVersionRow.config, String)).where(_CURRENT_VERSION).scalar_subquery()
)


def tags_json() -> ColumnElement[str]:
    return _TAGS_JSON


def labels_json() -> ColumnElement[str]:
    return _LABELS_JSON


def apply_filters(query: Select[*Columns], filters: ListFilters) -> Select[*Columns]:
    """Used by the listing and the export alike, so both select the same prompts."""
    if not filters.include_deleted:
        query = query.where(PromptRow.deleted_at.is_(None))
    if filters.status is not None:
        query = query.where(PromptRow.status == filters.status)
    if filters.tag is not None:
        query = query.where(
            select(PromptTagRow.prompt_id)
            .where(PromptTagRow.prompt_id == PromptRow.id, PromptTagRow.tag_name == filters.tag)
            .exists()
        )
    if filters.label is not None and filters.label != LATEST_LABEL:
        query = query.where(
            select(PromptLabelRow.prompt_id)
            .where(PromptLabelRow.prompt_id == PromptRow.id, PromptLabelRow.label == filters.label)
            .exists()
        )
    if filters.text:
        pattern = f"%{escape_like(filters.text)}%"
        query = query.where(
            or_(
                PromptRow.title.like(pattern, escape="\\"),
                PromptRow.content.like(pattern, escape="\\"),
            )
        )
    return query


def _attribute(column: str) -> Any:
    """The mapped attribute of a `prompts` column (`metadata` is `metadata_` on the class)."""
    return getattr(PromptRow, "metadata_" if column == "metadata" else column)


# A listed prompt as plain columns, named as the schema's fields: a page of 50 is read
# without building 50 ORM entities in the identity map (most of the list's cost, profiled).
_LISTED: tuple[ColumnElement[Any], ...] = (
    *(_attribute(c.name).label(c.name) for c in PromptRow.__table__.columns),
    _TAGS_JSON.label("tags_json"),
    _LABELS_JSON.label("labels_json"),
)


class PromptRepository:
    def __init__(self, session: Session, owner: str) -> None:
        self.session = session
        self.owner = owner  # the project new rows are stored in

    def _views(self) -> Select[PromptRow, str, str]:
        return select(PromptRow, tags_json(), labels_json())

    @staticmethod
    def _to_view(row: PromptRow, tags: str, labels: str) -> PromptView:
        return PromptView(row=row, tags=sorted(json.loads(tags)), labels=json.loads(labels))

    def view(self, prompt_id: str) -> PromptView | None:
        """This project's prompt; in a read-only transaction also one shared with it."""
        found = self.session.execute(self._views().where(PromptRow.id == prompt_id)).first()
        if found is None:
            found = self.visible_elsewhere(PromptRow.id == prompt_id)
        return None if found is None else self._to_view(*found)

    def view_by_name(self, name: str) -> PromptView | None:
        """By name: this project's first, then (read-only) one shared with it."""
        found = self.session.execute(self._views().where(PromptRow.name == name)).first()
        if found is None:
            found = self.visible_elsewhere(PromptRow.name == name)
        return None if found is None else self._to_view(*found)

    def visible_elsewhere(self, which: ColumnElement[bool]) -> AnyRow | None:
        """Another project's prompt this one may read: shared with their organization, or
        public. Only in read-only transactions, so nothing can change it from here; the
        one statement that leaves the project filter (`tenancy.ACROSS_PROJECTS`)."""
        scope = scope_of(self.session)
        if scope is None or not self.session.info.get("read_only"):
            return None
        readable = PromptRow.visibility == "public"
        if scope.organization_id:
            projects = select(ProjectRow.id).where(
                ProjectRow.organization_id == scope.organization_id
            )
            shared = (PromptRow.visibility == "shared") & PromptRow.project_id.in_(projects)
            readable = readable | shared
        query = (
            self._views()
            .where(which, readable, PromptRow.project_id != scope.project_id)
            .order_by(PromptRow.created_at, PromptRow.id)
            .execution_options(**{ACROSS_PROJECTS: True})
        )
        return self.session.execute(query).first()

    def page_statement(self, filters: ListFilters, after: Cursor | None, limit: int) -> Select[Any]:
        """Newest first, keyset-paginated on (created_at, id): one SQL statement per page."""
        query = apply_filters(select(*_LISTED), filters)
        if after is not None:
            query = query.where(
                beyond(PromptRow.created_at, PromptRow.id, after, newest_first=True)
            )
        return query.order_by(PromptRow.created_at.desc(), PromptRow.id.desc()).limit(limit)

    def page(self, filters: ListFilters, after: Cursor | None, limit: int) -> Sequence[Row[Any]]:
        """Rows named as the `prompts` columns, plus `tags_json` and `labels_json`."""
        return self.session.execute(self.page_statement(filters, after, limit)).all()

    def get(self, prompt_id: str) -> PromptRow | None:
        return self.session.scalar(select(PromptRow).where(PromptRow.id == prompt_id))

    def name_taken(self, name: str) -> bool:
        """Deleted prompts keep their name until they are deleted for good."""
        found = self.session.scalar(select(PromptRow.id).where(PromptRow.name == name))
        return found is not None

    def add(self, row: PromptRow) -> None:
        row.project_id = self.owner
        self.session.add(row)
        self.session.flush()

    def add_version(
        self,
        row: PromptRow,
        change_note: str | None,
        *,
        kind: str = "text",
        config: dict[str, Any] | None = None,
    ) -> PromptVersionRow:
        """Snapshots the prompt's current title and content as version `row.version`."""
        version = PromptVersionRow(
            prompt_id=row.id,
            version_number=row.version,
            title=row.title,
            content=row.content,
            change_note=change_note,
            created_by=actor_of(self.session, self.owner),
            kind=kind,
            config=config,
        )
        self.session.add(version)
        return version

    def versions(self, prompt_id: str, before: int | None, limit: int) -> list[PromptVersionRow]:
        query = select(PromptVersionRow).where(PromptVersionRow.prompt_id == prompt_id)
        if before is not None:
            query = query.where(PromptVersionRow.version_number < before)
        query = query.order_by(PromptVersionRow.version_number.desc()).limit(limit)
        return list(self.session.scalars(query))

    def newest_versions_of(
        self, prompt_ids: Sequence[str], limit: int
    ) -> dict[str, list[PromptVersionRow]]:
        """The newest `limit` versions of each prompt, newest first, in one statement (a
        window function ranks each prompt's versions): GraphQL's DataLoader batch."""
        rank = (
            func.row_number()
            .over(
                partition_by=PromptVersionRow.prompt_id,
                order_by=PromptVersionRow.version_number.desc(),
            )
            .label("rank")
        )
        ranked = (
            select(PromptVersionRow.id, rank)
            .where(PromptVersionRow.prompt_id.in_(prompt_ids))
            .subquery()
        )
        query = (
            select(PromptVersionRow)
            .where(PromptVersionRow.id.in_(select(ranked.c.id).where(ranked.c.rank <= limit)))
            .order_by(PromptVersionRow.prompt_id, PromptVersionRow.version_number.desc())
        )
        found: dict[str, list[PromptVersionRow]] = {prompt_id: [] for prompt_id in prompt_ids}
        for row in self.session.scalars(query):
            found[row.prompt_id].append(row)
        return found

    def version(self, prompt_id: str, number: int) -> PromptVersionRow | None:
        return self.session.scalar(
            select(PromptVersionRow).where(
                PromptVersionRow.prompt_id == prompt_id,
                PromptVersionRow.version_number == number,
            )
        )

    def set_tags(self, prompt_id: str, tags: Sequence[str]) -> None:
        self.session.execute(delete(PromptTagRow).where(PromptTagRow.prompt_id == prompt_id))
        self.session.add_all(PromptTagRow(prompt_id=prompt_id, tag_name=t) for t in tags)
        self.session.flush()

    def set_label(self, prompt_id: str, label: str, version: int, now: datetime) -> PromptLabelRow:
        row = self.session.get(PromptLabelRow, (prompt_id, label))
        if row is None:
            row = PromptLabelRow(prompt_id=prompt_id, label=label)
            self.session.add(row)
        row.version_number = version
        row.updated_by = actor_of(self.session, self.owner)
        row.updated_at = now
        self.session.flush()
        return row

    def remove_label(self, prompt_id: str, label: str) -> bool:
        row = self.session.get(PromptLabelRow, (prompt_id, label))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def delete_version(self, prompt_id: str, number: int) -> None:
        """One version, and the labels pointing at it."""
        for table in (PromptLabelRow, PromptVersionRow):
            self.session.execute(
                delete(table).where(table.prompt_id == prompt_id, table.version_number == number)
            )
        self.session.flush()

    def hard_delete(self, row: PromptRow) -> None:
        """Versions, tags, labels (and evaluations) go with it via ON DELETE CASCADE."""
        self.session.delete(row)
        self.session.flush()

    # Bulk paths: SQLAlchemy Core executemany, several times faster than ORM units of work.

    def existing_by_names(self, names: Sequence[str]) -> dict[str, AnyRow]:
        """Current state of the named prompts (deleted ones too), with their tags as JSON and
        their current version's kind and config (JSON text)."""
        found: dict[str, AnyRow] = {}
        for start in range(0, len(names), _IN_CHUNK):
            chunk = names[start : start + _IN_CHUNK]
            columns = ("id", "name", "title", "content", "status", "version", "metadata")
            query = select(
                *(_attribute(name).label(name) for name in columns),
                PromptRow.deleted_at,
                tags_json().label("tags"),
                _KIND.label("kind"),
                _CONFIG_TEXT.label("config"),
            ).where(PromptRow.name.in_(chunk))
            found.update((row.name, row) for row in self.session.execute(query))
        return found

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Executemany with values already in stored form (ISO text times, JSON text): the
        statement comes from Core, the per-row type processing is skipped."""
        if not rows:
            return
        statement = insert(PromptRow.metadata.tables[table]).compile(
            dialect=self.session.get_bind().dialect, column_keys=list(columns)
        )
        self.session.connection().exec_driver_sql(str(statement), list(rows))

    def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Rows carry `b_id` and every updatable column under a `b_` name."""
        if not rows:
            return
        statement = (
            update(PROMPTS)
            .where(PROMPTS.c.id == bindparam("b_id"))
            .values(
                {
                    name: bindparam(f"b_{name}", type_=PROMPTS.c[name].type)
                    for name in ("title", "content", "status", "version", "metadata", "updated_at")
                }
            )
        )
        self.session.execute(statement, rows)

    def clear_tags(self, prompt_ids: Sequence[str]) -> None:
        if prompt_ids:
            self.session.execute(
                delete(TAGS).where(TAGS.c.prompt_id == bindparam("b_id")),
                [{"b_id": prompt_id} for prompt_id in prompt_ids],
            )

    def export_batch(
        self, filters: ListFilters, after: Cursor | None, limit: int, *, as_json: bool
    ) -> Sequence[AnyRow]:
        """Oldest first by (created_at, id), so rows created during an export come last.
        Values stay in stored form (ISO text, JSON text): an export only passes them on.
        With `as_json`, SQLite builds each prompt's JSON object itself (column `line`)."""
        stored = {name: type_coerce(_attribute(name), String) for name in _EXPORTED}
        fields = {
            **stored,
            "tags": tags_json(),
            "labels": labels_json(),
            "kind": _KIND,
            "config": _CONFIG_TEXT,
        }
        if as_json:
            for name in ("tags", "labels", "metadata", "config"):
                fields[name] = func.json(fields[name])  # embed as JSON, not as a string
            pairs = [part for name in EXPORT_FIELDS for part in (name, fields[name])]
            columns = [func.json_object(*pairs).label("line")]
        else:
            columns = [fields[name].label(name) for name in EXPORT_FIELDS]
        query = select(*columns, stored["created_at"].label("stamp"), PromptRow.id.label("key"))
        query = apply_filters(query, filters)
        if after is not None:
            query = query.where(
                beyond(PromptRow.created_at, PromptRow.id, after, newest_first=False)
            )
        query = query.order_by(PromptRow.created_at, PromptRow.id).limit(limit)
        return self.session.execute(query).all()
