"""Every statement the engine runs: timed into the metrics, a span when spans are sent (a
child of the request or job span around it), and logged and kept when slower than
SLOW_QUERY_MS. Pool gauges follow the pool's own events. SQLAlchemy event hooks only."""

from __future__ import annotations

import logging
import re
import time
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, event

from autoforge.config import Settings
from autoforge.observability import metrics, tracing
from autoforge.observability.slow_queries import FILE_NAME, SlowQueryLog, caller, shape_of

log = logging.getLogger("autoforge.db.slow")
_STACK = "autoforge_observed"
_OPERATIONS = frozenset({
    "select", "insert", "update", "delete", "replace", "with", "begin", "commit", "rollback",
    "savepoint", "release", "pragma", "create", "drop", "alter", "analyze", "vacuum",
})  # fmt: skip
_TABLE = re.compile(
    r"\b(?:from|into|update|table|join)\s+(?:if\s+(?:not\s+)?exists\s+)?[\"`\[]?(\w+)",
    re.IGNORECASE,
)


@lru_cache(maxsize=2048)
def classify(statement: str) -> tuple[str, str]:
    """(operation, table) of a statement; "other" and "none" when they cannot be told."""
    first = statement.lstrip().split(None, 1)
    operation = first[0].lower() if first else ""
    operation = operation if operation in _OPERATIONS else metrics.OTHER
    match = _TABLE.search(statement)
    return operation, match.group(1).lower() if match else "none"


class StatementObserver:
    def __init__(self, slow_ms: float, slow_log: SlowQueryLog) -> None:
        self.slow_ms = slow_ms
        self.slow_log = slow_log

    def before(self, conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        operation, table = classify(statement)
        tracer = tracing.tracer("autoforge.db")
        span = None
        if tracer is not None:
            span = tracer.start_span(
                f"{operation.upper()} {table}" if table != "none" else operation.upper(),
                kind=tracing.CLIENT,
                attributes={
                    "db.system.name": "sqlite",
                    "db.operation.name": operation.upper(),
                    "db.collection.name": table,
                    "db.query.text": shape_of(statement),
                },
            )
        conn.info.setdefault(_STACK, []).append((time.perf_counter(), span))

    def after(self, conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self._done(conn, statement, None)

    def failed(self, context: Any) -> None:
        conn = context.connection
        if conn is not None and context.statement is not None:
            self._done(conn, context.statement, context.original_exception)

    def _done(self, conn: Any, statement: str, error: BaseException | None) -> None:
        stack = conn.info.get(_STACK)
        if not stack:
            return
        started, span = stack.pop()
        seconds = time.perf_counter() - started
        operation, table = classify(statement)
        metrics.db_statement(operation, table, seconds, failed=error is not None)
        if span is not None:
            tracing.end(span, error)
        if seconds * 1000 >= self.slow_ms:
            self._slow(statement, operation, table, seconds * 1000)

    def _slow(self, statement: str, operation: str, table: str, ms: float) -> None:
        metrics.slow_statement(operation, table)
        entry = {
            "ts": time.time(),
            "shape": shape_of(statement),
            "duration_ms": round(ms, 3),
            "operation": operation,
            "table": table,
            "caller": caller(),
        }
        fields = {key: value for key, value in entry.items() if key != "ts"}
        log.warning("slow query: %.1f ms on %s", ms, table, extra=fields)
        self.slow_log.append(entry)


def instrument(engine: Engine, settings: Settings) -> None:
    """Hooks the engine (nothing when METRICS_ENABLED is off)."""
    if not settings.metrics_enabled:
        return
    observer = StatementObserver(
        settings.slow_query_ms,
        SlowQueryLog(settings.data_dir / FILE_NAME, settings.slow_query_log_bytes),
    )
    event.listen(engine, "before_cursor_execute", observer.before)
    event.listen(engine, "after_cursor_execute", observer.after)
    event.listen(engine, "handle_error", observer.failed)
    pool = engine.pool
    metrics.DB_POOL_CAPACITY.inc(settings.pool.size + settings.pool.max_overflow)
    event.listen(pool, "connect", lambda *_: metrics.DB_POOL_OPEN.inc())
    event.listen(pool, "close", lambda *_: metrics.DB_POOL_OPEN.dec())
    event.listen(pool, "close_detached", lambda *_: metrics.DB_POOL_OPEN.dec())
    event.listen(pool, "checkout", lambda *_: metrics.DB_POOL_CHECKED_OUT.inc())
    event.listen(pool, "checkin", lambda *_: metrics.DB_POOL_CHECKED_OUT.dec())
