"""`/api/v1/dashboard`: totals and daily series computed from what is really stored."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.llm.fake import FakeModelClient
from tests.api.test_evaluations_api import answer, finished, start
from tests.support.evaluations import items, seed_dataset
from tests.support.gateway import make_gateway

MODEL = "fake/primary"


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    gateway = make_gateway(
        file_container.database, FakeModelClient(reply=answer), default_model=MODEL, max_retries=0
    )
    container = dataclasses.replace(file_container, gateway=gateway)
    seed_dataset(container.database, "numbers", items(10))
    with TestClient(create_app(container)) as client:
        yield client
    gateway.close()


def test_an_empty_project_has_zero_totals_and_no_days(client: TestClient) -> None:
    body = client.get("/api/v1/dashboard").json()

    assert body["totals"]["prompts"] == 0
    assert body["totals"]["evaluations"] == 0
    assert body["totals"]["model_calls"] == 0
    assert body["evaluations"] == []
    assert body["calls"] == []


def test_totals_and_series_follow_prompts_evaluations_and_calls(client: TestClient) -> None:
    ids = {}
    for name in ("p", "q", "gone"):
        created = client.post(
            "/api/v1/prompts", json={"name": name, "title": name, "content": "Is {{text}}?"}
        )
        assert created.status_code == 201
        ids[name] = created.json()["id"]
    prompt_id = ids["q"]
    activated = client.post(f"/api/v1/prompts/{prompt_id}/status", json={"status": "active"})
    assert activated.status_code == 200
    assert client.delete(f"/api/v1/prompts/{ids['gone']}").status_code == 204

    evaluation_id = start(client).json()["evaluations"][0]["id"]
    evaluation = finished(client, evaluation_id)
    assert evaluation["status"] == "completed"
    client.app.state.container.gateway.flush()  # type: ignore[attr-defined]

    body = client.get("/api/v1/dashboard").json()

    totals = body["totals"]
    assert (totals["prompts"], totals["active_prompts"]) == (2, 1)  # the deleted one is out
    assert totals["datasets"] == 1
    assert totals["evaluations"] == 1
    assert totals["model_calls"] == 10
    today = datetime.now(UTC).date().isoformat()
    [day] = body["evaluations"]
    assert day["day"] == today
    assert (day["evaluations"], day["completed"]) == (1, 1)
    assert day["avg_score"] == pytest.approx(evaluation["overall_score"])
    assert day["avg_accuracy"] == pytest.approx(evaluation["accuracy_score"])
    [calls] = body["calls"]
    assert (calls["day"], calls["calls"], calls["cache_hits"]) == (today, 10, 0)
    assert calls["avg_latency_ms"] is not None


def test_the_window_is_validated(client: TestClient) -> None:
    response = client.get("/api/v1/dashboard", params={"days": 0})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
