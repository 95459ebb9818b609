"""The attributes of the span sent for one of our calls: GenAI names, our cost, no content."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from autoforge.llm.types import CallRecord, CompletionRequest, TraceContext
from autoforge.telemetry.emit import call_attributes, provider_of

SECRET_PROMPT = "my card is 4111 1111 1111 1111"


def record(**fields: object) -> CallRecord:
    values: dict[str, object] = {
        "id": "call-1",
        "model": "openai/gpt-4o-mini",
        "tokens_in": 12,
        "tokens_out": 5,
        "cost_usd": 0.0031,
        "latency_ms": 420.0,
        "cache_hit": False,
        "attempts": 2,
        "created_at": datetime(2026, 12, 7, tzinfo=UTC),
        "finish_reason": "stop",
    }
    values.update(fields)
    return CallRecord(**values)  # type: ignore[arg-type]


def test_a_chat_call_has_the_genai_attributes_and_our_cost() -> None:
    request = CompletionRequest(
        model="openai/gpt-4o",
        messages=[{"role": "user", "content": SECRET_PROMPT}],
        params={"temperature": 0.2, "max_tokens": 64, "stop": ["\n"]},
    )

    attributes = call_attributes(request, record(), TraceContext("prompt-1", 3, {"x": "y"}))

    assert attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "openai/gpt-4o",
        "gen_ai.response.model": "openai/gpt-4o-mini",
        "gen_ai.provider.name": "openai",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 5,
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.max_tokens": 64,
        "autoforge.cost_usd": 0.0031,
        "autoforge.call_id": "call-1",
        "autoforge.cache_hit": False,
        "autoforge.attempts": 2,
        "autoforge.prompt.id": "prompt-1",
        "autoforge.prompt.version": 3,
        "gen_ai.prompt.version": "3",
    }
    assert SECRET_PROMPT not in json.dumps(attributes)


def test_a_failed_text_call_names_its_error_type_and_no_provider_for_a_bare_name() -> None:
    request = CompletionRequest(model="gpt-4o", prompt="Say hi")
    failed = record(model="gpt-4o", error="RateLimited: retry later", finish_reason=None)

    attributes = call_attributes(request, failed, None)

    assert attributes["gen_ai.operation.name"] == "text_completion"
    assert attributes["error.type"] == "RateLimited"
    assert "gen_ai.provider.name" not in attributes
    assert "gen_ai.response.finish_reasons" not in attributes
    assert (provider_of("local/gemma-3-270m"), provider_of("/odd"), provider_of("gpt-4o")) == (
        "local",
        None,
        None,
    )


def test_an_unpriced_call_sends_no_cost_rather_than_zero() -> None:
    request = CompletionRequest("openai/selfhosted", messages=[{"role": "user", "content": "x"}])

    priced = call_attributes(request, record(), None)
    unpriced = call_attributes(request, record(cost_usd=None), None)

    assert priced["autoforge.cost_usd"] == 0.0031
    assert "autoforge.cost_usd" not in unpriced
