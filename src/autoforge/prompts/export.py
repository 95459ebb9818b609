"""Streaming export of prompts as JSON Lines or CSV, at constant memory.

Reads in keyset batches, each in its own short read transaction, so memory stays flat
however many prompts there are, and no transaction stays open while a slow client downloads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import orjson

from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import Database
from autoforge.exports import ExportFormat, csv_chunk
from autoforge.prompts.domain import Cursor, ListFilters
from autoforge.prompts.repository import EXPORT_FIELDS, AnyRow, PromptRepository

EXPORT_BATCH = 1000


def export_prompts(
    database: Database,
    owner: str,
    filters: ListFilters,
    fmt: ExportFormat = "jsonl",
    *,
    batch_size: int = EXPORT_BATCH,
) -> Iterator[bytes]:
    """Yields the export in chunks of `batch_size` prompts, all read in one read-only
    transaction that lives as long as the stream: the export is one snapshot, so an import
    committed before it started is in it whole, and one committed meanwhile is not in it at
    all. Takes the Database rather than a unit of work because the transaction must outlive
    the endpoint call (it closes when the stream ends or the client goes away)."""
    if fmt == "csv":
        yield csv_chunk([EXPORT_FIELDS])
    after: Cursor | None = None
    with database.transaction(read_only=True, scope=reading(owner)) as uow:
        repo = PromptRepository(uow.session, owner)
        while True:
            rows = repo.export_batch(filters, after, batch_size, as_json=fmt == "jsonl")
            if not rows:
                return
            yield _jsonl_chunk(rows) if fmt == "jsonl" else csv_chunk(_csv_rows(rows))
            if len(rows) < batch_size:
                return
            after = Cursor.at(rows[-1].stamp, rows[-1].key)


def _jsonl_chunk(rows: Sequence[AnyRow]) -> bytes:
    return "".join(f"{row.line}\n" for row in rows).encode()


def _csv_rows(rows: Sequence[AnyRow]) -> Iterator[list[object]]:
    for row in rows:
        item = row._asdict()
        # Tags are a space-separated list (a tag never contains a space); labels and
        # metadata stay JSON text.
        item["tags"] = " ".join(orjson.loads(item["tags"]))
        yield [item[name] for name in EXPORT_FIELDS]
