"""The prompt reads applications make most, cache-aside (`cache/`): a hit answers from the
cache without opening a database transaction; a miss reads in a read-only transaction of
the caller's project, exactly as the uncached use case does.

Values are the response bodies (the schema as JSON). Entries live in the caller's project
namespace, which every prompt write of that project invalidates after its commit; a prompt
another project shares is served but not cached, as that project's writes would not reach
this namespace.
"""

from __future__ import annotations

from pydantic import BaseModel

from autoforge.bootstrap import Container
from autoforge.cache import keys
from autoforge.cache.aside import Loaded
from autoforge.cache.keys import CacheKey
from autoforge.db.tenancy import Scope
from autoforge.prompts import service, versions
from autoforge.prompts.domain import ListFilters


def body(model: BaseModel) -> bytes:
    """What FastAPI would send for the model as a response."""
    return model.model_dump_json(by_alias=True).encode()


def resolve_by_name(container: Container, scope: Scope, name: str, label: str | None) -> bytes:
    key = CacheKey(
        keys.prompts(scope.project_id),
        keys.digest("by-name", name, label),
        container.settings.cache_prompt_ttl_s,
    )

    def load() -> Loaded:
        with container.database.transaction(read_only=True, scope=scope) as uow:
            resolved, project = versions.resolve_with_project(
                uow, scope.project_id, name, label=label
            )
        return Loaded(body(resolved), keep=project == scope.project_id)

    return container.cache.get_or_load(key, load)


def get_prompt(
    container: Container, scope: Scope, prompt_id: str, *, include_deleted: bool
) -> bytes:
    key = CacheKey(
        keys.prompts(scope.project_id),
        keys.digest("detail", prompt_id, include_deleted),
        container.settings.cache_prompt_ttl_s,
    )

    def load() -> Loaded:
        with container.database.transaction(read_only=True, scope=scope) as uow:
            prompt = service.get_prompt(
                uow, scope.project_id, prompt_id, include_deleted=include_deleted
            )
        return Loaded(body(prompt), keep=prompt.project_id == scope.project_id)

    return container.cache.get_or_load(key, load)


def list_prompts(
    container: Container,
    scope: Scope,
    filters: ListFilters,
    *,
    cursor: str | None,
    limit: int,
) -> bytes:
    """Listings show only the project's own prompts, so every page may be kept."""
    key = CacheKey(
        keys.prompts(scope.project_id),
        keys.digest("list", filters, cursor, limit),
        container.settings.cache_list_ttl_s,
    )

    def load() -> Loaded:
        with container.database.transaction(read_only=True, scope=scope) as uow:
            page = service.list_prompts(uow, scope.project_id, filters, cursor=cursor, limit=limit)
        return Loaded(body(page))

    return container.cache.get_or_load(key, load)
