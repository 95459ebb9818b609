"""The gateway over HTTP: OpenAI-compatible `/v1`, and models and traces under `/api/v1`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.llm.errors import RateLimited
from autoforge.llm.fake import FakeModelClient
from tests.support.gateway import make_gateway

MODEL = "fake/primary"


@pytest.fixture
def fake() -> FakeModelClient:
    return FakeModelClient()


@pytest.fixture
def client(file_container: Container, fake: FakeModelClient) -> Iterator[TestClient]:
    gateway = make_gateway(
        file_container.database, fake, default_model=MODEL, max_retries=0, models=["fake/other"]
    )
    container = dataclasses.replace(file_container, gateway=gateway)
    with TestClient(create_app(container)) as client:
        yield client
    gateway.close()


def chat(client: TestClient, **body: Any) -> Any:
    body.setdefault("messages", [{"role": "user", "content": "hello there world"}])
    return client.post("/v1/chat/completions", json=body)


def events(response: Any) -> list[Any]:
    lines = [line for line in response.text.split("\n") if line.startswith("data: ")]
    return [line[6:] if line == "data: [DONE]" else orjson.loads(line[6:]) for line in lines]


def test_a_chat_completion_has_openais_shape_and_the_call_record(client: TestClient) -> None:
    response = chat(client, model=MODEL, temperature=0)

    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "world there hello"}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["completion_tokens"] == 3
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + 3
    assert body["autoforge"]["model"] == MODEL
    assert body["id"] == f"chatcmpl-{body['autoforge']['call_id']}"


def test_without_a_model_the_default_answers(client: TestClient, fake: FakeModelClient) -> None:
    assert chat(client).status_code == 200
    assert fake.calls[0].model == MODEL


def test_a_repeat_at_temperature_zero_is_a_cache_hit_unless_no_cache(
    client: TestClient, fake: FakeModelClient
) -> None:
    chat(client, temperature=0)
    hit = chat(client, temperature=0).json()
    bypass = chat(client, temperature=0, no_cache=True).json()

    assert hit["autoforge"]["cache_hit"] is True
    assert bypass["autoforge"]["cache_hit"] is False
    assert len(fake.calls) == 2


def test_a_stream_sends_openai_chunks_then_usage_then_done(client: TestClient) -> None:
    response = chat(client, stream=True, stream_options={"include_usage": True})

    assert response.headers["content-type"].startswith("text/event-stream")
    *chunks, usage, done = events(response)
    assert done == "[DONE]"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == "world there hello"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert usage["choices"] == []
    assert usage["usage"]["completion_tokens"] == 3


def test_a_legacy_completion_answers_the_prompt(client: TestClient) -> None:
    response = client.post("/v1/completions", json={"prompt": ["one two"], "max_tokens": 5})

    body = response.json()
    assert body["object"] == "text_completion"
    assert body["choices"][0]["text"] == "two one"


def test_a_legacy_completion_streams_text_chunks(client: TestClient) -> None:
    response = client.post("/v1/completions", json={"prompt": "one two", "stream": True})

    *chunks, done = events(response)
    assert done == "[DONE]"
    assert "".join(c["choices"][0]["text"] for c in chunks) == "two one"


def test_unsupported_openai_options_are_refused_or_ignored(client: TestClient) -> None:
    assert chat(client, n=2).status_code == 422
    assert chat(client, temperature=3).status_code == 422
    assert chat(client, messages=[]).status_code == 422
    assert client.post("/v1/completions", json={"prompt": ["a", "b"]}).status_code == 422
    assert chat(client, user="someone", logprobs=False).status_code == 200


def test_a_provider_error_keeps_its_status_as_a_problem(
    client: TestClient, fake: FakeModelClient
) -> None:
    fake.fail(MODEL, RateLimited("slow down"))

    response = chat(client)

    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "slow down"


def test_every_call_is_listed_in_the_traces_newest_first(client: TestClient) -> None:
    chat(client, messages=[{"role": "user", "content": "first"}])
    chat(client, messages=[{"role": "user", "content": "second"}], model="fake/other")

    items = client.get("/api/v1/traces").json()["items"]
    other = client.get("/api/v1/traces", params={"model": "fake/other"}).json()["items"]

    assert [t["output"] for t in items] == ["second", "first"]
    assert [t["output"] for t in other] == ["second"]
    assert items[0]["input"]["messages"][0]["content"] == "second"
    assert client.get("/api/v1/traces", params={"limit": 0}).status_code == 422


def otlp_span(model: str, **attributes: str) -> dict[str, Any]:
    """An OTLP/JSON export of one GenAI call span, as another system's exporter sends it."""
    values = {"gen_ai.operation.name": "chat", "gen_ai.request.model": model, **attributes}
    span = {
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": "eee19b7ec3c1b171",
        "name": f"chat {model}",
        "startTimeUnixNano": "1765000000000000000",
        "endTimeUnixNano": "1765000000250000000",
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in values.items()],
    }
    return {"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}


def test_traces_are_filtered_by_source(client: TestClient) -> None:
    assert chat(client).status_code == 200
    sent = otlp_span(
        "gpt-4o-mini", **{"gen_ai.provider.name": "openai", "gen_ai.prompt.name": "greet"}
    )
    assert client.post("/v1/traces", json=sent).json() == {}

    def listed(**params: str) -> list[dict[str, Any]]:
        response = client.get("/api/v1/traces", params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    [otlp] = listed(source="otlp")
    [gateway] = listed(source="gateway")
    assert (otlp["source"], otlp["model"], otlp["provider"], otlp["prompt_name"]) == (
        "otlp",
        "gpt-4o-mini",
        "openai",
        "greet",
    )
    assert (gateway["source"], gateway["model"], gateway["prompt_name"]) == ("gateway", MODEL, None)
    assert {t["id"] for t in listed()} == {otlp["id"], gateway["id"]}
    assert listed(source="otlp", model=MODEL) == []
    assert [t["id"] for t in listed(source="gateway", model=MODEL)] == [gateway["id"]]
    wrong = client.get("/api/v1/traces", params={"source": "langfuse"})
    assert wrong.status_code == 422
    assert wrong.headers["content-type"] == "application/problem+json"


def test_models_are_listed_for_openai_clients_and_with_availability(
    client: TestClient,
) -> None:
    listed = client.get("/v1/models").json()
    statuses = client.get("/api/v1/models").json()

    assert listed["object"] == "list"
    assert [m["id"] for m in listed["data"]] == [MODEL, "fake/other"]
    assert statuses[0] == {
        "name": MODEL,
        "available": True,
        "detail": "fake",
        "is_default": True,
        "running": 0,
        "queued": 0,
        "process": None,
    }
