"""The CLI's caller: an API key from the environment, or the local owner in the project that
`autoforge project use` chose (kept in a file in the data directory)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from autoforge.errors import NotFoundError, UnauthorizedError
from autoforge.identity import service
from autoforge.identity.authenticate import Unauthenticated
from autoforge.identity.caller import (
    DEFAULT_ORGANIZATION_ID,
    LOCAL_USER_ID,
    Caller,
    Via,
    local_caller,
)

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

PROJECT_FILE = "current-project"


def project_file(built: Container) -> Path:
    return built.settings.data_dir / PROJECT_FILE


def chosen_project(built: Container) -> str | None:
    if built.settings.autoforge_project:
        return built.settings.autoforge_project
    path = project_file(built)
    return path.read_text().strip() or None if path.exists() else None


def cli_caller(built: Container) -> Caller:
    key = built.settings.autoforge_api_key
    project = chosen_project(built)
    if key is not None:
        try:
            return built.authenticator.authenticate(f"Bearer {key.get_secret_value()}", None)
        except Unauthenticated as exc:
            raise UnauthorizedError(f"AUTOFORGE_API_KEY: {exc}") from None
    if project is None:
        return local_caller()
    try:
        return built.database.run(
            lambda uow: service.caller_for_user(
                uow, LOCAL_USER_ID, DEFAULT_ORGANIZATION_ID, project, Via.LOCAL
            ),
            read_only=True,
        )
    except service.Rejected as exc:
        raise NotFoundError(f"{exc} (chosen with `autoforge project use`)") from None
