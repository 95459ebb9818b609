"""Issue #19: an unknown price is unknown, not $0. A real server whose fake has no price
for two models, one of which LLM_PRICES prices; then evaluations and optimizations in the
app's own process."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.pricing import Price, Pricing
from tests.api.test_evaluations_api import answer
from tests.api.test_evaluations_api import finished as evaluation_finished
from tests.api.test_metrics import SCRAPE, TOKEN
from tests.api.test_optimizations_api import BODY
from tests.api.test_optimizations_api import finished as optimization_finished
from tests.support.evaluations import items, seed_dataset
from tests.support.fake_model import FakeModel
from tests.support.gateway import make_gateway
from tests.support.optimizations import TARGET, with_oracle
from tests.support.server import served, server_env

CUSTOM = "fake/custom"  # no price anywhere
SELF_HOSTED = "fake/self-hosted"  # no price in the client's table, but in LLM_PRICES
PRICES = {SELF_HOSTED: {"input": 2.0, "output": 4.0}}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data_dir: Path = tmp_path_factory.mktemp("unpriced")
    env = server_env(data_dir, METRICS_TOKEN=TOKEN, REDIS_URL="", LLM_PRICES=json.dumps(PRICES))
    fake = FakeModel(unpriced=(CUSTOM, SELF_HOSTED))
    with served(data_dir, env, fake=fake) as base, httpx.Client(base_url=base, timeout=30) as api:
        created = api.post(
            "/api/v1/prompts", json={"name": "greeter", "title": "G", "content": "Greet {{name}}."}
        )
        assert created.status_code == 201, created.text
        yield api


def run(api: httpx.Client, model: str) -> Any:
    response = api.post(
        "/api/v1/prompts/by-name/greeter/run",
        json={"variables": {"name": "Ada"}, "model": model, "no_cache": True},
    )
    assert response.status_code == 200, response.text
    return response.json()


def trace(api: httpx.Client, model: str) -> Any:
    listed = api.get("/api/v1/traces", params={"model": model}).json()["items"]
    assert len(listed) >= 1
    return listed[0]


def unpriced_samples(text: str) -> float:
    lines = [line for line in text.splitlines() if line.startswith("autoforge_llm_unpriced_calls")]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines if "_created" not in line)


def test_an_unpriced_call_shows_no_cost_and_the_flag(api: httpx.Client) -> None:
    before = unpriced_samples(api.get("/metrics", headers=SCRAPE).text)

    usage = run(api, CUSTOM)["usage"]
    shown = trace(api, CUSTOM)

    assert (usage["cost_usd"], usage["unpriced"]) == (None, True)
    assert (shown["cost_usd"], shown["unpriced"]) == (None, True)
    assert shown["tokens_out"] > 0
    chat = api.post(
        "/v1/chat/completions",
        json={"model": CUSTOM, "messages": [{"role": "user", "content": "hi"}]},
    )
    assert chat.status_code == 200, chat.text
    assert (chat.json()["autoforge"]["cost_usd"], chat.json()["autoforge"]["unpriced"]) == (
        None,
        True,
    )
    after = unpriced_samples(api.get("/metrics", headers=SCRAPE).text)
    assert after == before + 2
    totals = api.get("/api/v1/dashboard").json()["totals"]
    assert totals["unpriced_calls"] >= 1


def test_llm_prices_in_the_environment_prices_a_model(api: httpx.Client) -> None:
    usage = run(api, SELF_HOSTED)["usage"]
    shown = trace(api, SELF_HOSTED)

    expected = (usage["tokens_in"] * 2.0 + usage["tokens_out"] * 4.0) / 1e6
    assert usage["unpriced"] is False
    assert usage["cost_usd"] == pytest.approx(expected)
    assert expected > 0
    assert (shown["cost_usd"], shown["unpriced"]) == (pytest.approx(expected), False)


def test_the_dashboard_counts_unpriced_calls_apart_from_the_cost(api: httpx.Client) -> None:
    before = api.get("/api/v1/dashboard").json()

    run(api, CUSTOM)
    run(api, "fake/primary")  # priced by the fake, at $0
    after = api.get("/api/v1/dashboard").json()

    totals = after["totals"]
    assert totals["unpriced_calls"] == before["totals"]["unpriced_calls"] + 1
    assert totals["model_calls"] == before["totals"]["model_calls"] + 2
    assert totals["cost_usd"] == pytest.approx(before["totals"]["cost_usd"])
    assert sum(day["unpriced_calls"] for day in after["calls"]) == totals["unpriced_calls"]


@pytest.fixture
def local(file_container: Container) -> Iterator[TestClient]:
    fake = FakeModelClient(reply=answer, cost_per_token=0.001, unpriced=[CUSTOM])
    gateway = make_gateway(file_container.database, fake, default_model="fake/primary")
    container = dataclasses.replace(file_container, gateway=gateway)
    seed_dataset(container.database, "numbers", items(6))
    with TestClient(create_app(container)) as client:
        created = client.post(
            "/api/v1/prompts", json={"name": "p", "title": "p", "content": "Is {{text}}?"}
        )
        assert created.status_code == 201
        yield client
    gateway.close()


def test_evaluation_totals_count_the_unpriced_calls(local: TestClient) -> None:
    body = {"prompt_name": "p", "dataset_name": "numbers", "models": [CUSTOM, "fake/primary"]}
    started = local.post("/api/v1/evaluations", json=body)
    assert started.status_code == 202, started.text
    unpriced_id, priced_id = (e["id"] for e in started.json()["evaluations"])

    unpriced = evaluation_finished(local, unpriced_id)
    priced = evaluation_finished(local, priced_id)

    assert unpriced["status"] == priced["status"] == "completed"
    assert (unpriced["unpriced_calls"], unpriced["total_cost_usd"]) == (6, 0.0)
    assert priced["unpriced_calls"] == 0
    assert priced["total_cost_usd"] > 0
    results = local.get(f"/api/v1/evaluations/{unpriced_id}/results").json()["items"]
    assert [(r["cost_usd"], r["unpriced"]) for r in results] == [(None, True)] * 6
    priced_results = local.get(f"/api/v1/evaluations/{priced_id}/results").json()["items"]
    assert all(r["cost_usd"] > 0 and r["unpriced"] is False for r in priced_results)


@pytest.fixture
def oracle(file_container: Container) -> Iterator[tuple[Container, FakeModelClient]]:
    container, fake = with_oracle(file_container)
    fake.unpriced = {TARGET}
    yield container, fake
    container.gateway.close()


def test_a_usd_budget_on_an_unpriced_model_is_refused_at_start(
    oracle: tuple[Container, FakeModelClient],
) -> None:
    container, fake = oracle
    with TestClient(create_app(container)) as client:
        refused = client.post("/api/v1/optimizations", json={**BODY, "budget": {"usd": 1.0}})
        unbudgeted = client.post("/api/v1/optimizations", json={**BODY, "budget": {"calls": 5}})

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert f"The model {TARGET} has no known price" in problem["detail"]
    assert "LLM_PRICES='{\"" + TARGET + '": {"input": 0.5' in problem["detail"]
    assert problem["errors"][0]["field"] == "budget.usd"
    assert unbudgeted.status_code == 202  # only a USD budget needs a price
    assert fake.calls_to(TARGET) <= 5


def test_with_llm_prices_the_usd_budget_is_accepted_and_stops_the_run(
    oracle: tuple[Container, FakeModelClient],
) -> None:
    container, fake = oracle
    # A cent a token (~$0.15 a call): $6 buys the baseline's 16 calls, not a whole search.
    container.gateway.pricing = Pricing({TARGET: Price(1e4, 1e4)}, fake.price)
    with TestClient(create_app(container)) as client:
        started = client.post("/api/v1/optimizations", json={**BODY, "budget": {"usd": 6.0}})
        assert started.status_code == 202, started.text
        done = optimization_finished(client, started.json()["id"])

    assert (done["status"], done["stop_reason"]) == ("completed", "budget_usd"), done
    # Stopped once $6 was reached: in-flight calls may add one call's cost each.
    assert 6.0 <= done["cost_usd"] < 6.0 + 4 * 1.0
    assert done["calls_used"] == fake.calls_to(TARGET) < 3000


def test_an_optimization_counts_its_unpriced_calls_beside_its_cost(
    oracle: tuple[Container, FakeModelClient],
) -> None:
    container, fake = oracle
    with TestClient(create_app(container)) as client:
        started = client.post("/api/v1/optimizations", json={**BODY, "budget": {"calls": 40}})
        assert started.status_code == 202, started.text
        done = optimization_finished(client, started.json()["id"])

    assert done["status"] == "completed", done
    # Every call went to the unpriced model: none of them is in the cost, all are counted.
    assert done["calls_used"] == fake.calls_to(TARGET) > 0
    assert done["unpriced_calls"] == done["calls_used"]
    assert done["cost_usd"] == 0.0
    assert done["progress"]["unpriced_calls"] == done["unpriced_calls"]
