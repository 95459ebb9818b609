"""`/api/v1/prompts`: CRUD, lifecycle, versions, diffs, rollback, labels, bulk import/export."""

from __future__ import annotations

import re
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from autoforge.api.bodies import read_text
from autoforge.api.deps import CallerDep, ContainerDep, Principal, ReadUoW, WriteUoW, scope_of
from autoforge.api.downloads import download, download_responses
from autoforge.api.responses import problems
from autoforge.errors import ValidationFailed
from autoforge.exports import ExportFormat
from autoforge.prompts import bulk_import, cached, domain, export, service, versions
from autoforge.prompts.domain import ListFilters
from autoforge.prompts.schemas import (
    ImportReport,
    Label,
    LabelAssign,
    Prompt,
    PromptCreate,
    PromptDiff,
    PromptPage,
    PromptUpdate,
    PromptVersion,
    ResolvedPrompt,
    Rollback,
    Status,
    StatusChange,
    VersionPage,
)
from autoforge.similarity.router import DuplicateCheck

router = APIRouter(prefix="/api/v1", tags=["prompts"])

IMPORT_MEDIA_TYPES = ("application/x-ndjson", "application/jsonl", "text/plain")
_ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,10})"?$')

PromptId = Annotated[str, Path(max_length=64, description="the prompt's id")]
VersionNumber = Annotated[int, Path(ge=1, le=domain.MAX_VERSION)]
LabelName = Annotated[str, Path(max_length=64, description="e.g. `production`, `staging`")]
StatusFilter = Annotated[Status | None, Query(description="only prompts in this status")]
TagFilter = Annotated[str | None, Query(max_length=50, description="only prompts with this tag")]
LabelFilter = Annotated[
    str | None, Query(max_length=64, description="only prompts that carry this label")
]
TextFilter = Annotated[
    str | None, Query(max_length=200, description="substring of the title or content")
]


def _etag(response: Response, prompt: Prompt) -> Prompt:
    response.headers["ETag"] = f'"{prompt.version}"'
    return prompt


def _json(body: bytes) -> Response:
    """A cached response body, sent as it is (FastAPI would re-validate a model)."""
    return Response(content=body, media_type="application/json")


def _tag(value: str | None) -> str | None:
    """Tags are stored normalized, so a filter is normalized the same way."""
    return domain.tag_filter(value)


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    match = _ETAG.fullmatch(value.strip())
    if match is None or int(match.group(1)) > domain.MAX_VERSION:
        raise ValidationFailed(
            'If-Match must carry a version number, such as "3"',
            errors=[{"field": "If-Match", "message": "not a version number"}],
        )
    return int(match.group(1))


@router.post("/prompts", status_code=201, response_model=Prompt, responses=problems(409, 422, 503))
def create_prompt(
    data: PromptCreate,
    duplicate: DuplicateCheck,
    uow: WriteUoW,
    owner: Principal,
    response: Response,
) -> Prompt:
    """Create a prompt (version 1). Give `content`, or `template_id` with `variables` to
    render the content from a template. Names are unique per owner. A `Warning` header names
    your prompts over 0.95 similar to the content (the prompt is created all the same)."""
    prompt = service.create_prompt(uow, owner, data)
    duplicate.warn(response, uow, prompt.id)
    return prompt


@router.get("/prompts", response_model=PromptPage, responses=problems(422, 503))
async def list_prompts(
    *,
    container: ContainerDep,
    caller: CallerDep,
    status: StatusFilter = None,
    tag: TagFilter = None,
    label: LabelFilter = None,
    q: TextFilter = None,
    include_deleted: bool = False,
    cursor: Annotated[str | None, Query(max_length=500, description="from `next_cursor`")] = None,
    limit: Annotated[int, Query(ge=1, le=domain.MAX_PAGE_SIZE)] = domain.DEFAULT_PAGE_SIZE,
) -> Response:
    """List your prompts, newest first, with optional filters. Pages are stable under
    concurrent inserts: follow `next_cursor` until it is null."""
    filters = ListFilters(
        status=status, tag=_tag(tag), label=label, text=q, include_deleted=include_deleted
    )
    page = await cached.list_prompts(
        container, scope_of(caller), filters, cursor=cursor, limit=limit
    )
    return _json(page)


@router.get(
    # `:path` so that a folder name (`team/reply`, sent as `team%2Freply`) is one name.
    "/prompts/by-name/{name:path}",
    response_model=ResolvedPrompt,
    responses=problems(404, 422, 503),
)
async def resolve_by_name(
    name: Annotated[str, Path(max_length=200)],
    container: ContainerDep,
    caller: CallerDep,
    label: Annotated[str | None, Query(max_length=64, examples=["production"])] = None,
) -> Response:
    """Fetch the text of a prompt by name: the version `label` points at, or the latest
    version without `label`. This is how applications load their live prompt. Served from
    the cache; moving a label is seen by the very next fetch, on every server."""
    return _json(await cached.resolve_by_name(container, scope_of(caller), name, label))


async def _jsonl_body(
    request: Request, content_type: Annotated[str | None, Header()] = None
) -> str:
    return await read_text(request, content_type, IMPORT_MEDIA_TYPES, "JSON Lines")


_IMPORT_EXAMPLE = (
    '{"name": "greeting", "title": "Greeting", "content": "Say hello to {name}", '
    '"tags": ["demo"]}\n'
    '{"name": "support-reply", "title": "Support reply", "content": "Answer kindly", '
    '"status": "active"}\n'
)


@router.post(
    "/prompts:import",
    response_model=ImportReport,
    responses=problems(413, 415, 422, 503),
    # Documented as text/plain, which every client (and the schema fuzzer) can send;
    # application/x-ndjson and application/jsonl are accepted as well.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string"}, "example": _IMPORT_EXAMPLE}},
        }
    },
)
def import_prompts(
    text: Annotated[str, Depends(_jsonl_body)], uow: WriteUoW, owner: Principal
) -> ImportReport:
    """Import prompts from JSON Lines (one prompt object per line: `name`, `title`,
    `content`, optional `status`, `tags`, `metadata`), upserting by name. Send the body as
    `text/plain`, `application/x-ndjson` or `application/jsonl`. All or nothing: if any line
    is invalid nothing is written, and the 422 lists every rejected line."""
    return bulk_import.import_jsonl(uow, owner, text)


@router.get(
    "/prompts:export",
    response_class=StreamingResponse,
    responses={**download_responses("one prompt"), **problems(422, 503)},
)
def export_prompts(
    *,
    container: ContainerDep,
    owner: Principal,
    fmt: Annotated[ExportFormat, Query(alias="format")] = "jsonl",
    status: StatusFilter = None,
    tag: TagFilter = None,
    label: LabelFilter = None,
    q: TextFilter = None,
) -> StreamingResponse:
    """Stream your prompts (oldest first) as JSON Lines or CSV, at constant memory however
    many there are. The JSONL output can be imported again as it is."""
    filters = ListFilters(status=status, tag=_tag(tag), label=label, text=q)
    return download(export.export_prompts(container.database, owner, filters, fmt), fmt, "prompts")


@router.get("/prompts/{prompt_id}", response_model=Prompt, responses=problems(404, 422, 503))
async def get_prompt(
    prompt_id: PromptId,
    container: ContainerDep,
    caller: CallerDep,
    include_deleted: bool = False,
) -> Response:
    """Get one prompt with its tags and labels. The `ETag` header carries its version, ready
    to send back as `If-Match` on an update."""
    found = await cached.get_prompt(
        container, scope_of(caller), prompt_id, include_deleted=include_deleted
    )
    response = _json(found)
    response.headers["ETag"] = f'"{orjson.loads(found)["version"]}"'
    return response


@router.patch("/prompts/{prompt_id}", response_model=Prompt, responses=problems(404, 409, 422, 503))
def update_prompt(
    *,
    prompt_id: PromptId,
    data: PromptUpdate,
    duplicate: DuplicateCheck,
    uow: WriteUoW,
    owner: Principal,
    response: Response,
    if_match: Annotated[str | None, Header(description='the base version, e.g. "3"')] = None,
) -> Prompt:
    """Edit a prompt. A new title or content makes a new version. Say which version you
    edited (`base_version` or `If-Match`): if the prompt has moved on, the answer is 409 with
    `current_version` and nothing is changed. New content over 0.95 similar to another of
    your prompts gets a `Warning` header naming it."""
    prompt = service.update_prompt(uow, owner, prompt_id, data, if_match=_if_match(if_match))
    duplicate.warn(response, uow, prompt.id)
    return _etag(response, prompt)


@router.delete("/prompts/{prompt_id}", status_code=204, responses=problems(404, 422, 503))
def delete_prompt(
    prompt_id: PromptId,
    uow: WriteUoW,
    owner: Principal,
    hard: Annotated[bool, Query(description="remove for good, with all versions")] = False,
) -> Response:
    """Delete a prompt: hidden but restorable, or (`hard=true`) removed with its history."""
    service.delete_prompt(uow, owner, prompt_id, hard=hard)
    return Response(status_code=204)


@router.post(
    "/prompts/{prompt_id}/restore", response_model=Prompt, responses=problems(404, 409, 422, 503)
)
def restore_prompt(prompt_id: PromptId, uow: WriteUoW, owner: Principal) -> Prompt:
    """Bring back a soft-deleted prompt. 409 if it is not deleted."""
    return service.restore_prompt(uow, owner, prompt_id)


@router.post(
    "/prompts/{prompt_id}/status", response_model=Prompt, responses=problems(404, 409, 422, 503)
)
def change_status(
    prompt_id: PromptId, data: StatusChange, uow: WriteUoW, owner: Principal
) -> Prompt:
    """Move a prompt through its lifecycle: draft -> active or archived, active -> archived,
    archived -> active. Nothing goes back to draft (409). The current status is a no-op."""
    return service.change_status(uow, owner, prompt_id, data.status)


@router.get(
    "/prompts/{prompt_id}/versions", response_model=VersionPage, responses=problems(404, 422, 503)
)
def list_versions(
    prompt_id: PromptId,
    uow: ReadUoW,
    owner: Principal,
    before: Annotated[int | None, Query(ge=1, le=domain.MAX_VERSION)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> VersionPage:
    """List versions, newest first, each with the labels pointing at it. Older pages: pass
    `next_before` as `before`."""
    return versions.list_versions(uow, owner, prompt_id, before=before, limit=limit)


@router.get(
    "/prompts/{prompt_id}/versions/{version}",
    response_model=PromptVersion,
    responses=problems(404, 422, 503),
)
def get_version(
    prompt_id: PromptId, version: VersionNumber, uow: ReadUoW, owner: Principal
) -> PromptVersion:
    """Get one version's title and content."""
    return versions.get_version(uow, owner, prompt_id, version)


@router.get(
    "/prompts/{prompt_id}/diff", response_model=PromptDiff, responses=problems(404, 422, 503)
)
def diff_versions(
    prompt_id: PromptId,
    uow: ReadUoW,
    owner: Principal,
    from_version: Annotated[int, Query(alias="from", ge=1, le=domain.MAX_VERSION)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=domain.MAX_VERSION)],
) -> PromptDiff:
    """Unified diff of the content of two versions, e.g. `?from=2&to=5`."""
    return versions.diff_versions(uow, owner, prompt_id, from_version, to_version)


@router.post(
    "/prompts/{prompt_id}/rollback",
    response_model=Prompt,
    responses=problems(404, 409, 422, 503),
)
def rollback(prompt_id: PromptId, data: Rollback, uow: WriteUoW, owner: Principal) -> Prompt:
    """Bring back an old version's title and content as a new version (history is kept)."""
    return versions.rollback(uow, owner, prompt_id, data)


@router.put(
    "/prompts/{prompt_id}/labels/{label}",
    response_model=Label,
    responses=problems(404, 422, 503),
)
def set_label(
    prompt_id: PromptId, label: LabelName, data: LabelAssign, uow: WriteUoW, owner: Principal
) -> Label:
    """Point a label (`production`, `staging`, any name) at a version; moves it if it exists."""
    return versions.set_label(uow, owner, prompt_id, label, data.version)


@router.delete(
    "/prompts/{prompt_id}/labels/{label}", status_code=204, responses=problems(404, 422, 503)
)
def remove_label(
    prompt_id: PromptId, label: LabelName, uow: WriteUoW, owner: Principal
) -> Response:
    """Remove a label from a prompt."""
    versions.remove_label(uow, owner, prompt_id, label)
    return Response(status_code=204)
