"""Real OpenTelemetry clients against real `autoforge serve` processes that require keys: the
OTel SDK's own OTLP/HTTP exporter, the Langfuse SDK's tracing, and our own emission (one
server sends the spans of its model calls to another)."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from langfuse import Langfuse
from langfuse.api import Prompt_Text
from langfuse.model import TextPromptClient
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from tests.support.cli import Cli
from tests.support.fake_model import FakeModel
from tests.support.server import served, server_env


@dataclass
class Server:
    url: str
    public_key: str
    secret: str

    def basic(self) -> str:
        token = base64.b64encode(f"{self.public_key}:{self.secret}".encode()).decode()
        return f"Basic {token}"

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.secret}"}, timeout=30
        )

    def traces(self, **params: str) -> list[dict[str, Any]]:
        with self.api() as client:
            response = client.get("/api/v1/traces", params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


@contextmanager
def keyed_server(data_dir: Path, **env: str) -> Iterator[Server]:
    """`autoforge serve` requiring keys, with a member key pair made by `autoforge key create`
    on the same data; the fake model answers every model call."""
    made = Cli(data_dir).json("key", "create", "--role", "member", "--note", "otel")
    environment = server_env(data_dir, AUTH_MODE="required", REDIS_URL="", **env)
    with served(data_dir, environment, fake=FakeModel()) as url:
        yield Server(url, made["public_key"], made["secret"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with keyed_server(tmp_path_factory.mktemp("otel-receiver")) as running:
        yield running


def span_hex(span: Any) -> tuple[str, str]:
    context = span.get_span_context()
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def test_the_otel_sdk_exporter_sends_a_genai_span_that_becomes_a_trace(server: Server) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "checkout"}))
    exporter = OTLPSpanExporter(
        endpoint=f"{server.url}/v1/traces", headers={"Authorization": f"Bearer {server.secret}"}
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    tracer = provider.get_tracer("test.instrumentation")

    with tracer.start_as_current_span("POST /checkout", kind=SpanKind.SERVER):
        with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as call:
            call.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": "openai",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.usage.input_tokens": 42,
                    "gen_ai.usage.output_tokens": 17,
                }
            )
        with tracer.start_as_current_span("chat gpt-4o", kind=SpanKind.CLIENT) as failed:
            failed.set_attributes(
                {"gen_ai.request.model": "gpt-4o", "error.type": "RateLimitError"}
            )
            failed.set_status(Status(StatusCode.ERROR, "429 from the provider"))
    assert provider.force_flush()
    provider.shutdown()

    ingested = {t["span_id"]: t for t in server.traces() if t["source"] == "otlp"}
    trace_id, span_id = span_hex(call)
    stored = ingested[span_id]
    assert (stored["trace_id"], stored["model"], stored["provider"]) == (
        trace_id,
        "gpt-4o-mini",
        "openai",
    )
    assert (stored["tokens_in"], stored["tokens_out"], stored["error"]) == (42, 17, None)
    assert stored["latency_ms"] >= 0
    assert ingested[span_hex(failed)[1]]["error"] == "429 from the provider"
    # The server span of the request was accepted and is not a call.
    assert len([t for t in ingested.values() if t["trace_id"] == trace_id]) == 2


def test_the_langfuse_sdk_generation_lands_in_the_traces_linked_to_our_prompt(
    server: Server,
) -> None:
    with server.api() as client:
        created = client.post(
            "/api/v1/prompts",
            json={"name": "welcome", "title": "Welcome", "content": "Hello {{name}}"},
        )
    assert created.status_code == 201, created.text
    prompt = TextPromptClient(
        Prompt_Text(
            type="text",
            name="welcome",
            version=1,
            prompt="Hello {{name}}",
            config={},
            labels=["production"],
            tags=[],
        )
    )
    langfuse = Langfuse(public_key=server.public_key, secret_key=server.secret, host=server.url)
    generation = langfuse.start_observation(
        name="answer",
        as_type="generation",
        model="gpt-4.1-mini",
        input=[{"role": "user", "content": "Hello Ada"}],
        usage_details={"input": 9, "output": 4},
        cost_details={"total": 0.002},
        prompt=prompt,
    )
    generation.update(output="Hi! I am here.")
    generation.end()
    langfuse.flush()
    langfuse.shutdown()

    [stored] = [t for t in server.traces() if t["span_id"] == generation.id]
    assert (stored["source"], stored["trace_id"]) == ("otlp", generation.trace_id)
    assert (stored["model"], stored["tokens_in"], stored["tokens_out"]) == ("gpt-4.1-mini", 9, 4)
    assert stored["cost_usd"] == pytest.approx(0.002)
    assert stored["input"] == {"messages": [{"role": "user", "content": "Hello Ada"}]}
    assert stored["output"] == "Hi! I am here."
    assert (stored["prompt_name"], stored["prompt_version"]) == ("welcome", 1)
    assert stored["prompt_id"] == created.json()["id"]


def test_our_model_calls_are_sent_as_spans_to_another_server(
    server: Server, tmp_path: Path
) -> None:
    headers = f"Authorization={quote(server.basic())}"
    emitting = keyed_server(
        tmp_path,
        OTEL_EXPORTER_OTLP_ENDPOINT=f"{server.url}/api/public/otel",
        OTEL_EXPORTER_OTLP_HEADERS=headers,
        OTEL_BSP_SCHEDULE_DELAY="100",
    )
    with emitting as sender, sender.api() as client:
        answered = client.post(
            "/v1/chat/completions",
            json={
                "model": "openai/gpt-4o-mini",
                "messages": [{"role": "user", "content": "one two three"}],
                "temperature": 0,
            },
        )
        assert answered.status_code == 200, answered.text
        body = answered.json()
        [own] = sender.traces()
        arrived = wait_for(lambda: [t for t in server.traces() if t["model"] == own["model"]])

    [span] = arrived
    assert (span["source"], span["provider"]) == ("otlp", "openai")
    assert (span["tokens_in"], span["tokens_out"]) == (
        body["usage"]["prompt_tokens"],
        body["usage"]["completion_tokens"],
    )
    assert span["cost_usd"] == own["cost_usd"]
    assert span["latency_ms"] == pytest.approx(own["latency_ms"], abs=1.0)
    assert span["finish_reason"] == "stop"
    # Spans carry no content: neither the prompt nor the answer left the first server.
    assert span["input"] == {}
    assert span["output"] is None
    assert own["source"] == "gateway"


def wait_for(found: Any, timeout_s: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        items: list[dict[str, Any]] = found()
        if items:
            return items
        time.sleep(0.1)
    raise AssertionError(f"nothing arrived within {timeout_s:.0f} s")
