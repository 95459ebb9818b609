"""OTLP/HTTP trace ingestion through the app: protobuf and JSON bodies, gzip, partial success,
malformed bodies as 400 problems, spans stored in the caller's project only, prompt links."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Status
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.identity import service
from autoforge.identity.caller import local_caller
from autoforge.identity.schemas import KeyCreate, ProjectCreate

API = "/api/v1"
LANGFUSE_PATH = "/api/public/otel/v1/traces"
OTLP_PATH = "/v1/traces"
PROTOBUF = "application/x-protobuf"
PROBLEM = "application/problem+json"
START = 1_765_000_000_000_000_000
GENAI = {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.provider.name": "openai",
    "gen_ai.usage.input_tokens": 11,
    "gen_ai.usage.output_tokens": 3,
}


@dataclasses.dataclass
class Keys:
    a: dict[str, str]  # HTTP Basic pk:sk of the default project, as the Langfuse SDK sends
    a_bearer: dict[str, str]
    b: dict[str, str]  # a member key of another project


@pytest.fixture
def required(file_container: Container) -> Container:
    settings = file_container.settings.model_copy(update={"auth_mode": "required"})
    return dataclasses.replace(file_container, settings=settings)


@pytest.fixture
def client(required: Container) -> Iterator[TestClient]:
    with TestClient(create_app(required)) as test_client:
        yield test_client


@pytest.fixture
def keys(required: Container) -> Keys:
    owner = local_caller()
    other = required.database.run(
        lambda uow: service.create_project(uow, owner, ProjectCreate(name="other"))
    )
    a = required.database.run(lambda uow: service.create_key(uow, owner, KeyCreate(role="member")))
    b_owner = dataclasses.replace(owner, project_id=other.id)
    b = required.database.run(
        lambda uow: service.create_key(uow, b_owner, KeyCreate(role="member"))
    )
    basic = base64.b64encode(f"{a.public_key}:{a.secret}".encode()).decode()
    return Keys(
        a={"Authorization": f"Basic {basic}"},
        a_bearer={"Authorization": f"Bearer {a.secret}"},
        b={"Authorization": f"Bearer {b.secret}"},
    )


def value(raw: Any) -> AnyValue:
    if isinstance(raw, bool):
        return AnyValue(bool_value=raw)
    if isinstance(raw, int):
        return AnyValue(int_value=raw)
    if isinstance(raw, float):
        return AnyValue(double_value=raw)
    return AnyValue(string_value=str(raw))


def proto_span(
    n: int, attributes: dict[str, Any], *, error: str | None = None, name: str = "chat"
) -> ProtoSpan:
    return ProtoSpan(
        trace_id=bytes.fromhex("5b8efff798038103d269b633813fc60c"),
        span_id=(0xEEE19B7EC3C1B170 + n).to_bytes(8, "big"),
        name=name,
        kind=ProtoSpan.SPAN_KIND_CLIENT,
        start_time_unix_nano=START,
        end_time_unix_nano=START + 250_000_000,
        attributes=[KeyValue(key=k, value=value(v)) for k, v in attributes.items()],
        status=Status(code=Status.STATUS_CODE_ERROR, message=error) if error else Status(),
    )


def export(*spans: ProtoSpan) -> ExportTraceServiceRequest:
    return ExportTraceServiceRequest(
        resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=list(spans))])]
    )


def as_otlp_json(request: ExportTraceServiceRequest) -> dict[str, Any]:
    """OTLP/JSON: protobuf's JSON mapping, with trace and span ids as hex, not base64."""
    document: dict[str, Any] = json_format.MessageToDict(request)
    for resource in document.get("resourceSpans", []):
        for scope in resource.get("scopeSpans", []):
            for span in scope.get("spans", []):
                for field in ("traceId", "spanId"):
                    span[field] = base64.b64decode(span[field]).hex()
    return document


def post_protobuf(
    client: TestClient, request: ExportTraceServiceRequest, headers: dict[str, str], **extra: str
) -> Any:
    body = request.SerializeToString()
    if extra.get("content-encoding") == "gzip":
        body = gzip.compress(body)
    return client.post(
        LANGFUSE_PATH, content=body, headers={"content-type": PROTOBUF, **headers, **extra}
    )


def traces(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = client.get(f"{API}/traces", params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_protobuf_export_is_stored_as_a_trace_of_the_callers_project(
    client: TestClient, keys: Keys
) -> None:
    request = export(
        proto_span(
            1,
            {
                **GENAI,
                "gen_ai.input.messages": json.dumps([{"role": "user", "content": "hi"}]),
                "gen_ai.output.messages": json.dumps([{"role": "assistant", "content": "yo"}]),
            },
        )
    )

    response = post_protobuf(client, request, keys.a)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == PROTOBUF
    answer = ExportTraceServiceResponse.FromString(response.content)
    assert not answer.HasField("partial_success")
    [trace] = traces(client, keys.a)
    assert trace["source"] == "otlp"
    assert (trace["model"], trace["provider"]) == ("gpt-4o-mini", "openai")
    assert (trace["tokens_in"], trace["tokens_out"]) == (11, 3)
    assert trace["latency_ms"] == pytest.approx(250.0)
    assert trace["trace_id"] == "5b8efff798038103d269b633813fc60c"
    assert trace["span_id"] == "eee19b7ec3c1b171"
    assert trace["input"] == {"messages": [{"role": "user", "content": "hi"}]}
    assert trace["output"] == "yo"
    assert trace["created_at"].startswith("2025-12-06T05:46:40.25")
    # Another project's key sees nothing of it, and what it sends stays in its project.
    assert traces(client, keys.b) == []
    post_protobuf(client, export(proto_span(2, GENAI)), keys.b)
    assert [t["span_id"] for t in traces(client, keys.b)] == ["eee19b7ec3c1b172"]
    assert [t["span_id"] for t in traces(client, keys.a)] == ["eee19b7ec3c1b171"]


def test_a_json_export_with_hex_ids_is_answered_in_json(client: TestClient, keys: Keys) -> None:
    document = as_otlp_json(export(proto_span(3, GENAI, error="upstream 500")))

    response = client.post(OTLP_PATH, json=document, headers=keys.a_bearer)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    [trace] = traces(client, keys.a)
    assert (trace["trace_id"], trace["span_id"]) == (
        "5b8efff798038103d269b633813fc60c",
        "eee19b7ec3c1b173",
    )
    assert trace["error"] == "upstream 500"


@pytest.mark.parametrize("media", [PROTOBUF, "application/json"])
def test_gzip_bodies_are_inflated(client: TestClient, keys: Keys, media: str) -> None:
    request = export(proto_span(4, GENAI))
    raw = (
        request.SerializeToString()
        if media == PROTOBUF
        else json.dumps(as_otlp_json(request)).encode()
    )

    response = client.post(
        OTLP_PATH,
        content=gzip.compress(raw),
        headers={"content-type": media, "content-encoding": "gzip", **keys.a},
    )

    assert response.status_code == 200, response.text
    assert [t["tokens_in"] for t in traces(client, keys.a)] == [11]


def test_spans_that_are_not_calls_are_counted_and_unmappable_ones_rejected(
    client: TestClient, keys: Keys
) -> None:
    request = export(
        proto_span(5, GENAI),
        proto_span(6, {"http.route": "/checkout"}, name="GET /checkout"),
        proto_span(7, {"langfuse.observation.type": "span"}),
        proto_span(8, {"gen_ai.operation.name": "chat"}),  # no model
    )

    json_answer = client.post(OTLP_PATH, json=as_otlp_json(request), headers=keys.a).json()
    proto_answer = ExportTraceServiceResponse.FromString(
        post_protobuf(client, request, keys.a).content
    )

    assert json_answer["partialSuccess"]["rejectedSpans"] == "1"
    assert "eee19b7ec3c1b178" in json_answer["partialSuccess"]["errorMessage"]
    assert "without a model name" in json_answer["partialSuccess"]["errorMessage"]
    assert proto_answer.partial_success.rejected_spans == 1
    assert "1 span(s) already stored" in proto_answer.partial_success.error_message
    # One call, stored by the first export; the two other spans were accepted and not stored.
    assert [t["span_id"] for t in traces(client, keys.a)] == ["eee19b7ec3c1b175"]


def test_a_span_sent_again_is_accepted_and_stored_once(client: TestClient, keys: Keys) -> None:
    """An exporter retries an export whose answer it did not get: the spans are the same."""
    request = export(proto_span(12, GENAI), proto_span(13, GENAI))
    again = export(proto_span(13, GENAI), proto_span(13, GENAI), proto_span(14, GENAI))

    first = ExportTraceServiceResponse.FromString(post_protobuf(client, request, keys.a).content)
    retry = ExportTraceServiceResponse.FromString(post_protobuf(client, request, keys.a).content)
    as_json = client.post(OTLP_PATH, json=as_otlp_json(again), headers=keys.a)

    assert not first.HasField("partial_success")
    # Accepted, so the exporter does not retry again: nothing rejected, a warning only.
    assert retry.partial_success.rejected_spans == 0
    assert retry.partial_success.error_message == "2 span(s) already stored, accepted and kept once"
    assert as_json.status_code == 200, as_json.text
    assert as_json.json() == {
        "partialSuccess": {"errorMessage": "2 span(s) already stored, accepted and kept once"}
    }
    stored = sorted(t["span_id"] for t in traces(client, keys.a))
    assert stored == ["eee19b7ec3c1b17c", "eee19b7ec3c1b17d", "eee19b7ec3c1b17e"]
    # The same ids are another project's own span: stored there too.
    post_protobuf(client, request, keys.b)
    assert len(traces(client, keys.b)) == 2
    assert len(traces(client, keys.a)) == 3


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"\xff\xff\xff\xff", {"content-type": PROTOBUF}),
        (b"not json", {"content-type": "application/json"}),
        (b'["a list"]', {"content-type": "application/json"}),
        (b'{"resourceSpans": "nope"}', {"content-type": "application/json"}),
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz!"}]}]}]}',
            {"content-type": "application/json"},
        ),
        (b"plain bytes", {"content-type": PROTOBUF, "content-encoding": "gzip"}),
        (gzip.compress(b"x" * 100)[:20], {"content-type": PROTOBUF, "content-encoding": "gzip"}),
    ],
)
def test_malformed_bodies_are_400_problems_and_store_nothing(
    client: TestClient, keys: Keys, content: bytes, headers: dict[str, str]
) -> None:
    response = client.post(OTLP_PATH, content=content, headers={**headers, **keys.a})

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["title"] == "Malformed OTLP body"
    assert traces(client, keys.a) == []


@pytest.mark.parametrize(
    "headers",
    [{"content-type": "text/plain"}, {"content-type": PROTOBUF, "content-encoding": "br"}, {}],
)
def test_other_media_types_and_encodings_are_415(
    client: TestClient, keys: Keys, headers: dict[str, str]
) -> None:
    response = client.post(OTLP_PATH, content=b"{}", headers={**headers, **keys.a})

    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == PROBLEM


def test_a_named_prompt_links_to_the_projects_prompt_and_version(
    client: TestClient, keys: Keys
) -> None:
    created = client.post(
        f"{API}/prompts",
        json={"name": "greet", "title": "Greet", "content": "Hello {{name}}"},
        headers=keys.a,
    )
    assert created.status_code == 201, created.text
    prompt_id = created.json()["id"]
    linked = {
        "langfuse.observation.type": "generation",
        "langfuse.observation.model.name": "gpt-4.1",
        "langfuse.observation.prompt.name": "greet",
        "langfuse.observation.prompt.version": 1,
        "langfuse.observation.usage_details": json.dumps({"input": 5, "output": 2}),
        "langfuse.observation.cost_details": json.dumps({"total": 0.25}),
    }
    unknown_version = {**linked, "langfuse.observation.prompt.version": 9}

    post_protobuf(client, export(proto_span(9, linked), proto_span(10, unknown_version)), keys.a)

    by_span = {t["span_id"]: t for t in traces(client, keys.a)}
    first, second = by_span["eee19b7ec3c1b179"], by_span["eee19b7ec3c1b17a"]
    assert (first["prompt_id"], first["prompt_version"], first["prompt_name"]) == (
        prompt_id,
        1,
        "greet",
    )
    assert (second["prompt_id"], second["prompt_name"]) == (None, "greet")
    assert [t["span_id"] for t in traces(client, keys.a, prompt_id=prompt_id)] == [
        "eee19b7ec3c1b179"
    ]
    # The dashboard counts ingested calls and their cost with the others.
    totals = client.get(f"{API}/dashboard", headers=keys.a).json()["totals"]
    assert (totals["model_calls"], totals["ingested_calls"]) == (2, 2)
    assert totals["cost_usd"] == pytest.approx(0.5)


def test_no_secret_of_the_span_is_stored(client: TestClient, keys: Keys) -> None:
    key = "sk-ant-api03-" + "Zx9" * 10
    attributes = {
        **GENAI,
        "input.value": f"my key is {key}",
        "llm.headers": f"Authorization: Bearer {key}",
        "http.request.header.authorization": f"Bearer {key}",
    }

    post_protobuf(client, export(proto_span(11, attributes)), keys.a)

    [trace] = traces(client, keys.a)
    assert key not in json.dumps(trace)
    assert trace["input"] == {"prompt": "my key is [redacted]"}
