"""`autoforge dataset`: datasets of test cases, their versions and items, import, examples.

Service modules are imported inside the commands so that `autoforge --help` stays fast.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Column, Table

from autoforge.cli.common import (
    JsonOption,
    console,
    fail,
    in_transaction,
    in_transaction_with_vault,
    owner,
    print_json,
    run_scoped,
    when,
)
from autoforge.cli.dataset_files import Format, prepare
from autoforge.cli.downloads import FormatOption as ExportFormatOption
from autoforge.cli.downloads import OutputOption
from autoforge.cli.downloads import export as export_to

if TYPE_CHECKING:
    from collections.abc import Iterator

    from autoforge.bootstrap import Container
    from autoforge.datasets.schemas import Dataset, DatasetPage, DatasetVersionInfo, ItemPage
    from autoforge.datasets.sealing import VaultSource
    from autoforge.db.unit_of_work import UnitOfWork

app = typer.Typer(
    help="Datasets of test cases: immutable versions, items, import from JSONL or CSV.",
    no_args_is_help=True,
)
DatasetArgument = Annotated[str, typer.Argument(metavar="NAME", help="the dataset's name or id")]
FormatOption = Annotated[
    Format | None, typer.Option("--format", help="default: csv for *.csv, else jsonl")
]
SensitiveOption = Annotated[
    list[str] | None,
    typer.Option(
        "--sensitive",
        metavar="FIELD",
        help="an input field whose values are stored encrypted (repeat for more); "
        "import's default: the previous version's",
    ),
]


def _dataset_id(uow: UnitOfWork, owner: str, ref: str) -> str:
    from autoforge.datasets.service import resolve_dataset

    return resolve_dataset(uow, owner, ref).id


def _version_line(version: DatasetVersionInfo | None) -> str:
    if version is None:
        return "no version yet"
    items = f"{version.item_count} item{'' if version.item_count == 1 else 's'}"
    return f"v{version.version} · {items}"


@app.command()
def create(
    *,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="unique: letters, digits, '.', '_', '-'")
    ],
    description: Annotated[str | None, typer.Option(help="what the dataset tests")] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", "-f", exists=True, dir_okay=False, help="JSONL or CSV items for version 1"
        ),
    ] = None,
    fmt: FormatOption = None,
    sensitive: SensitiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a dataset; with --file, the file's items become version 1 (all or nothing)."""
    from autoforge.datasets import bulk_import, service
    from autoforge.datasets.schemas import DatasetCreate

    if sensitive and file is None:
        raise fail("--sensitive names fields of the items in --file; give the file too")
    text: str | None = None
    file_format: Format = "jsonl"
    importing: AbstractContextManager[Any] = nullcontext()
    if file is not None:
        text, file_format, importing = prepare(file, fmt, as_json)

    def work(uow: UnitOfWork, owner: str, vault: VaultSource) -> Dataset:
        created = service.create_dataset(
            uow, owner, DatasetCreate(name=name, description=description)
        )
        if text is None:
            return created
        bulk_import.import_items(
            uow, owner, created.id, text, file_format, sensitive=sensitive, vault=vault
        )
        return service.get_dataset(uow, owner, created.id)

    with importing:
        dataset = in_transaction_with_vault(work, as_json=as_json)
    if as_json:
        print_json(dataset)
    else:
        console.print(
            f"created dataset [bold]{escape(dataset.name)}[/] ({_version_line(dataset.latest)})"
        )


def _pages(
    uow: UnitOfWork, owner: str, *, cursor: str | None, limit: int, every_page: bool
) -> DatasetPage:
    from autoforge.datasets import service
    from autoforge.datasets.schemas import DatasetPage
    from autoforge.prompts.domain import MAX_PAGE_SIZE

    if not every_page:
        return service.list_datasets(uow, owner, cursor=cursor, limit=limit)
    items: list[Dataset] = []
    while True:
        page = service.list_datasets(uow, owner, cursor=cursor, limit=MAX_PAGE_SIZE)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return DatasetPage(items=items, next_cursor=None)


@app.command("list")
def list_(
    limit: Annotated[int, typer.Option(min=1, max=100, help="datasets per page")] = 20,
    cursor: Annotated[str | None, typer.Option(help="continue from a previous page")] = None,
    every_page: Annotated[bool, typer.Option("--all", help="follow the cursor to the end")] = False,
    as_json: JsonOption = False,
) -> None:
    """List datasets, newest first. Prints the cursor of the next page, if any."""
    page = in_transaction(
        lambda uow, owner: _pages(uow, owner, cursor=cursor, limit=limit, every_page=every_page),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(page)
        return
    table = Table(
        Column("name", overflow="fold"),
        Column("version", no_wrap=True),
        Column("items", justify="right"),
        "description",
        Column("updated", no_wrap=True),
        box=None,
    )
    for dataset in page.items:
        latest = dataset.latest
        table.add_row(
            escape(dataset.name),
            f"v{latest.version}" if latest else "-",
            str(latest.item_count) if latest else "-",
            escape(dataset.description or ""),
            when(dataset.updated_at),
        )
    console.print(table if page.items else "[dim]no datasets[/]")
    if page.next_cursor:
        console.print(f"[dim]next page:[/] --cursor {page.next_cursor}", soft_wrap=True)


@app.command()
def show(name: DatasetArgument, as_json: JsonOption = False) -> None:
    """Show a dataset and its latest version."""
    from autoforge.datasets import service

    dataset = in_transaction(
        lambda uow, owner: service.resolve_dataset(uow, owner, name),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(dataset)
        return
    console.print(
        f"[bold]{escape(dataset.name)}[/] · {_version_line(dataset.latest)}", soft_wrap=True
    )
    rows = {
        "description": dataset.description or "-",
        "id": dataset.id,
        "created": when(dataset.created_at),
        "updated": when(dataset.updated_at),
    }
    if dataset.latest is not None:
        rows["note"] = dataset.latest.note or "-"
        rows["sensitive"] = ", ".join(dataset.latest.sensitive) or "-"
        scoring = dataset.latest.scoring
        kinds = ", ".join(a.type for a in scoring.assertions.assertions)
        rows["scoring"] = f"{kinds} ({scoring.source}): {scoring.explanation or '-'}"
        rows["generation"] = (
            ", ".join(f"{k}={v!r}" for k, v in scoring.generation.as_params().items()) or "-"
        )
    for key, value in rows.items():
        console.print(f"[dim]{key:<12}[/]{escape(value)}", soft_wrap=True)


@app.command()
def versions(
    name: DatasetArgument,
    limit: Annotated[int, typer.Option(min=1, max=100, help="versions to show")] = 50,
    before: Annotated[
        int | None, typer.Option(min=1, help="only versions older than this one")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List a dataset's versions, newest first, with their item counts."""
    from autoforge.datasets import service

    page = in_transaction(
        lambda uow, owner: service.list_versions(
            uow, owner, _dataset_id(uow, owner, name), before=before, limit=limit
        ),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(page)
        return
    table = Table(
        Column("version", no_wrap=True),
        Column("items", justify="right"),
        Column("created", no_wrap=True),
        "by",
        "note",
        box=None,
    )
    for version in page.items:
        table.add_row(
            f"v{version.version}",
            str(version.item_count),
            when(version.created_at),
            escape(version.created_by),
            escape(version.note or ""),
        )
    console.print(table if page.items else "[dim]no versions yet[/]")
    if page.next_before:
        console.print(f"[dim]older versions:[/] --before {page.next_before}")


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command()
def items(
    name: DatasetArgument,
    version: Annotated[int | None, typer.Option(min=1, help="default: the latest")] = None,
    offset: Annotated[int, typer.Option(min=0, help="first position to show")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="items to show")] = 100,
    as_json: JsonOption = False,
) -> None:
    """Show a version's items in order: input variables, expected answer, metadata.
    Sensitive values are shown decrypted: they are encrypted at rest, not hidden from the
    dataset's readers."""
    from autoforge.datasets import service

    page: ItemPage = in_transaction_with_vault(
        lambda uow, owner, vault: service.list_items(
            uow,
            owner,
            _dataset_id(uow, owner, name),
            version,
            offset=offset,
            limit=limit,
            vault=vault,
        ),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(page)
        return
    table = Table(
        Column("#", justify="right", no_wrap=True),
        Column("name", overflow="fold"),
        "input",
        "expected",
        "category",
        "difficulty",
        box=None,
    )
    for item in page.items:
        inputs = item.input
        shown = inputs["text"] if list(inputs) == ["text"] else inputs
        table.add_row(
            str(item.position),
            escape(item.name),
            escape(_short(shown)),
            escape(_short(item.expected or "")),
            escape(item.metadata.category or ""),
            item.metadata.difficulty or "",
        )
    console.print(f"[bold]{escape(name)}[/] v{page.version} · {page.total} items", soft_wrap=True)
    console.print(table if page.items else "[dim]no items here[/]")
    if page.next_offset is not None:
        console.print(f"[dim]more:[/] --offset {page.next_offset}")


@app.command("export")
def export_items(
    name: DatasetArgument,
    version: Annotated[int | None, typer.Option(min=1, help="default: the latest")] = None,
    fmt: ExportFormatOption = "jsonl",
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export a version's items as JSON Lines (lossless) or CSV (input variables as
    columns), in the shapes `dataset import` reads back. Sensitive values come out
    decrypted, as `dataset items` shows them."""
    from functools import partial

    from autoforge.datasets.export import export_items as items_of
    from autoforge.secrets.keys import vault_of

    def chunks(built: Container) -> Iterator[bytes]:
        def find(uow: UnitOfWork) -> str:
            return _dataset_id(uow, owner(built), name)

        dataset_id = run_scoped(built, find, read_only=True)
        vault = partial(vault_of, built.settings)
        return items_of(built.database, owner(built), dataset_id, version, fmt, vault=vault)

    export_to(chunks, fmt, output, noun="item", as_json=as_json)


@app.command("import")
def import_(
    *,
    name: DatasetArgument,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines or CSV items")
    ],
    fmt: FormatOption = None,
    append: Annotated[
        bool, typer.Option(help="keep the latest version's items and add these after them")
    ] = False,
    note: Annotated[str | None, typer.Option(help="what changed in this version")] = None,
    sensitive: SensitiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a file as the dataset's next version (all or nothing).

    JSONL: one {"name"?, "input", "expected"?, "metadata"?} per line. CSV: columns name,
    expected, category, difficulty, features_tested; every other column is an input variable.
    Each --sensitive FIELD is stored encrypted; without any, the previous version's are.
    """
    from autoforge.datasets import bulk_import

    text, file_format, importing = prepare(file, fmt, as_json)
    mode: Literal["replace", "append"] = "append" if append else "replace"
    with importing:
        version = in_transaction_with_vault(
            lambda uow, owner, vault: bulk_import.import_items(
                uow,
                owner,
                _dataset_id(uow, owner, name),
                text,
                file_format,
                mode=mode,
                note=note,
                sensitive=sensitive,
                vault=vault,
            ),
            as_json=as_json,
        )
    if as_json:
        print_json(version)
    else:
        console.print(
            f"imported {escape(str(file))} into {escape(name)}: "
            f"v{version.version}, {version.item_count} items, 0 rejected",
            soft_wrap=True,
        )


@app.command()
def delete(
    name: DatasetArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask first")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete a dataset for good, with every version and item."""
    from autoforge.datasets import service

    if not yes:
        typer.confirm(f"Delete dataset {name} and all its versions for good?", abort=True)

    def work(uow: UnitOfWork, owner: str) -> str:
        found = _dataset_id(uow, owner, name)
        service.delete_dataset(uow, owner, found)
        return found

    deleted = in_transaction(work, as_json=as_json)
    if as_json:
        print_json({"id": deleted, "name": name})
    else:
        console.print(f"deleted dataset {escape(name)}")


@app.command()
def examples(as_json: JsonOption = False) -> None:
    """Install the shipped example datasets and a starting prompt for each (idempotent)."""
    from autoforge.datasets.examples import install_examples

    created = in_transaction(install_examples, as_json=as_json)
    if as_json:
        print_json({"created": created})
    elif created:
        console.print(f"installed: {escape(', '.join(created))}", soft_wrap=True)
    else:
        console.print("the examples are installed already")
