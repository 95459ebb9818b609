"""`autoforge template`: `{{variable}}` templates with declared parameters, and rendering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from autoforge.cli.common import (
    ContentOption,
    FileOption,
    JsonOption,
    StdinArgument,
    coerce,
    console,
    echo_text,
    in_transaction,
    parse_assignments,
    print_json,
    read_content,
    when,
)
from autoforge.cli.lookup import template_by_name

if TYPE_CHECKING:
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.templates.schemas import Rendered, Template, TemplatePage

app = typer.Typer(
    help="Templates with {{variable}} placeholders and declared parameters.",
    no_args_is_help=True,
)
NameArgument = Annotated[
    str, typer.Argument(metavar="NAME", help="the template's name (or its id)")
]
FLAGS = ("required", "optional")


def parameter_spec(spec: str) -> dict[str, Any]:
    """`name[:type[:default][:required|optional]]` as a parameter declaration. A parameter
    is required unless it has a default; the last part overrides that. The default may
    contain ':' (`url:str:https://example.com`)."""
    name, _, rest = spec.partition(":")
    parts = rest.split(":") if rest else []
    type_name = (parts.pop(0) if parts else "") or "str"
    flag = parts.pop() if parts and parts[-1] in FLAGS else None
    default = coerce(":".join(parts), type_name) if any(parts) else None
    required = flag == "required" if flag else default is None
    return {"name": name, "type": type_name, "required": required, "default": default}


def typed_variables(template: Template, assignments: Mapping[str, str]) -> dict[str, Any]:
    """Command-line values converted to the types the template declares."""
    types = {p.name: p.type for p in template.parameters}
    return {name: coerce(value, types.get(name, "str")) for name, value in assignments.items()}


@app.command()
def create(
    *,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="unique: letters, digits, '.', '_', '-'")
    ],
    stdin: StdinArgument = None,
    content: ContentOption = None,
    file: FileOption = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            help="a parameter, name[:type[:default][:required|optional]]; type is one of "
            "str, int, float, bool, list, dict (default str); repeat for more"
        ),
    ] = None,
    description: Annotated[str | None, typer.Option(help="what the template is for")] = None,
    category: Annotated[str | None, typer.Option(help="a category to list by")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a template with {{variable}} placeholders.

    Every {{variable}} in the content must be declared with --param, and every --param used.
    """
    from autoforge.templates import service
    from autoforge.templates.schemas import TemplateCreate

    text = read_content(content, file, stdin)
    if text is None:
        raise typer.BadParameter("give the content: --content, --file or '-'")
    parameters = [parameter_spec(spec) for spec in param or []]

    def work(uow: UnitOfWork, owner: str) -> Template:
        data = TemplateCreate.model_validate(
            {
                "name": name,
                "content": text,
                "parameters": parameters,
                "description": description,
                "category": category,
            }
        )
        return service.create_template(uow, owner, data)

    template = in_transaction(work, as_json=as_json)
    if as_json:
        print_json(template)
    else:
        names = ", ".join(template.variables) or "none"
        console.print(f"created template [bold]{escape(template.name)}[/] (variables: {names})")


def _pages(
    uow: UnitOfWork,
    owner: str,
    category: str | None,
    *,
    cursor: str | None,
    limit: int,
    every_page: bool,
) -> TemplatePage:
    from autoforge.prompts.domain import MAX_PAGE_SIZE
    from autoforge.templates import service
    from autoforge.templates.schemas import TemplatePage

    if not every_page:
        return service.list_templates(uow, owner, category=category, cursor=cursor, limit=limit)
    items: list[Template] = []
    while True:
        page = service.list_templates(
            uow, owner, category=category, cursor=cursor, limit=MAX_PAGE_SIZE
        )
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return TemplatePage(items=items, next_cursor=None)


@app.command("list")
def list_(
    category: Annotated[str | None, typer.Option(help="only templates in this category")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="templates per page")] = 20,
    cursor: Annotated[str | None, typer.Option(help="continue from a previous page")] = None,
    every_page: Annotated[bool, typer.Option("--all", help="follow the cursor to the end")] = False,
    as_json: JsonOption = False,
) -> None:
    """List templates, newest first. Prints the cursor of the next page, if any."""
    page = in_transaction(
        lambda uow, owner: _pages(
            uow, owner, category, cursor=cursor, limit=limit, every_page=every_page
        ),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(page)
        return
    table = Table(
        Column("name", overflow="fold"),
        "category",
        "variables",
        Column("renders", no_wrap=True),
        Column("updated", no_wrap=True),
        box=None,
    )
    for template in page.items:
        table.add_row(
            escape(template.name),
            escape(template.category or ""),
            escape(", ".join(template.variables)),
            str(template.usage_count),
            when(template.updated_at),
        )
    console.print(table if page.items else "[dim]no templates[/]")
    if page.next_cursor:
        console.print(f"[dim]next page:[/] --cursor {page.next_cursor}", soft_wrap=True)


@app.command()
def show(name: NameArgument, as_json: JsonOption = False) -> None:
    """Show a template: its parameters, usage count and content."""
    template = in_transaction(
        lambda uow, owner: template_by_name(uow, owner, name), read_only=True, as_json=as_json
    )
    if as_json:
        print_json(template)
        return
    console.print(f"[bold]{escape(template.name)}[/]")
    for key, value in {
        "renders": str(template.usage_count),
        "category": template.category or "-",
        "about": template.description or "-",
        "id": template.id,
        "updated": when(template.updated_at),
    }.items():
        console.print(f"[dim]{key:<9}[/]{escape(value)}", soft_wrap=True)
    table = Table("parameter", "type", "required", "default", box=None)
    for p in template.parameters:
        default = "" if p.default is None else repr(p.default)
        table.add_row(escape(p.name), p.type, "yes" if p.required else "no", escape(default))
    if template.parameters:
        console.print(table)
    typer.echo("")
    echo_text(template.content)


@app.command()
def render(
    name: NameArgument,
    var: Annotated[
        list[str] | None,
        typer.Option(help="a variable, NAME=VALUE (converted to its declared type); repeat"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the template rendered with the given variables.

    A missing, unknown or mistyped variable is an error that names it. Each render is counted.
    """
    from autoforge.templates import service

    assignments = parse_assignments(var or [], "--var")

    def work(uow: UnitOfWork, owner: str) -> Rendered:
        template = template_by_name(uow, owner, name)
        variables = typed_variables(template, assignments)
        return service.render_template(uow, owner, template.id, variables)

    rendered = in_transaction(work, as_json=as_json)
    if as_json:
        print_json(rendered)
    else:
        echo_text(rendered.content)


@app.command()
def delete(name: NameArgument, as_json: JsonOption = False) -> None:
    """Delete a template for good. Prompts made from it keep their content."""
    from autoforge.templates import service

    def work(uow: UnitOfWork, owner: str) -> str:
        template = template_by_name(uow, owner, name)
        service.delete_template(uow, owner, template.id)
        return template.id

    deleted = in_transaction(work, as_json=as_json)
    if as_json:
        print_json({"id": deleted, "name": name})
    else:
        console.print(f"deleted template {escape(name)}")
