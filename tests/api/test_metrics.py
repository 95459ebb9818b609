"""`GET /metrics` of a real server: bounded labels (route templates, never ids), request
ids, model-call and database metrics, who may scrape, and the Grafana dashboard's queries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from autoforge.config import Settings
from autoforge.observability.router import refusal
from tests.support.fake_model import FakeModel
from tests.support.server import REPO, served, server_env

TOKEN = "scrape-token-for-tests"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}
DASHBOARD = REPO / "deploy" / "grafana" / "autoforge.json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("metrics")
    env = server_env(data_dir, METRICS_TOKEN=TOKEN, REDIS_URL="")
    with served(data_dir, env, fake=FakeModel()) as base:
        yield base, data_dir


@pytest.fixture(scope="module")
def api(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def prompt(api: httpx.Client) -> Any:
    created = api.post(
        "/api/v1/prompts",
        json={"name": "metric-greeter", "title": "Greeter", "content": "Greet {{name}}."},
    )
    assert created.status_code == 201, created.text
    return created.json()


def scrape(api: httpx.Client) -> str:
    response = api.get("/metrics", headers=SCRAPE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def sample(text: str, name: str, default: float | None = None, **labels: str) -> float:
    """The value of the one sample `name{labels...}` (labels given must all match)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name + ("{" if labels else "")):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    if default is not None:
        return default
    raise AssertionError(f"no sample {name} {labels}")


def test_requests_are_labelled_by_route_template_never_by_id(
    api: httpx.Client, prompt: Any
) -> None:
    assert api.get(f"/api/v1/prompts/{prompt['id']}").status_code == 200
    assert api.get("/api/v1/prompts/no-such-prompt-id").status_code == 404
    assert api.get("/no/such/place/at-all").status_code == 404

    text = scrape(api)

    count = "autoforge_http_request_duration_seconds_count"
    route = "/api/v1/prompts/{prompt_id}"
    assert sample(text, count, method="GET", route=route, status="200") >= 1
    assert sample(text, count, method="GET", route=route, status="404") >= 1
    # No route, or the web UI's files mounted at / (when built): one fixed label either way.
    fallback = sample(text, count, method="GET", route="unmatched", status="404", default=0)
    files = sample(text, count, method="GET", route="/{path:path}", status="404", default=0)
    assert fallback + files >= 1
    assert prompt["id"] not in text
    assert "no-such-prompt-id" not in text
    assert "at-all" not in text


def test_every_answer_carries_a_request_id(server: tuple[str, Path], api: httpx.Client) -> None:
    sent = api.get("/api/v1/prompts", headers={"X-Request-ID": "trace-me-42"})
    insane = api.get("/api/v1/prompts", headers={"X-Request-ID": "bad id with spaces"})
    refused = api.get("/metrics")  # a refusal too

    assert sent.headers["x-request-id"] == "trace-me-42"
    assert re.fullmatch(r"[0-9a-f]{32}", insane.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", refused.headers["x-request-id"])
    # The log lines of the request carry it (JSON lines: the server's stderr is a file).
    logged = [json.loads(line) for line in (server[1] / "server.log").read_text().splitlines()
              if line.startswith("{")]  # fmt: skip
    assert any(
        line.get("request_id") == "trace-me-42" and "/api/v1/prompts" in line["message"]
        for line in logged
    )


def test_model_calls_and_statements_are_counted(api: httpx.Client, prompt: Any) -> None:
    run = api.post(
        f"/api/v1/prompts/{prompt['id']}/run",
        json={"variables": {"name": "Ana"}, "model": "fake/echo", "no_cache": True},
    )
    assert run.status_code == 200, run.text

    text = scrape(api)

    labels = {"model": "fake/echo", "provider": "fake"}
    assert sample(text, "autoforge_llm_calls_total", **labels, status="ok") >= 1
    assert sample(text, "autoforge_llm_tokens_total", **labels, direction="in") > 0
    assert sample(text, "autoforge_llm_call_duration_seconds_count", **labels) >= 1
    select = {"operation": "select", "table": "prompts"}
    assert sample(text, "autoforge_db_query_duration_seconds_count", **select) >= 1
    assert sample(text, "autoforge_db_queries_total", status="ok") > 0
    assert sample(text, "autoforge_db_pool_capacity") > 0
    assert sample(text, "autoforge_jobs_queued", kind="evaluation") == 0
    assert sample(text, "autoforge_outbox_dead_letters") == 0
    assert sample(text, "autoforge_outbox_lag_seconds") >= 0


def test_scraping_needs_the_token_when_one_is_set(api: httpx.Client) -> None:
    missing = api.get("/metrics")
    wrong = api.get("/metrics", headers={"Authorization": "Bearer nope"})

    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert TOKEN not in refused.text


def _request(host: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/metrics", "headers": [],
                    "client": (host, 5555)})  # fmt: skip


class _Container:
    def __init__(self, **settings: Any) -> None:
        self.settings = Settings(_env_file=None, **settings)  # type: ignore[call-arg]


def test_without_a_token_required_mode_answers_only_loopback_clients() -> None:
    required = _Container(auth_mode="required")
    local = _Container(auth_mode="local")

    assert refusal(_request("127.0.0.1"), required) is None  # type: ignore[arg-type]
    assert refusal(_request("::1"), required) is None  # type: ignore[arg-type]
    refused = refusal(_request("10.1.2.3"), required)  # type: ignore[arg-type]
    assert refused is not None
    assert refused.status_code == 403
    assert refusal(_request("10.1.2.3"), local) is None  # type: ignore[arg-type]


def _exported(text: str) -> set[str]:
    """Every series name /metrics offers, by declared type (histograms and counters with
    the suffixes PromQL uses)."""
    names: set[str] = set()
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            # The text format declares counters with or without `_total`; samples have it.
            name = name.removesuffix("_total") if kind == "counter" else name
            names.update(name + suffix for suffix in suffixes.get(kind, ("",)))
    return names


def test_every_metric_the_dashboard_queries_exists(api: httpx.Client) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    queried = {name for expr in exprs for name in re.findall(r"\bautoforge_\w+", expr)}

    missing = queried - _exported(scrape(api))

    assert not missing, f"the dashboard queries metrics /metrics lacks: {sorted(missing)}"
    # What the dashboard is for: requests, model cost and tokens, caches, queue, SLOs.
    for needed in (
        "autoforge_http_request_duration_seconds_bucket",
        "autoforge_llm_cost_usd_total",
        "autoforge_llm_tokens_total",
        "autoforge_cache_events_total",
        "autoforge_jobs_queued",
        "autoforge_slo_violated",
    ):
        assert needed in queried
