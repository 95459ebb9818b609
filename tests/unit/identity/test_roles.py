"""Roles: their order, how a project override combines with the organization's, Clerk's names."""

from __future__ import annotations

import pytest

from autoforge.identity.roles import ROLE_NAMES, Role, effective_role, role_from_clerk


def test_roles_rank_owner_over_admin_over_member_over_viewer() -> None:
    ranked = sorted(Role, key=lambda role: role.rank)
    assert ranked == [Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER]
    assert set(ROLE_NAMES) == {"owner", "admin", "member", "viewer"}


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        (Role.OWNER, Role.ADMIN, True),
        (Role.ADMIN, Role.ADMIN, True),
        (Role.MEMBER, Role.ADMIN, False),
        (Role.VIEWER, Role.MEMBER, False),
        (Role.MEMBER, Role.VIEWER, True),
        (Role.ADMIN, Role.OWNER, False),
    ],
)
def test_a_role_allows_what_it_outranks_or_equals(held: Role, needed: Role, allowed: bool) -> None:
    assert held.allows(needed) is allowed


def test_without_a_project_override_the_organization_role_applies() -> None:
    assert effective_role(Role.MEMBER, None) is Role.MEMBER


@pytest.mark.parametrize(
    ("organization_role", "override"),
    [(Role.MEMBER, Role.ADMIN), (Role.ADMIN, Role.VIEWER), (Role.OWNER, Role.MEMBER)],
)
def test_a_project_override_replaces_the_organization_role_up_or_down(
    organization_role: Role, override: Role
) -> None:
    assert effective_role(organization_role, override) is override


@pytest.mark.parametrize(
    ("claim", "role"),
    [
        ("org:admin", Role.ADMIN),  # v1 tokens prefix role keys
        ("admin", Role.ADMIN),  # v2 tokens do not
        ("org:member", Role.MEMBER),
        ("member", Role.MEMBER),
        ("org:owner", Role.OWNER),  # a custom Clerk role named after ours
        ("org:viewer", Role.VIEWER),
        ("basic_member", Role.MEMBER),  # Clerk's older default role
        ("ORG:Admin", Role.ADMIN),
        ("org:billing", Role.VIEWER),  # custom roles we do not know get the least power
        ("org:", Role.VIEWER),
        ("", Role.VIEWER),
        (None, Role.VIEWER),
    ],
)
def test_clerk_role_keys_map_to_our_roles(claim: str | None, role: Role) -> None:
    assert role_from_clerk(claim) is role
