"""Running stored prompts over HTTP: rendering, version choice, traces, clear errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.llm.errors import ModelTimeout
from autoforge.llm.fake import FakeModelClient
from tests.support.gateway import make_gateway

MODEL = "fake/primary"


@pytest.fixture
def fake() -> FakeModelClient:
    return FakeModelClient()


@pytest.fixture
def client(file_container: Container, fake: FakeModelClient) -> Iterator[TestClient]:
    gateway = make_gateway(file_container.database, fake, default_model=MODEL, max_retries=0)
    with TestClient(create_app(dataclasses.replace(file_container, gateway=gateway))) as client:
        yield client
    gateway.close()


def make_prompt(client: TestClient, content: str = "Greet {{name}} from {{city}}.") -> Any:
    created = client.post(
        "/api/v1/prompts", json={"name": "greeter", "title": "Greeter", "content": content}
    )
    assert created.status_code == 201, created.text
    return created.json()


def test_run_renders_calls_the_model_and_records_a_trace(
    client: TestClient, fake: FakeModelClient
) -> None:
    prompt = make_prompt(client)
    response = client.post(
        f"/api/v1/prompts/{prompt['id']}/run",
        json={"variables": {"name": "Ana", "city": "Lisbon"}, "params": {"temperature": 0}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rendered"] == "Greet Ana from Lisbon."
    assert body["version"] == 1
    assert body["model"] == MODEL
    assert body["output"]
    assert body["usage"]["cache_hit"] is False
    assert fake.calls[-1].messages == [{"role": "user", "content": "Greet Ana from Lisbon."}]
    traces = client.get("/api/v1/traces", params={"prompt_id": prompt["id"]}).json()
    items = traces["items"] if isinstance(traces, dict) else traces
    assert [t["id"] for t in items] == [body["trace_id"]]
    assert items[0]["prompt_version"] == 1
    assert items[0]["variables"] == {"name": "Ana", "city": "Lisbon"}


def test_a_repeated_deterministic_run_is_a_cache_hit(
    client: TestClient, fake: FakeModelClient
) -> None:
    prompt = make_prompt(client)
    body = {"variables": {"name": "Ana", "city": "Lisbon"}, "params": {"temperature": 0}}
    first = client.post(f"/api/v1/prompts/{prompt['id']}/run", json=body).json()
    second = client.post(f"/api/v1/prompts/{prompt['id']}/run", json=body).json()
    assert len(fake.calls) == 1
    assert second["usage"]["cache_hit"] is True
    assert second["output"] == first["output"]
    bypass = client.post(f"/api/v1/prompts/{prompt['id']}/run", json={**body, "no_cache": True})
    assert bypass.json()["usage"]["cache_hit"] is False
    assert len(fake.calls) == 2


def test_run_by_name_uses_the_labelled_version(client: TestClient) -> None:
    prompt = make_prompt(client, "Version one for {{name}}.")
    edited = client.patch(
        f"/api/v1/prompts/{prompt['id']}",
        json={"content": "Version two for {{name}}.", "base_version": 1},
    )
    assert edited.status_code == 200, edited.text
    labelled = client.put(f"/api/v1/prompts/{prompt['id']}/labels/production", json={"version": 1})
    assert labelled.status_code == 200, labelled.text
    run = client.post(
        "/api/v1/prompts/by-name/greeter/run",
        json={"label": "production", "variables": {"name": "Bo"}},
    ).json()
    assert (run["version"], run["rendered"]) == (1, "Version one for Bo.")
    latest = client.post("/api/v1/prompts/by-name/greeter/run", json={"variables": {"name": "Bo"}})
    assert latest.json()["rendered"] == "Version two for Bo."
    pinned = client.post(
        "/api/v1/prompts/by-name/greeter/run", json={"version": 1, "variables": {"name": "Bo"}}
    )
    assert pinned.json()["rendered"] == "Version one for Bo."


def test_local_models_get_a_plain_completion_by_default(
    client: TestClient, fake: FakeModelClient
) -> None:
    prompt = make_prompt(client, "Review: {{text}}\nSentiment:")
    response = client.post(
        f"/api/v1/prompts/{prompt['id']}/run",
        json={"variables": {"text": "great"}, "model": "local/gemma-3-270m", "mode": "auto"},
    )
    assert response.status_code == 200, response.text
    assert fake.calls[-1].prompt == "Review: great\nSentiment:"
    assert fake.calls[-1].messages is None


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"name": "Ana"}, "variables.city"),
        ({"name": "Ana", "city": "Lisbon", "country": "PT"}, "variables.country"),
    ],
)
def test_missing_or_unknown_variables_are_a_422_naming_them(
    client: TestClient, fake: FakeModelClient, variables: dict[str, str], field: str
) -> None:
    prompt = make_prompt(client)
    response = client.post(f"/api/v1/prompts/{prompt['id']}/run", json={"variables": variables})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert fake.calls == []


def test_errors_are_problems(client: TestClient, fake: FakeModelClient) -> None:
    missing = client.post("/api/v1/prompts/by-name/nope/run", json={})
    assert missing.status_code == 404
    assert "nope" in missing.json()["detail"]
    prompt = make_prompt(client, "Hello.")
    both = client.post(
        f"/api/v1/prompts/{prompt['id']}/run", json={"version": 1, "label": "production"}
    )
    assert both.status_code == 422
    fake.fail(MODEL, ModelTimeout(f"{MODEL}: no answer within 1 s"))
    timeout = client.post(f"/api/v1/prompts/{prompt['id']}/run", json={"no_cache": True})
    assert timeout.status_code == 504
    assert timeout.headers["content-type"] == "application/problem+json"
