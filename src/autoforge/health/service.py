"""Database health check: one round trip, timed, classified, reported as an event."""

from __future__ import annotations

import time

from sqlalchemy import text

from autoforge.db.engine import database_kind
from autoforge.db.events import DatabaseHealthCheckCompleted, HealthStatus, classify_latency
from autoforge.db.unit_of_work import Database


def check_database(
    database: Database, environment: str, target: str
) -> DatabaseHealthCheckCompleted:
    started = time.perf_counter()
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()
    except Exception as exc:
        # The message comes from our driver layer, which never includes the URL or token.
        orig = getattr(exc, "orig", exc)
        return DatabaseHealthCheckCompleted(
            database_type=database_kind(target),
            environment=environment,
            status=HealthStatus.UNHEALTHY,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            error_message=str(orig)[:300],
        )
    latency_ms = round((time.perf_counter() - started) * 1000, 3)
    return DatabaseHealthCheckCompleted(
        database_type=database_kind(target),
        environment=environment,
        status=classify_latency(latency_ms),
        latency_ms=latency_ms,
    )
