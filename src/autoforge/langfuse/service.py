"""Langfuse's prompt use cases, mapped onto ours: a Langfuse prompt is our prompt (title =
name), its versions ours (`commitMessage` = change note, `type` = kind), its labels ours,
with `latest` on the newest version. Every write goes through the prompts services, so
both APIs see and change the same prompts. None commits.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from autoforge.cache import keys as cache_keys
from autoforge.cache.keys import CacheKey
from autoforge.cache.reads import read_through
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, NotFoundError, ValidationFailed
from autoforge.identity.caller import Caller
from autoforge.identity.repository import IdentityRepository
from autoforge.langfuse.repository import LangfuseRepository, Listing, PromptSummary
from autoforge.langfuse.schemas import (
    LangfuseOrganization,
    LangfusePageMeta,
    LangfuseProject,
    LangfuseProjects,
    LangfusePrompt,
    LangfusePromptCreate,
    LangfusePromptMeta,
    LangfusePromptMetaList,
)
from autoforge.prompts import domain, service, versions
from autoforge.prompts import schemas as ours
from autoforge.prompts.repository import PromptRepository, PromptView

DEFAULT_LABEL = "production"
M = TypeVar("M", bound=BaseModel)

if TYPE_CHECKING:
    from autoforge.bootstrap import Container


def _ours(model: type[M], **fields: Any) -> M:
    """Our request model; its rules are checked again, and a breach is a 422, not a 500."""
    try:
        return model(**fields)
    except PydanticValidationError as exc:
        errors = [
            {"field": ".".join(map(str, e["loc"])) or "body", "message": e["msg"]}
            for e in exc.errors()
        ]
        raise ValidationFailed(errors[0]["message"], errors=errors) from None


def _labels_of(number: int, newest: int, labels: dict[str, int]) -> list[str]:
    found = [label for label, at in labels.items() if at == number]
    return sorted([*found, domain.LATEST_LABEL] if number == newest else found)


def _prompt(uow: UnitOfWork, owner: str, prompt_id: str, number: int) -> LangfusePrompt:
    prompt = service.get_prompt(uow, owner, prompt_id)
    version = versions.get_version(uow, owner, prompt_id, number)
    content: str | list[dict[str, Any]] = version.content
    if version.kind == "chat":
        content = json.loads(version.content)
    return LangfusePrompt(
        name=prompt.name,
        version=number,
        type=version.kind,
        prompt=content,
        config=version.config or {},
        labels=_labels_of(number, prompt.version, prompt.labels),
        tags=prompt.tags,
        commit_message=version.change_note,
    )


def get_prompt(
    uow: UnitOfWork, owner: str, name: str, *, version: int | None, label: str | None
) -> LangfusePrompt:
    """A version by number, or the one a label points at: `production` when neither."""
    if version is not None and label is not None:
        raise ValidationFailed(
            "give a version or a label, not both",
            errors=[{"field": "label", "message": "conflicts with version"}],
        )
    if version is None and label is None:
        label = DEFAULT_LABEL
    resolved = versions.resolve_by_name(uow, owner, name, label=label)
    return _prompt(uow, owner, resolved.prompt_id, version or resolved.version)


def cached_prompt(
    container: Container, scope: Scope, name: str, *, version: int | None, label: str | None
) -> bytes:
    """`get_prompt` through the prompt cache (the response body): the Langfuse SDKs' fetch,
    invalidated by every prompt write like our own by-name route (`prompts/cached.py`)."""
    key = CacheKey(
        cache_keys.prompts(scope.project_id),
        cache_keys.digest("langfuse", name, version, label),
        container.settings.cache_prompt_ttl_s,
    )

    def read(uow: UnitOfWork) -> tuple[BaseModel, bool]:
        prompt = get_prompt(uow, scope.project_id, name, version=version, label=label)
        view = PromptRepository(uow.session, scope.project_id).view_by_name(name)
        return prompt, view is not None and view.row.project_id == scope.project_id

    return read_through(container.cache, container.database, scope, key, read)


def _live_by_name(repo: PromptRepository, name: str) -> PromptView:
    view = repo.view_by_name(name)
    if view is None or view.row.deleted_at is not None:
        raise NotFoundError(f"prompt {name!r} not found")
    return view


def create_version(uow: UnitOfWork, owner: str, data: LangfusePromptCreate) -> LangfusePrompt:
    """A new version of the named prompt, created if the name is new, with `labels` moved
    onto it. Sending the newest version's text, type and config again makes no new
    version: the labels go onto that one."""
    kind = data.type or "text"
    if isinstance(data.prompt, list):
        messages = [m.model_dump(exclude_none=True) for m in data.prompt]
        content = json.dumps(messages, ensure_ascii=False)
    else:
        content = data.prompt
    config = data.config or {}
    repo = PromptRepository(uow.session, owner)
    found = repo.view_by_name(data.name)
    if found is None:
        created = service.create_prompt(
            uow,
            owner,
            _ours(
                ours.PromptCreate,
                name=data.name,
                title=data.name,
                content=content,
                kind=kind,
                config=config,
                status="active",
                tags=data.tags or [],
                change_note=data.commit_message,
            ),
        )
        prompt_id, number = created.id, created.version
    elif found.row.deleted_at is not None:
        raise ConflictError(f"prompt {data.name!r} is deleted: restore it or delete it for good")
    else:
        update = _ours(
            ours.PromptUpdate,
            content=content,
            kind=kind,
            config=config,
            tags=data.tags,
            change_note=data.commit_message,
            base_version=found.row.version,
        )
        updated = service.update_prompt(uow, owner, found.row.id, update)
        prompt_id, number = updated.id, updated.version
    for label in dict.fromkeys(data.labels or []):
        versions.set_label(uow, owner, prompt_id, label, number)
    return _prompt(uow, owner, prompt_id, number)


def add_labels(
    uow: UnitOfWork, owner: str, name: str, number: int, labels: list[str]
) -> LangfusePrompt:
    """Points each label at this version, moving it from any other (labels are unique
    across a prompt's versions)."""
    prompt_id = _live_by_name(PromptRepository(uow.session, owner), name).row.id
    versions.get_version(uow, owner, prompt_id, number)  # 404 for a version it lacks
    for label in dict.fromkeys(labels):
        versions.set_label(uow, owner, prompt_id, label, number)
    return _prompt(uow, owner, prompt_id, number)


def delete(
    uow: UnitOfWork, owner: str, name: str, *, version: int | None, label: str | None
) -> None:
    """Without version or label, the prompt with all its versions, for good; else the one
    version given, or the one the label points at."""
    view = _live_by_name(PromptRepository(uow.session, owner), name)
    if version is not None and label is not None:
        raise ValidationFailed(
            "give a version or a label, not both",
            errors=[{"field": "label", "message": "conflicts with version"}],
        )
    if label is not None:
        version = versions.resolve_by_name(uow, owner, name, label=label).version
    if version is None:
        service.delete_prompt(uow, owner, view.row.id, hard=True)
    else:
        versions.delete_version(uow, owner, view.row.id, version)


def list_prompts(
    uow: UnitOfWork,
    owner: str,
    listing: Listing,
    *,
    page: int,
    limit: int,
) -> LangfusePromptMetaList:
    repo = LangfuseRepository(uow.session)
    total = repo.count(listing)
    found = repo.page(listing, (page - 1) * limit, limit)
    return LangfusePromptMetaList(
        data=[_meta(summary, listing.filters.label) for summary in found],
        meta=LangfusePageMeta(
            page=page, limit=limit, total_items=total, total_pages=math.ceil(total / limit)
        ),
    )


def _meta(summary: PromptSummary, label: str | None) -> LangfusePromptMeta:
    row = summary.view.row
    labels = summary.view.labels
    numbers = summary.versions
    if label is not None:
        numbers = [row.version if label == domain.LATEST_LABEL else labels[label]]
    return LangfusePromptMeta(
        name=row.name,
        type="chat" if summary.kind == "chat" else "text",
        versions=numbers,
        labels=sorted({*labels, domain.LATEST_LABEL}),
        tags=summary.view.tags,
        last_updated_at=row.updated_at,
        last_config=summary.config or {},
    )


def project_of(uow: UnitOfWork, caller: Caller) -> LangfuseProjects:
    """What `auth_check()` asks for: the project the credentials act in."""
    repo = IdentityRepository(uow.session)
    project = repo.project(caller.project_id)
    if project is None:
        return LangfuseProjects(data=[])
    organization = repo.organization(project.organization_id)
    return LangfuseProjects(
        data=[
            LangfuseProject(
                id=project.id,
                name=project.name,
                organization=LangfuseOrganization(
                    id=project.organization_id,
                    name=organization.name if organization else project.organization_id,
                ),
                metadata={},
            )
        ]
    )
