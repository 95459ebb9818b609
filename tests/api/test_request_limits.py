"""The app's request hygiene, wired as a user runs it: bodies over the limit get a 413
problem before they are read, callers over their rate get a 429 problem with Retry-After
(per key, and per address for failed sign-ins), and CORS answers the configured origins."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.identity import service
from autoforge.identity.caller import local_caller
from autoforge.identity.schemas import KeyCreate

API = "/api/v1"
PROBLEM = "application/problem+json"


def app_with(container: Container, **settings: Any) -> TestClient:
    changed = container.settings.model_copy(update=settings)
    return TestClient(create_app(dataclasses.replace(container, settings=changed)))


def key(container: Container) -> dict[str, str]:
    made = container.database.run(
        lambda uow: service.create_key(uow, local_caller(), KeyCreate(role="member"))
    )
    return {"Authorization": f"Bearer {made.secret}"}


@pytest.fixture
def limited(file_container: Container) -> Iterator[tuple[TestClient, Container]]:
    with app_with(
        file_container, auth_mode="required", rate_limit_key="3/minute", rate_limit_ip="2/minute"
    ) as client:
        yield client, file_container


def test_a_body_over_the_limit_is_refused_with_413(file_container: Container) -> None:
    with app_with(file_container, max_body_bytes=1024) as client:
        big = client.post(
            f"{API}/prompts",
            content=b'{"name": "' + b"x" * 4096 + b'"}',
            headers={"content-type": "application/json"},
        )
        small = client.post(f"{API}/prompts", json={"name": "p", "title": "t", "content": "c"})

    assert big.status_code == 413
    assert big.headers["content-type"] == PROBLEM
    assert "1024" in big.json()["detail"]
    assert small.status_code == 201


def test_a_key_over_its_rate_gets_429_with_retry_after(
    limited: tuple[TestClient, Container],
) -> None:
    client, container = limited
    mine, other = key(container), key(container)

    answers = [client.get(f"{API}/prompts", headers=mine).status_code for _ in range(4)]
    refused = client.get(f"{API}/prompts", headers=mine)

    assert answers == [200, 200, 200, 429]
    assert refused.headers["content-type"] == PROBLEM
    assert int(refused.headers["retry-after"]) >= 1
    assert "per-API-key" in refused.json()["detail"]
    assert mine["Authorization"].split(" ")[1] not in refused.text
    assert client.get(f"{API}/prompts", headers=other).status_code == 200


def test_guessing_keys_costs_the_address_its_budget(limited: tuple[TestClient, Container]) -> None:
    client, _ = limited
    wrong = {"Authorization": "Bearer sk-afn-" + "0" * 48}

    answers = [client.get(f"{API}/prompts", headers=wrong).status_code for _ in range(3)]

    assert answers == [401, 401, 429]


def test_cors_answers_the_configured_origins_only(file_container: Container) -> None:
    with app_with(file_container, cors_origins=["https://ui.example"]) as client:
        allowed = client.options(
            f"{API}/prompts",
            headers={"Origin": "https://ui.example", "Access-Control-Request-Method": "GET"},
        )
        other = client.get(f"{API}/prompts", headers={"Origin": "https://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == "https://ui.example"
    assert "access-control-allow-origin" not in other.headers
