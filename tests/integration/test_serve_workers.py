"""`autoforge serve --workers 2`: two real server processes on one libSQL file. Exactly one
runs the background work (relay, jobs, SLO checks, embeddings); when it is SIGKILLed, the
other takes over, and a job started through either process still runs to the end."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from tests.support.evaluations import items, seed_dataset, seed_prompt
from tests.support.fake_model import FakeModel
from tests.support.server import served, server_env

TAKES_OVER = "background work runs in process"


def _seed(data_dir: Path) -> None:
    settings = Settings(autoforge_data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    container = bootstrap(settings)
    migrations.upgrade(container.database.engine)
    seed_prompt(container.database, "parity", "Is it even? {{text}}")
    seed_dataset(container.database, "numbers", items(4))
    container.close()


def _log(data_dir: Path) -> list[dict[str, Any]]:
    lines = (data_dir / "server.log").read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def _runners(data_dir: Path) -> list[int]:
    """The pids that took up the background work, in order."""
    return [
        int(entry["message"].rsplit(" ", 1)[1])
        for entry in _log(data_dir)
        if entry.get("message", "").startswith(TAKES_OVER)
    ]


def _wait_for(what: str, check: Any, timeout_s: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _evaluate(base: str) -> Any:
    body = {"prompt_name": "parity", "dataset_name": "numbers", "models": ["fake/primary"]}
    started = httpx.post(f"{base}/api/v1/evaluations", json=body, timeout=30)
    assert started.status_code == 202, started.text
    evaluation_id = started.json()["evaluations"][0]["id"]

    def done() -> Any:
        found = httpx.get(f"{base}/api/v1/evaluations/{evaluation_id}", timeout=30).json()
        return found if found["status"] in ("completed", "failed") else None

    return _wait_for("the evaluation to finish", done)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.timeout(600)
def test_two_processes_one_background_runner_and_a_takeover(tmp_path: Path) -> None:
    _seed(tmp_path)
    env = server_env(tmp_path, REDIS_URL="", BACKGROUND_EMBEDDINGS="false", JOB_POLL_S="0.5")
    args = ("--workers", "2", "--no-warm")
    with served(tmp_path, env, fake=FakeModel(), args=args, start_timeout_s=240) as base:
        _wait_for(
            "both processes to start",
            lambda: [
                e for e in _log(tmp_path) if e.get("message") == "Application startup complete."
            ][1:],
        )
        runners = _runners(tmp_path)
        assert len(runners) == 1, runners  # one runner, not one per process

        first = _evaluate(base)
        assert (first["status"], first["progress"]["done"]) == ("completed", 4), first

        os.kill(runners[0], signal.SIGKILL)
        _wait_for("the runner to die", lambda: not _alive(runners[0]))
        taken = _wait_for("another process to take over", lambda: _runners(tmp_path)[1:])
        assert taken[0] != runners[0]

        second = _evaluate(base)
        assert (second["status"], second["progress"]["done"]) == ("completed", 4), second
        for _ in range(20):  # every request answered, whichever process takes it
            assert httpx.get(f"{base}/api/v1/prompts", timeout=30).status_code == 200
