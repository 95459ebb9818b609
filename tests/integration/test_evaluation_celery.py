"""Scaled out: an evaluation runs on a real Celery worker through a real redis-server. The
worker is killed with SIGKILL mid-run; a new worker gets the redelivered task, resumes from
the committed results and completes with every case scored exactly once: the results
committed before the kill keep their ids and times, and the test fake's durable call log
shows no committed case sent to the model again."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from autoforge.bootstrap import Container, bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.evaluations.models import EvaluationRow
from autoforge.evaluations.models import TestResultRow as ResultRow
from autoforge.evaluations.schemas import EvaluationCreate
from autoforge.evaluations.service import defaults_of, start_evaluations
from autoforge.worker.models import JobRow
from tests.support.evaluations import (
    OWNER,
    assert_scored_once,
    committed,
    items,
    model_calls_per_case,
    seed_dataset,
    seed_prompt,
)
from tests.support.fake_model import FakeModel
from tests.support.redis import RedisServer
from tests.support.server import autoforge, with_fake

CASES = 24
DELAY_MS = 300
CALL_LOG = "model-calls.jsonl"


def fake(data_dir: Path) -> FakeModel:
    return FakeModel(DELAY_MS, data_dir / CALL_LOG)


def worker_env(data_dir: Path, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TURSO_DATABASE_URL"}}
    env.update(
        AUTOFORGE_DATA_DIR=str(data_dir),
        REDIS_URL=redis_url,
        JOB_LEASE_S="2",
        JOB_HEARTBEAT_S="0.5",
        # The killed worker's unacknowledged task is handed out again after this long.
        CELERY_VISIBILITY_TIMEOUT_S="3",
        CELERY_RESTORE_SWEEP_S="1",
        EVALUATION_CONCURRENCY="2",
    )
    return env


def start_worker(data_dir: Path, redis_url: str, name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*autoforge(fake(data_dir)), "worker", "--concurrency", "1"],
        env=with_fake(worker_env(data_dir, redis_url), fake(data_dir)),
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=(data_dir / f"worker-{name}.log").open("w"),
    )


def done_cases(container: Container, evaluation_id: str) -> tuple[int, int, str]:
    def work(uow: object) -> tuple[int, int, str]:
        session = uow.session  # type: ignore[attr-defined]
        where = ResultRow.evaluation_id == evaluation_id
        total = session.scalar(select(func.count()).where(where))
        distinct = session.scalar(
            select(func.count(func.distinct(ResultRow.test_case_name))).where(where)
        )
        status = session.get(EvaluationRow, evaluation_id).status
        session.expire_all()
        return int(total), int(distinct), str(status)

    return container.database.run(work, read_only=True)


def wait_until(container: Container, evaluation_id: str, done: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        total, _, status = done_cases(container, evaluation_id)
        if total >= done or status in ("completed", "failed"):
            return
        time.sleep(0.1)
    raise AssertionError(f"evaluation did not reach {done} results within {timeout_s} s")


@pytest.mark.timeout(240)
def test_celery_worker_killed_mid_run_is_resumed_by_another(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        autoforge_data_dir=tmp_path, redis_url=redis_server.url, _env_file=None
    )
    api = bootstrap(settings)  # plays the API process: it creates and dispatches the job
    migrations.upgrade(api.database.engine)
    seed_prompt(api.database, "celery", "Is {{text}} even?")
    seed_dataset(api.database, "numbers", items(CASES))

    first = start_worker(tmp_path, redis_server.url, "first")
    second: subprocess.Popen[bytes] | None = None
    try:
        data = EvaluationCreate.model_validate(
            {"prompt_name": "celery", "dataset_name": "numbers", "concurrency": 2}
        )
        started = api.database.run(
            lambda uow: start_evaluations(uow, OWNER, data, defaults_of(api))
        )
        evaluation_id = started.batch.evaluations[0].id

        wait_until(api, evaluation_id, done=5, timeout_s=90)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        partial, distinct, status = done_cases(api, evaluation_id)
        assert 5 <= partial < CASES, "the run finished before the kill: make it slower"
        assert (distinct, status) == (partial, "running")
        before_kill = committed(api, evaluation_id)
        asked_before_kill = model_calls_per_case(tmp_path / CALL_LOG)

        second = start_worker(tmp_path, redis_server.url, "second")
        wait_until(api, evaluation_id, done=CASES, timeout_s=120)
        deadline = time.monotonic() + 30
        while done_cases(api, evaluation_id)[2] != "completed" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert done_cases(api, evaluation_id) == (CASES, CASES, "completed")

        def jobs() -> list[tuple[str, int]]:
            return api.database.run(
                lambda uow: [(j.status, j.attempts) for j in uow.session.scalars(select(JobRow))],
                read_only=True,
            )

        # The evaluation completes first, then the worker marks its job done: two commits.
        while jobs() != [("completed", 2)] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert jobs() == [("completed", 2)]
        assert_scored_once(
            before_kill,
            asked_before_kill,
            committed(api, evaluation_id),
            model_calls_per_case(tmp_path / CALL_LOG),
            in_flight=2,
        )
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(15)
        api.close()
