"""Retries under real lock contention on a local libSQL file, and only for transient errors."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from autoforge.bootstrap import Container, bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.db.unit_of_work import Database, UnitOfWork
from autoforge.prompts.models import PromptRow


@pytest.fixture
def impatient(tmp_path: Path) -> Container:
    """A database whose writers give up waiting for the lock after 20 ms."""
    settings = Settings(  # type: ignore[call-arg]
        autoforge_data_dir=tmp_path, db_busy_timeout_ms=20, _env_file=None
    )
    container = bootstrap(settings)
    migrations.upgrade(container.database.engine)
    return container


ROOT = Path(__file__).resolve().parents[2]


def hold_write_lock(db_file: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process takes the write lock and sits on it; returns once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.support.hold_write_lock", str(db_file), str(seconds)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def add_prompt(uow: UnitOfWork) -> str:
    prompt = PromptRow(project_id="alice", name="p", title="t", content="c")
    uow.session.add(prompt)
    uow.session.flush()
    return prompt.id


def test_writer_retries_through_real_lock_contention(
    impatient: Container, caplog: pytest.LogCaptureFixture
) -> None:
    holder = hold_write_lock(impatient.settings.data_dir / "autoforge.db", 0.4)
    caplog.set_level(logging.WARNING, logger="autoforge.db.unit_of_work")
    database = Database(impatient.database.engine, retry_attempts=12)
    prompt_id = database.run(add_prompt)
    assert holder.wait(10) == 0
    retries = [r for r in caplog.records if "transient database error" in r.getMessage()]
    assert retries, "the writer should have met the lock and retried"
    assert "database is locked" in retries[0].getMessage()
    with database.transaction(read_only=True) as uow:
        ids = set(uow.session.scalars(select(PromptRow.id)))
    assert ids == {"blocker", prompt_id}


def test_without_retries_the_same_contention_fails(impatient: Container) -> None:
    holder = hold_write_lock(impatient.settings.data_dir / "autoforge.db", 0.4)
    database = Database(impatient.database.engine, retry_attempts=1)
    with pytest.raises(OperationalError, match="database is locked"):
        database.run(add_prompt)
    assert holder.wait(10) == 0


def test_non_transient_errors_are_not_retried(file_container: Container) -> None:
    calls = 0

    def duplicate(uow: UnitOfWork) -> None:
        nonlocal calls
        calls += 1
        uow.session.add_all(
            [
                PromptRow(project_id="alice", name="same", title="t", content="c"),
                PromptRow(project_id="alice", name="same", title="t", content="c"),
            ]
        )
        uow.session.flush()

    with pytest.raises(IntegrityError):
        file_container.database.run(duplicate)
    assert calls == 1
    with file_container.database.transaction(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(PromptRow)) == 0


def test_writers_in_one_process_queue_instead_of_stalling(file_container: Container) -> None:
    """Eight threads write at once; all succeed, each row once (no lock errors, no stall)."""
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            with file_container.database.transaction() as uow:
                uow.session.add(PromptRow(project_id="alice", name=f"p{i}", title="t", content="c"))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with file_container.database.transaction(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(PromptRow)) == 8
