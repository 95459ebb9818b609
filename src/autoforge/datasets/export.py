"""Streaming export of a dataset version as JSON Lines or CSV, in the shapes `dataset import`
reads back: JSONL is lossless; CSV has the input variables as columns, as the importer
expects, and keeps only the three known metadata keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autoforge.datasets import domain, service
from autoforge.datasets.bulk_import import CSV_FIELDS
from autoforge.datasets.schemas import DatasetItem
from autoforge.datasets.sealing import VaultSource
from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import Database
from autoforge.exports import ExportFormat, csv_cell, csv_chunk, jsonl_chunk


def export_items(
    database: Database,
    owner: str,
    dataset_id: str,
    version: int | None,
    fmt: ExportFormat = "jsonl",
    *,
    vault: VaultSource | None = None,
    batch_size: int = domain.MAX_ITEMS_PAGE,
) -> Iterator[bytes]:
    """Yields the version's items in position order, from one read-only transaction that
    lives as long as the stream. Sensitive values come out decrypted, as the items API
    shows them to the dataset's readers. Raises NotFoundError at the first chunk for an
    unknown dataset or version."""
    with database.transaction(read_only=True, scope=reading(owner)) as uow:

        def pages() -> Iterator[list[DatasetItem]]:
            offset: int | None = 0
            while offset is not None:
                page = service.list_items(
                    uow, owner, dataset_id, version, offset=offset, limit=batch_size, vault=vault
                )
                yield page.items
                offset = page.next_offset

        if fmt == "jsonl":
            for items in pages():
                yield jsonl_chunk(_record(item) for item in items)
            return
        # A CSV header names every input variable, so the columns are known only after a
        # first pass over the items (their names only are kept).
        variables = _input_names(pages())
        header = ["name", *variables, *(f for f in CSV_FIELDS if f != "name")]
        yield csv_chunk([header])
        for items in pages():
            yield csv_chunk(_csv_row(item, variables) for item in items)


def _record(item: DatasetItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "input": item.input,
        "expected": item.expected,
        "metadata": item.metadata.model_dump(exclude_defaults=True),
    }


def _input_names(pages: Iterator[list[DatasetItem]]) -> list[str]:
    seen: dict[str, None] = {}
    for items in pages:
        for item in items:
            seen.update(dict.fromkeys(item.input))
    return list(seen)


def _csv_row(item: DatasetItem, variables: list[str]) -> list[object]:
    metadata = item.metadata
    return [
        item.name,
        *(csv_cell(item.input.get(name)) for name in variables),
        item.expected,
        metadata.category,
        metadata.difficulty,
        " ".join(metadata.features_tested),
    ]
