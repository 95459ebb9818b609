"""Builds the one SQLAlchemy engine: embedded libSQL file or remote sqld/Turso, same code."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

import autoforge.db.dialect  # noqa: F401  (registers sqlite+libsql)
from autoforge.config import Settings
from autoforge.db import libsql_dbapi
from autoforge.db.events import DatabaseConnectionEstablished, DatabaseConnectionFailed
from autoforge.events.base import DomainEvent
from autoforge.observability.database import instrument

BEGIN_MODE = "autoforge_begin"  # execution option: "IMMEDIATE" for writers, "DEFERRED" readers

InfraListener = Callable[[DomainEvent], None]


def database_kind(target: str) -> str:
    return "libsql-remote" if libsql_dbapi.is_remote(target) else "libsql-file"


def local_path(target: str) -> Path:
    return Path(target.removeprefix("file:"))


def _describe_failure(exc: Exception) -> str:
    """A message a user can act on; never contains the URL or the token."""
    text = str(exc)
    if "401" in text or "Unauthorized" in text:
        return "the database rejected the auth token (401 Unauthorized): check TURSO_AUTH_TOKEN"
    if "Connection refused" in text or "connect error" in text:
        return "the database server refused the connection: is sqld running at DATABASE_URL?"
    return f"could not open the database: {text}"


def make_engine(settings: Settings, on_event: InfraListener | None = None) -> Engine:
    target = settings.resolved_database_url
    kind = database_kind(target)
    remote = kind == "libsql-remote"
    if not remote:
        local_path(target).parent.mkdir(parents=True, exist_ok=True)
    token = settings.auth_token
    notify = on_event or (lambda _event: None)

    def creator() -> libsql_dbapi.Connection:
        started = time.perf_counter()
        try:
            conn = libsql_dbapi.connect(
                target.removeprefix("file:") if not remote else target,
                auth_token=token,
                busy_timeout_ms=settings.db_busy_timeout_ms,
            )
            if remote:
                # Remote connections are lazy; one round trip turns a bad token into an
                # immediate, explained error instead of a failure deep inside a request.
                conn.execute("SELECT 1").fetchall()
        except libsql_dbapi.Error as exc:
            notify(
                DatabaseConnectionFailed(
                    database_type=kind,
                    environment=settings.app_env.value,
                    error_type=type(exc).__name__,
                    error_message=_describe_failure(exc),
                )
            )
            raise libsql_dbapi.OperationalError(_describe_failure(exc)) from None
        notify(
            DatabaseConnectionEstablished(
                database_type=kind,
                environment=settings.app_env.value,
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        )
        return conn

    pool = settings.pool
    engine = create_engine(
        "sqlite+libsql://",
        creator=creator,
        poolclass=QueuePool,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout_s,
        pool_recycle=pool.recycle_s,
        pool_pre_ping=pool.pre_ping and remote,
        pool_use_lifo=pool.use_lifo,
    )
    event.listen(engine, "begin", _begin)
    instrument(engine, settings)  # query metrics, spans, slow-query log
    return engine


def _begin(conn: Any) -> None:
    # The driver stays in autocommit, so we decide how each transaction starts. Writers use
    # BEGIN IMMEDIATE: the write lock is taken up front, where busy_timeout and our retry
    # apply, instead of failing at commit after the work is done.
    mode = conn.get_execution_options().get(BEGIN_MODE, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")
