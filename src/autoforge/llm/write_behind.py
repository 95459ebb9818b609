"""Writes that must happen but need not hold up a model call, batched on one thread.

A write transaction on the embedded file costs about 0.9 ms; a cache hit must answer in
well under that, and a trace write must not wait behind another writer's lock. So call
records and hit counters are queued and written in batches, one transaction per batch.
`flush()` waits until everything queued so far is in the database; readers of the call log
flush first, so a caller always sees its own calls. The price: a crash can lose the last
few milliseconds of records (never a model answer, which the caller already has).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from autoforge.db.unit_of_work import Database, UnitOfWork

log = logging.getLogger(__name__)

Write = Callable[[Session], None]
_BATCH = 500


@dataclass(frozen=True, slots=True)
class _Row:
    table: Table
    values: Mapping[str, Any]


_Item = Write | _Row


class WriteBehind:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    def insert(self, table: Table, values: Mapping[str, Any]) -> None:
        """Queues one row; rows of a batch go in as one executemany per table."""
        self._put(_Row(table, values))

    def submit(self, write: Write) -> None:
        self._put(write)

    def _put(self, item: _Item) -> None:
        if self._closed:
            self._apply([item])
            return
        self._ensure_thread()
        self._queue.put(item)

    def flush(self) -> None:
        """Blocks until every write submitted before this call is committed (or failed)."""
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        if self._thread is None:
            self._closed = True
            return
        self._queue.put(None)
        self._thread.join()
        self._closed = True

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="llm-write-behind", daemon=True)
                thread.start()
                self._thread = thread

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch = [first]
            while len(batch) < _BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            items = [item for item in batch if item is not None]
            if items:
                self._apply(items)
            for _ in batch:
                self._queue.task_done()
            if any(w is None for w in batch):
                return

    def _apply(self, items: list[_Item]) -> None:
        rows: dict[Table, list[Mapping[str, Any]]] = defaultdict(list)
        writes: list[Write] = []
        for item in items:
            if isinstance(item, _Row):
                rows[item.table].append(item.values)
            else:
                writes.append(item)

        def work(uow: UnitOfWork) -> None:
            for table, values in rows.items():
                uow.session.execute(insert(table), values)
            for write in writes:
                write(uow.session)

        try:
            self._database.run(work)
        except Exception:
            # A lost trace must not take the gateway down; it is logged loudly instead.
            log.exception("could not write %d gateway record(s)", len(items))
