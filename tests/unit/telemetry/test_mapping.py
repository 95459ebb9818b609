"""From a span's attributes to a traced call: the GenAI conventions, OpenInference, OpenLLMetry
and the Langfuse SDK's attributes; missing tokens, error status, cost, masking, bounds."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from autoforge.telemetry.content import TEXT_LIMIT
from autoforge.telemetry.mapping import (
    Span,
    Unmappable,
    is_model_call,
    map_span,
)

TRACE = "0af7651916cd43dd8448eb211c80319c"
SPAN = "b7ad6b7169203331"
START = 1_765_000_000_000_000_000  # 2025-12-06T05:46:40Z, in nanoseconds
END = START + 1_250_000_000  # 1.25 s later


def span(attributes: dict[str, Any], **fields: Any) -> Span:
    values: dict[str, Any] = {
        "trace_id": TRACE,
        "span_id": SPAN,
        "name": "chat gpt-4o",
        "start_ns": START,
        "end_ns": END,
        "attributes": attributes,
    }
    values.update(fields)
    return Span(**values)


def test_genai_conventions_give_model_provider_tokens_latency_and_prompt() -> None:
    call = map_span(
        span(
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.response.model": "gpt-4o-2024-08-06",
                "gen_ai.provider.name": "openai",
                "gen_ai.usage.input_tokens": 12,
                "gen_ai.usage.output_tokens": 7,
                "gen_ai.response.finish_reasons": ["stop"],
                "gen_ai.prompt.name": "greet",
                "gen_ai.input.messages": json.dumps(
                    [{"role": "user", "parts": [{"type": "text", "content": "hi there"}]}]
                ),
                "gen_ai.output.messages": json.dumps(
                    [{"role": "assistant", "parts": [{"type": "text", "content": "hello"}]}]
                ),
            }
        )
    )

    assert call is not None
    assert (call.model, call.provider) == ("gpt-4o-2024-08-06", "openai")
    # The span names no cost: unpriced (None), not $0 (issue #19).
    assert (call.tokens_in, call.tokens_out, call.cost_usd) == (12, 7, None)
    assert call.latency_ms == pytest.approx(1250.0)
    assert call.created_at == datetime.fromtimestamp(END / 1e9, UTC)
    assert call.input == {"messages": [{"role": "user", "content": "hi there"}]}
    assert call.output == "hello"
    assert (call.finish_reason, call.error) == ("stop", None)
    assert (call.prompt_name, call.prompt_version) == ("greet", None)
    assert (call.trace_id, call.span_id) == (TRACE, SPAN)


def test_older_genai_names_system_and_prompt_completion_tokens() -> None:
    call = map_span(
        span(
            {
                "gen_ai.system": "anthropic",
                "gen_ai.request.model": "claude-3-5-haiku",
                "gen_ai.usage.prompt_tokens": 30,
                "gen_ai.usage.completion_tokens": 4,
                # OpenLLMetry's indexed messages and its prompt registry attributes.
                "gen_ai.prompt.0.role": "system",
                "gen_ai.prompt.0.content": "be brief",
                "gen_ai.prompt.1.role": "user",
                "gen_ai.prompt.1.content": "why?",
                "gen_ai.completion.0.role": "assistant",
                "gen_ai.completion.0.content": "because",
                "traceloop.prompt.key": "why-prompt",
                "traceloop.prompt.version": 3,
            }
        )
    )

    assert call is not None
    assert (call.model, call.provider, call.tokens_in, call.tokens_out) == (
        "claude-3-5-haiku",
        "anthropic",
        30,
        4,
    )
    assert call.input == {
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "why?"}]
    }
    assert call.output == "because"
    assert (call.prompt_name, call.prompt_version) == ("why-prompt", 3)


def test_openinference_llm_span() -> None:
    call = map_span(
        span(
            {
                "openinference.span.kind": "LLM",
                "llm.model_name": "gpt-4o-mini",
                "llm.provider": "openai",
                "llm.token_count.prompt": 21,
                "llm.token_count.completion": 5,
                "llm.cost.total": 0.0042,
                "llm.input_messages.0.message.role": "user",
                "llm.input_messages.0.message.content": "What is 2+2?",
                "llm.output_messages.0.message.role": "assistant",
                "llm.output_messages.0.message.content": "4",
                "llm.prompt_template.template": "What is {a}+{b}?",
                "llm.prompt_template.variables": json.dumps({"a": 2, "b": 2}),
                "llm.prompt_template.version": "7",
                "input.value": "ignored: the messages come first",
                "output.value": "ignored too",
            }
        )
    )

    assert call is not None
    assert (call.model, call.provider, call.tokens_in, call.tokens_out) == (
        "gpt-4o-mini",
        "openai",
        21,
        5,
    )
    assert call.cost_usd == pytest.approx(0.0042)
    assert call.input == {"messages": [{"role": "user", "content": "What is 2+2?"}]}
    assert call.output == "4"
    assert call.variables == {"a": 2, "b": 2}
    assert (call.prompt_name, call.prompt_version) == (None, 7)


def test_openinference_cost_from_its_parts_and_plain_input_value() -> None:
    call = map_span(
        span(
            {
                "openinference.span.kind": "LLM",
                "llm.model_name": "m",
                "llm.cost.prompt": 0.25,
                "llm.cost.completion": 0.5,
                "input.value": "plain text in",
                "output.value": "plain text out",
            }
        )
    )

    assert call is not None
    assert call.cost_usd == pytest.approx(0.75)
    assert (call.input, call.output) == ({"prompt": "plain text in"}, "plain text out")


def test_langfuse_generation_with_usage_cost_prompt_and_json_input() -> None:
    call = map_span(
        span(
            {
                "langfuse.observation.type": "generation",
                "langfuse.observation.model.name": "gpt-4.1",
                "langfuse.observation.usage_details": json.dumps({"input": 100, "output": 20}),
                "langfuse.observation.cost_details": json.dumps({"input": 0.001, "output": 0.002}),
                "langfuse.observation.prompt.name": "support/answer",
                "langfuse.observation.prompt.version": 2,
                "langfuse.observation.input": json.dumps(
                    [{"role": "user", "content": "Where is my order?"}]
                ),
                "langfuse.observation.output": json.dumps(
                    {"role": "assistant", "content": "On its way."}
                ),
            }
        )
    )

    assert call is not None
    assert (call.model, call.provider, call.tokens_in, call.tokens_out) == (
        "gpt-4.1",
        None,
        100,
        20,
    )
    assert call.cost_usd == pytest.approx(0.003)
    assert (call.prompt_name, call.prompt_version) == ("support/answer", 2)
    assert call.input == {"messages": [{"role": "user", "content": "Where is my order?"}]}
    assert call.output == "On its way."


def test_langfuse_total_cost_wins_and_openai_style_usage_keys_count() -> None:
    call = map_span(
        span(
            {
                "langfuse.observation.type": "generation",
                "langfuse.observation.model.name": "m",
                "langfuse.observation.usage_details": json.dumps(
                    {"prompt_tokens": 8, "completion_tokens": 2}
                ),
                "langfuse.observation.cost_details": json.dumps({"input": 1.0, "total": 0.5}),
            }
        )
    )

    assert call is not None
    assert (call.tokens_in, call.tokens_out, call.cost_usd) == (8, 2, 0.5)


def test_missing_tokens_count_zero_and_missing_end_means_no_latency() -> None:
    call = map_span(span({"gen_ai.request.model": "m"}, end_ns=0))

    assert call is not None
    assert (call.tokens_in, call.tokens_out, call.cost_usd, call.latency_ms) == (0, 0, None, 0.0)
    assert (call.input, call.output, call.variables, call.provider) == ({}, None, None, None)


def error_of(attributes: dict[str, Any], **fields: Any) -> str | None:
    call = map_span(span(attributes, **fields))
    assert call is not None
    return call.error


def test_error_status_is_the_calls_error() -> None:
    rate_limited = {"gen_ai.request.model": "m", "error.type": "RateLimitError"}
    assert error_of(rate_limited, error=True, status_message="429 Too Many") == "429 Too Many"
    assert error_of({"gen_ai.request.model": "m", "error.type": "Timeout"}, error=True) == "Timeout"
    langfuse = {
        "langfuse.observation.type": "generation",
        "langfuse.observation.model.name": "m",
        "langfuse.observation.level": "ERROR",
        "langfuse.observation.status_message": "provider down",
    }
    assert error_of(langfuse) == "provider down"
    assert error_of({"gen_ai.request.model": "m"}, status_message="ignored when OK") is None


@pytest.mark.parametrize(
    "attributes",
    [
        {"langfuse.observation.type": "span", "gen_ai.request.model": "m"},
        {"langfuse.observation.type": "tool"},
        {"openinference.span.kind": "CHAIN", "llm.model_name": "m"},
        {"gen_ai.operation.name": "execute_tool", "gen_ai.request.model": "m"},
        {"gen_ai.operation.name": "invoke_agent", "gen_ai.request.model": "m"},
        {"http.method": "GET", "http.route": "/health"},
        {},
    ],
)
def test_spans_that_are_not_model_calls_map_to_nothing(attributes: dict[str, Any]) -> None:
    assert not is_model_call(attributes)
    assert map_span(span(attributes)) is None


@pytest.mark.parametrize(
    ("attributes", "fields", "reason"),
    [
        ({"gen_ai.operation.name": "chat"}, {}, "without a model name"),
        ({"openinference.span.kind": "LLM"}, {}, "without a model name"),
        ({"gen_ai.request.model": "m"}, {"end_ns": START - 1}, "ends before it starts"),
        ({"gen_ai.request.model": "m"}, {"start_ns": 0, "end_ns": 0}, "no start time"),
        ({"gen_ai.request.model": "m", "gen_ai.usage.input_tokens": -3}, {}, "input_tokens"),
        ({"gen_ai.request.model": "m", "gen_ai.usage.output_tokens": 1.5}, {}, "output_tokens"),
        ({"gen_ai.request.model": "m", "llm.token_count.prompt": "many"}, {}, "token count"),
        ({"gen_ai.request.model": "m", "llm.cost.total": -1.0}, {}, "cost"),
        ({"gen_ai.request.model": "m", "llm.cost.total": "nan"}, {}, "cost"),
        ({"gen_ai.request.model": "m"}, {"trace_id": "abc"}, "trace id"),
        ({"gen_ai.request.model": "m"}, {"span_id": ""}, "span id"),
        ({}, {"span_id": "0" * 16}, "span id"),
    ],
)
def test_model_calls_that_cannot_be_stored_say_why(
    attributes: dict[str, Any], fields: dict[str, Any], reason: str
) -> None:
    with pytest.raises(Unmappable, match=reason):
        map_span(span(attributes, **fields))


def test_input_and_output_are_bounded_and_keys_masked() -> None:
    key = "sk-proj-" + "A1b2C3d4" * 4
    call = map_span(
        span(
            {
                "gen_ai.request.model": "m",
                "input.value": f"use {key} then " + "x" * (2 * TEXT_LIMIT),
                "output.value": (
                    "Authorization: Bearer abcdefghijklmnop.qrs and pk-lf-1234567890abcdef"
                ),
                "llm.prompt_template.variables": json.dumps({"token": key, "city": "Oslo"}),
                "llm.headers": f"Authorization: Bearer {key}",  # never read
            }
        )
    )

    assert call is not None
    stored = json.dumps([call.input, call.output, call.variables])
    assert key not in stored
    assert "abcdefghijklmnop" not in stored
    assert "pk-lf-1234567890abcdef" not in stored
    assert call.input["prompt"].startswith("use [redacted] then xxx")
    assert len(call.input["prompt"]) == TEXT_LIMIT
    assert call.input["truncated"] is True
    assert call.output == "Authorization: [redacted] and [redacted]"
    assert call.variables == {"token": "[redacted]", "city": "Oslo"}


def test_long_messages_fall_back_to_bounded_text() -> None:
    messages = [{"role": "user", "content": "y" * TEXT_LIMIT}, {"role": "user", "content": "z"}]
    call = map_span(span({"gen_ai.request.model": "m", "input.value": json.dumps(messages)}))

    assert call is not None
    assert set(call.input) == {"prompt", "truncated"}
    assert len(call.input["prompt"]) == TEXT_LIMIT


def test_the_mapping_loads_no_framework_database_or_protobuf() -> None:
    probe = (
        "import sys, autoforge.telemetry.mapping\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'google', 'opentelemetry'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"
