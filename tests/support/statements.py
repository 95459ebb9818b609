"""Counts the SQL statements an engine runs, to prove a code path makes no N+1 queries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def recorded_statements(engine: Engine, *, this_thread_only: bool = False) -> Iterator[list[str]]:
    """Yields a list that fills with every statement (BEGIN excluded) run on `engine`."""
    statements: list[str] = []
    owner = threading.get_ident()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if this_thread_only and threading.get_ident() != owner:
            return
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
