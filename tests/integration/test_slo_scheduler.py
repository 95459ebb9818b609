"""The single-flight pieces of the SLO scheduler on a real libSQL file shared by several
containers (each its own engine and connections, as separate processes have): one of them
takes each turn, a turn held by a dead holder passes on once its lease ends, and an alert
claimed by a sender that died is sent again, never twice at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from autoforge.bootstrap import Container, bootstrap
from autoforge.db import migrations
from autoforge.db.base import utcnow
from autoforge.db.tenancy import Scope
from autoforge.identity.caller import local_caller
from autoforge.slos.models import WebhookDeliveryRow, WebhookRow
from autoforge.slos.repository import ScheduleRepository, WebhookRepository
from tests.conftest import file_settings

TURN = "slo_check"


@pytest.fixture
def containers(tmp_path: Path) -> Iterator[list[Container]]:
    built = [bootstrap(file_settings(tmp_path)) for _ in range(4)]
    migrations.upgrade(built[0].database.engine)
    yield built
    for container in built:
        container.close()


def _take(container: Container, holder: str, now: datetime, every_s: float, lease_s: float) -> bool:
    return container.database.run(
        lambda uow: ScheduleRepository(uow.session).take(TURN, holder, now, every_s, lease_s)
    )


def _race(containers: list[Container], at: datetime) -> list[str]:
    """Every container asks for the turn at the same moment; the names of those given it."""
    start = threading.Barrier(len(containers))
    won: list[str] = []

    def ask(container: Container, name: str) -> None:
        start.wait()
        if _take(container, name, at, every_s=5, lease_s=60):
            won.append(name)
            container.database.run(lambda uow: ScheduleRepository(uow.session).let_go(TURN, name))

    threads = [threading.Thread(target=ask, args=(c, f"p{i}")) for i, c in enumerate(containers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won


def test_one_of_several_processes_takes_each_turn(containers: list[Container]) -> None:
    now = utcnow()
    for turn in range(3):
        won = _race(containers, now + timedelta(seconds=10 * turn))
        assert len(won) == 1, f"turn {turn}: {won} all took it"


def test_a_turn_is_not_taken_early_nor_while_held_but_after_a_dead_holders_lease(
    containers: list[Container],
) -> None:
    first, second = containers[0], containers[1]
    t0 = utcnow()
    assert _take(first, "dies", t0, every_s=1, lease_s=30)
    assert not _take(second, "other", t0, every_s=1, lease_s=30)  # not due yet
    # Due again after 1 s, but the first holder never let go: it may still be checking.
    assert not _take(second, "other", t0 + timedelta(seconds=2), every_s=1, lease_s=30)
    assert _take(second, "other", t0 + timedelta(seconds=31), every_s=1, lease_s=30)


def test_a_claimed_alert_is_not_sent_twice_at_once_and_is_sent_again_after_a_crash(
    containers: list[Container],
) -> None:
    first, second = containers[0], containers[1]
    scope = Scope(project_id=local_caller().project_id, actor="test")

    def queue(uow: object) -> None:
        session = uow.session  # type: ignore[attr-defined]
        hook = WebhookRow(url="http://127.0.0.1:9/hook", secret_ciphertext="x")
        session.add(hook)
        session.flush()
        session.add(
            WebhookDeliveryRow(webhook_id=hook.id, event_id="e1", event_type="T", body="{}")
        )

    first.database.run(queue, scope=scope)
    now = utcnow()
    claimed = first.database.run(
        lambda uow: WebhookRepository(uow.session).claim_due(now, lease_s=30, limit=10)
    )
    assert [d.attempts for d in claimed] == [1]
    meanwhile = second.database.run(
        lambda uow: WebhookRepository(uow.session).claim_due(now + timedelta(seconds=5), 30, 10)
    )
    assert meanwhile == []
    # The first sender died without recording anything: after its lease, it is due again.
    again = second.database.run(
        lambda uow: WebhookRepository(uow.session).claim_due(now + timedelta(seconds=31), 30, 10)
    )
    assert [(d.id, d.attempts) for d in again] == [(claimed[0].id, 2)]
