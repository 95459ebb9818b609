"""Writing an export (JSON Lines or CSV chunks) to stdout or a file, as every `export`
command does: a file is written under a temporary name and renamed when complete, so a
failed export never leaves a file that looks whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from autoforge.cli.common import (
    console,
    error_console,
    fail,
    print_json,
    progress_bar,
    run_command,
)
from autoforge.exports import ExportFormat

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

FormatOption = Annotated[
    ExportFormat,
    typer.Option("--format", help="jsonl: a JSON object per line; csv: a header row, then rows"),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", dir_okay=False, help="write to a file (default: stdout)"),
]

# A cell may be long (a prompt, a model's answer); the csv module stops at 131,072.
CSV_FIELD_LIMIT = 4 * 500_000


def to_stdout(chunks: Iterator[bytes]) -> None:
    for chunk in chunks:
        typer.echo(chunk, nl=False)


def to_file(
    output: Path, chunks: Iterator[bytes], fmt: ExportFormat, *, what: str, show: bool
) -> int:
    """Writes the export to `output` with a progress bar (when `show`); returns its rows."""
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    partial = output.with_name(output.name + ".part")
    count = 0
    try:
        with partial.open("wb") as out, progress_bar(show) as progress:
            task = progress.add_task(f"exporting {what} to {output}", total=None)
            if fmt == "csv":
                out.write(next(chunks, b""))  # the header row
            for chunk in chunks:
                out.write(chunk)
                rows = rows_in(chunk, fmt)
                count += rows
                progress.advance(task, rows)
        partial.replace(output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return count


def rows_in(chunk: bytes, fmt: ExportFormat) -> int:
    if fmt == "jsonl":
        return chunk.count(b"\n")  # JSON escapes newlines inside values
    return sum(1 for _ in csv.reader(io.StringIO(chunk.decode(), newline="")))


def export(
    chunks_of: Callable[[Container], Iterator[bytes]],
    fmt: ExportFormat,
    output: Path | None,
    *,
    noun: str,
    as_json: bool,
) -> None:
    """An `export` command's whole run: the stream to stdout, or to `output` with a
    progress bar and a summary line (`--json`: the summary as JSON). `noun` names one row."""
    what = f"{noun}s"
    if output is None:
        run_command(lambda built: to_stdout(chunks_of(built)), as_json=as_json)
        return
    show = error_console.is_terminal and not as_json
    count = run_command(
        lambda built: to_file(output, chunks_of(built), fmt, what=what, show=show),
        as_json=as_json,
    )
    size = output.stat().st_size
    if as_json:
        print_json({"output": str(output), "format": fmt, what: count, "bytes": size})
    else:
        rows = f"{count} {noun if count == 1 else what}"
        console.print(f"exported {rows} to {escape(str(output))} ({size:,} bytes)", soft_wrap=True)
