"""Prompt use cases: create, read, list, edit, lifecycle, delete and restore.

Each takes the caller's unit of work and owner; none commits. History (versions, diffs,
rollback, labels) is in `versions.py`; bulk import and export in `bulk_import.py`, `export.py`.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Row

from autoforge.audit.log import record
from autoforge.cache import keys as cache_keys
from autoforge.db.base import utcnow
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, NotFoundError, ValidationFailed
from autoforge.prompts import domain
from autoforge.prompts.domain import Cursor, ListFilters
from autoforge.prompts.models import PromptRow
from autoforge.prompts.repository import PromptRepository, PromptView
from autoforge.prompts.schemas import (
    Prompt,
    PromptCreate,
    PromptPage,
    PromptUpdate,
)
from autoforge.templates.service import render_template


def to_schema(view: PromptView) -> Prompt:
    row = view.row
    return Prompt(
        id=row.id,
        name=row.name,
        title=row.title,
        content=row.content,
        status=row.status,
        visibility=row.visibility,
        project_id=row.project_id,
        version=row.version,
        tags=view.tags,
        labels=view.labels,
        metadata=row.metadata_,
        parent_id=row.parent_id,
        template_id=row.template_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
    )


def listed_fields(row: Row[Any]) -> dict[str, Any]:
    """A listed row (PromptRepository.page) as the schema's fields. The page is validated
    once, as a whole, in pydantic's compiled core: 50 `Prompt(...)` calls from Python cost
    more than reading the rows (profiled)."""
    fields = row._asdict()
    fields["tags"] = sorted(orjson.loads(fields.pop("tags_json")))
    fields["labels"] = orjson.loads(fields.pop("labels_json"))
    return fields


def live(repo: PromptRepository, prompt_id: str) -> PromptView:
    view = repo.view(prompt_id)
    if view is None:
        raise NotFoundError(f"prompt {prompt_id} not found")
    if view.row.deleted_at is not None:
        raise NotFoundError(f"prompt {prompt_id} is deleted (restore it first)")
    return view


def audit(uow: UnitOfWork, owner: str, action: str, prompt_id: str, **details: Any) -> None:
    """Every prompt write is audited here, so this is also where it invalidates the
    project's cached prompt reads (after the commit, `Database.transaction`)."""
    uow.invalidate(cache_keys.prompts(owner))
    record(
        uow.session,
        actor=owner,
        action=action,
        entity_type="prompt",
        entity_id=prompt_id,
        details=details,
    )


def check_base(row: PromptRow, base_version: int) -> None:
    # Writers hold the database write lock from BEGIN IMMEDIATE, so no other writer can move
    # the version between this check and our UPDATE.
    if base_version != row.version:
        raise ConflictError(
            f"prompt {row.id} is at version {row.version}, but the change was based on "
            f"version {base_version}: reload it and reapply the change",
            current_version=row.version,
        )


def create_prompt(uow: UnitOfWork, owner: str, data: PromptCreate) -> Prompt:
    repo = PromptRepository(uow.session, owner)
    if repo.name_taken(data.name):
        raise ConflictError(f"a prompt named {data.name!r} already exists (maybe deleted)")
    if data.parent_id is not None and repo.get(data.parent_id) is None:
        raise ValidationFailed(
            f"parent prompt {data.parent_id} not found",
            errors=[{"field": "parent_id", "message": "no such prompt"}],
        )
    content = data.content or _render(uow, owner, data)
    now = utcnow()
    row = PromptRow(
        name=data.name,
        title=data.title,
        content=content,
        status=data.status,
        visibility=data.visibility,
        version=1,
        parent_id=data.parent_id,
        template_id=data.template_id,
        metadata_=data.metadata,
        created_at=now,
        updated_at=now,
    )
    repo.add(row)
    repo.add_version(row, data.change_note, kind=data.kind, config=data.config)
    repo.set_tags(row.id, data.tags)
    audit(uow, owner, "create", row.id, name=row.name, version=1)
    uow.collect(
        domain.PromptCreated(
            prompt_id=row.id, owner_id=owner, name=row.name, version=1, template_id=row.template_id
        )
    )
    return to_schema(PromptView(row=row, tags=data.tags, labels={}))


def _render(uow: UnitOfWork, owner: str, data: PromptCreate) -> str:
    assert data.template_id is not None  # PromptCreate guarantees content or template_id
    try:
        content = render_template(uow, owner, data.template_id, data.variables).content
    except NotFoundError:
        raise ValidationFailed(
            f"template {data.template_id} not found",
            errors=[{"field": "template_id", "message": "no such template"}],
        ) from None
    try:
        return domain.no_nul(content)
    except ValueError as exc:
        raise ValidationFailed(
            f"the rendered content {exc}", errors=[{"field": "variables", "message": str(exc)}]
        ) from None


def get_prompt(
    uow: UnitOfWork, owner: str, prompt_id: str, *, include_deleted: bool = False
) -> Prompt:
    repo = PromptRepository(uow.session, owner)
    if include_deleted:
        view = repo.view(prompt_id)
        if view is None:
            raise NotFoundError(f"prompt {prompt_id} not found")
        return to_schema(view)
    return to_schema(live(repo, prompt_id))


def list_prompts(
    uow: UnitOfWork,
    owner: str,
    filters: ListFilters,
    *,
    cursor: str | None = None,
    limit: int = domain.DEFAULT_PAGE_SIZE,
) -> PromptPage:
    """One SQL statement per page: one row more than asked tells whether a next page exists."""
    after = Cursor.decode(cursor) if cursor else None
    rows = PromptRepository(uow.session, owner).page(filters, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = Cursor(last.created_at, last.id).encode() if more and last else None
    items = [listed_fields(row) for row in rows]
    return PromptPage.model_validate({"items": items, "next_cursor": next_cursor})


def update_prompt(
    uow: UnitOfWork, owner: str, prompt_id: str, data: PromptUpdate, *, if_match: int | None = None
) -> Prompt:
    """A title or content change makes a new version; tags and metadata change in place."""
    base = _base_version(data.base_version, if_match)
    repo = PromptRepository(uow.session, owner)
    view = live(repo, prompt_id)
    row = view.row
    check_base(row, base)
    changed = [
        field
        for field, value in (("title", data.title), ("content", data.content))
        if value is not None and value != getattr(row, field)
    ]
    for field in changed:
        setattr(row, field, getattr(data, field))
    # Each version snapshots its kind and config too: a change of either makes a version.
    current = repo.version(row.id, row.version)
    kind = data.kind or (current.kind if current else "text")
    config = data.config if data.config is not None else (current.config if current else None)
    if current is not None:
        changed += [
            field
            for field, old, new in (
                ("kind", current.kind, kind),
                ("config", current.config, config),
            )
            if old != new
        ]
    if kind == "chat":
        _check_chat(row.content)
    if changed:
        row.version += 1
        repo.add_version(row, data.change_note, kind=kind, config=config)
    if data.tags is not None and data.tags != view.tags:
        repo.set_tags(row.id, data.tags)
        changed.append("tags")
    if data.metadata is not None and data.metadata != row.metadata_:
        row.metadata_ = data.metadata
        changed.append("metadata")
    if data.visibility is not None and data.visibility != row.visibility:
        row.visibility = data.visibility
        changed.append("visibility")
    if changed:
        row.updated_at = utcnow()
        audit(uow, owner, "update", row.id, version=row.version, changed=changed)
        uow.collect(
            domain.PromptUpdated(
                prompt_id=row.id, owner_id=owner, version=row.version, changed=tuple(changed)
            )
        )
    return to_schema(live(repo, prompt_id))


def _check_chat(content: str) -> None:
    try:
        domain.validate_chat_content(content)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), errors=[{"field": "content", "message": str(exc)}]
        ) from None


def _base_version(from_body: int | None, from_header: int | None) -> int:
    if from_body is not None and from_header is not None and from_body != from_header:
        raise ValidationFailed(
            "base_version and If-Match disagree",
            errors=[{"field": "base_version", "message": "differs from If-Match"}],
        )
    base = from_body if from_body is not None else from_header
    if base is None:
        raise ValidationFailed(
            "an update must say which version it is based on (base_version or If-Match), "
            "so that a concurrent edit is never silently overwritten",
            errors=[{"field": "base_version", "message": "required (or send If-Match)"}],
        )
    return base


def change_status(uow: UnitOfWork, owner: str, prompt_id: str, status: str) -> Prompt:
    repo = PromptRepository(uow.session, owner)
    row = live(repo, prompt_id).row
    previous = row.status
    if domain.check_transition(previous, status):
        row.status = status
        row.updated_at = utcnow()
        audit(uow, owner, "status", row.id, from_status=previous, to_status=status)
        uow.collect(
            domain.PromptStatusChanged(
                prompt_id=row.id, owner_id=owner, from_status=previous, to_status=status
            )
        )
    return to_schema(live(repo, prompt_id))


def delete_prompt(uow: UnitOfWork, owner: str, prompt_id: str, *, hard: bool = False) -> None:
    """Soft delete hides the prompt (restorable); hard delete removes it and its history."""
    repo = PromptRepository(uow.session, owner)
    if hard:
        row = repo.get(prompt_id)
        if row is None:
            raise NotFoundError(f"prompt {prompt_id} not found")
        repo.hard_delete(row)
        audit(uow, owner, "hard_delete", prompt_id, name=row.name)
        uow.invalidate(cache_keys.evaluations(owner))  # its evaluations went with it
    else:
        row = live(repo, prompt_id).row
        row.deleted_at = utcnow()
        audit(uow, owner, "delete", prompt_id, name=row.name)
    uow.collect(domain.PromptDeleted(prompt_id=prompt_id, owner_id=owner, hard=hard))


def restore_prompt(uow: UnitOfWork, owner: str, prompt_id: str) -> Prompt:
    repo = PromptRepository(uow.session, owner)
    row = repo.get(prompt_id)
    if row is None:
        raise NotFoundError(f"prompt {prompt_id} not found")
    if row.deleted_at is None:
        raise ConflictError(f"prompt {prompt_id} is not deleted")
    row.deleted_at = None
    row.updated_at = utcnow()
    audit(uow, owner, "restore", prompt_id)
    uow.collect(domain.PromptRestored(prompt_id=prompt_id, owner_id=owner))
    return to_schema(live(repo, prompt_id))
