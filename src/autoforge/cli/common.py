"""What every CLI command shares: the container, transactions, one error path, `--json` output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from datetime import datetime

    from rich.progress import Progress

    from autoforge.bootstrap import Container
    from autoforge.datasets.sealing import VaultSource
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.identity.caller import Caller

console = Console()
error_console = Console(stderr=True)
T = TypeVar("T")
Problem = dict[str, Any]
PromptStatus = Literal["draft", "active", "archived"]

JsonOption = Annotated[
    bool, typer.Option("--json", help="print machine-readable JSON (errors as problem JSON)")
]
ContentOption = Annotated[str | None, typer.Option("--content", "-c", help="the text itself")]
FileOption = Annotated[
    Path | None,
    typer.Option("--file", "-f", dir_okay=False, help="read the text from a file ('-': stdin)"),
]
PromptNameArgument = Annotated[
    str, typer.Argument(metavar="NAME", help="the prompt's name (or its id)")
]
StdinArgument = Annotated[
    str | None,
    typer.Argument(metavar="-", show_default=False, help="'-' reads the text from stdin"),
]


@contextmanager
def container() -> Iterator[Container]:
    """The same wiring as the server, with the schema brought up to date first."""
    from autoforge.bootstrap import bootstrap
    from autoforge.config import Settings
    from autoforge.db import migrations

    built = bootstrap(Settings())
    try:
        # Reading the revision is several times cheaper than a no-op upgrade, and every
        # command pays for it.
        if migrations.current(built.database.engine) != migrations.head():
            migrations.upgrade(built.database.engine)
        yield built
        built.relay.publish_pending()
    finally:
        _callers.pop(id(built), None)
        built.close()


_callers: dict[int, Caller] = {}


def caller(built: Container) -> Caller:
    """Who every command acts as: the key in AUTOFORGE_API_KEY (`--api-key`), else the local
    owner in the current project (AUTOFORGE_PROJECT, else the one `autoforge project use`
    chose, else the default project)."""
    found = _callers.get(id(built))
    if found is None:
        from autoforge.identity.current import cli_caller

        found = _callers[id(built)] = cli_caller(built)
    return found


def owner(built: Container) -> str:
    """The project every command reads and writes."""
    return caller(built).project_id


def run_scoped(built: Container, work: Callable[[UnitOfWork], T], *, read_only: bool = False) -> T:
    """`work` in one transaction confined to the caller's project, re-run whole after a
    transient database error."""
    from autoforge.db.tenancy import Scope
    from autoforge.errors import ForbiddenError
    from autoforge.identity.roles import Role

    who = caller(built)
    if not read_only and not who.may(Role.MEMBER):
        raise ForbiddenError(f"changing anything needs the member role; you are {who.role.value}")
    scope = Scope(project_id=who.project_id, actor=who.actor)
    return built.database.run(work, read_only=read_only, scope=scope)


def problem_of(exc: BaseException) -> Problem | None:
    """The API's problem+json body for an error the API maps, or None for a bug."""
    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError, IntegrityError

    from autoforge.errors import AutoforgeError

    def body(status: int, title: str, detail: str, **extra: Any) -> Problem:
        return {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}

    if isinstance(exc, AutoforgeError):
        return body(exc.status, exc.title, exc.detail, **exc.extra)
    if isinstance(exc, ValidationError):
        # Built the way the API reports an invalid request body.
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "request", "message": e["msg"]}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return body(422, "Validation failed", summary, errors=errors)
    if isinstance(exc, IntegrityError):
        return body(409, "Conflict", f"the change conflicts with stored data: {exc.orig}")
    if isinstance(exc, DBAPIError):
        return body(503, "Database unavailable", f"the database could not answer: {exc.orig}")
    return None


def fail(problem: str | Problem, *, as_json: bool = False, code: int = 1) -> typer.Exit:
    """Reports an error on stderr (the problem detail, then each field error it does not
    already state) and returns the Exit to raise. With `as_json`, stderr gets the problem
    body as JSON."""
    if isinstance(problem, str):
        problem = {"detail": problem}
    if as_json:
        typer.echo(json.dumps(problem, default=str, ensure_ascii=False), err=True)
        return typer.Exit(code)
    error_console.print(f"[bold red]error:[/] {escape(problem['detail'])}", soft_wrap=True)
    for error in problem.get("errors", []):
        if error["message"] in problem["detail"]:
            continue  # the detail already says it (it summarises the first few)
        error_console.print(
            f"  {escape(error['field'])}: {escape(error['message'])}", soft_wrap=True
        )
    return typer.Exit(code)


def run_command(action: Callable[[Container], T], *, as_json: bool = False) -> T:
    """Runs `action` and turns application errors into the API's message and exit code 1."""
    try:
        with container() as built:
            return action(built)
    except Exception as exc:
        problem = problem_of(exc)
        if problem is None:
            raise
        raise fail(problem, as_json=as_json) from None


def in_transaction(
    work: Callable[[UnitOfWork, str], T], *, read_only: bool = False, as_json: bool = False
) -> T:
    """The common case: `work(uow, owner)` in one transaction, re-run whole after a
    transient database error."""
    return run_command(
        lambda built: run_scoped(built, lambda uow: work(uow, owner(built)), read_only=read_only),
        as_json=as_json,
    )


def in_transaction_with_vault(
    work: Callable[[UnitOfWork, str, VaultSource], T],
    *,
    read_only: bool = False,
    as_json: bool = False,
) -> T:
    """`in_transaction`, with the vault of the settings for the sensitive values of dataset
    items; it is built only if a version has some."""
    from functools import partial

    from autoforge.secrets.keys import vault_of

    def action(built: Container) -> T:
        vault = partial(vault_of, built.settings)
        return run_scoped(built, lambda uow: work(uow, owner(built), vault), read_only=read_only)

    return run_command(action, as_json=as_json)


def print_json(data: Any) -> None:
    from pydantic import BaseModel

    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def read_content(content: str | None, file: Path | None, stdin: str | None) -> str | None:
    """The text given by exactly one of `--content`, `--file PATH` (`-` for stdin) or a
    positional `-`; None when none is given."""
    if stdin not in (None, "-"):
        raise typer.BadParameter(f"expected '-' (read stdin), got {stdin!r}")
    given = [source for source in (content, file, stdin) if source is not None]
    if len(given) > 1:
        raise typer.BadParameter("give the content one way: --content, --file or '-'")
    if content is not None:
        return content
    if stdin is not None or file == Path("-"):
        return sys.stdin.read()
    if file is None:
        return None
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {file}: {exc}", param_hint="--file") from None


def parse_assignments(pairs: Sequence[str], option: str) -> dict[str, str]:
    """`NAME=VALUE` pairs from a repeated option, in order; the value may contain `=`."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint=option)
        values[name] = value
    return values


def coerce(value: str, type_name: str) -> Any:
    """Command-line text converted to a declared parameter type (`int`, `bool`, `list`...).
    Text that does not convert is passed on unchanged, so the service reports the mismatch
    with the same message as the API."""
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            return {"true": True, "false": False}[value.lower()]
        if type_name in ("list", "dict"):
            return json.loads(value)
    except (ValueError, KeyError):
        pass
    return value


def echo_text(text: str) -> None:
    """Prompt or template text to stdout exactly as stored, ending in one newline."""
    typer.echo(text, nl=not text.endswith("\n"))


def when(moment: datetime) -> str:
    """A timestamp in local time, to the minute, for tables."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def progress_bar(enabled: bool) -> Progress:
    """On stderr, so that stdout carries only data; gone once done."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
        disable=not enabled,
    )
