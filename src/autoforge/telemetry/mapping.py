"""From one span to one traced call: the GenAI semantic conventions (`gen_ai.*`), OpenInference
(`llm.*`, `input.value`), OpenLLMetry (`traceloop.*`) and the Langfuse SDK's own attributes
(`langfuse.observation.*`). Pure: no web framework, no database, no protobuf.

Only the attributes named here and in `content` are read; nothing else of a span is stored,
so headers or keys an instrumentation puts in other attributes never reach the call log. The
input and output kept are bounded, and anything in them that looks like a credential is
masked (`content`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from autoforge.telemetry.content import (
    TEXT_LIMIT,
    call_input,
    call_output,
    maybe_json,
    redact_secrets,
)

_ERROR_LIMIT = 2_000
_MAX_TOKENS = 10**12  # beyond any real call; also keeps the value inside a 64-bit column

# Where each field is read, first match wins. The GenAI keys are those of
# opentelemetry-semantic-conventions (`_incubating/attributes/gen_ai_attributes.py`);
# OpenInference's are its spec/semantic_conventions.md; Langfuse's are
# `langfuse/_client/attributes.py` (LangfuseOtelSpanAttributes); OpenLLMetry's are
# `opentelemetry/semconv_ai/__init__.py` (SpanAttributes).
MODEL_KEYS = (
    "gen_ai.response.model",
    "gen_ai.request.model",
    "llm.response.model_name",
    "llm.model_name",
    "llm.request.model_name",
    "langfuse.observation.model.name",
)
PROVIDER_KEYS = ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")
INPUT_TOKEN_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "llm.token_count.prompt",
)
OUTPUT_TOKEN_KEYS = (
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "llm.token_count.completion",
)
# Langfuse's usage_details is a JSON object; the SDK's integrations use these keys.
USAGE_INPUT = ("input", "prompt_tokens", "input_tokens")
USAGE_OUTPUT = ("output", "completion_tokens", "output_tokens")
COST_KEYS = ("autoforge.cost_usd", "llm.cost.total")
PROMPT_NAME_KEYS = (
    "langfuse.observation.prompt.name",
    "gen_ai.prompt.name",
    "traceloop.prompt.key",
)
PROMPT_VERSION_KEYS = (
    "langfuse.observation.prompt.version",
    "gen_ai.prompt.version",
    "traceloop.prompt.version",
    "llm.prompt_template.version",
)
VARIABLES_KEYS = ("llm.prompt_template.variables", "traceloop.prompt.template_variables")
FINISH_KEYS = ("gen_ai.response.finish_reasons", "llm.finish_reason", "llm.response.finish_reason")

# gen_ai.operation.name values that are (or are not) one call to a model.
_MODEL_OPERATIONS = frozenset({"chat", "text_completion", "generate_content", "embeddings"})
_OTHER_OPERATIONS = frozenset(
    {"execute_tool", "invoke_agent", "create_agent", "invoke_workflow", "retrieval"}
)


@dataclass(frozen=True, slots=True)
class Span:
    """What the mapping needs of a span; ids are lowercase hex, times Unix nanoseconds."""

    trace_id: str
    span_id: str
    name: str
    start_ns: int
    end_ns: int
    attributes: Mapping[str, Any]
    error: bool = False  # status code ERROR
    status_message: str = ""


@dataclass(frozen=True, slots=True)
class SpanCall:
    """One model call as the call log stores it (see llm/models.py LLMCallRow)."""

    trace_id: str
    span_id: str
    model: str
    provider: str | None
    tokens_in: int
    tokens_out: int
    cost_usd: float | None  # None: the span named no cost (unpriced)
    latency_ms: float
    created_at: datetime
    input: dict[str, Any]
    output: str | None
    variables: dict[str, Any] | None
    finish_reason: str | None
    error: str | None
    prompt_name: str | None
    prompt_version: int | None


class Unmappable(ValueError):
    """A model-call span that cannot be stored as a call; the message says why."""


def is_model_call(attributes: Mapping[str, Any]) -> bool:
    """Whether the span is one call to a model (a generation), not a tool, chain or agent."""
    observation = _text(attributes, "langfuse.observation.type")
    if observation is not None:
        return observation in ("generation", "embedding")
    kind = _text(attributes, "openinference.span.kind")
    if kind is not None:
        return kind.upper() in ("LLM", "EMBEDDING")
    operation = _text(attributes, "gen_ai.operation.name")
    if operation in _MODEL_OPERATIONS:
        return True
    if operation in _OTHER_OPERATIONS:
        return False
    return _first(attributes, ("gen_ai.request.model", "gen_ai.response.model"), _text) is not None


def map_span(span: Span) -> SpanCall | None:
    """The call a span records, or None when it records something else. Raises
    `Unmappable` for a span without valid ids, and for a model call that lacks what a call
    needs (a model, sane times, counts)."""
    if len(span.trace_id) != 32 or span.trace_id == "0" * 32:
        raise Unmappable(f"span {span.span_id or '(no id)'}: the trace id is not 16 bytes")
    if len(span.span_id) != 16 or span.span_id == "0" * 16:
        raise Unmappable(f"a span of trace {span.trace_id}: the span id is not 8 bytes")
    a = span.attributes
    if not is_model_call(a):
        return None
    model = _first(a, MODEL_KEYS, _text)
    if model is None:
        raise Unmappable(f"span {span.span_id}: a model call without a model name")
    if span.start_ns <= 0:
        raise Unmappable(f"span {span.span_id}: no start time")
    end_ns = span.end_ns or span.start_ns
    if end_ns < span.start_ns:
        raise Unmappable(f"span {span.span_id}: ends before it starts")
    usage = _json_object(a.get("langfuse.observation.usage_details"))
    return SpanCall(
        trace_id=span.trace_id,
        span_id=span.span_id,
        model=model[:200],
        provider=_clip(_first(a, PROVIDER_KEYS, _text), 64),
        tokens_in=_tokens(span, INPUT_TOKEN_KEYS, usage, USAGE_INPUT),
        tokens_out=_tokens(span, OUTPUT_TOKEN_KEYS, usage, USAGE_OUTPUT),
        cost_usd=_cost(span),
        latency_ms=(end_ns - span.start_ns) / 1e6,
        created_at=datetime.fromtimestamp(end_ns / 1e9, UTC),
        input=call_input(a),
        output=call_output(a),
        variables=_variables(a),
        finish_reason=_clip(_finish_reason(a), 32),
        error=_error(span),
        prompt_name=_clip(_first(a, PROMPT_NAME_KEYS, _text), 200),
        prompt_version=_first(a, PROMPT_VERSION_KEYS, _version),
    )


# --- fields ------------------------------------------------------------------------------


def _tokens(
    span: Span, keys: Sequence[str], usage: Mapping[str, Any], usage_keys: Sequence[str]
) -> int:
    found = _first(span.attributes, keys, lambda a, k: a.get(k))
    where = next((k for k in keys if span.attributes.get(k) is not None), "")
    if found is None:
        found = next((usage[k] for k in usage_keys if usage.get(k) is not None), None)
        where = "langfuse.observation.usage_details"
    if found is None:
        return 0
    count = _number(found)
    if count is None or not 0 <= count <= _MAX_TOKENS or count != int(count):
        raise Unmappable(f"span {span.span_id}: {where} is not a token count: {found!r:.40}")
    return int(count)


def _cost(span: Span) -> float | None:
    """The span's cost, or None: a span that names no cost is unpriced, not $0."""
    a = span.attributes
    cost = _first(a, COST_KEYS, lambda attrs, k: _number(attrs.get(k)))
    if cost is None:
        parts = [_number(a.get(k)) for k in ("llm.cost.prompt", "llm.cost.completion")]
        if any(p is not None for p in parts):
            cost = sum(p for p in parts if p is not None)
    if cost is None:
        details = _json_object(a.get("langfuse.observation.cost_details"))
        total = _number(details.get("total"))
        numbers = [n for n in (_number(v) for v in details.values()) if n is not None]
        cost = total if total is not None else (sum(numbers) if numbers else None)
    if cost is None:
        return None
    if not math.isfinite(cost) or cost < 0:
        raise Unmappable(f"span {span.span_id}: the cost is not an amount: {cost!r}")
    return float(cost)


def _error(span: Span) -> str | None:
    a = span.attributes
    level_error = _text(a, "langfuse.observation.level") == "ERROR"
    if not span.error and not level_error:
        return None
    message = (
        span.status_message
        or _text(a, "langfuse.observation.status_message")
        or _text(a, "error.type")
        or "error"
    )
    return str(redact_secrets(message))[:_ERROR_LIMIT]


def _finish_reason(a: Mapping[str, Any]) -> str | None:
    for key in FINISH_KEYS:
        value = a.get(key)
        if isinstance(value, list | tuple) and value and isinstance(value[0], str):
            return value[0]
        if isinstance(value, str) and value:
            return value
    return None


def _variables(a: Mapping[str, Any]) -> dict[str, Any] | None:
    for key in VARIABLES_KEYS:
        found = _json_object(a.get(key))
        if found:
            values = redact_secrets(found)
            return values if len(json.dumps(values, default=str)) <= TEXT_LIMIT else None
    return None


# --- attribute values --------------------------------------------------------------------


def _first(
    a: Mapping[str, Any], keys: Sequence[str], read: Callable[[Mapping[str, Any], str], Any]
) -> Any:
    for key in keys:
        value = read(a, key)
        if value is not None:
            return value
    return None


def _text(a: Mapping[str, Any], key: str) -> str | None:
    value = a.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _version(a: Mapping[str, Any], key: str) -> int | None:
    value = a.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    digits = value.strip() if isinstance(value, str) else ""
    if digits.isascii() and digits.isdigit() and len(digits) <= 9 and int(digits) > 0:
        return int(digits)
    return None


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    parsed = maybe_json(value)
    return parsed if isinstance(parsed, dict) else {}
