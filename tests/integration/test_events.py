"""Transactional outbox: nothing on rollback, exactly once after commit, even across a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from autoforge.bootstrap import Container, bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.events.base import DomainEvent
from autoforge.events.models import DeadLetterRow, EventDeliveryRow, StoredEventRow
from autoforge.events.relay import OutboxRelay
from tests.support.events import SomethingHappened

ROOT = Path(__file__).resolve().parents[2]


def recorder(bus_container: Container, name: str = "recorder") -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    bus_container.bus.subscribe(SomethingHappened, seen.append, name=name)
    return seen


def stored(container: Container) -> list[StoredEventRow]:
    with container.database.transaction(read_only=True) as uow:
        return list(uow.session.scalars(select(StoredEventRow).order_by(StoredEventRow.version)))


def test_committed_events_are_stored_with_stream_versions(any_container: Container) -> None:
    with any_container.database.transaction() as uow:
        uow.collect(SomethingHappened(subject="a", amount=1), SomethingHappened(subject="a"))
    with any_container.database.transaction() as uow:
        uow.collect(SomethingHappened(subject="a", amount=3))
    rows = stored(any_container)
    assert [(r.stream_id, r.version) for r in rows] == [
        ("thing-a", 1),
        ("thing-a", 2),
        ("thing-a", 3),
    ]
    assert rows[0].event_data == {"subject": "a", "amount": 1}
    assert all(r.published_at is None for r in rows)


def test_rolled_back_transaction_publishes_nothing(any_container: Container) -> None:
    seen = recorder(any_container, "rollback-recorder")
    with pytest.raises(RuntimeError), any_container.database.transaction() as uow:
        uow.collect(SomethingHappened(subject="never"))
        raise RuntimeError("abort")
    assert stored(any_container) == []
    assert any_container.relay.publish_pending() == 0
    assert seen == []


def test_failed_savepoint_drops_its_events(file_container: Container) -> None:
    with file_container.database.transaction() as uow:
        uow.collect(SomethingHappened(subject="outer"))
        with pytest.raises(ValueError, match="inner work"), uow.savepoint():
            uow.collect(SomethingHappened(subject="inner"))
            raise ValueError("inner work failed")
    assert [r.event_data["subject"] for r in stored(file_container)] == ["outer"]


def test_relay_publishes_each_event_once(any_container: Container) -> None:
    seen = recorder(any_container, "once-recorder")
    with any_container.database.transaction() as uow:
        uow.collect(SomethingHappened(subject="x", amount=5))
    assert any_container.relay.publish_pending() == 1
    assert any_container.relay.publish_pending() == 0
    assert len(seen) == 1
    event = seen[0]
    assert isinstance(event, SomethingHappened)
    assert event.amount == 5
    assert stored(any_container)[0].published_at is not None


def test_handlers_run_concurrently(file_container: Container) -> None:
    barrier = threading.Barrier(2, timeout=5)  # passes only if both handlers run at once
    ran: list[str] = []

    def handler(name: str):  # type: ignore[no-untyped-def]
        def handle(_: DomainEvent) -> None:
            barrier.wait()
            ran.append(name)

        return handle

    file_container.bus.subscribe(SomethingHappened, handler("a"), name="concurrent-a")
    file_container.bus.subscribe(SomethingHappened, handler("b"), name="concurrent-b")
    with file_container.database.transaction() as uow:
        uow.collect(SomethingHappened(subject="c"))
    file_container.relay.publish_pending()
    assert sorted(ran) == ["a", "b"]


def test_failing_handler_is_retried_then_dead_lettered(file_container: Container) -> None:
    attempts = 0

    def flaky(_: DomainEvent) -> None:
        nonlocal attempts
        attempts += 1
        raise ConnectionError("downstream is down")

    seen = recorder(file_container, "healthy-recorder")
    file_container.bus.subscribe(SomethingHappened, flaky, name="flaky")
    with file_container.database.transaction() as uow:
        uow.collect(SomethingHappened(subject="dl"))
    file_container.relay.publish_pending()
    assert attempts == file_container.bus.attempts == 3
    assert len(seen) == 1
    with file_container.database.transaction(read_only=True) as uow:
        letters = list(uow.session.scalars(select(DeadLetterRow)))
        delivered = set(uow.session.scalars(select(EventDeliveryRow.handler)))
    assert [(d.handler, d.attempts) for d in letters] == [("flaky", 3)]
    assert "downstream is down" in letters[0].error
    assert delivered == {"healthy-recorder"}


def test_background_relay_publishes_after_commit(file_container: Container) -> None:
    arrived = threading.Event()
    file_container.bus.subscribe(SomethingHappened, lambda _: arrived.set(), name="bg")
    file_container.relay.start()
    try:
        with file_container.database.transaction() as uow:
            uow.collect(SomethingHappened(subject="bg"))
        assert arrived.wait(5)
    finally:
        file_container.relay.stop()


def test_event_survives_a_crash_between_commit_and_publish(tmp_path: Path) -> None:
    settings = Settings(autoforge_data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    first = bootstrap(settings)
    migrations.upgrade(first.database.engine)
    first.close()

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-m", "tests.support.crash_after_commit", str(tmp_path)],
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL

    restarted = bootstrap(settings)
    seen = recorder(restarted, "crash-recorder")
    assert [r.published_at for r in stored(restarted)] == [None]
    assert restarted.relay.publish_pending() == 1
    assert [e.event_type for e in seen] == ["SomethingHappened"]

    # A second restart (new bus, same handler name) must not deliver it again.
    again = bootstrap(settings)
    seen_again = recorder(again, "crash-recorder")
    assert OutboxRelay(again.database, again.bus).publish_pending() == 0
    assert seen_again == []
    with again.database.transaction(read_only=True) as uow:
        deliveries = uow.session.scalar(select(func.count()).select_from(EventDeliveryRow))
    assert deliveries == 1
    restarted.close()
    again.close()
