"""`kill -9` of the local model's process under a real `autoforge serve`: the call in flight
gets a 503 problem naming the model and the signal, the server answers throughout, the next
call succeeds, and an evaluation running at that moment completes with every case scored
once (the crashed case is asked again, not scored as failed)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from autoforge.bootstrap import Container
from autoforge.llm.local_model import GATEWAY_NAME, GGUF_FILE, ensure_model_file
from tests.support.server import served, server_env

API = "/api/v1"
COUNTING = "1, 2, 3, 4, 5, 6, 7, 8,"  # a base model goes on counting: a long answer for sure
CASES = 10

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def http(
    tmp_path_factory: pytest.TempPathFactory, file_container_session: Container
) -> Iterator[httpx.Client]:
    data_dir = tmp_path_factory.mktemp("model-crash")
    model_file = ensure_model_file(file_container_session.settings.data_dir / "models" / GGUF_FILE)
    env = server_env(data_dir, LOCAL_MODEL_PATH=str(model_file), REDIS_URL="")
    with served(data_dir, env) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client


class LivenessProbe:
    """Polls /health/live on a thread of its own and keeps every answer."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http
        self.answers: list[int | str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def __enter__(self) -> LivenessProbe:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.answers.append(self._http.get("/health/live", timeout=5).status_code)
            except httpx.HTTPError as exc:
                self.answers.append(type(exc).__name__)
            self._stop.wait(0.05)


def local_model(http: httpx.Client) -> dict[str, Any]:
    models = http.get(f"{API}/models").json()
    found: dict[str, Any] = next(m for m in models if m["name"] == GATEWAY_NAME)
    return found


def wait_for(condition: Any, what: str, timeout_s: float = 120) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def run(http: httpx.Client, max_tokens: int) -> httpx.Response:
    body = {"params": {"max_tokens": max_tokens, "temperature": 0}, "no_cache": True}
    return http.post(f"{API}/prompts/by-name/counting/run", json=body)


def kill_the_model(http: httpx.Client) -> int:
    pid = int(local_model(http)["process"]["pid"])
    os.kill(pid, signal.SIGKILL)
    return pid


def test_a_killed_model_fails_the_call_in_flight_and_only_that(http: httpx.Client) -> None:
    http.post(f"{API}/prompts", json={"name": "counting", "title": "c", "content": COUNTING})
    assert run(http, 2).status_code == 200  # the child is up and warm
    responses: list[httpx.Response] = []

    with LivenessProbe(http) as probe:
        call = threading.Thread(target=lambda: responses.append(run(http, 1500)))
        call.start()
        wait_for(lambda: local_model(http)["running"] == 1, "the long call to start")
        time.sleep(1.0)  # well into the generation of 1,500 tokens
        victim = kill_the_model(http)
        call.join(60)
        after = run(http, 4)

    crashed = responses[0]
    assert crashed.status_code == 503, crashed.text
    assert crashed.headers["content-type"] == "application/problem+json"
    problem = crashed.json()
    assert problem["title"] == "Model process crashed"
    assert "SIGKILL" in problem["detail"]
    assert GATEWAY_NAME in problem["detail"]
    assert after.status_code == 200, after.text
    assert probe.answers
    assert set(probe.answers) == {200}
    process = local_model(http)["process"]
    assert process["state"] == "ready"
    assert process["pid"] != victim
    assert process["crashes"] >= 1
    assert process["last_exit"] == "SIGKILL (killed)"


def test_an_evaluation_survives_a_killed_model(http: httpx.Client) -> None:
    http.post(f"{API}/prompts", json={"name": "judged", "title": "j", "content": "{{text}}"})
    items = [
        {"input": {"text": f"{i}, {i + 1}, {i + 2},"}, "expected": str(i + 3)} for i in range(CASES)
    ]
    created = http.post(f"{API}/datasets", json={"name": "numbers", "items": items})
    assert created.status_code == 201, created.text
    body = {
        "prompt_name": "judged",
        "dataset_name": "numbers",
        "params": {"max_tokens": 48, "temperature": 0},
        "no_cache": True,
        "concurrency": 1,
    }
    started = http.post(f"{API}/evaluations", json=body)
    assert started.status_code == 202, started.text
    evaluation_id = started.json()["evaluations"][0]["id"]

    def progress() -> dict[str, Any]:
        found: dict[str, Any] = http.get(f"{API}/evaluations/{evaluation_id}").json()
        return found

    wait_for(lambda: progress()["progress"]["done"] >= 2, "two cases scored")
    wait_for(lambda: local_model(http)["running"] == 1, "a case in flight")
    kill_the_model(http)
    final = wait_for(
        lambda: (p := progress())["status"] in ("completed", "failed") and p, "the end"
    )

    assert final["status"] == "completed", final.get("error")
    results = http.get(f"{API}/evaluations/{evaluation_id}/results", params={"limit": 500})
    rows = results.json()["items"]
    assert len(rows) == CASES
    assert len({row["test_case_name"] for row in rows}) == CASES
    assert [row["error"] for row in rows] == [None] * CASES
    assert all(row["output"] is not None for row in rows)
    assert local_model(http)["process"]["crashes"] >= 2
