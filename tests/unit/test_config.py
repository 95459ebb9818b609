"""Settings: database resolution and pool sizing per environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoforge.config import Environment, Settings


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_embedded_file_under_data_dir_by_default(tmp_path: Path) -> None:
    settings = make(autoforge_data_dir=tmp_path)
    assert settings.resolved_database_url == f"file:{tmp_path.as_posix()}/autoforge.db"


def test_database_url_wins_over_turso() -> None:
    settings = make(database_url="http://127.0.0.1:8080", turso_database_url="libsql://x.turso.io")
    assert settings.resolved_database_url == "http://127.0.0.1:8080"
    assert make(turso_database_url="libsql://x.turso.io").resolved_database_url == (
        "libsql://x.turso.io"
    )


@pytest.mark.parametrize(
    ("env", "size", "overflow", "recycle"),
    [
        (Environment.LOCAL, 5, 10, 3600),
        (Environment.STAGING, 10, 20, 1800),
        (Environment.PRODUCTION, 20, 40, 900),
    ],
)
def test_pool_defaults_per_environment(
    env: Environment, size: int, overflow: int, recycle: int
) -> None:
    pool = make(app_env=env).pool
    assert (pool.size, pool.max_overflow, pool.recycle_s) == (size, overflow, recycle)


def test_pool_override_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    pool = Settings(_env_file=None).pool  # type: ignore[call-arg]
    assert pool.size == 3
    assert pool.max_overflow == 40


def test_token_is_secret_in_repr() -> None:
    settings = make(turso_auth_token="eyJ.secret.token")
    assert "eyJ.secret.token" not in repr(settings)
    assert settings.auth_token == "eyJ.secret.token"
