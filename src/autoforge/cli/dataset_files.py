"""Reading a dataset file for `autoforge dataset create --file` and `dataset import`: its
format, and on a terminal a first pass with a progress bar."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Literal

from autoforge.cli.common import error_console, fail, progress_bar

Format = Literal["jsonl", "csv"]


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {file}: {exc}") from None


def _check(text: str, fmt: Format) -> None:
    """A first pass that shows progress through a large file. It decides nothing: the
    service parses again inside its transaction and is the one judge of what is rejected,
    with the API's messages."""
    from pydantic import ValidationError

    from autoforge.datasets.bulk_import import parse
    from autoforge.datasets.schemas import DatasetItemIn
    from autoforge.errors import ValidationFailed

    with progress_bar(True) as progress:
        try:
            records = parse(text, fmt)
        except ValidationFailed:
            return
        task = progress.add_task("checking items", total=len(records))
        bad = 0
        for _, record in records:
            try:
                DatasetItemIn.model_validate(record)
            except ValidationError:
                bad += 1
                progress.update(task, description=f"checking items ({bad} rejected)")
            progress.advance(task)


def prepare(
    file: Path, fmt: Format | None, as_json: bool
) -> tuple[str, Format, AbstractContextManager[Any]]:
    """The file's text and format. On a terminal, the file is checked first with a progress
    bar, and the returned context shows a spinner while the import runs."""
    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
    text = _read(file)
    if not error_console.is_terminal or as_json:
        return text, fmt, nullcontext()
    _check(text, fmt)
    return text, fmt, error_console.status(f"importing {file.name}")
