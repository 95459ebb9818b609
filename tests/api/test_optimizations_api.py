"""`/api/v1/optimizations` over HTTP, with the app's own in-process worker running the jobs
and the sentiment oracle as the target model."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from tests.api.test_evaluations_api import sse
from tests.support.optimizations import with_oracle

BODY = {"prompt": "review", "dataset": "sentiment", "budget": {"calls": 3000}}


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    container, _ = with_oracle(file_container)
    with TestClient(create_app(container)) as client:
        yield client
    container.gateway.close()


def finished(client: TestClient, optimization_id: str, timeout_s: float = 30) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/optimizations/{optimization_id}").json()
        if body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError("optimization did not finish")


def test_post_answers_202_then_the_worker_completes_it(client: TestClient) -> None:
    response = client.post("/api/v1/optimizations", json={**BODY, "strategy": "genetic"})

    assert response.status_code == 202, response.text
    started = response.json()
    assert started["status"] == "pending"
    assert started["strategy"] == "genetic"
    assert response.headers["Location"] == f"/api/v1/optimizations/{started['id']}"
    done = finished(client, started["id"])
    assert done["status"] == "completed", done["error"]
    assert done["progress"]["calls"] == done["calls_used"] <= 3000
    # The oracle answers right only with a cue and demonstrations of both labels: a working
    # search finds that and gets every held-out case right from a start that gets none.
    assert (done["baseline_test"], done["best_test"]) == (0.0, 1.0)
    assert done["best_val"] == 1.0
    assert done["best_version"] == 2
    prompt = client.get(f"/api/v1/prompts/{done['prompt_id']}").json()
    assert prompt["content"] == done["best_template"]
    assert prompt["version"] == 2
    history = client.get(f"/api/v1/optimizations/{started['id']}/candidates?limit=2").json()
    assert [c["position"] for c in history["items"]] == [0, 1]
    more = client.get(
        f"/api/v1/optimizations/{started['id']}/candidates?after={history['next_cursor']}"
    ).json()
    assert more["items"][0]["position"] == 2
    listed = client.get("/api/v1/optimizations").json()
    assert [o["id"] for o in listed["items"]] == [started["id"]]


def test_events_stream_progress_and_end_at_completed(client: TestClient) -> None:
    started = client.post("/api/v1/optimizations", json=BODY).json()

    with client.stream("GET", f"/api/v1/optimizations/{started['id']}/events") as stream:
        text = "".join(stream.iter_text())

    events = sse(text)
    names = [name for name, _ in events]
    assert names[0] == "progress"
    assert names[-1] == "completed"
    assert set(names[:-1]) == {"progress"}
    final = events[-1][1]
    assert final["status"] == "completed"
    assert final["best_val"] is not None
    assert events[-2][1]["calls"] == final["calls_used"]


def test_unknown_ids_are_404_problems_and_bad_bodies_422(client: TestClient) -> None:
    for path in ("", "/candidates", "/events"):
        response = client.get(f"/api/v1/optimizations/nope{path}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = client.post("/api/v1/optimizations", json={**BODY, "prompt": "nope"})
    assert missing.status_code == 404
    bad = [
        {**BODY, "strategy": "annealing"},
        {**BODY, "budget": {"calls": 0}},
        {**BODY, "split": {"train": 0.8, "val": 0.5}},
        {**BODY, "unknown": 1},
    ]
    for body in bad:
        response = client.post("/api/v1/optimizations", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
