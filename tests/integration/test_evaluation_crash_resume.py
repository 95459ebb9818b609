"""THE crash test: `autoforge serve` is killed with SIGKILL in the middle of an evaluation,
a new server starts on the same data, and the evaluation completes with every case scored
exactly once. The model is the slow test fake (`tests/support/fake_model.py`), so the kill
lands mid-run for sure and the test needs no network and no model weights.

"Exactly once" is checked three ways, none of which a unique index could make true on its
own: the results committed before the kill are still there with the same ids and times;
no case committed before the kill was sent to the model again; and the model was called
once per case, plus at most one per case in flight when the kill landed (its answer was
never committed, so asking again is the only correct thing to do). The fake writes each
call to a log and syncs it before answering, so that count survives the kill."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from autoforge.bootstrap import Container, bootstrap
from autoforge.db import migrations
from autoforge.evaluations.models import EvaluationRow
from autoforge.evaluations.models import TestResultRow as ResultRow
from autoforge.worker.models import JobRow
from tests.conftest import file_settings
from tests.support.evaluations import (
    assert_scored_once,
    committed,
    items,
    model_calls_per_case,
    seed_dataset,
    seed_prompt,
)
from tests.support.fake_model import FakeModel
from tests.support.server import autoforge, with_fake

CASES = 30
DELAY_MS = 300  # two cases at a time: the run takes ~4.5 s, plenty of room to land a kill
LEASE_S = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CALL_LOG = "model-calls.jsonl"


def fake(data_dir: Path) -> FakeModel:
    return FakeModel(DELAY_MS, data_dir / CALL_LOG)


def server_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "TURSO_DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        AUTOFORGE_DATA_DIR=str(data_dir),
        JOB_LEASE_S=str(LEASE_S),
        JOB_HEARTBEAT_S="0.5",
        JOB_POLL_S="0.3",
    )
    return env


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [*autoforge(fake(data_dir)), "serve", "--port", str(self.port)],
            env=with_fake(server_env(data_dir), fake(data_dir)),
            cwd=data_dir,  # no stray .env file gets read
            stdout=subprocess.DEVNULL,
            stderr=(data_dir / f"server-{self.port}.log").open("w"),
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited during start-up"
            try:
                if self.http.get("/health/live").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not start within 60 s")

    def evaluation(self, evaluation_id: str) -> dict[str, Any]:
        response = self.http.get(f"/api/v1/evaluations/{evaluation_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.http.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.http.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data directory holding a prompt and a 30-case dataset."""
    container = bootstrap(file_settings(tmp_path))
    migrations.upgrade(container.database.engine)
    seed_prompt(container.database, "crash", "Is {{text}} even?")
    seed_dataset(container.database, "numbers", items(CASES))
    container.close()
    return tmp_path


def counts(container: Container, evaluation_id: str) -> tuple[int, int]:
    """(results, distinct case names) as committed."""

    def work(uow: Any) -> tuple[int, int]:
        where = ResultRow.evaluation_id == evaluation_id
        total = uow.session.scalar(select(func.count()).where(where))
        distinct = uow.session.scalar(
            select(func.count(func.distinct(ResultRow.test_case_name))).where(where)
        )
        return int(total), int(distinct)

    return container.database.run(work, read_only=True)


def job_states(container: Container) -> list[tuple[str, int]]:
    return container.database.run(
        lambda uow: [(j.status, j.attempts) for j in uow.session.scalars(select(JobRow))],
        read_only=True,
    )


def wait_for(server: Server, evaluation_id: str, done: int, timeout_s: float) -> dict[str, Any]:
    """Until `done` cases are scored or the evaluation ended (`done` > total: until it ended)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        current = server.evaluation(evaluation_id)
        if current["progress"]["done"] >= done or current["status"] in ("completed", "failed"):
            return current
        time.sleep(0.05)
    raise AssertionError(f"evaluation did not reach {done} cases within {timeout_s} s")


def test_sigkill_mid_run_then_restart_completes_every_case_exactly_once(data_dir: Path) -> None:
    first = Server(data_dir)
    try:
        response = first.http.post(
            "/api/v1/evaluations",
            json={"prompt_name": "crash", "dataset_name": "numbers", "concurrency": 2},
        )
        assert response.status_code == 202, response.text
        [evaluation] = response.json()["evaluations"]
        evaluation_id = evaluation["id"]
        progress = wait_for(first, evaluation_id, done=6, timeout_s=30)["progress"]
        assert progress["done"] < CASES, "the run finished before the kill: make it slower"
    finally:
        first.kill()

    observer = bootstrap(file_settings(data_dir))
    try:
        partial, distinct = counts(observer, evaluation_id)
        assert 6 <= partial < CASES
        assert distinct == partial
        before_kill = committed(observer, evaluation_id)
        asked_before_kill = model_calls_per_case(data_dir / CALL_LOG)
        row = observer.database.run(
            lambda uow: uow.session.get(EvaluationRow, evaluation_id), read_only=True
        )
        assert row is not None
        assert row.status == "running"

        second = Server(data_dir)  # its worker takes the job over once the dead lease expires
        try:
            # The last case and the completed status are two commits: wait for the status.
            finished = wait_for(second, evaluation_id, done=CASES + 1, timeout_s=60)
            # And the job is marked done after the evaluation: one more commit.
            deadline = time.monotonic() + 30
            while job_states(observer) != [("completed", 2)] and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            second.stop()

        assert finished["status"] == "completed", finished["error"]
        assert finished["progress"]["done"] == finished["progress"]["total"] == CASES
        assert counts(observer, evaluation_id) == (CASES, CASES)
        assert job_states(observer) == [("completed", 2)]

        assert_scored_once(
            before_kill,
            asked_before_kill,
            committed(observer, evaluation_id),
            model_calls_per_case(data_dir / CALL_LOG),
            in_flight=2,
        )
    finally:
        observer.close()
