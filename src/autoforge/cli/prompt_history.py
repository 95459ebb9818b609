"""`autoforge prompt versions|diff|label|rollback`: a prompt's history and its labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from autoforge.cli.common import (
    JsonOption,
    PromptNameArgument,
    console,
    in_transaction,
    print_json,
    when,
)
from autoforge.cli.lookup import prompt_id

if TYPE_CHECKING:
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.prompts.schemas import Label, Prompt

app = typer.Typer()
PANEL = "History"


@app.command(rich_help_panel=PANEL)
def versions(
    name: PromptNameArgument,
    limit: Annotated[int, typer.Option(min=1, max=100, help="versions to show")] = 50,
    before: Annotated[
        int | None, typer.Option(min=1, help="only versions older than this one")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List a prompt's versions, newest first, with the labels pointing at each."""
    from autoforge.prompts import versions as history

    page = in_transaction(
        lambda uow, owner: history.list_versions(
            uow, owner, prompt_id(uow, owner, name), before=before, limit=limit
        ),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(page)
        return
    table = Table(
        Column("version", no_wrap=True),
        Column("created", no_wrap=True),
        "by",
        "labels",
        "title",
        "note",
        box=None,
    )
    for version in page.items:
        table.add_row(
            f"v{version.version}",
            when(version.created_at),
            escape(version.created_by),
            escape(", ".join(version.labels)),
            escape(version.title),
            escape(version.change_note or ""),
        )
    console.print(table)
    if page.next_before:
        console.print(f"[dim]older versions:[/] --before {page.next_before}")


@app.command(rich_help_panel=PANEL)
def diff(
    name: PromptNameArgument,
    from_version: Annotated[int, typer.Argument(metavar="FROM", min=1, help="older version")],
    to_version: Annotated[int, typer.Argument(metavar="TO", min=1, help="newer version")],
    as_json: JsonOption = False,
) -> None:
    """Unified diff of the content of two versions (colored on a terminal)."""
    from rich.syntax import Syntax

    from autoforge.prompts import versions as history

    found = in_transaction(
        lambda uow, owner: history.diff_versions(
            uow, owner, prompt_id(uow, owner, name), from_version, to_version
        ),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(found)
        return
    if found.title_changed:
        console.print(f"[dim]the title changed between v{from_version} and v{to_version}[/]")
    if not found.diff:
        console.print(f"v{from_version} and v{to_version} have the same content")
    elif console.is_terminal:
        console.print(Syntax(found.diff, "diff", theme="ansi_dark", background_color="default"))
    else:
        # Piped: the exact diff text, which `patch` and other tools read.
        typer.echo(found.diff, nl=False)


@app.command(rich_help_panel=PANEL)
def label(
    name: PromptNameArgument,
    label_name: Annotated[str, typer.Argument(metavar="LABEL", help="e.g. production, staging")],
    version: Annotated[
        int | None, typer.Option(min=1, help="the version to point at (default: the latest)")
    ] = None,
    remove: Annotated[bool, typer.Option(help="remove the label instead")] = False,
    as_json: JsonOption = False,
) -> None:
    """Point a label at a version (moving it if it exists), or --remove it.

    Applications fetch the labelled version by name: GET /api/v1/prompts/by-name/NAME?label=L.
    """
    from autoforge.prompts import service
    from autoforge.prompts import versions as history

    if remove and version is not None:
        raise typer.BadParameter("--remove takes no --version")

    def work(uow: UnitOfWork, owner: str) -> Label | None:
        prompt = service.get_prompt(uow, owner, prompt_id(uow, owner, name))
        if remove:
            history.remove_label(uow, owner, prompt.id, label_name)
            return None
        return history.set_label(uow, owner, prompt.id, label_name, version or prompt.version)

    saved = in_transaction(work, as_json=as_json)
    if as_json:
        print_json(saved or {"name": name, "label": label_name, "removed": True})
    elif saved is None:
        console.print(f"removed {escape(label_name)} from {escape(name)}")
    else:
        console.print(f"{escape(saved.label)} -> {escape(name)} v{saved.version}")


@app.command(rich_help_panel=PANEL)
def rollback(
    name: PromptNameArgument,
    to: Annotated[int, typer.Option("--to", min=1, help="the version to bring back")],
    note: Annotated[str | None, typer.Option(help="change note for the new version")] = None,
    as_json: JsonOption = False,
) -> None:
    """Bring back an old version's title and content as a new version; history is kept."""
    from autoforge.prompts import service
    from autoforge.prompts import versions as history
    from autoforge.prompts.schemas import Rollback

    def work(uow: UnitOfWork, owner: str) -> tuple[int, Prompt]:
        current = service.get_prompt(uow, owner, prompt_id(uow, owner, name))
        data = Rollback(version=to, change_note=note)
        return current.version, history.rollback(uow, owner, current.id, data)

    before, prompt = in_transaction(work, as_json=as_json)
    if as_json:
        print_json(prompt)
    elif prompt.version == before:
        console.print(f"{escape(prompt.name)} v{before} already matches v{to}; nothing changed")
    else:
        console.print(f"{escape(prompt.name)}: v{to} brought back as v{prompt.version}")
