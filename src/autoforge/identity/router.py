"""`/api/v1/me`, `/projects`, `/keys`, `/members`: who you are, where, and who else may call.
The roles each route needs are checked in one place (`api/access.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from autoforge.api.deps import CallerDep, ContainerDep, ReadUoW, WriteUoW
from autoforge.api.responses import problems
from autoforge.identity import service
from autoforge.identity.schemas import (
    ApiKey,
    ApiKeyCreated,
    KeyCreate,
    Me,
    Member,
    MemberAdd,
    Project,
    ProjectCreate,
    ProjectRoleSet,
)

router = APIRouter(prefix="/api/v1", tags=["identity"])

KeyId = Annotated[str, Path(max_length=64, description="the key's id")]
UserId = Annotated[str, Path(max_length=64, description="the member's user id")]


@router.get("/me", response_model=Me, responses=problems(422))
def me(caller: CallerDep) -> Me:
    """Who the credentials sent belong to: the project, the role, and how they signed in."""
    return service.me(caller)


@router.get("/projects", response_model=list[Project], responses=problems(422, 503))
def list_projects(uow: ReadUoW, caller: CallerDep) -> list[Project]:
    """The projects you may open, with your role in each (an API key: its own project).
    Send `X-Autoforge-Project: <id>` to act in one of them."""
    return service.list_projects(uow, caller)


@router.post(
    "/projects", status_code=201, response_model=Project, responses=problems(409, 422, 503)
)
def create_project(data: ProjectCreate, uow: WriteUoW, caller: CallerDep) -> Project:
    """Create a project in your organization (admin or owner)."""
    return service.create_project(uow, caller, data)


@router.get("/keys", response_model=list[ApiKey], responses=problems(422, 503))
def list_keys(uow: ReadUoW, caller: CallerDep) -> list[ApiKey]:
    """This project's API keys, newest first, secrets shown only in their display form."""
    return service.list_keys(uow, caller)


@router.post("/keys", status_code=201, response_model=ApiKeyCreated, responses=problems(422, 503))
def create_key(data: KeyCreate, uow: WriteUoW, caller: CallerDep) -> ApiKeyCreated:
    """A new public/secret key pair for this project. The secret is in this answer only:
    the server keeps a salted SHA-256 of it. Send it as `Authorization: Bearer sk-afn-…`,
    or as HTTP Basic `pk-afn-…:sk-afn-…` (what Langfuse SDKs send)."""
    return service.create_key(uow, caller, data)


@router.delete("/keys/{key_id}", response_model=ApiKey, responses=problems(404, 422, 503))
def revoke_key(key_id: KeyId, uow: WriteUoW, caller: CallerDep, container: ContainerDep) -> ApiKey:
    """Revoke a key: it is refused from now on (by other server processes within
    `AUTH_CACHE_S` seconds)."""
    revoked = service.revoke_key(uow, caller, key_id)
    container.authenticator.forget()
    return revoked


@router.get("/members", response_model=list[Member], responses=problems(422, 503))
def list_members(uow: ReadUoW, caller: CallerDep) -> list[Member]:
    """The members of your organization, with their roles."""
    return service.list_members(uow, caller)


@router.post("/members", status_code=201, response_model=Member, responses=problems(409, 422, 503))
def add_member(
    data: MemberAdd, uow: WriteUoW, caller: CallerDep, container: ContainerDep
) -> Member:
    """Add a person (by email) to your organization, or change a member's role (admin or
    owner; you can grant at most your own role)."""
    member = service.add_member(uow, caller, data)
    container.authenticator.forget()
    return member


@router.put(
    "/members/{user_id}/project-role",
    response_model=Member,
    responses=problems(404, 422, 503),
)
def set_project_role(
    user_id: UserId,
    data: ProjectRoleSet,
    uow: WriteUoW,
    caller: CallerDep,
    container: ContainerDep,
) -> Member:
    """A member's role in this project only, replacing their organization role here (up or
    down); `null` removes it (admin or owner)."""
    member = service.set_project_role(uow, caller, user_id, data.role)
    container.authenticator.forget()  # roles remembered in this process are checked again
    return member


@router.delete("/members/{user_id}", status_code=204, responses=problems(404, 409, 422, 503))
def remove_member(
    user_id: UserId, uow: WriteUoW, caller: CallerDep, container: ContainerDep
) -> Response:
    """Remove a member from your organization. The last owner stays."""
    service.remove_member(uow, caller, user_id)
    container.authenticator.forget()
    return Response(status_code=204)
