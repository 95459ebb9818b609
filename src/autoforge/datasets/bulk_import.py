"""Import of a dataset version from JSON Lines, or CSV with input variables as columns.

Both formats are first read into records shaped like the JSON item (`name`, `input`,
`expected`, `metadata`), each with the line it starts on; then every record is validated
before anything is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import ValidationError

from autoforge.datasets import domain, service
from autoforge.datasets.domain import FieldError, rejected
from autoforge.datasets.repository import DatasetRepository
from autoforge.datasets.schemas import DatasetItemIn, DatasetVersionInfo
from autoforge.datasets.sealing import VaultSource
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ValidationFailed
from autoforge.prompts.bulk_import import Numbered, parse_jsonl

Format = Literal["jsonl", "csv"]
# Columns that fill an item's own fields; every other column is an input variable.
CSV_FIELDS = ("name", "expected", "category", "difficulty", "features_tested")
# An item's input or expected answer may be long; the csv module stops at 131,072.
CSV_FIELD_LIMIT = 4 * 500_000


def parse(text: str, fmt: Format) -> Numbered:
    """(line number, record) per item. Raises ValidationFailed listing every line that is not
    JSON (JSONL) or not a row matching the header (CSV)."""
    return parse_csv(text) if fmt == "csv" else parse_jsonl(text)


def parse_csv(text: str) -> Numbered:
    """Line 1 is the header. Blank rows are skipped. A record's line is the line its row starts
    on (a quoted value may span lines). Empty `name`, `expected`, `category` or `difficulty`
    cells mean "not given"; `features_tested` is space-separated."""
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return []
        _check_header(header)
        records: Numbered = []
        errors: list[FieldError] = []
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                message = f"has {len(row)} fields, the header has {len(header)}"
                errors.append({"field": f"line {line}", "message": message})
                continue
            records.append((line, _record(dict(zip(header, row, strict=True)))))
    except csv.Error as exc:
        errors = [{"field": f"line {reader.line_num}", "message": f"not valid CSV: {exc}"}]
        raise rejected(errors, reader.line_num, "lines") from None
    if errors:
        raise rejected(errors, len(records) + len(errors), "lines")
    return records


def _check_header(header: list[str]) -> None:
    seen: set[str] = set()
    for column in header:
        problem = None
        if not column.strip():
            problem = "the header has an empty column name"
        elif column in seen:
            problem = f"the header names column {column!r} twice"
        if problem:
            raise rejected([{"field": "line 1", "message": problem}], 1, "lines")
        seen.add(column)


def _record(row: dict[str, str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        key: row[key] for key in ("category", "difficulty") if row.get(key, "").strip()
    }
    if row.get("features_tested", "").strip():
        metadata["features_tested"] = row["features_tested"].split()
    return {
        "name": row.get("name") or None,
        "input": {key: value for key, value in row.items() if key not in CSV_FIELDS},
        "expected": row.get("expected") or None,
        "metadata": metadata,
    }


def import_items(
    uow: UnitOfWork,
    owner: str,
    dataset_id: str,
    text: str,
    fmt: Format,
    *,
    mode: domain.VersionMode = "replace",
    note: str | None = None,
    sensitive: Sequence[str] | None = None,
    vault: VaultSource | None = None,
) -> DatasetVersionInfo:
    """A JSON Lines or CSV file as a new version. All or nothing: if any line is rejected,
    nothing is written and the 422 lists every rejected line. `sensitive` names the input
    fields stored encrypted (None: the previous version's)."""
    repo = DatasetRepository(uow.session, owner)
    row = service.load_row(repo, dataset_id)
    numbered = parse(text, fmt)
    domain.check_size(len(numbered))
    items: list[DatasetItemIn] = []
    labels: list[str] = []
    errors: list[domain.FieldError] = []
    for number, value in numbered:
        try:
            items.append(DatasetItemIn.model_validate(value))
            labels.append(f"line {number}")
        except ValidationError as exc:
            errors.append({"field": f"line {number}", "message": _describe(exc)})
    # Names repeated within the file are reported with the invalid lines, in line order:
    # one answer lists everything to fix.
    _, repeated = domain.name_items([item.name for item in items], labels)
    if errors or repeated:
        errors.extend(repeated)
        errors.sort(key=lambda error: int(error["field"].removeprefix("line ")))
        raise domain.rejected(errors, len(numbered), "lines")
    if mode == "append" and not items:
        raise ValidationFailed(
            "the file has no items to append", errors=[{"field": "body", "message": "empty"}]
        )
    source = f"import-{fmt}"
    note = note or f"imported ({fmt})"
    return service.add_version(
        uow,
        repo,
        row,
        items,
        labels,
        mode=mode,
        note=note,
        source=source,
        sensitive=sensitive,
        vault=vault,
    )


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'line'}: {error['msg']}"
        for error in exc.errors()
    )
