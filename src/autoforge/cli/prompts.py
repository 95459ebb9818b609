"""`autoforge prompt`: create, list, show, edit and retire prompts, addressed by name.

History (versions, diff, label, rollback) is in `prompt_history.py`, import and export in
`prompt_bulk.py`; their commands join this group. Service modules are imported inside the
commands so that `autoforge --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from autoforge.cli import prompt_bulk, prompt_genome, prompt_history, prompt_similarity
from autoforge.cli.common import (
    ContentOption,
    FileOption,
    JsonOption,
    PromptNameArgument,
    PromptStatus,
    StdinArgument,
    console,
    echo_text,
    in_transaction,
    parse_assignments,
    print_json,
    read_content,
    run_command,
    run_scoped,
    when,
)
from autoforge.cli.common import owner as owner_of
from autoforge.cli.lookup import prompt_id

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.prompts.domain import ListFilters
    from autoforge.prompts.schemas import Prompt, PromptPage, ResolvedPrompt

app = typer.Typer(
    help="Prompts, addressed by name: versions, labels, lifecycle, import and export.",
    no_args_is_help=True,
)
app.add_typer(prompt_history.app)
app.add_typer(prompt_bulk.app)
app.add_typer(prompt_similarity.app)
app.add_typer(prompt_genome.app)


def labels_text(labels: dict[str, int]) -> str:
    return ", ".join(f"{label}=v{version}" for label, version in sorted(labels.items()))


def _print_prompt(prompt: Prompt) -> None:
    console.print(
        f"[bold]{escape(prompt.name)}[/] · v{prompt.version} · {prompt.status}"
        + (" · [red]deleted[/]" if prompt.deleted_at else ""),
        soft_wrap=True,
    )
    rows = {
        "title": prompt.title,
        "tags": ", ".join(prompt.tags) or "-",
        "labels": labels_text(prompt.labels) or "-",
        "id": prompt.id,
        "updated": when(prompt.updated_at),
    }
    for key, value in rows.items():
        console.print(f"[dim]{key:<8}[/]{escape(value)}", soft_wrap=True)
    typer.echo("")
    echo_text(prompt.content)


def _print_resolved(prompt: ResolvedPrompt) -> None:
    pointer = f" (label {escape(prompt.label)})" if prompt.label else ""
    console.print(
        f"[bold]{escape(prompt.name)}[/] · v{prompt.version}{pointer} · {prompt.status}",
        soft_wrap=True,
    )
    console.print(f"[dim]{'title':<8}[/]{escape(prompt.title)}", soft_wrap=True)
    typer.echo("")
    echo_text(prompt.content)


@app.command()
def create(
    *,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="unique: letters, digits, '.', '_', '-'")
    ],
    stdin: StdinArgument = None,
    content: ContentOption = None,
    file: FileOption = None,
    title: Annotated[str | None, typer.Option(help="title (default: the name)")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="a tag; repeat for more")] = None,
    status: Annotated[PromptStatus, typer.Option(help="initial status")] = "draft",
    template: Annotated[
        str | None, typer.Option(help="render the content from this template (name or id)")
    ] = None,
    var: Annotated[
        list[str] | None, typer.Option(help="template variable NAME=VALUE; repeat for more")
    ] = None,
    note: Annotated[str | None, typer.Option(help="change note of version 1")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a prompt (version 1) from --content, --file, stdin ('-') or a --template."""
    from autoforge.cli.lookup import template_by_name
    from autoforge.cli.templates import typed_variables
    from autoforge.prompts import service
    from autoforge.prompts.schemas import PromptCreate

    text = read_content(content, file, stdin)
    if (text is None) == (template is None):
        raise typer.BadParameter("give the content (--content, --file or '-') or --template")
    if var and template is None:
        raise typer.BadParameter("--var only applies with --template", param_hint="--var")
    assignments = parse_assignments(var or [], "--var")

    def work(uow: UnitOfWork, owner: str) -> Prompt:
        template_id, variables = None, {}
        if template is not None:
            found = template_by_name(uow, owner, template)
            template_id, variables = found.id, typed_variables(found, assignments)
        data = PromptCreate(
            name=name,
            title=title or name,
            content=text,
            status=status,
            tags=tag or [],
            template_id=template_id,
            variables=variables,
            change_note=note,
        )
        return service.create_prompt(uow, owner, data)

    prompt = in_transaction(work, as_json=as_json)
    if as_json:
        print_json(prompt)
    else:
        console.print(f"created [bold]{escape(prompt.name)}[/] v1 ({prompt.status})")


def _pages(
    uow: UnitOfWork,
    owner: str,
    filters: ListFilters,
    *,
    cursor: str | None,
    limit: int,
    every_page: bool,
) -> PromptPage:
    from autoforge.prompts import domain, service
    from autoforge.prompts.schemas import PromptPage

    if not every_page:
        return service.list_prompts(uow, owner, filters, cursor=cursor, limit=limit)
    items: list[Prompt] = []
    while True:
        page = service.list_prompts(uow, owner, filters, cursor=cursor, limit=domain.MAX_PAGE_SIZE)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return PromptPage(items=items, next_cursor=None)


@app.command("list")
def list_(
    *,
    status: Annotated[PromptStatus | None, typer.Option(help="only prompts in this status")] = None,
    tag: Annotated[str | None, typer.Option(help="only prompts with this tag")] = None,
    label: Annotated[str | None, typer.Option(help="only prompts carrying this label")] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="text in the title or content")
    ] = None,
    deleted: Annotated[bool, typer.Option(help="include soft-deleted prompts")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100, help="prompts per page")] = 20,
    cursor: Annotated[str | None, typer.Option(help="continue from a previous page")] = None,
    every_page: Annotated[bool, typer.Option("--all", help="follow the cursor to the end")] = False,
    as_json: JsonOption = False,
) -> None:
    """List prompts, newest first. Prints the cursor of the next page, if any."""
    from autoforge.prompts.domain import ListFilters

    filters = ListFilters(
        status=status,
        tag=tag.strip().lower() if tag else None,  # tags are stored normalized
        label=label,
        text=query,
        include_deleted=deleted,
    )
    page = in_transaction(
        lambda uow, owner: _pages(
            uow, owner, filters, cursor=cursor, limit=limit, every_page=every_page
        ),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(page)
        return
    table = Table(
        Column("name", overflow="fold"),
        Column("status", no_wrap=True),
        Column("version", no_wrap=True),
        "labels",
        "tags",
        Column("updated", no_wrap=True),
        box=None,
    )
    for prompt in page.items:
        name = escape(prompt.name) + (" [red](deleted)[/]" if prompt.deleted_at else "")
        table.add_row(
            name,
            prompt.status,
            f"v{prompt.version}",
            escape(labels_text(prompt.labels)),
            escape(", ".join(prompt.tags)),
            when(prompt.updated_at),
        )
    console.print(table if page.items else "[dim]no prompts[/]")
    if page.next_cursor:
        console.print(f"[dim]next page:[/] --cursor {page.next_cursor}", soft_wrap=True)


@app.command()
def show(
    name: PromptNameArgument,
    version: Annotated[int | None, typer.Option(min=1, help="show this version")] = None,
    label: Annotated[str | None, typer.Option(help="show the version this label points at")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a prompt's details and content: the latest version, or --version / --label."""
    from autoforge.prompts import service, versions
    from autoforge.prompts.schemas import ResolvedPrompt

    if version is not None and label is not None:
        raise typer.BadParameter("give --version or --label, not both")

    def work(uow: UnitOfWork, owner: str) -> Prompt | ResolvedPrompt:
        prompt = service.get_prompt(uow, owner, prompt_id(uow, owner, name))
        if label is not None:
            return versions.resolve_by_name(uow, owner, prompt.name, label=label)
        if version is None:
            return prompt
        found = versions.get_version(uow, owner, prompt.id, version)
        return ResolvedPrompt(
            prompt_id=prompt.id,
            name=prompt.name,
            label=None,
            version=found.version,
            title=found.title,
            content=found.content,
            status=prompt.status,
        )

    shown = in_transaction(work, read_only=True, as_json=as_json)
    if as_json:
        print_json(shown)
    elif isinstance(shown, ResolvedPrompt):
        _print_resolved(shown)
    else:
        _print_prompt(shown)


@app.command()
def edit(
    *,
    name: PromptNameArgument,
    stdin: StdinArgument = None,
    content: ContentOption = None,
    file: FileOption = None,
    title: Annotated[str | None, typer.Option(help="new title")] = None,
    note: Annotated[str | None, typer.Option(help="change note for the new version")] = None,
    base_version: Annotated[
        int | None,
        typer.Option(min=1, help="the version your edit started from (default: the current one)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Save new content and/or title as the next version.

    A change saved by someone else since --base-version is a conflict: nothing is overwritten.
    """
    from autoforge.prompts import service
    from autoforge.prompts.schemas import PromptUpdate

    text = read_content(content, file, stdin)
    if text is None and title is None:
        raise typer.BadParameter("give the new content (--content, --file or '-') or --title")

    def action(built: Container) -> tuple[int, Prompt]:
        owner = owner_of(built)
        # Read, then write in a second transaction, like an API client: the service checks
        # the base version under the write lock, so a change in between is a 409.
        base = base_version or run_scoped(
            built,
            lambda uow: service.get_prompt(uow, owner, prompt_id(uow, owner, name)).version,
            read_only=True,
        )
        data = PromptUpdate(title=title, content=text, change_note=note, base_version=base)
        prompt = run_scoped(
            built, lambda uow: service.update_prompt(uow, owner, prompt_id(uow, owner, name), data)
        )
        return base, prompt

    base, prompt = run_command(action, as_json=as_json)
    if as_json:
        print_json(prompt)
    elif prompt.version == base:
        console.print(f"{escape(prompt.name)} unchanged (still v{base})")
    else:
        console.print(f"saved [bold]{escape(prompt.name)}[/] v{prompt.version}")


@app.command()
def delete(
    name: PromptNameArgument,
    hard: Annotated[bool, typer.Option(help="remove for good, with every version")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask before --hard")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete a prompt: hidden but restorable, or with --hard removed for good."""
    from autoforge.prompts import service

    if hard and not yes:
        typer.confirm(f"Delete {name} and all its versions for good?", abort=True)

    def work(uow: UnitOfWork, owner: str) -> str:
        found = prompt_id(uow, owner, name)
        service.delete_prompt(uow, owner, found, hard=hard)
        return found

    deleted = in_transaction(work, as_json=as_json)
    if as_json:
        print_json({"id": deleted, "name": name, "hard": hard})
    elif hard:
        console.print(f"deleted {escape(name)} for good")
    else:
        console.print(f"deleted {escape(name)} (undo: autoforge prompt restore {escape(name)})")


@app.command()
def restore(name: PromptNameArgument, as_json: JsonOption = False) -> None:
    """Bring back a soft-deleted prompt."""
    from autoforge.prompts import service

    prompt = in_transaction(
        lambda uow, owner: service.restore_prompt(uow, owner, prompt_id(uow, owner, name)),
        as_json=as_json,
    )
    if as_json:
        print_json(prompt)
    else:
        console.print(f"restored {escape(prompt.name)} (v{prompt.version}, {prompt.status})")


@app.command()
def status(
    name: PromptNameArgument,
    new_status: Annotated[PromptStatus, typer.Argument(metavar="STATUS", help="the new status")],
    as_json: JsonOption = False,
) -> None:
    """Move a prompt through its lifecycle.

    draft -> active or archived; active -> archived; archived -> active. Nothing returns to draft.
    """
    from autoforge.prompts import service

    prompt = in_transaction(
        lambda uow, owner: service.change_status(
            uow, owner, prompt_id(uow, owner, name), new_status
        ),
        as_json=as_json,
    )
    if as_json:
        print_json(prompt)
    else:
        console.print(f"{escape(prompt.name)} is {prompt.status}")
