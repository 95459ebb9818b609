"""`/api/public/...`: the routes of Langfuse's public API its SDKs call for prompts, and the
project lookup behind `auth_check()`. Point a Langfuse SDK's host at this server."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from autoforge.api.deps import CallerDep, ContainerDep, Principal, ReadUoW, WriteUoW, scope_of
from autoforge.api.responses import problems
from autoforge.langfuse import service
from autoforge.langfuse.repository import Listing
from autoforge.langfuse.schemas import (
    LangfuseLabelsUpdate,
    LangfuseProjects,
    LangfusePrompt,
    LangfusePromptCreate,
    LangfusePromptMetaList,
)
from autoforge.prompts import domain
from autoforge.prompts.domain import ListFilters

router = APIRouter(prefix="/api/public", tags=["langfuse"])

# `:path`: the SDKs send a folder name (`team/reply`) as `team%2Freply`, which arrives
# decoded, slash and all.
PromptName = Annotated[
    str, Path(max_length=200, description="URL-encoded; may contain '/' (folders)")
]
VersionQuery = Annotated[int | None, Query(ge=1, le=domain.MAX_VERSION)]
LabelQuery = Annotated[str | None, Query(max_length=64, examples=["production"])]


@router.get("/projects", response_model=LangfuseProjects, responses=problems(503))
def get_projects(uow: ReadUoW, caller: CallerDep) -> LangfuseProjects:
    """The project the credentials act in (Langfuse's `auth_check()` calls this)."""
    return service.project_of(uow, caller)


@router.get("/v2/prompts", response_model=LangfusePromptMetaList, responses=problems(422, 503))
def list_prompts(
    *,
    uow: ReadUoW,
    owner: Principal,
    name: Annotated[str | None, Query(max_length=200)] = None,
    label: LabelQuery = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1, le=domain.MAX_VERSION)] = 1,
    limit: Annotated[int, Query(ge=1, le=domain.MAX_PAGE_SIZE)] = 50,
    from_updated_at: Annotated[datetime | None, Query(alias="fromUpdatedAt")] = None,
    to_updated_at: Annotated[datetime | None, Query(alias="toUpdatedAt")] = None,
) -> LangfusePromptMetaList:
    """Your prompts by name, a page at a time (`page` from 1), each with its version numbers
    and labels; `label`, `tag` and `name` narrow the list."""
    filters = ListFilters(tag=None if tag is None else tag.strip().lower(), label=label)
    listing = Listing(filters, name, from_updated_at, to_updated_at)
    return service.list_prompts(uow, owner, listing, page=page, limit=limit)


@router.post(
    "/v2/prompts", status_code=201, response_model=LangfusePrompt, responses=problems(409, 422, 503)
)
def create_prompt(data: LangfusePromptCreate, uow: WriteUoW, owner: Principal) -> LangfusePrompt:
    """Create a version of a prompt (and the prompt, when the name is new); `labels` move
    onto it, and `latest` is always on the newest version."""
    return service.create_version(uow, owner, data)


@router.get(
    "/v2/prompts/{name:path}", response_model=LangfusePrompt, responses=problems(404, 422, 503)
)
def get_prompt(
    *,
    name: PromptName,
    container: ContainerDep,
    caller: CallerDep,
    version: VersionQuery = None,
    label: LabelQuery = None,
    resolve: Annotated[bool | None, Query(description="accepted; nothing to resolve")] = None,
) -> Response:
    """One version: by `version`, by `label`, else the one labelled `production`."""
    body = service.cached_prompt(container, scope_of(caller), name, version=version, label=label)
    return Response(content=body, media_type="application/json")


@router.patch(
    "/v2/prompts/{name:path}/versions/{version}",
    response_model=LangfusePrompt,
    responses=problems(404, 422, 503),
)
def update_labels(
    name: PromptName,
    version: Annotated[int, Path(ge=1, le=domain.MAX_VERSION)],
    data: LangfuseLabelsUpdate,
    uow: WriteUoW,
    owner: Principal,
) -> LangfusePrompt:
    """Point `newLabels` at this version (each leaves the version it was on)."""
    return service.add_labels(uow, owner, name, version, data.new_labels)


@router.delete("/v2/prompts/{name:path}", status_code=204, responses=problems(404, 422, 503))
def delete_prompt(
    name: PromptName,
    uow: WriteUoW,
    owner: Principal,
    version: VersionQuery = None,
    label: LabelQuery = None,
) -> Response:
    """Delete for good: the prompt with every version, or only `version`, or only the
    version `label` points at."""
    service.delete(uow, owner, name, version=version, label=label)
    return Response(status_code=204)
