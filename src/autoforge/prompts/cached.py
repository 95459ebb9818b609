"""The prompt reads applications make most, cache-aside (`cache/`): a hit answers without a
database transaction; a miss reads exactly as the uncached use case does.

Entries live in the caller's project namespace, which every prompt write of that project
invalidates after its commit (`service.audit`). A prompt another project shares is served
but not kept, as that project's writes do not reach this namespace.
"""

from __future__ import annotations

from pydantic import BaseModel

from autoforge.bootstrap import Container
from autoforge.cache import keys
from autoforge.cache.keys import CacheKey
from autoforge.cache.reads import read_through_async
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.prompts import service, versions
from autoforge.prompts.domain import ListFilters


def _key(scope: Scope, ttl_s: float, *what: object) -> CacheKey:
    return CacheKey(keys.prompts(scope.project_id), keys.digest(*what), ttl_s)


async def resolve_by_name(
    container: Container, scope: Scope, name: str, label: str | None
) -> bytes:
    def read(uow: UnitOfWork) -> tuple[BaseModel, bool]:
        resolved, project = versions.resolve_with_project(uow, scope.project_id, name, label=label)
        return resolved, project == scope.project_id

    ttl_s = container.settings.cache_prompt_ttl_s
    key = _key(scope, ttl_s, "by-name", name, label)
    return await read_through_async(container.cache, container.database, scope, key, read)


async def get_prompt(
    container: Container, scope: Scope, prompt_id: str, *, include_deleted: bool
) -> bytes:
    def read(uow: UnitOfWork) -> tuple[BaseModel, bool]:
        prompt = service.get_prompt(
            uow, scope.project_id, prompt_id, include_deleted=include_deleted
        )
        return prompt, prompt.project_id == scope.project_id

    ttl_s = container.settings.cache_prompt_ttl_s
    key = _key(scope, ttl_s, "detail", prompt_id, include_deleted)
    return await read_through_async(container.cache, container.database, scope, key, read)


async def list_prompts(
    container: Container, scope: Scope, filters: ListFilters, *, cursor: str | None, limit: int
) -> bytes:
    """Listings show only the project's own prompts, so every page may be kept."""

    def read(uow: UnitOfWork) -> tuple[BaseModel, bool]:
        page = service.list_prompts(uow, scope.project_id, filters, cursor=cursor, limit=limit)
        return page, True

    ttl_s = container.settings.cache_list_ttl_s
    key = _key(scope, ttl_s, "list", filters, cursor, limit)
    return await read_through_async(container.cache, container.database, scope, key, read)
