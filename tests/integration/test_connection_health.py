"""Connection events, health classification and readiness, on both backends; bad tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from autoforge.app import create_app
from autoforge.bootstrap import Container, bootstrap
from autoforge.config import Settings
from autoforge.db.events import (
    DatabaseConnectionEstablished,
    DatabaseConnectionFailed,
    DatabaseHealthCheckCompleted,
    HealthStatus,
    classify_latency,
)
from autoforge.events.base import DomainEvent
from tests.support.sqld import SqldServer


@pytest.mark.parametrize(
    ("latency", "status"),
    [
        (0.5, HealthStatus.HEALTHY),
        (99.9, HealthStatus.HEALTHY),
        (100.0, HealthStatus.DEGRADED),
        (199.9, HealthStatus.DEGRADED),
        (200.0, HealthStatus.UNHEALTHY),
    ],
)
def test_latency_thresholds(latency: float, status: HealthStatus) -> None:
    assert classify_latency(latency) is status


def remote_settings(server: SqldServer, token: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        autoforge_data_dir=tmp_path, database_url=server.url, turso_auth_token=token, _env_file=None
    )


def capture(container: Container) -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    for kind in (
        DatabaseConnectionEstablished,
        DatabaseConnectionFailed,
        DatabaseHealthCheckCompleted,
    ):
        container.bus.subscribe(kind, seen.append, name=f"capture-{kind.__name__}")
    return seen


def test_connection_established_event_has_no_secrets(sqld: SqldServer, tmp_path: Path) -> None:
    token = sqld.mint_token()
    container = bootstrap(remote_settings(sqld, token, tmp_path))
    seen = capture(container)
    with container.database.engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    established = [e for e in seen if isinstance(e, DatabaseConnectionEstablished)]
    assert len(established) == 1
    assert established[0].database_type == "libsql-remote"
    assert established[0].latency_ms >= 0
    payload = str(established[0].payload())
    assert token not in payload
    assert sqld.url not in payload
    container.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("which", ["garbage", "foreign-key"])
def test_wrong_token_is_a_clear_error_not_a_hang(
    sqld: SqldServer, tmp_path: Path, which: str
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    token = "not-a-jwt"
    if which == "foreign-key":
        token = SqldServer(sqld.url, Ed25519PrivateKey.generate(), sqld.process).mint_token()
    container = bootstrap(remote_settings(sqld, token, tmp_path))
    seen = capture(container)
    with pytest.raises(OperationalError) as raised, container.database.engine.connect():
        pass
    message = str(raised.value)
    assert "rejected the auth token" in message
    assert token not in message
    failed = [e for e in seen if isinstance(e, DatabaseConnectionFailed)]
    assert len(failed) == 1
    assert token not in str(failed[0].payload())
    assert sqld.url not in str(failed[0].payload())
    container.close()


def test_ready_reports_healthy_and_emits_health_event(any_container: Container) -> None:
    seen = capture(any_container)
    with TestClient(create_app(any_container)) as client:
        response = client.get("/health/ready")
        live = client.get("/health/live")
    assert live.json() == {"status": "ok"}
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["database"]["latency_ms"] < 100
    checks = [e for e in seen if isinstance(e, DatabaseHealthCheckCompleted)]
    assert [c.status for c in checks] == [HealthStatus.HEALTHY]


def test_ready_is_503_problem_free_of_secrets_when_database_is_down(
    sqld: SqldServer, tmp_path: Path
) -> None:
    token = sqld.mint_token()
    settings = Settings(  # type: ignore[call-arg]
        autoforge_data_dir=tmp_path,
        database_url="http://127.0.0.1:9",  # nothing listens on the discard port
        turso_auth_token=token,
        _env_file=None,
    )
    container = bootstrap(settings)
    with TestClient(create_app(container)) as client:
        response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert "refused" in body["database"]["error"]
    assert token not in response.text
    container.close()
