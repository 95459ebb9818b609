"""The official `openai` client against a real server process serving the local model."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from openai import OpenAI

from autoforge.bootstrap import Container
from autoforge.llm.local_model import GATEWAY_NAME, GGUF_FILE, ensure_model_file
from tests.support.server import served, server_env

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, file_container_session: Container
) -> Iterator[str]:
    """`autoforge serve` on a fresh data dir (it migrates it), sharing the test model file."""
    data_dir = tmp_path_factory.mktemp("served")
    model_file = ensure_model_file(file_container_session.settings.data_dir / "models" / GGUF_FILE)
    with served(data_dir, server_env(data_dir, LOCAL_MODEL_PATH=str(model_file))) as base:
        yield base


@pytest.fixture(scope="module")
def client(server: str) -> OpenAI:
    return OpenAI(base_url=f"{server}/v1", api_key="local", max_retries=0, timeout=120)


def traces(server: str) -> list[dict[str, object]]:
    response = httpx.get(f"{server}/api/v1/traces", params={"model": GATEWAY_NAME}, timeout=10)
    response.raise_for_status()
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_a_chat_completion_answers_and_is_traced(client: OpenAI, server: str) -> None:
    completion = client.chat.completions.create(
        model=GATEWAY_NAME,
        messages=QUESTION,
        temperature=0,
        max_tokens=16,  # type: ignore[arg-type]
    )

    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content
    assert completion.choices[0].finish_reason in {"stop", "length"}
    assert completion.usage is not None
    assert completion.usage.completion_tokens > 0
    call_id = completion.id.removeprefix("chatcmpl-")
    [trace] = [t for t in traces(server) if t["id"] == call_id]
    assert trace["output"] == completion.choices[0].message.content
    assert trace["tokens_out"] == completion.usage.completion_tokens


def test_a_streamed_chat_completion_arrives_in_chunks_and_is_traced(
    client: OpenAI, server: str
) -> None:
    before = len(traces(server))
    stream = client.chat.completions.create(
        model=GATEWAY_NAME,
        messages=[{"role": "user", "content": "Name a color."}],
        max_tokens=12,
        stream=True,
        stream_options={"include_usage": True},
    )

    chunks = list(stream)

    deltas = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert len(deltas) > 1
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens > 0
    latest = traces(server)
    assert len(latest) == before + 1
    assert str(latest[0]["output"]).strip() == "".join(deltas).strip()


def test_a_legacy_completion_answers_the_prompt(client: OpenAI) -> None:
    completion = client.completions.create(
        model=GATEWAY_NAME, prompt="The sky is", max_tokens=8, temperature=0
    )

    assert completion.choices[0].text
    assert completion.usage is not None
    assert completion.usage.prompt_tokens > 0


def test_the_models_list_offers_the_local_model(client: OpenAI) -> None:
    assert GATEWAY_NAME in [model.id for model in client.models.list()]


def test_a_reader_that_walks_away_mid_stream_frees_the_model(client: OpenAI, server: str) -> None:
    body = {
        "model": GATEWAY_NAME,
        "prompt": "Count from one to one hundred:",
        "max_tokens": 200,
        "stream": True,
    }
    with httpx.stream("POST", f"{server}/v1/completions", json=body, timeout=30) as response:
        first = next(response.iter_lines())
    assert first.startswith("data: ")

    answer = client.completions.create(model=GATEWAY_NAME, prompt="Hello", max_tokens=4)

    assert answer.choices[0].text
    # The abandoned stream was closed (recorded as abandoned, which releases the model's
    # slot in the same step) before the next call was answered. Had it held the slot, the
    # next call would have waited it out, and the stream would show as finished.
    latest = traces(server)
    [abandoned] = [t for t in latest if "StreamAbandoned" in str(t["error"] or "")]
    [answered] = [t for t in latest if t["id"] == answer.id.removeprefix("cmpl-")]
    assert str(abandoned["created_at"]) <= str(answered["created_at"])
