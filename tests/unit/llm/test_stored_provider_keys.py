"""The LiteLLM adapter asks for a project's stored provider key by LiteLLM's environment
name, passes it as `api_key`, and keeps it out of the errors it raises."""

from __future__ import annotations

from typing import Any

import pytest

from autoforge.llm.cache import cache_key
from autoforge.llm.errors import ModelRequestError
from autoforge.llm.litellm_client import LiteLLMClient, _litellm, provider_key_name
from autoforge.llm.types import CompletionRequest

STORED = "sk-stored-for-project-p-0123456789wxyz"


class Lookups:
    """Stands in for `ProviderKeys`: remembers what was asked, answers for project p."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def __call__(self, project_id: str, name: str) -> str | None:
        self.asked.append((project_id, name))
        return STORED if (project_id, name) == ("p", "OPENAI_API_KEY") else None


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    litellm = _litellm()
    original, seen = litellm.completion, []

    def completion(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        if kwargs.get("mock_response") == "refuse":
            raise litellm.AuthenticationError(
                message=f"Incorrect API key provided: {kwargs.get('api_key')}",
                llm_provider="openai",
                model="gpt-4o-mini",
            )
        return original(*args, **kwargs)

    monkeypatch.setattr(litellm, "completion", completion)
    return seen


def ask(model: str, project_id: str | None = "p") -> CompletionRequest:
    messages = [{"role": "user", "content": "Hi"}]
    return CompletionRequest(model, messages=messages, project_id=project_id)


@pytest.mark.parametrize(
    ("model", "name"),
    [
        ("openai/gpt-4o-mini", "OPENAI_API_KEY"),
        ("gpt-4o-mini", "OPENAI_API_KEY"),
        ("anthropic/claude-3-5-haiku-latest", "ANTHROPIC_API_KEY"),
        ("gemini/gemini-2.0-flash", "GEMINI_API_KEY"),
        ("mistral/mistral-small-latest", "MISTRAL_API_KEY"),
        ("local/gemma-3-270m", None),
        ("no-provider-knows-this", None),
    ],
)
def test_a_model_names_the_key_its_provider_reads(model: str, name: str | None) -> None:
    assert provider_key_name(model) == name


def test_the_project_keys_the_cache_and_the_provider_key_does_not() -> None:
    """Each project has its own cache entries; the stored key is no part of the key, nor of
    the trace's input."""
    mine, anyones = ask("openai/gpt-4o-mini"), ask("openai/gpt-4o-mini", project_id=None)

    assert cache_key(mine) != cache_key(anyones)
    assert STORED not in repr(mine) + cache_key(mine)
    assert mine.as_input() == anyones.as_input()


def test_a_projects_stored_key_is_passed_as_api_key(calls: list[dict[str, Any]]) -> None:
    lookups = Lookups()
    options = {m: {"mock_response": "ok"} for m in ("openai/gpt-4o-mini", "anthropic/claude")}
    client = LiteLLMClient(model_options=options, provider_keys=lookups)

    client.complete(ask("openai/gpt-4o-mini"), timeout_s=5)
    list(client.stream(ask("openai/gpt-4o-mini"), timeout_s=5))
    client.complete(ask("anthropic/claude"), timeout_s=5)
    client.complete(ask("openai/gpt-4o-mini", project_id=None), timeout_s=5)

    assert [c.get("api_key") for c in calls] == [STORED, STORED, None, None]
    assert lookups.asked == [
        ("p", "OPENAI_API_KEY"),
        ("p", "OPENAI_API_KEY"),
        ("p", "ANTHROPIC_API_KEY"),
    ]


def test_a_model_the_operator_configured_keeps_its_own_key_and_server(
    calls: list[dict[str, Any]],
) -> None:
    """A project's OpenAI key never goes to a server the operator put behind `openai/...`."""
    lookups = Lookups()
    options = {
        "openai/keyed": {"mock_response": "ok", "api_key": "operator's"},
        "openai/qwen": {"mock_response": "ok", "api_base": "http://127.0.0.1:9/v1"},
    }
    client = LiteLLMClient(model_options=options, provider_keys=lookups)

    client.complete(ask("openai/keyed"), timeout_s=5)
    client.complete(ask("openai/qwen"), timeout_s=5)

    assert [c.get("api_key") for c in calls] == ["operator's", None]
    assert lookups.asked == []


def test_a_refused_key_is_masked_in_the_error_and_its_cause_dropped(
    calls: list[dict[str, Any]],
) -> None:
    model = "openai/gpt-4o-mini"
    client = LiteLLMClient(
        model_options={model: {"mock_response": "refuse"}}, provider_keys=Lookups()
    )

    with pytest.raises(ModelRequestError) as raised:
        client.complete(ask(model), timeout_s=5)

    assert calls[0]["api_key"] == STORED
    assert STORED not in str(raised.value)
    assert f"…{STORED[-4:]}" in raised.value.detail
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
