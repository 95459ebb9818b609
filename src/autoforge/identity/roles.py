"""Roles and how they combine: owner > admin > member > viewer. Pure: no web, no database."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A person's power over an organization or project.

    Compare roles with `allows` or `rank`, never with `<`: a StrEnum orders as text.
    """

    VIEWER = "viewer"
    MEMBER = "member"
    ADMIN = "admin"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANKS: dict[Role, int] = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}
ROLE_NAMES: tuple[str, ...] = tuple(role.value for role in Role)

# Clerk's roles from before `org:member`; instances created back then may still hand them out.
_CLERK_ALIASES: dict[str, Role] = {"basic_member": Role.MEMBER, "guest_member": Role.VIEWER}


def effective_role(organization_role: Role, project_override: Role | None) -> Role:
    """A per-project role replaces the organization's, up or down (Langfuse's rule)."""
    return project_override if project_override is not None else organization_role


def role_from_clerk(claim: str | None) -> Role:
    """Our role for a Clerk role key: `org:admin` (v1) or `admin` (v2) alike.

    Anything we do not know becomes viewer, so a role added in Clerk's dashboard before we
    map it grants read access rather than either locking people out or granting too much.
    """
    name = (claim or "").strip().lower().removeprefix("org:")
    if name in _CLERK_ALIASES:
        return _CLERK_ALIASES[name]
    try:
        return Role(name)
    except ValueError:
        return Role.VIEWER
