"""Observability across real processes: two servers on one data dir report summed metrics,
slow statements from both are reported by `autoforge db slow-queries`, and spans reach a
real OTLP/HTTP receiver with request → statement, request → model call and job → model
call parent links; a job's log lines carry the id of the request that queued it."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.support.cli import Cli
from tests.support.fake_model import FakeModel
from tests.support.redis import RedisServer
from tests.support.server import autoforge, served, server_env, with_fake

MODEL = "fake/echo"
COUNT = "autoforge_http_request_duration_seconds_count"


@dataclass(frozen=True)
class Span:
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, Any]


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


class Receiver:
    """A real OTLP/HTTP (protobuf) trace endpoint that keeps what it is sent."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportTraceServiceRequest.FromString(body)
                with receiver.lock:
                    for resource in request.resource_spans:
                        for scope in resource.scope_spans:
                            receiver.spans.extend(
                                Span(
                                    s.name,
                                    s.trace_id.hex(),
                                    s.span_id.hex(),
                                    s.parent_span_id.hex(),
                                    {a.key: _value(a.value) for a in s.attributes},
                                )
                                for s in scope.spans
                            )
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, found: Callable[[list[Span]], list[Span]], timeout_s: float = 60) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                matches = found(list(self.spans))
            if matches:
                return matches
            time.sleep(0.05)
        raise AssertionError("the expected spans never arrived")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.server.shutdown()


def _count(text: str, route: str) -> float:
    labels = f'method="GET",route="{route}",status="200"'
    for line in text.splitlines():
        if line.startswith(COUNT + "{") and labels in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_two_servers_on_one_data_dir_report_the_sum_of_their_counts(tmp_path: Path) -> None:
    env = server_env(tmp_path, SLOW_QUERY_MS="0", REDIS_URL="")
    with (
        served(tmp_path, env, fake=FakeModel()) as first,
        served(tmp_path, env, fake=FakeModel()) as second,
    ):
        for _ in range(3):
            assert httpx.get(f"{first}/api/v1/datasets").status_code == 200
        for _ in range(4):
            assert httpx.get(f"{second}/api/v1/datasets").status_code == 200

        from_first = httpx.get(f"{first}/metrics").text
        from_second = httpx.get(f"{second}/metrics").text

    assert _count(from_first, "/api/v1/datasets") == 7
    assert _count(from_second, "/api/v1/datasets") == 7
    # Both kept their slow statements (every one, at SLOW_QUERY_MS=0) in one file.
    worst = [json.loads(line) for line in Cli(tmp_path).ok("db", "slow-queries", "--json",
             "--limit", "50").stdout.splitlines()]  # fmt: skip
    datasets = [w for w in worst if w["table"] == "datasets" and w["shape"].startswith("SELECT")]
    assert datasets, worst
    assert datasets[0]["count"] >= 7
    assert datasets[0]["top_caller"].startswith("autoforge/datasets/")
    readable = Cli(tmp_path).ok("db", "slow-queries").stdout
    assert readable.startswith("1. ")
    assert "called from autoforge/" in readable


def _sample(text: str, name: str, labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and labels in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _evaluate(api: httpx.Client, request_id: str) -> str:
    """Starts an evaluation of a new prompt on a new two-case dataset; its id."""
    assert api.post(
        "/api/v1/prompts", json={"name": "obs-prompt", "title": "t", "content": "Is {{x}}?"}
    ).is_success
    items = [{"input": {"x": "a"}, "expected": "a"}, {"input": {"x": "b"}, "expected": "b"}]
    assert api.post("/api/v1/datasets", json={"name": "obs-data", "items": items}).is_success
    started = api.post(
        "/api/v1/evaluations",
        json={"prompt_name": "obs-prompt", "dataset_name": "obs-data", "models": [MODEL]},
        headers={"X-Request-ID": request_id},
    )
    assert started.status_code == 202, started.text
    return str(started.json()["evaluations"][0]["id"])


def test_a_celery_worker_s_jobs_show_in_the_server_s_metrics_and_carry_the_request_id(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    # SLOW_QUERY_MS=0: every statement is logged, so the job's own lines are sure to exist.
    env = server_env(
        tmp_path, REDIS_URL=redis_server.url, LLM_DEFAULT_MODEL=MODEL, SLOW_QUERY_MS="0"
    )
    with served(tmp_path, env, fake=FakeModel()) as base, httpx.Client(base_url=base) as api:
        worker = subprocess.Popen(
            [*autoforge(FakeModel()), "worker", "--concurrency", "1"],
            env=with_fake(env, FakeModel()),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "worker.log").open("w"),
        )
        try:
            evaluation = _evaluate(api, "queued-for-celery")
            deadline = time.monotonic() + 120
            while api.get(f"/api/v1/evaluations/{evaluation}").json()["status"] != "completed":
                assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
                time.sleep(0.1)
            text = api.get("/metrics").text
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    # The server ran no job (REDIS_URL set): what /metrics shows was counted by the worker.
    done = 'kind="evaluation",outcome="completed"'
    assert _sample(text, "autoforge_job_duration_seconds_count", done) == 1
    ok = f'model="{MODEL}",provider="fake",status="ok"'
    assert _sample(text, "autoforge_llm_calls_total", ok) >= 2
    lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines()
             if line.startswith("{")]  # fmt: skip
    assert any(
        line.get("job_id") and line.get("request_id") == "queued-for-celery" for line in lines
    )


def _one(spans: list[Span], name: str) -> list[Span]:
    return [s for s in spans if s.name == name]


def test_spans_link_requests_statements_jobs_and_model_calls(
    tmp_path: Path, receiver: Receiver
) -> None:
    env = server_env(
        tmp_path,
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
        OTEL_BSP_SCHEDULE_DELAY="50",
        SLOW_QUERY_MS="0",  # every statement logged: the job's lines are sure to exist
        REDIS_URL="",
        LLM_DEFAULT_MODEL=MODEL,
    )
    with served(tmp_path, env, fake=FakeModel()) as base, httpx.Client(base_url=base) as api:
        prompt = api.post(
            "/api/v1/prompts", json={"name": "span-prompt", "title": "t", "content": "Is {{x}}?"}
        ).json()
        ran = api.post(
            f"/api/v1/prompts/{prompt['id']}/run",
            json={"variables": {"x": "y"}, "model": MODEL, "no_cache": True},
        )
        assert ran.status_code == 200, ran.text
        dataset = api.post(
            "/api/v1/datasets",
            json={"name": "span-data", "items": [{"input": {"x": "a"}, "expected": "a"}]},
        )
        assert dataset.status_code == 201, dataset.text
        started = api.post(
            "/api/v1/evaluations",
            json={"prompt_name": "span-prompt", "dataset_name": "span-data", "models": [MODEL]},
            headers={"X-Request-ID": "queued-by-this-request"},
        )
        assert started.status_code == 202, started.text

        receiver.wait_for(lambda spans: _one(spans, "INSERT prompts"))
        [run_request] = receiver.wait_for(
            lambda spans: _one(spans, "POST /api/v1/prompts/{prompt_id}/run")
        )
        model_spans = receiver.wait_for(
            lambda spans: [s for s in spans if s.attributes.get("gen_ai.request.model") == MODEL]
        )
        [job] = receiver.wait_for(lambda spans: _one(spans, "job evaluation"))
        spans = receiver.wait_for(
            lambda spans: spans if len({s.parent_id for s in spans} & {job.span_id}) else []
        )
        log = (tmp_path / "server.log").read_text()

    # A request span is the parent of its statements and of its model call.
    assert run_request.attributes["http.route"] == "/api/v1/prompts/{prompt_id}/run"
    assert run_request.attributes["http.response.status_code"] == 200
    [create] = _one(spans, "POST /api/v1/prompts")
    statements = [s for s in spans if s.parent_id == create.span_id]
    assert "INSERT prompts" in {s.name for s in statements}
    assert all(s.attributes["db.system.name"] == "sqlite" for s in statements)
    assert all(s.trace_id == create.trace_id for s in statements)
    [call] = [s for s in model_spans if s.parent_id == run_request.span_id]
    assert call.attributes["gen_ai.prompt.name"] == "span-prompt"
    assert call.attributes["gen_ai.prompt.version"] == "1"
    # The job span is the parent of the model calls of its cases, and knows its request.
    assert job.attributes["autoforge.request_id"] == "queued-by-this-request"
    assert any(s.parent_id == job.span_id for s in model_spans + spans)
    case_calls = [s for s in spans if s.parent_id == job.span_id and "gen_ai.request.model" in
                  s.attributes]  # fmt: skip
    assert case_calls
    assert {s.attributes.get("gen_ai.prompt.name") for s in case_calls} == {"span-prompt"}
    # The job's own log lines carry the id of the request that queued it.
    job_lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(
        line.get("job_id") and line.get("request_id") == "queued-by-this-request"
        for line in job_lines
    )
