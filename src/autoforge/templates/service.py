"""Template use cases. Each takes the caller's unit of work and owner; none commits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from autoforge.audit.log import record
from autoforge.cache import keys as cache_keys
from autoforge.cache.keys import CacheKey
from autoforge.cache.reads import read_through
from autoforge.db.base import utcnow
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, NotFoundError
from autoforge.prompts.domain import Cursor
from autoforge.prompts.models import PromptTemplateRow
from autoforge.templates import domain
from autoforge.templates.repository import TemplateRepository
from autoforge.templates.schemas import (
    ParameterSpec,
    Rendered,
    Template,
    TemplateCreate,
    TemplatePage,
    TemplateUpdate,
)

if TYPE_CHECKING:
    from autoforge.bootstrap import Container


def to_schema(row: PromptTemplateRow) -> Template:
    return Template(
        id=row.id,
        name=row.name,
        description=row.description,
        content=row.content,
        parameters=[ParameterSpec.model_validate(p) for p in row.parameters],
        variables=domain.variables_in(row.content),
        category=row.category,
        usage_count=row.usage_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _parameters(row: PromptTemplateRow) -> list[domain.Parameter]:
    return [ParameterSpec.model_validate(p).to_domain() for p in row.parameters]


def _load(uow: UnitOfWork, owner: str, template_id: str) -> PromptTemplateRow:
    row = TemplateRepository(uow.session, owner).get(template_id)
    if row is None:
        raise NotFoundError(f"template {template_id} not found")
    return row


def _audit(uow: UnitOfWork, owner: str, action: str, row_id: str, **details: Any) -> None:
    """Every template write (a render too: it counts a use) is audited here, so this is also
    where the project's cached template listings are invalidated."""
    uow.invalidate(cache_keys.templates(owner))
    record(
        uow.session,
        actor=owner,
        action=action,
        entity_type="template",
        entity_id=row_id,
        details=details,
    )


def create_template(uow: UnitOfWork, owner: str, data: TemplateCreate) -> Template:
    domain.check_definition(data.content, [p.to_domain() for p in data.parameters])
    repo = TemplateRepository(uow.session, owner)
    if repo.name_taken(data.name):
        raise ConflictError(f"a template named {data.name!r} already exists")
    now = utcnow()
    row = PromptTemplateRow(
        name=data.name,
        description=data.description,
        content=data.content,
        parameters=[p.model_dump() for p in data.parameters],
        category=data.category,
        usage_count=0,
        created_at=now,
        updated_at=now,
    )
    repo.add(row)
    _audit(uow, owner, "create", row.id, name=row.name)
    uow.collect(domain.TemplateCreated(template_id=row.id, owner_id=owner, name=row.name))
    return to_schema(row)


def get_template(uow: UnitOfWork, owner: str, template_id: str) -> Template:
    return to_schema(_load(uow, owner, template_id))


def cached_templates(
    container: Container,
    scope: Scope,
    *,
    category: str | None,
    cursor: str | None,
    limit: int,
) -> bytes:
    """`list_templates` through the cache (the response body)."""
    key = CacheKey(
        cache_keys.templates(scope.project_id),
        cache_keys.digest("list", category, cursor, limit),
        container.settings.cache_template_list_ttl_s,
    )

    def read(uow: UnitOfWork) -> tuple[BaseModel, bool]:
        page = list_templates(uow, scope.project_id, category=category, cursor=cursor, limit=limit)
        return page, True

    return read_through(container.cache, container.database, scope, key, read)


def list_templates(
    uow: UnitOfWork, owner: str, *, category: str | None, cursor: str | None, limit: int
) -> TemplatePage:
    after = Cursor.decode(cursor) if cursor else None
    rows = TemplateRepository(uow.session, owner).page(category, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = Cursor(rows[-1].created_at, rows[-1].id).encode() if more else None
    return TemplatePage(items=[to_schema(r) for r in rows], next_cursor=next_cursor)


def update_template(
    uow: UnitOfWork, owner: str, template_id: str, data: TemplateUpdate
) -> Template:
    row = _load(uow, owner, template_id)
    changes = data.model_dump(exclude_none=True)
    content = data.content if data.content is not None else row.content
    parameters = (
        [p.to_domain() for p in data.parameters]
        if data.parameters is not None
        else _parameters(row)
    )
    domain.check_definition(content, parameters)
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = utcnow()
    uow.session.flush()
    _audit(uow, owner, "update", row.id, changed=sorted(changes))
    uow.collect(
        domain.TemplateUpdated(template_id=row.id, owner_id=owner, changed=tuple(sorted(changes)))
    )
    return to_schema(row)


def delete_template(uow: UnitOfWork, owner: str, template_id: str) -> None:
    """Prompts made from the template keep their content; their `template_id` becomes null."""
    row = _load(uow, owner, template_id)
    TemplateRepository(uow.session, owner).delete(row)
    _audit(uow, owner, "delete", template_id, name=row.name)
    uow.collect(domain.TemplateDeleted(template_id=template_id, owner_id=owner))


def render_template(
    uow: UnitOfWork, owner: str, template_id: str, variables: Mapping[str, Any]
) -> Rendered:
    """Renders and counts the use; a bad variable is a 422 that names it."""
    row = _load(uow, owner, template_id)
    content = domain.render(row.content, _parameters(row), variables)
    TemplateRepository(uow.session, owner).count_use(row)
    _audit(uow, owner, "render", row.id, variables=sorted(variables))
    return Rendered(template_id=row.id, content=content, usage_count=row.usage_count)
