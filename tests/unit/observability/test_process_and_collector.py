"""The shared metrics directory is emptied only by the first process; the queue and outbox
gauges are read from the database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from autoforge.bootstrap import Container
from autoforge.db.base import utcnow
from autoforge.events.models import DeadLetterRow, StoredEventRow
from autoforge.observability.collector import DatabaseCollector
from autoforge.observability.process import claim_directory
from autoforge.worker.jobs import JobRepository


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_directory_is_emptied_only_when_no_live_process_owns_a_file(tmp_path: Path) -> None:
    live = tmp_path / f"counter_{os.getppid()}.db"
    dead = tmp_path / f"counter_{_dead_pid()}.db"
    live.write_bytes(b"x")
    dead.write_bytes(b"x")

    claim_directory(tmp_path)
    assert live.exists()
    assert dead.exists()  # another process still counts: nothing goes

    live.unlink()
    claim_directory(tmp_path)
    assert list(tmp_path.iterdir()) == []  # only dead owners left: a fresh start


def test_queue_and_outbox_gauges_come_from_the_database(file_container: Container) -> None:
    def seed(uow: object) -> None:
        session = uow.session  # type: ignore[attr-defined]
        JobRepository(session).enqueue("evaluation", "target-1", {})
        JobRepository(session).enqueue("evaluation", "target-2", {})
        session.add(
            StoredEventRow(
                id="event-1",
                stream_id="s",
                version=1,
                event_type="thing.happened",
                event_data={},
                occurred_at=utcnow() - timedelta(seconds=90),
            )
        )
        session.add(
            DeadLetterRow(event_id="event-0", event_type="t", handler="h", error="e", attempts=3)
        )

    file_container.database.run(seed)

    families = {f.name: f for f in DatabaseCollector(file_container.database).collect()}

    queued = {s.labels["kind"]: s.value for s in families["autoforge_jobs_queued"].samples}
    assert queued == {"evaluation": 2, "optimization": 0}
    running = families["autoforge_jobs_running"].samples
    assert {s.value for s in running} == {0}
    assert families["autoforge_outbox_pending_events"].samples[0].value == 1
    assert families["autoforge_outbox_lag_seconds"].samples[0].value >= 90
    assert families["autoforge_outbox_dead_letters"].samples[0].value == 1
