"""`autoforge secret`: the current project's stored secrets (provider API keys), and the
re-encryption of every project's under the newest key."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from autoforge.cli.common import JsonOption, caller, console, print_json, run_command, run_scoped

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.secrets.schemas import Rotation, Secret

app = typer.Typer(
    help="Secrets of the current project, e.g. OPENAI_API_KEY, stored encrypted (admin). "
    "Keys come from SECRET_KEYS, a JSON list of Fernet keys, newest first; in local mode "
    "without it, one is made on first use and kept in <data dir>/secret.key (mode 0600).",
    no_args_is_help=True,
)

NameArgument = Annotated[
    str, typer.Argument(metavar="NAME", help="e.g. OPENAI_API_KEY, ANTHROPIC_API_KEY")
]


def _require_admin(built: Container) -> None:
    from autoforge.errors import ForbiddenError
    from autoforge.identity.roles import Role

    who = caller(built)
    if not who.may(Role.ADMIN):
        raise ForbiddenError(f"secrets need the admin role; you are {who.role.value}")


def _read_value(name: str) -> str:
    """From stdin when it is piped, else a hidden prompt: never an argument, which would
    stay in the shell's history and in `ps`."""
    if not sys.stdin.isatty():
        return sys.stdin.read()
    return str(typer.prompt(f"{name}", hide_input=True, confirmation_prompt=True))


@app.command("set")
def secret_set(name: NameArgument, as_json: JsonOption = False) -> None:
    """Store NAME for the current project, read from stdin or a hidden prompt. A provider
    key (`<PROVIDER>_API_KEY`) then pays for the project's calls to that provider."""
    from autoforge.secrets import service
    from autoforge.secrets.keys import vault_of

    value = _read_value(name)

    def action(built: Container) -> Secret:
        _require_admin(built)
        vault = vault_of(built.settings)
        return run_scoped(built, lambda uow: service.set_secret(uow, vault, name, value))

    stored = run_command(action, as_json=as_json)
    if as_json:
        print_json(stored)
        return
    console.print(f"stored {stored.name} ({stored.display})", highlight=False)


@app.command("list")
def secret_list(as_json: JsonOption = False) -> None:
    """The current project's secrets: names and last four characters, never values."""
    from autoforge.secrets import service

    def action(built: Container) -> list[Secret]:
        _require_admin(built)
        return run_scoped(built, service.list_secrets, read_only=True)

    secrets = run_command(action, as_json=as_json)
    if as_json:
        print_json([s.model_dump(mode="json") for s in secrets])
        return
    table = Table("name", "value", "updated")
    for s in secrets:
        table.add_row(escape(s.name), s.display, s.updated_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@app.command("delete")
def secret_delete(name: NameArgument) -> None:
    """Delete NAME from the current project; its calls go back to the server's key."""
    from autoforge.secrets import service

    def action(built: Container) -> None:
        _require_admin(built)
        run_scoped(built, lambda uow: service.delete_secret(uow, name))

    run_command(action)
    console.print(f"deleted {escape(name)}", highlight=False)


@app.command("rotate")
def secret_rotate(as_json: JsonOption = False) -> None:
    """Re-encrypt every project's secrets and sensitive dataset values under the newest key
    (the first of SECRET_KEYS).

    To rotate: put a new key first, keeping the old ones after it
    (SECRET_KEYS='["<new>", "<old>"]'), run this, then drop the old keys. Coming from local
    mode without SECRET_KEYS, the old key is the one in <data dir>/secret.key."""
    from autoforge.secrets import service
    from autoforge.secrets.keys import vault_of

    def action(built: Container) -> Rotation:
        _require_admin(built)
        vault = vault_of(built.settings)
        actor = caller(built).actor
        return built.database.run(lambda uow: service.reencrypt_all(uow, vault, actor=actor))

    rotation = run_command(action, as_json=as_json)
    if as_json:
        print_json(rotation)
        return
    values = rotation.dataset_values
    console.print(
        f"re-encrypted {rotation.reencrypted} secret(s) under the newest key; "
        f"{rotation.current} already were; {rotation.projects} project(s)\n"
        f"re-encrypted {values.reencrypted} sensitive dataset value(s); "
        f"{values.current} already were",
        highlight=False,
    )


@app.command("keygen")
def secret_keygen() -> None:
    """Print a new Fernet key, for SECRET_KEYS (put it first to rotate to it)."""
    from autoforge.secrets.vault import new_key

    typer.echo(new_key())
