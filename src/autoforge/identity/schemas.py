"""Request and response bodies of `/api/v1/me`, `/projects`, `/keys` and `/members`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RoleName = Literal["viewer", "member", "admin", "owner"]
KeyRoleName = Literal["viewer", "member", "admin"]


class Me(BaseModel):
    project_id: str
    organization_id: str
    role: RoleName
    via: Literal["local", "api_key", "clerk", "anonymous"]
    user_id: str | None
    key_id: str | None


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")


class Project(BaseModel):
    id: str
    name: str
    organization_id: str
    created_at: datetime
    role: RoleName = Field(description="your role in this project")


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: KeyRoleName = Field(default="member", description="at most your own role")
    note: str | None = Field(default=None, max_length=200)
    expires_at: datetime | None = Field(default=None, description="never, when absent")


class ApiKey(BaseModel):
    id: str
    public_key: str
    display: str = Field(description="the secret's display form, e.g. `sk-afn-…abcd`")
    role: KeyRoleName
    note: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKey):
    secret: str = Field(description="shown this once; only its salted hash is stored")


class MemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    role: RoleName = "member"
    name: str | None = Field(default=None, max_length=200)


class Member(BaseModel):
    user_id: str
    email: str | None
    name: str | None
    role: RoleName = Field(description="in the organization")
    project_role: RoleName | None = Field(
        default=None, description="in this project, replacing the organization's; null: none"
    )


class ProjectRoleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: RoleName | None = Field(description="null removes the override")
