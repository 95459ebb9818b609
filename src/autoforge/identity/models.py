"""Tables of identity: organizations, their projects, users, memberships and API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow

_ROLE_CHECK = "role IN ('viewer', 'member', 'admin', 'owner')"


class OrganizationRow(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # Clerk's organization id (`org_...`) once someone signs in through it.
    external_id: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("uq_organizations_external_id", "external_id", unique=True),
        CheckConstraint("length(name) BETWEEN 1 AND 200", name="organization_name_length"),
    )


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("uq_projects_organization_name", "organization_id", "name", unique=True),
        CheckConstraint("length(name) BETWEEN 1 AND 200", name="project_name_length"),
    )


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    # Clerk's user id (`user_...`), the `sub` of its tokens.
    external_id: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("uq_users_email", "email", unique=True),
        Index("uq_users_external_id", "external_id", unique=True),
    )


class MembershipRow(Base):
    """A user's role in an organization."""

    __tablename__ = "memberships"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(_ROLE_CHECK, name="membership_role"),
        Index("ix_memberships_user_id", "user_id"),
    )


class ProjectRoleRow(Base):
    """A per-project role that replaces the user's organization role in that project."""

    __tablename__ = "project_roles"

    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))

    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="project_role_role"),)


class ApiKeyRow(Base):
    """A public/secret pair of one project. The secret is stored only as a salted SHA-256;
    `lookup` (a random part of the secret that is not secret by itself) finds the row."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    public_key: Mapped[str] = mapped_column(String(64))
    lookup: Mapped[str] = mapped_column(String(32))
    salt: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[str] = mapped_column(String(64))
    display: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16), default="member")
    note: Mapped[str | None] = mapped_column(String(200), default=None)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        CheckConstraint(_ROLE_CHECK, name="api_key_role"),
        Index("uq_api_keys_public_key", "public_key", unique=True),
        Index("uq_api_keys_lookup", "lookup", unique=True),
        Index("ix_api_keys_project_id", "project_id"),
    )
