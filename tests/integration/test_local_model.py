"""The embedded model for real, through the gateway the app wires (llama.cpp, no network).

A 270M base model's words are not asserted: only structure, token counts, the cache, and
that temperature 0 repeats itself on one machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autoforge.bootstrap import Container
from autoforge.llm.errors import ModelTimeout
from autoforge.llm.gateway import Gateway, StreamPart
from autoforge.llm.local_model import GATEWAY_NAME, MODEL_NAME
from autoforge.llm.types import CachePolicy, Completion, CompletionRequest, ModelStatus

QUESTION = [
    {"role": "system", "content": "You answer questions about geography briefly."},
    {"role": "user", "content": "What is the capital of France?"},
]


class CountingClient:
    """Passes calls through to the real client and counts the ones that reach the model."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.completions = 0

    def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        self.completions += 1
        return self.inner.complete(request, timeout_s=timeout_s)  # type: ignore[attr-defined,no-any-return]

    def stream(self, request: CompletionRequest, *, timeout_s: float) -> Iterator[StreamPart]:
        return self.inner.stream(request, timeout_s=timeout_s)  # type: ignore[attr-defined,no-any-return]

    def status(self, model: str) -> ModelStatus:
        return self.inner.status(model)  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def gateway(file_container: Container, monkeypatch: pytest.MonkeyPatch) -> Gateway:
    gateway = file_container.gateway
    monkeypatch.setattr(gateway, "client", CountingClient(gateway.client))
    return gateway


def counted(gateway: Gateway) -> int:
    client = gateway.client
    assert isinstance(client, CountingClient)
    return client.completions


def test_the_default_model_is_the_local_one_and_is_available(gateway: Gateway) -> None:
    [status] = [s for s in gateway.statuses() if s.is_default]

    assert status.name == GATEWAY_NAME
    assert status.available


def test_a_plain_completion_returns_text_and_token_counts(gateway: Gateway) -> None:
    request = CompletionRequest(
        GATEWAY_NAME, prompt="The three primary colors are", params={"max_tokens": 12}
    )

    result = gateway.complete(request)

    assert result.text.strip()
    assert result.completion.model == MODEL_NAME
    assert result.record.model == GATEWAY_NAME
    assert 0 < result.record.tokens_in < 20
    assert 0 < result.record.tokens_out <= 12
    assert result.record.cost_usd == 0.0
    assert result.completion.finish_reason in {"stop", "length"}


def test_chat_messages_get_an_answer_that_stops_at_the_next_turn(gateway: Gateway) -> None:
    request = CompletionRequest(
        GATEWAY_NAME, messages=QUESTION, params={"temperature": 0, "max_tokens": 40}
    )

    result = gateway.complete(request, cache=CachePolicy.BYPASS)

    assert result.text
    assert result.text == result.text.strip()
    assert "User:" not in result.text
    assert "Assistant:" not in result.text
    assert result.record.tokens_in > 10


def test_a_repeated_temperature_zero_call_is_a_cache_hit(gateway: Gateway) -> None:
    request = CompletionRequest(
        GATEWAY_NAME, messages=QUESTION, params={"temperature": 0, "max_tokens": 16}
    )

    first = gateway.complete(request)
    second = gateway.complete(request)

    assert counted(gateway) == 1
    assert not first.record.cache_hit
    assert second.record.cache_hit
    assert second.text == first.text


def test_temperature_zero_repeats_itself_without_the_cache(gateway: Gateway) -> None:
    def run(prompt: str) -> str:
        request = CompletionRequest(
            GATEWAY_NAME, prompt=prompt, params={"temperature": 0, "max_tokens": 12}
        )
        return gateway.complete(request, cache=CachePolicy.BYPASS).text

    first = run("Once upon a time")
    run("Once upon a time, there")  # a shared prefix: must not leak into the next call
    assert run("Once upon a time") == first
    assert counted(gateway) == 3


def test_streaming_yields_several_chunks_that_make_up_the_answer(gateway: Gateway) -> None:
    request = CompletionRequest(
        GATEWAY_NAME, messages=QUESTION, params={"temperature": 0, "max_tokens": 16}
    )

    stream = gateway.stream(request, cache=CachePolicy.BYPASS)
    chunks = list(stream)

    assert len(chunks) > 1
    assert stream.result is not None
    assert "".join(chunks).strip() == stream.result.text.strip()
    assert stream.result.record.tokens_out > 0
    assert stream.result.record.tokens_in > 10


def test_a_call_that_outlives_its_timeout_fails_as_a_timeout(file_container: Container) -> None:
    gateway = file_container.gateway
    request = CompletionRequest(GATEWAY_NAME, prompt="Count:", params={"max_tokens": 500})

    with pytest.raises(ModelTimeout):
        gateway.complete(request, timeout_s=0.05)

    assert gateway.calls is not None
    [trace] = gateway.calls.list()
    assert trace.error is not None
    assert "ModelTimeout" in trace.error
