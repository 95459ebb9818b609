"""`autoforge project|key|member`: projects, API keys and the organization's members, as the
CLI's caller (the local owner, or the key in AUTOFORGE_API_KEY)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from autoforge.cli.common import JsonOption, caller, console, print_json, run_command, run_scoped

if TYPE_CHECKING:
    from datetime import datetime

    from autoforge.bootstrap import Container
    from autoforge.identity.caller import Caller
    from autoforge.identity.roles import Role
    from autoforge.identity.schemas import ApiKey, ApiKeyCreated, Member, Project

project_app = typer.Typer(
    help="Projects: where prompts, datasets and runs live.", no_args_is_help=True
)
key_app = typer.Typer(help="API keys of the current project.", no_args_is_help=True)
member_app = typer.Typer(help="Members of the organization and their roles.", no_args_is_help=True)

KeyRole = Annotated[str, typer.Option("--role", help="viewer, member or admin (at most yours)")]


def _require(built: Container, needed: Role) -> None:
    from autoforge.errors import ForbiddenError

    who = caller(built)
    if not who.may(needed):
        raise ForbiddenError(f"this needs the {needed.value} role; you are {who.role.value}")


def _user_id(built: Container, who: Caller, member: str) -> str:
    """A member named by user id or email: the user id (unknown names pass through, for the
    service to answer 404 in its own words)."""
    from autoforge.identity import service

    members = run_scoped(built, lambda uow: service.list_members(uow, who), read_only=True)
    return next((m.user_id for m in members if member in (m.user_id, m.email)), member)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


# --- projects ---------------------------------------------------------------------------------


@project_app.command("list")
def project_list(as_json: JsonOption = False) -> None:
    """The projects you may open; `*` marks the current one."""
    from autoforge.identity import service

    def action(built: Container) -> tuple[str, list[Project]]:
        who = caller(built)
        return who.project_id, run_scoped(
            built, lambda uow: service.list_projects(uow, who), read_only=True
        )

    current, projects = run_command(action, as_json=as_json)
    if as_json:
        print_json([p.model_dump(mode="json") for p in projects])
        return
    table = Table("", "id", "name", "your role", "created")
    for p in projects:
        table.add_row(
            "*" if p.id == current else "", p.id, escape(p.name), p.role, _when(p.created_at)
        )
    console.print(table)


@project_app.command("create")
def project_create(
    name: Annotated[str, typer.Argument(help="the project's name")], as_json: JsonOption = False
) -> None:
    """Create a project in your organization (admin or owner); `project use` opens it."""
    from autoforge.identity import service
    from autoforge.identity.roles import Role
    from autoforge.identity.schemas import ProjectCreate

    def action(built: Container) -> Project:
        _require(built, Role.ADMIN)
        who = caller(built)
        return run_scoped(
            built, lambda uow: service.create_project(uow, who, ProjectCreate(name=name))
        )

    project = run_command(action, as_json=as_json)
    if as_json:
        print_json(project)
        return
    console.print(
        f"created project {escape(project.name)} ({project.id}); open it with "
        f"`autoforge project use {project.id}`",
        highlight=False,
    )


@project_app.command("use")
def project_use(
    project: Annotated[str, typer.Argument(help="a project's id or name")],
) -> None:
    """Make a project the current one for later commands (kept in the data directory)."""
    from autoforge.identity import service
    from autoforge.identity.current import project_file

    def action(built: Container) -> Project:
        who = caller(built)
        projects = run_scoped(built, lambda uow: service.list_projects(uow, who), read_only=True)
        found = [p for p in projects if project in (p.id, p.name)]
        if not found:
            from autoforge.errors import NotFoundError

            names = ", ".join(f"{p.name} ({p.id})" for p in projects)
            raise NotFoundError(f"no project {project!r} of yours; there are: {names}")
        project_file(built).parent.mkdir(parents=True, exist_ok=True)
        project_file(built).write_text(found[0].id + "\n")
        return found[0]

    chosen = run_command(action)
    console.print(f"now in project {escape(chosen.name)} ({chosen.id})", highlight=False)


# --- API keys ---------------------------------------------------------------------------------


@key_app.command("create")
def key_create(
    role: KeyRole = "member",
    note: Annotated[str | None, typer.Option(help="what the key is for")] = None,
    expires: Annotated[
        str | None, typer.Option(help="ISO date or time it stops working, e.g. 2027-01-31")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a key pair for the current project (admin or owner). The secret is printed
    this once: only its salted hash is stored."""
    from autoforge.identity import service
    from autoforge.identity.roles import Role
    from autoforge.identity.schemas import KeyCreate

    data = KeyCreate.model_validate({"role": role, "note": note, "expires_at": expires})

    def action(built: Container) -> ApiKeyCreated:
        _require(built, Role.ADMIN)
        who = caller(built)
        return run_scoped(built, lambda uow: service.create_key(uow, who, data))

    created = run_command(action, as_json=as_json)
    if as_json:
        print_json(created)
        return
    console.print(
        f"public key: {created.public_key}\nsecret key: {created.secret}", highlight=False
    )
    console.print(
        "The secret is shown this once. Send it as `Authorization: Bearer <secret>`, or use "
        "both as HTTP Basic `public:secret` (Langfuse SDKs).",
        style="dim",
    )


@key_app.command("list")
def key_list(as_json: JsonOption = False) -> None:
    """The current project's keys (admin or owner), secrets in display form only."""
    from autoforge.identity import service
    from autoforge.identity.roles import Role

    def action(built: Container) -> list[ApiKey]:
        _require(built, Role.ADMIN)
        who = caller(built)
        return run_scoped(built, lambda uow: service.list_keys(uow, who), read_only=True)

    keys = run_command(action, as_json=as_json)
    if as_json:
        print_json([k.model_dump(mode="json") for k in keys])
        return
    table = Table(
        "id", "public key", "secret", "role", "note", "created", "expires", "last used", "state"
    )
    for k in keys:
        state = "revoked" if k.revoked_at else "active"
        table.add_row(
            k.id,
            k.public_key,
            k.display,
            k.role,
            escape(k.note or ""),
            _when(k.created_at),
            _when(k.expires_at),
            _when(k.last_used_at),
            state,
        )
    console.print(table)


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[str, typer.Argument(help="the key's id (from `key list`)")],
    as_json: JsonOption = False,
) -> None:
    """Revoke a key of the current project (admin or owner): refused from now on."""
    from autoforge.identity import service
    from autoforge.identity.roles import Role

    def action(built: Container) -> ApiKey:
        _require(built, Role.ADMIN)
        who = caller(built)
        return run_scoped(built, lambda uow: service.revoke_key(uow, who, key_id))

    revoked = run_command(action, as_json=as_json)
    if as_json:
        print_json(revoked)
        return
    console.print(f"revoked {revoked.display} ({revoked.id})", highlight=False)


# --- members ----------------------------------------------------------------------------------


@member_app.command("list")
def member_list(as_json: JsonOption = False) -> None:
    """The organization's members and their roles."""
    from autoforge.identity import service

    def action(built: Container) -> list[Member]:
        who = caller(built)
        return run_scoped(built, lambda uow: service.list_members(uow, who), read_only=True)

    members = run_command(action, as_json=as_json)
    if as_json:
        print_json([m.model_dump(mode="json") for m in members])
        return
    table = Table("user id", "email", "name", "role")
    for m in members:
        table.add_row(m.user_id, escape(m.email or "-"), escape(m.name or "-"), m.role)
    console.print(table)


@member_app.command("add")
def member_add(
    email: Annotated[str, typer.Argument(help="the person's email")],
    role: Annotated[str, typer.Option("--role", help="viewer, member, admin or owner")] = "member",
    name: Annotated[str | None, typer.Option(help="their name")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a person to the organization, or change a member's role (admin or owner)."""
    from autoforge.identity import service
    from autoforge.identity.roles import Role
    from autoforge.identity.schemas import MemberAdd

    data = MemberAdd.model_validate({"email": email, "role": role, "name": name})

    def action(built: Container) -> Member:
        _require(built, Role.ADMIN)
        who = caller(built)
        return run_scoped(built, lambda uow: service.add_member(uow, who, data))

    member = run_command(action, as_json=as_json)
    if as_json:
        print_json(member)
        return
    console.print(f"{escape(member.email or member.user_id)} is {member.role}", highlight=False)


@member_app.command("remove")
def member_remove(
    member: Annotated[str, typer.Argument(help="the member's user id or email")],
) -> None:
    """Remove a member from the organization (admin or owner). The last owner stays."""
    from autoforge.identity import service
    from autoforge.identity.roles import Role

    def action(built: Container) -> str:
        _require(built, Role.ADMIN)
        who = caller(built)
        user_id = _user_id(built, who, member)
        run_scoped(built, lambda uow: service.remove_member(uow, who, user_id))
        return user_id

    removed = run_command(action)
    console.print(f"removed {escape(removed)}", highlight=False)


@member_app.command("project-role")
def member_project_role(
    member: Annotated[str, typer.Argument(help="the member's user id or email")],
    role: Annotated[
        str, typer.Argument(help="viewer, member, admin or owner in the current project; none")
    ],
    as_json: JsonOption = False,
) -> None:
    """A member's role in the current project only, replacing their organization role here
    (up or down); `none` removes it (admin or owner)."""
    from autoforge.identity import service
    from autoforge.identity.roles import ROLE_NAMES, Role

    if role != "none" and role not in ROLE_NAMES:
        raise typer.BadParameter(f"{role!r} is not a role: {', '.join(ROLE_NAMES)} or none")
    chosen = None if role == "none" else role

    def action(built: Container) -> Member:
        _require(built, Role.ADMIN)
        who = caller(built)
        user_id = _user_id(built, who, member)
        return run_scoped(built, lambda uow: service.set_project_role(uow, who, user_id, chosen))

    changed = run_command(action, as_json=as_json)
    if as_json:
        print_json(changed)
        return
    where = changed.project_role or f"{changed.role} (the organization's)"
    console.print(f"{escape(changed.email or changed.user_id)} is {where} here", highlight=False)
