"""Who is calling, in which project, with which role: what every request and command acts as.
Pure: no web, no database."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from autoforge.identity.roles import Role

# What a database made before teams migrates into, and what `make run` acts as.
DEFAULT_ORGANIZATION_ID = "default-org"
DEFAULT_PROJECT_ID = "default-project"
LOCAL_USER_ID = "local-user"


class Via(StrEnum):
    LOCAL = "local"  # no credentials, on a server in local mode (or the CLI)
    API_KEY = "api_key"
    CLERK = "clerk"
    ANONYMOUS = "anonymous"  # no credentials, reading public prompts where the server allows it


@dataclass(frozen=True, slots=True)
class Caller:
    project_id: str
    organization_id: str
    role: Role
    via: Via
    user_id: str | None = None
    key_id: str | None = None

    @property
    def actor(self) -> str:
        """What the audit log names: `key:<id>` for an API key, else the user's id."""
        return f"key:{self.key_id}" if self.key_id is not None else str(self.user_id)

    def may(self, needed: Role) -> bool:
        return self.role.allows(needed)


def anonymous_reader() -> Caller:
    """A caller of no project: it can read what is public, and nothing else."""
    return Caller(project_id="", organization_id="", role=Role.VIEWER, via=Via.ANONYMOUS)


def local_caller(project_id: str = DEFAULT_PROJECT_ID) -> Caller:
    """The local owner: `make run` on loopback, and the CLI on its own database."""
    return Caller(
        project_id=project_id,
        organization_id=DEFAULT_ORGANIZATION_ID,
        role=Role.OWNER,
        via=Via.LOCAL,
        user_id=LOCAL_USER_ID,
    )
