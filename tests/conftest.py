"""Shared fixtures: real libSQL databases (a local file and a real sqld with JWT auth)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from autoforge.bootstrap import Container, bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.db.all_models import Base
from autoforge.events.bus import EventBus
from autoforge.events.relay import OutboxRelay
from autoforge.identity.service import ensure_defaults
from tests.support.redis import RedisServer, start_redis
from tests.support.sqld import SqldServer, start_sqld


@pytest.fixture(scope="session")
def sqld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqldServer]:
    server = start_sqld(tmp_path_factory.mktemp("sqld"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


def file_settings(directory: Path) -> Settings:
    return Settings(autoforge_data_dir=directory, _env_file=None)  # type: ignore[call-arg]


def _migrated(settings: Settings) -> Container:
    container = bootstrap(settings)
    migrations.upgrade(container.database.engine)
    return container


def fresh_bus(container: Container) -> Container:
    """Same database, new bus and relay: subscriptions never leak from one test to the next."""
    bus = EventBus()
    relay = OutboxRelay(container.database, bus)
    container.database.after_commit = relay.notify
    return dataclasses.replace(container, bus=bus, relay=relay)


def wipe(container: Container) -> None:
    """Empties every table (children first) so each test starts from a clean database."""
    container.gateway.flush()  # call records are written behind; none may land after this
    with container.database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
    # What the migration creates and local mode acts as: the default project and its owner.
    container.database.run(ensure_defaults)
    container.cache.clear()  # the rows went behind the services' backs


@pytest.fixture(scope="session")
def file_container_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    container = _migrated(file_settings(tmp_path_factory.mktemp("data")))
    yield container
    container.close()


@pytest.fixture
def file_container(file_container_session: Container) -> Iterator[Container]:
    """A migrated local libSQL file, emptied after the test."""
    container = fresh_bus(file_container_session)
    yield container
    container.relay.stop()
    container.bus.close()
    wipe(container)


@pytest.fixture(scope="session", params=["file", "sqld"])
def any_container_session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Container]:
    if request.param == "file":
        yield request.getfixturevalue("file_container_session")
        return
    server: SqldServer = request.getfixturevalue("sqld")
    settings = Settings(  # type: ignore[call-arg]
        autoforge_data_dir=tmp_path_factory.mktemp("remote-data"),
        database_url=server.url,
        turso_auth_token=server.mint_token(),
        _env_file=None,
    )
    container = _migrated(settings)
    yield container
    container.close()


@pytest.fixture
def any_container(any_container_session: Container) -> Iterator[Container]:
    """Runs the test twice: on a local libSQL file and on a real sqld with JWT auth."""
    container = fresh_bus(any_container_session)
    yield container
    container.relay.stop()
    container.bus.close()
    wipe(container)
