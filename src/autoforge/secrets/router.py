"""`/api/v1/secrets`: the current project's provider keys and other secrets, admin only
(checked in `api/access.py`). Values go in and are never sent back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from autoforge.api.deps import ContainerDep, ReadUoW, WriteUoW
from autoforge.api.responses import problems
from autoforge.secrets import service
from autoforge.secrets.keys import vault_of
from autoforge.secrets.schemas import NAME_PATTERN, Secret, SecretValue

router = APIRouter(prefix="/api/v1", tags=["secrets"])

SecretName = Annotated[
    str, Path(pattern=NAME_PATTERN, description="e.g. OPENAI_API_KEY, ANTHROPIC_API_KEY")
]


@router.get("/secrets", response_model=list[Secret], responses=problems(422, 503))
def list_secrets(uow: ReadUoW) -> list[Secret]:
    """This project's secrets by name, each with the last four characters of its value."""
    return service.list_secrets(uow)


@router.put("/secrets/{name}", response_model=Secret, responses=problems(422, 503))
def set_secret(
    name: SecretName, data: SecretValue, uow: WriteUoW, container: ContainerDep
) -> Secret:
    """Store a secret, encrypted, replacing any of the same name. A provider key named the
    way LiteLLM names it in the environment (`OPENAI_API_KEY` for `openai/...` models,
    `<PROVIDER>_API_KEY` in general) pays for this project's calls to that provider instead
    of the server's key, within a few seconds. 503 when the server has no encryption key."""
    vault = vault_of(container.settings)
    return service.set_secret(uow, vault, name, data.value.get_secret_value())


@router.delete("/secrets/{name}", status_code=204, responses=problems(404, 422, 503))
def delete_secret(name: SecretName, uow: WriteUoW) -> Response:
    """Delete a secret; this project's calls go back to the server's key."""
    service.delete_secret(uow, name)
    return Response(status_code=204)
