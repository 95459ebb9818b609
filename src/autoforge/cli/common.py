"""What every CLI command shares: the container, one error path, `--json` output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console

from autoforge.bootstrap import Container

console = Console()
error_console = Console(stderr=True)
T = TypeVar("T")

JSON_OPTION = typer.Option(False, "--json", help="print machine-readable JSON")


@contextmanager
def container() -> Iterator[Container]:
    """The same wiring as the server, with the schema brought up to date first."""
    from autoforge.bootstrap import bootstrap
    from autoforge.config import Settings
    from autoforge.db import migrations

    built = bootstrap(Settings())
    try:
        migrations.upgrade(built.database.engine)
        yield built
        built.relay.publish_pending()
    finally:
        built.close()


def fail(message: str, code: int = 1) -> typer.Exit:
    error_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def run_command(action: Callable[[Container], T]) -> T:
    """Runs `action` and turns application errors into the API's message and a non-zero exit."""
    from sqlalchemy.exc import DBAPIError

    from autoforge.errors import AutoforgeError

    try:
        with container() as built:
            return action(built)
    except AutoforgeError as exc:
        details = "; ".join(f"{e['field']}: {e['message']}" for e in exc.extra.get("errors", []))
        raise fail(exc.detail + (f" ({details})" if details else "")) from None
    except DBAPIError as exc:
        raise fail(f"database error: {exc.orig}") from None


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
