"""Prompts and templates by the name a person types, or by id, within one owner's data."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.templates.schemas import Template


def prompt_id(uow: UnitOfWork, owner: str, ref: str) -> str:
    """The id of the prompt named `ref`, else of the prompt whose id is `ref`. Deleted
    prompts are found too: what may be done with them is the service's decision."""
    from autoforge.errors import NotFoundError
    from autoforge.prompts.repository import PromptRepository

    repo = PromptRepository(uow.session, owner)
    view = repo.view_by_name(ref)
    if view is not None:
        return view.row.id
    row = repo.get(ref)
    if row is None:
        raise NotFoundError(f"prompt {ref!r} not found")
    return row.id


def template_by_name(uow: UnitOfWork, owner: str, ref: str) -> Template:
    """The template named `ref`, else the one whose id is `ref`. The service has no lookup by
    name, so this walks the owner's templates a page at a time (people keep few)."""
    from autoforge.errors import NotFoundError
    from autoforge.prompts.domain import MAX_PAGE_SIZE
    from autoforge.templates import service

    cursor: str | None = None
    while True:
        page = service.list_templates(uow, owner, category=None, cursor=cursor, limit=MAX_PAGE_SIZE)
        for template in page.items:
            if template.name == ref:
                return template
        cursor = page.next_cursor
        if cursor is None:
            break
    try:
        return service.get_template(uow, owner, ref)
    except NotFoundError:
        raise NotFoundError(f"template {ref!r} not found") from None
