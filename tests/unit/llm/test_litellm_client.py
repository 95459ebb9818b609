"""The LiteLLM adapter, with LiteLLM's own mock responses in place of a provider."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autoforge.bootstrap import Container
from autoforge.llm.errors import (
    ModelRequestError,
    ModelTimeout,
    RateLimited,
    UnknownModelError,
)
from autoforge.llm.gateway import Gateway
from autoforge.llm.litellm_client import LiteLLMClient, translate
from autoforge.llm.local_model import GATEWAY_NAME, LocalModel, LocalModelConfig, LocalResult
from autoforge.llm.types import Completion, CompletionRequest
from tests.support.gateway import SleepRecorder, make_gateway

MINI = "openai/gpt-4o-mini"
FULL = "openai/gpt-4o"


def ask(model: str = MINI, **params: object) -> CompletionRequest:
    return CompletionRequest(model, messages=[{"role": "user", "content": "Hi"}], params=params)


@pytest.fixture
def litellm() -> object:
    from autoforge.llm.litellm_client import _litellm

    return _litellm()


def test_a_mocked_call_reports_text_tokens_and_the_price_table_cost(litellm: object) -> None:
    client = LiteLLMClient(model_options={MINI: {"mock_response": "Hello there"}})

    completion = client.complete(ask(temperature=0), timeout_s=5)

    assert completion.text == "Hello there"
    assert completion.model == "gpt-4o-mini"
    assert completion.tokens_in > 0
    assert completion.tokens_out > 0
    expected = litellm.cost_per_token(  # type: ignore[attr-defined]
        model=MINI, prompt_tokens=completion.tokens_in, completion_tokens=completion.tokens_out
    )
    assert completion.cost_usd == pytest.approx(sum(expected))
    assert completion.cost_usd > 0


def test_a_dearer_model_costs_more_for_the_same_answer() -> None:
    options = {m: {"mock_response": "Same answer"} for m in (MINI, FULL)}
    client = LiteLLMClient(model_options=options)

    cheap = client.complete(ask(MINI), timeout_s=5)
    dear = client.complete(ask(FULL), timeout_s=5)

    assert dear.tokens_out == cheap.tokens_out
    assert dear.cost_usd > cheap.cost_usd


def test_a_plain_prompt_goes_through_text_completion() -> None:
    client = LiteLLMClient(model_options={MINI: {"mock_response": "a completion"}})

    completion = client.complete(CompletionRequest(MINI, prompt="Once upon"), timeout_s=5)

    assert completion.text == "a completion"


def test_a_stream_yields_deltas_and_ends_with_the_totals() -> None:
    client = LiteLLMClient(model_options={MINI: {"mock_response": "one two three four"}})

    parts = list(client.stream(ask(), timeout_s=5))

    *deltas, final = parts
    assert isinstance(final, Completion)
    assert len(deltas) > 1
    assert "".join(str(d) for d in deltas) == "one two three four"
    assert final.text == "one two three four"


def test_rate_limit_and_timeout_become_retryable_gateway_errors() -> None:
    limited = LiteLLMClient(model_options={MINI: {"mock_response": "litellm.RateLimitError"}})
    slow = LiteLLMClient(model_options={MINI: {"mock_timeout": True}})

    with pytest.raises(RateLimited) as rate:
        limited.complete(ask(), timeout_s=5)
    with pytest.raises(ModelTimeout) as timeout:
        slow.complete(ask(), timeout_s=0.01)

    assert rate.value.retryable
    assert timeout.value.retryable


def test_a_rejected_request_and_an_unknown_provider_are_not_retryable(litellm: object) -> None:
    bad = litellm.BadRequestError(  # type: ignore[attr-defined]
        message="bad param", model="gpt-4o-mini", llm_provider="openai"
    )

    assert isinstance(translate(litellm, bad), ModelRequestError)
    assert not translate(litellm, bad).retryable
    with pytest.raises(UnknownModelError):
        LiteLLMClient().complete(ask("nosuchprovider/model"), timeout_s=5)


@pytest.fixture
def mocked_gateway(file_container: Container) -> Iterator[tuple[Gateway, SleepRecorder]]:
    client = LiteLLMClient(
        model_options={
            MINI: {"mock_response": "litellm.RateLimitError"},
            FULL: {"mock_response": "from the fallback"},
        }
    )
    sleeps = SleepRecorder()
    gateway = make_gateway(
        file_container.database,
        client,
        sleep=sleeps,
        default_model=MINI,
        max_retries=2,
        fallbacks={MINI: [FULL]},
    )
    yield gateway, sleeps
    gateway.close()


def test_through_the_gateway_rate_limits_back_off_then_fall_back(
    mocked_gateway: tuple[Gateway, SleepRecorder],
) -> None:
    gateway, sleeps = mocked_gateway

    result = gateway.complete(ask(temperature=0))

    assert result.text == "from the fallback"
    assert result.record.model == FULL
    assert result.record.attempts == 4
    assert len(sleeps.delays) == 2
    assert sleeps.delays[0] < sleeps.delays[1]
    assert result.record.cost_usd > 0


def test_status_reports_missing_keys_by_name_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    client = LiteLLMClient()
    missing = client.status(MINI)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value")
    present = client.status(MINI)

    assert not missing.available
    assert "OPENAI_API_KEY" in missing.detail
    assert present.available
    assert "sk-test-secret-value" not in present.detail
    assert not client.status("nosuchprovider/model").available


def test_importing_the_app_does_not_import_litellm_or_llama() -> None:
    code = (
        "import sys, autoforge.app, autoforge.cli.main; "
        "print(any(m.split('.')[0] in ('litellm', 'llama_cpp') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert out.strip() == "False"


def _scripted_local(name: str, seen: list[dict[str, Any]]) -> LocalModel:
    model = LocalModel(LocalModelConfig(path=Path(f"/nowhere/{name}.gguf")))

    def complete(prompt: str, params: Any, *, chat: bool, timeout_s: float) -> LocalResult:
        seen.append({"model": name, "prompt": prompt, "chat": chat, "params": dict(params)})
        return LocalResult(f"answer from {name}", 3, 3, "stop")

    model.complete = complete  # type: ignore[method-assign]
    return model


def test_the_local_provider_runs_the_model_of_the_client_that_calls_it() -> None:
    seen: list[dict[str, Any]] = []
    first = LiteLLMClient(_scripted_local("a", seen))
    second = LiteLLMClient(_scripted_local("b", seen))
    chat = CompletionRequest(GATEWAY_NAME, messages=[{"role": "user", "content": "Hi"}])

    assert second.complete(chat, timeout_s=5).text == "answer from b"
    assert first.complete(chat, timeout_s=5).text == "answer from a"
    assert first.complete(chat, timeout_s=5).cost_usd == 0.0
    assert seen[0]["prompt"] == "User: Hi\nAssistant:"
    assert seen[0]["chat"]
    assert "autoforge_local_model" not in seen[0]["params"]


def test_a_local_prompt_reaches_the_model_verbatim() -> None:
    seen: list[dict[str, Any]] = []
    client = LiteLLMClient(_scripted_local("c", seen))

    client.complete(
        CompletionRequest(GATEWAY_NAME, prompt="Once upon", params={"max_tokens": 5}),
        timeout_s=5,
    )

    assert seen[0]["prompt"] == "Once upon"
    assert not seen[0]["chat"]
    assert seen[0]["params"]["max_tokens"] == 5
