"""Streaming export of an evaluation's per-case results as JSON Lines or CSV, read from
what was committed: nothing is run again."""

from __future__ import annotations

from collections.abc import Iterator

from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import Database
from autoforge.evaluations import service
from autoforge.evaluations.schemas import TestResult
from autoforge.exports import ExportFormat, csv_cell, csv_chunk, jsonl_chunk

EXPORT_BATCH = 500
RESULT_FIELDS = tuple(TestResult.model_fields)


def export_results(
    database: Database,
    owner: str,
    evaluation_id: str,
    fmt: ExportFormat = "jsonl",
    *,
    batch_size: int = EXPORT_BATCH,
) -> Iterator[bytes]:
    """Yields the results by test case name, in batches, from one read-only transaction
    that lives as long as the stream (one snapshot of a run that may still be going).
    Raises NotFoundError at the first chunk if the evaluation is not the owner's."""
    with database.transaction(read_only=True, scope=reading(owner)) as uow:
        # The first page is read before the CSV header goes out, so that an unknown id fails
        # before anything is sent.
        page = service.list_results(uow, owner, evaluation_id, limit=batch_size)
        if fmt == "csv":
            yield csv_chunk([RESULT_FIELDS])
        while True:
            records = [result.model_dump(mode="json") for result in page.items]
            if fmt == "jsonl":
                yield jsonl_chunk(records)
            else:
                yield csv_chunk([csv_cell(r[f]) for f in RESULT_FIELDS] for r in records)
            if page.next_cursor is None:
                return
            page = service.list_results(
                uow, owner, evaluation_id, after=page.next_cursor, limit=batch_size
            )
