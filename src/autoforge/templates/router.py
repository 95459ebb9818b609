"""`/api/v1/templates`: `{{variable}}` templates with declared parameters, and rendering."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from autoforge.api.deps import CallerDep, ContainerDep, Principal, ReadUoW, WriteUoW, scope_of
from autoforge.api.responses import problems
from autoforge.prompts import domain as prompt_domain
from autoforge.templates import service
from autoforge.templates.schemas import (
    Rendered,
    RenderRequest,
    Template,
    TemplateCreate,
    TemplatePage,
    TemplateUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["templates"])

TemplateId = Annotated[str, Path(max_length=64, description="the template's id")]


@router.post(
    "/templates", status_code=201, response_model=Template, responses=problems(409, 422, 503)
)
def create_template(data: TemplateCreate, uow: WriteUoW, owner: Principal) -> Template:
    """Create a template. Every `{{variable}}` in the content must be declared in
    `parameters` (and every parameter used), or the answer is 422 naming it."""
    return service.create_template(uow, owner, data)


@router.get("/templates", response_model=TemplatePage, responses=problems(422, 503))
def list_templates(
    container: ContainerDep,
    caller: CallerDep,
    category: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=500, description="from `next_cursor`")] = None,
    limit: Annotated[
        int, Query(ge=1, le=prompt_domain.MAX_PAGE_SIZE)
    ] = prompt_domain.DEFAULT_PAGE_SIZE,
) -> Response:
    """List your templates, newest first, optionally in one category."""
    page = service.cached_templates(
        container, scope_of(caller), category=category, cursor=cursor, limit=limit
    )
    return Response(content=page, media_type="application/json")


@router.get("/templates/{template_id}", response_model=Template, responses=problems(404, 422, 503))
def get_template(template_id: TemplateId, uow: ReadUoW, owner: Principal) -> Template:
    """Get one template with its parameters and usage count."""
    return service.get_template(uow, owner, template_id)


@router.patch(
    "/templates/{template_id}", response_model=Template, responses=problems(404, 422, 503)
)
def update_template(
    template_id: TemplateId, data: TemplateUpdate, uow: WriteUoW, owner: Principal
) -> Template:
    """Change a template. Content and parameters are checked together after the change."""
    return service.update_template(uow, owner, template_id, data)


@router.delete("/templates/{template_id}", status_code=204, responses=problems(404, 422, 503))
def delete_template(template_id: TemplateId, uow: WriteUoW, owner: Principal) -> Response:
    """Delete a template. Prompts made from it keep their content."""
    service.delete_template(uow, owner, template_id)
    return Response(status_code=204)


@router.post(
    "/templates/{template_id}/render",
    response_model=Rendered,
    responses=problems(404, 422, 503),
)
def render_template(
    template_id: TemplateId, data: RenderRequest, uow: WriteUoW, owner: Principal
) -> Rendered:
    """Render the template with `variables`. A missing required variable, an unknown one or
    a value of the wrong type is a 422 whose `errors` name each variable. Counts the use."""
    return service.render_template(uow, owner, template_id, data.variables)
