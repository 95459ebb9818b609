"""`autoforge prompt import|export`: prompts in bulk as JSON Lines or CSV, with progress bars."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.markup import escape

from autoforge.cli.common import (
    JsonOption,
    PromptStatus,
    console,
    error_console,
    fail,
    in_transaction,
    owner,
    print_json,
    progress_bar,
)
from autoforge.cli.downloads import FormatOption, OutputOption
from autoforge.cli.downloads import export as export_to

if TYPE_CHECKING:
    from rich.progress import Progress

    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.prompts.schemas import ImportReport

app = typer.Typer()
PANEL = "Import and export"
Format = Literal["jsonl", "csv"]
# A prompt's content may run to 500,000 characters; the csv module stops at 131,072.
CSV_FIELD_LIMIT = 4 * 500_000


def _check_jsonl(text: str, progress: Progress) -> None:
    """A first pass that shows progress through a large file. It decides nothing: the
    service parses again inside its transaction and is the one judge of what is rejected,
    with the API's messages."""
    from pydantic import ValidationError

    from autoforge.prompts.schemas import ImportRecord

    lines = text.splitlines()
    task = progress.add_task("checking lines", total=len(lines))
    bad = 0
    for line in lines:
        if line.strip():
            try:
                ImportRecord.model_validate_json(line)
            except ValidationError:
                bad += 1
                progress.update(task, description=f"checking lines ({bad} rejected)")
        progress.advance(task)


def _csv_records(text: str, progress: Progress) -> list[dict[str, Any]]:
    """CSV as `export --format csv` writes it: tags space-separated, metadata and config as
    JSON text.
    Values that do not convert are passed on as text for the service to reject."""
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    task = progress.add_task("reading rows", total=None)
    records = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        record: dict[str, Any] = {k: v for k, v in row.items() if k is not None}
        record["status"] = row.get("status") or None
        if "tags" in row:
            record["tags"] = (row["tags"] or "").split()
        for name in ("metadata", "config"):
            value = row.get(name)
            with contextlib.suppress(ValueError):  # left as text: the service names the field
                record[name] = json.loads(value) if value else None
        if not row.get("kind"):
            record.pop("kind", None)  # no kind: a text prompt
        records.append(record)
        progress.advance(task)
    return records


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {file}: {exc}") from None


@app.command("import", rich_help_panel=PANEL)
def import_(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="JSON Lines (one prompt per line) or CSV"),
    ],
    fmt: Annotated[
        Format | None, typer.Option("--format", help="default: csv for *.csv, else jsonl")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import prompts from JSON Lines or CSV, upserting by name.

    A changed title or content makes a new version. In CSV, "line N" is the Nth data row.

    All or nothing: if a line is rejected, nothing is written and every rejected line is listed.
    """
    from autoforge.prompts import bulk_import

    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
    text = _read(file)
    show = error_console.is_terminal and not as_json
    with progress_bar(show) as progress:
        records = _csv_records(text, progress) if fmt == "csv" else None
        if records is None and show:
            _check_jsonl(text, progress)

    def work(uow: UnitOfWork, owner: str) -> ImportReport:
        if records is not None:
            return bulk_import.import_prompts(uow, owner, records)
        return bulk_import.import_jsonl(uow, owner, text)

    with error_console.status(f"importing {file.name}") if show else nullcontext():
        report = in_transaction(work, as_json=as_json)
    if as_json:
        print_json(report)
        return
    console.print(
        f"imported {escape(str(file))}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, 0 rejected",
        soft_wrap=True,
    )


@app.command(rich_help_panel=PANEL)
def export(
    *,
    fmt: FormatOption = "jsonl",
    output: OutputOption = None,
    status: Annotated[PromptStatus | None, typer.Option(help="only prompts in this status")] = None,
    tag: Annotated[str | None, typer.Option(help="only prompts with this tag")] = None,
    label: Annotated[str | None, typer.Option(help="only prompts carrying this label")] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="text in the title or content")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Export prompts, oldest first, streamed at constant memory, to stdout or a file.

    With --output a progress bar is shown and --json prints a summary. `import` reads both back.
    """
    from autoforge.prompts.domain import ListFilters
    from autoforge.prompts.export import export_prompts

    filters = ListFilters(
        status=status, tag=tag.strip().lower() if tag else None, label=label, text=query
    )
    export_to(
        lambda built: export_prompts(built.database, owner(built), filters, fmt),
        fmt,
        output,
        noun="prompt",
        as_json=as_json,
    )
