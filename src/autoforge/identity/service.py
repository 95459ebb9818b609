"""Projects, API keys and members: who may call, and as what. Never commits.

Every function takes the `Caller` it acts for; the roles it needs were checked before the
request reached it (`api/access.py`), and the caller's project is the one it acts in.
"""

from __future__ import annotations

from datetime import UTC, datetime

from autoforge.audit.log import record
from autoforge.db.base import utcnow
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, NotFoundError, ValidationFailed
from autoforge.identity import keys
from autoforge.identity.caller import (
    DEFAULT_ORGANIZATION_ID,
    DEFAULT_PROJECT_ID,
    LOCAL_USER_ID,
    Caller,
    Via,
)
from autoforge.identity.clerk import ClerkIdentity
from autoforge.identity.models import (
    ApiKeyRow,
    MembershipRow,
    OrganizationRow,
    ProjectRoleRow,
    ProjectRow,
    UserRow,
)
from autoforge.identity.repository import IdentityRepository
from autoforge.identity.roles import Role, effective_role
from autoforge.identity.schemas import (
    ApiKey,
    ApiKeyCreated,
    KeyCreate,
    Me,
    Member,
    MemberAdd,
    Project,
    ProjectCreate,
)


def ensure_defaults(uow: UnitOfWork) -> None:
    """The default organization and project, and the local user owning them: what a request
    without credentials acts as in local mode. The migration creates them; this puts back
    any that are gone."""
    repo = IdentityRepository(uow.session)
    if repo.organization(DEFAULT_ORGANIZATION_ID) is None:
        repo.add(OrganizationRow(id=DEFAULT_ORGANIZATION_ID, name="Default"))
    if repo.project(DEFAULT_PROJECT_ID) is None:
        repo.add(
            ProjectRow(
                id=DEFAULT_PROJECT_ID, organization_id=DEFAULT_ORGANIZATION_ID, name="Default"
            )
        )
    if repo.user(LOCAL_USER_ID) is None:
        repo.add(UserRow(id=LOCAL_USER_ID, name="Local user"))
    if repo.membership(DEFAULT_ORGANIZATION_ID, LOCAL_USER_ID) is None:
        repo.add(
            MembershipRow(
                organization_id=DEFAULT_ORGANIZATION_ID,
                user_id=LOCAL_USER_ID,
                role=Role.OWNER.value,
            )
        )


def me(caller: Caller) -> Me:
    return Me(
        project_id=caller.project_id,
        organization_id=caller.organization_id,
        role=caller.role.value,
        via=caller.via.value,
        user_id=caller.user_id,
        key_id=caller.key_id,
    )


# --- projects -------------------------------------------------------------------------------


def role_in(repo: IdentityRepository, user_id: str, project: ProjectRow) -> Role | None:
    """A user's role in a project: a per-project role replaces the organization's; None
    when the user is no member of the project's organization."""
    membership = repo.membership(project.organization_id, user_id)
    if membership is None:
        return None
    override = repo.project_role(project.id, user_id)
    return effective_role(Role(membership.role), Role(override.role) if override else None)


def _project(row: ProjectRow, role: Role) -> Project:
    return Project(
        id=row.id,
        name=row.name,
        organization_id=row.organization_id,
        created_at=row.created_at,
        role=role.value,
    )


def list_projects(uow: UnitOfWork, caller: Caller) -> list[Project]:
    """A key sees its own project; a person, every project of the organization they have
    a role in."""
    repo = IdentityRepository(uow.session)
    if caller.user_id is None:
        row = repo.project(caller.project_id)
        return [_project(row, caller.role)] if row else []
    found = []
    for row in repo.projects_of(caller.organization_id):
        role = role_in(repo, caller.user_id, row)
        if role is not None:
            found.append(_project(row, role))
    return found


def create_project(uow: UnitOfWork, caller: Caller, data: ProjectCreate) -> Project:
    if caller.user_id is None:
        raise ValidationFailed("an API key belongs to one project: sign in to create projects")
    repo = IdentityRepository(uow.session)
    name = data.name.strip()
    if repo.project_named(caller.organization_id, name) is not None:
        raise ConflictError(f"the organization already has a project named {name!r}")
    row = ProjectRow(organization_id=caller.organization_id, name=name)
    repo.add(row)
    record(
        uow.session, actor=caller.actor, action="create", entity_type="project", entity_id=row.id
    )
    role = role_in(repo, caller.user_id, row) or caller.role
    return _project(row, role)


# --- API keys --------------------------------------------------------------------------------


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey.model_validate(row, from_attributes=True)


def create_key(uow: UnitOfWork, caller: Caller, data: KeyCreate) -> ApiKeyCreated:
    role = Role(data.role)
    if not caller.may(role):
        raise ValidationFailed(
            f"a key's role can be at most your own ({caller.role.value}), not {role.value}",
            errors=[{"field": "role", "message": f"at most {caller.role.value}"}],
        )
    expires_at = data.expires_at
    if expires_at is not None:
        expires_at = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
        if expires_at <= utcnow():
            raise ValidationFailed(
                "expires_at is in the past",
                errors=[{"field": "expires_at", "message": "must be in the future"}],
            )
    made = keys.generate()
    row = ApiKeyRow(
        project_id=caller.project_id,
        public_key=made.public_key,
        lookup=made.lookup,
        salt=made.salt,
        secret_hash=made.secret_hash,
        display=made.display,
        role=role.value,
        note=data.note,
        created_by=caller.actor,
        expires_at=expires_at,
    )
    IdentityRepository(uow.session).add(row)
    record(
        uow.session, actor=caller.actor, action="create", entity_type="api_key", entity_id=row.id
    )
    return ApiKeyCreated(**_key(row).model_dump(), secret=made.secret)


def list_keys(uow: UnitOfWork, caller: Caller) -> list[ApiKey]:
    return [_key(row) for row in IdentityRepository(uow.session).keys_of(caller.project_id)]


def revoke_key(uow: UnitOfWork, caller: Caller, key_id: str) -> ApiKey:
    row = IdentityRepository(uow.session).key(caller.project_id, key_id)
    if row is None:
        raise NotFoundError(f"no API key {key_id!r} in this project")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        uow.session.flush()
        record(
            uow.session,
            actor=caller.actor,
            action="revoke",
            entity_type="api_key",
            entity_id=key_id,
        )
    return _key(row)


# --- members -------------------------------------------------------------------------------


def _member(
    membership: MembershipRow, user: UserRow, project_role: ProjectRoleRow | None = None
) -> Member:
    return Member(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=membership.role,
        project_role=project_role.role if project_role else None,
    )


def list_members(uow: UnitOfWork, caller: Caller) -> list[Member]:
    repo = IdentityRepository(uow.session)
    overrides = repo.project_roles(caller.project_id)
    return [_member(m, u, overrides.get(u.id)) for m, u in repo.members(caller.organization_id)]


def set_project_role(uow: UnitOfWork, caller: Caller, user_id: str, role: str | None) -> Member:
    """A member's role in the caller's project only (up or down from the organization's),
    or none: then the organization's applies."""
    repo = IdentityRepository(uow.session)
    membership, user = repo.membership(caller.organization_id, user_id), repo.user(user_id)
    if membership is None or user is None:
        raise NotFoundError(f"no member {user_id!r} in this organization")
    if role is not None and not caller.may(Role(role)):
        raise ValidationFailed(f"you can grant at most your own role ({caller.role.value})")
    override = repo.project_role(caller.project_id, user_id)
    if role is None and override is not None:
        repo.delete(override)
        override = None
    elif role is not None and override is None:
        override = ProjectRoleRow(project_id=caller.project_id, user_id=user_id, role=role)
        repo.add(override)
    elif role is not None and override is not None:
        override.role = role
        uow.session.flush()
    record(
        uow.session,
        actor=caller.actor,
        action="add_member",
        entity_type="project_role",
        entity_id=user_id,
        details={"project_role": role},
    )
    return _member(membership, user, override)


def add_member(uow: UnitOfWork, caller: Caller, data: MemberAdd) -> Member:
    """Adds a person to the caller's organization (creating the user by email), or changes
    the role of one who is already a member."""
    role = Role(data.role)
    if not caller.may(role):
        raise ValidationFailed(f"you can grant at most your own role ({caller.role.value})")
    repo = IdentityRepository(uow.session)
    email = data.email.strip().lower()
    user = repo.user_by_email(email)
    if user is None:
        user = UserRow(email=email, name=data.name)
        repo.add(user)
    membership = repo.membership(caller.organization_id, user.id)
    if membership is None:
        membership = MembershipRow(
            organization_id=caller.organization_id, user_id=user.id, role=role.value
        )
        repo.add(membership)
    else:
        if Role(membership.role) is Role.OWNER and role is not Role.OWNER:
            _keep_an_owner(repo, caller.organization_id, user.id)
        membership.role = role.value
        uow.session.flush()
    record(
        uow.session,
        actor=caller.actor,
        action="add_member",
        entity_type="user",
        entity_id=user.id,
        details={"role": role.value},
    )
    return _member(membership, user)


def remove_member(uow: UnitOfWork, caller: Caller, user_id: str) -> None:
    repo = IdentityRepository(uow.session)
    membership = repo.membership(caller.organization_id, user_id)
    if membership is None:
        raise NotFoundError(f"no member {user_id!r} in this organization")
    if Role(membership.role) is Role.OWNER:
        if not caller.may(Role.OWNER):
            raise ValidationFailed("only an owner can remove an owner")
        _keep_an_owner(repo, caller.organization_id, user_id)
    repo.delete(membership)
    record(
        uow.session,
        actor=caller.actor,
        action="remove_member",
        entity_type="user",
        entity_id=user_id,
    )


def _keep_an_owner(repo: IdentityRepository, organization_id: str, leaving: str) -> None:
    owners = [m for m, _ in repo.members(organization_id) if m.role == Role.OWNER.value]
    if [m.user_id for m in owners] == [leaving]:
        raise ConflictError("an organization keeps at least one owner")


# --- authentication (system transactions: the caller is not known yet) -----------------------


class Rejected(Exception):
    """Credentials that were sent and are not accepted; the message says why, never echoing
    the secret."""


def caller_for_key(uow: UnitOfWork, secret: str, public_key: str | None, now: datetime) -> Caller:
    lookup = keys.lookup_of(secret)
    repo = IdentityRepository(uow.session)
    row = repo.key_by_lookup(lookup) if lookup else None
    if row is None or not keys.matches(secret, row.salt, row.secret_hash):
        raise Rejected("the API key is not valid")
    if public_key is not None and public_key != row.public_key:
        raise Rejected("the public key does not belong to this secret key")
    if row.revoked_at is not None:
        raise Rejected(f"the API key {row.display} was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Rejected(f"the API key {row.display} expired at {row.expires_at.isoformat()}")
    project = repo.project(row.project_id)
    if project is None:
        raise Rejected("the API key's project no longer exists")
    return Caller(
        project_id=row.project_id,
        organization_id=project.organization_id,
        role=Role(row.role),
        via=Via.API_KEY,
        key_id=row.id,
    )


def caller_for_user(
    uow: UnitOfWork, user_id: str, organization_id: str, project_id: str | None, via: Via
) -> Caller:
    """A person in one project of an organization: the one asked for, or the first."""
    repo = IdentityRepository(uow.session)
    if project_id is not None:
        project = repo.project(project_id)
        if project is None or project.organization_id != organization_id:
            raise Rejected(f"no project {project_id!r} in your organization")
    else:
        projects = repo.projects_of(organization_id)
        if not projects:
            raise Rejected("your organization has no project yet")
        project = projects[0]
    role = role_in(repo, user_id, project)
    if role is None:
        raise Rejected("you are not a member of this organization")
    return Caller(
        project_id=project.id,
        organization_id=organization_id,
        role=role,
        via=via,
        user_id=user_id,
    )


def touch_key(uow: UnitOfWork, key_id: str, when: datetime) -> None:
    IdentityRepository(uow.session).touch_key(key_id, when)


def sign_in(uow: UnitOfWork, identity: ClerkIdentity, project_id: str | None) -> Caller:
    """A person signed in through Clerk: their organization and user are created on first
    sight (with a default project), and the token's role, which Clerk manages, is theirs."""
    if identity.organization_id is None or identity.role is None:
        raise Rejected("the token names no active organization: choose one in Clerk first")
    repo = IdentityRepository(uow.session)
    organization = repo.organization_by_external(identity.organization_id)
    if organization is None:
        name = identity.organization_slug or identity.organization_id
        organization = OrganizationRow(name=name[:200], external_id=identity.organization_id)
        repo.add(organization)
        repo.add(ProjectRow(organization_id=organization.id, name="Default"))
    user = repo.user_by_external(identity.user_id)
    if user is None and identity.email:
        # Added as a member by email before their first sign-in: the same person.
        user = repo.user_by_email(identity.email.lower())
        if user is not None and user.external_id is None:
            user.external_id = identity.user_id
        elif user is not None:
            raise Rejected("the token's email belongs to another signed-in user")
    if user is None:
        email = identity.email.lower() if identity.email else None
        user = UserRow(external_id=identity.user_id, email=email)
        repo.add(user)
    membership = repo.membership(organization.id, user.id)
    if membership is None:
        repo.add(
            MembershipRow(organization_id=organization.id, user_id=user.id, role=identity.role)
        )
    elif membership.role != identity.role:
        membership.role = identity.role.value
        uow.session.flush()
    return caller_for_user(uow, user.id, organization.id, project_id, Via.CLERK)
