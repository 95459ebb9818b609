"""Every query of organizations, projects, users, memberships and API keys. Flushes, never
commits. These tables are not project-owned: each query names its organization or project."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from autoforge.identity.models import (
    ApiKeyRow,
    MembershipRow,
    OrganizationRow,
    ProjectRoleRow,
    ProjectRow,
    UserRow,
)


class IdentityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    def delete(self, row: object) -> None:
        self.session.delete(row)
        self.session.flush()

    # projects and organizations
    def project(self, project_id: str) -> ProjectRow | None:
        return self.session.get(ProjectRow, project_id)

    def projects_of(self, organization_id: str) -> Sequence[ProjectRow]:
        query = (
            select(ProjectRow)
            .where(ProjectRow.organization_id == organization_id)
            .order_by(ProjectRow.created_at, ProjectRow.id)
        )
        return self.session.scalars(query).all()

    def project_named(self, organization_id: str, name: str) -> ProjectRow | None:
        return self.session.scalar(
            select(ProjectRow).where(
                ProjectRow.organization_id == organization_id, ProjectRow.name == name
            )
        )

    def organization(self, organization_id: str) -> OrganizationRow | None:
        return self.session.get(OrganizationRow, organization_id)

    def organization_by_external(self, external_id: str) -> OrganizationRow | None:
        return self.session.scalar(
            select(OrganizationRow).where(OrganizationRow.external_id == external_id)
        )

    # users and their roles
    def user(self, user_id: str) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def user_by_external(self, external_id: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.external_id == external_id))

    def user_by_email(self, email: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.email == email))

    def membership(self, organization_id: str, user_id: str) -> MembershipRow | None:
        return self.session.get(MembershipRow, (organization_id, user_id))

    def members(self, organization_id: str) -> Sequence[tuple[MembershipRow, UserRow]]:
        query = (
            select(MembershipRow, UserRow)
            .join(UserRow, UserRow.id == MembershipRow.user_id)
            .where(MembershipRow.organization_id == organization_id)
            .order_by(MembershipRow.created_at, UserRow.id)
        )
        return [(m, u) for m, u in self.session.execute(query)]

    def project_roles(self, project_id: str) -> dict[str, ProjectRoleRow]:
        """Every per-project role of a project, by user id: one query for a member list."""
        query = select(ProjectRoleRow).where(ProjectRoleRow.project_id == project_id)
        return {row.user_id: row for row in self.session.scalars(query)}

    def project_role(self, project_id: str, user_id: str) -> ProjectRoleRow | None:
        return self.session.get(ProjectRoleRow, (project_id, user_id))

    # API keys
    def key(self, project_id: str, key_id: str) -> ApiKeyRow | None:
        return self.session.scalar(
            select(ApiKeyRow).where(ApiKeyRow.id == key_id, ApiKeyRow.project_id == project_id)
        )

    def key_by_lookup(self, lookup: str) -> ApiKeyRow | None:
        return self.session.scalar(select(ApiKeyRow).where(ApiKeyRow.lookup == lookup))

    def keys_of(self, project_id: str) -> Sequence[ApiKeyRow]:
        query = (
            select(ApiKeyRow)
            .where(ApiKeyRow.project_id == project_id)
            .order_by(ApiKeyRow.created_at.desc(), ApiKeyRow.id)
        )
        return self.session.scalars(query).all()

    def touch_key(self, key_id: str, when: datetime) -> None:
        self.session.execute(
            update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=when)
        )
