"""From one span to one traced call: the GenAI semantic conventions (`gen_ai.*`), OpenInference
(`llm.*`, `input.value`), OpenLLMetry (`traceloop.*`) and the Langfuse SDK's own attributes
(`langfuse.observation.*`). Pure: no web framework, no database, no protobuf.

Only the fields below are read; nothing else of a span is stored, so headers or keys an
instrumentation puts in other attributes never reach the call log. The input and output
kept are bounded and anything in them that looks like a credential is masked.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from autoforge.llm.types import REDACTED

TEXT_LIMIT = 10_000  # characters of a call's input and of its output that are kept
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
INPUT_KEYS = (
    "langfuse.observation.input",
    "gen_ai.input.messages",
    "input.value",
    "traceloop.entity.input",
    "gen_ai.prompt",
)
OUTPUT_KEYS = (
    "langfuse.observation.output",
    "gen_ai.output.messages",
    "output.value",
    "traceloop.entity.output",
    "gen_ai.completion",
)
FINISH_KEYS = ("gen_ai.response.finish_reasons", "llm.finish_reason", "llm.response.finish_reason")

# gen_ai.operation.name values that are (or are not) one call to a model.
_MODEL_OPERATIONS = frozenset({"chat", "text_completion", "generate_content", "embeddings"})
_OTHER_OPERATIONS = frozenset(
    {"execute_tool", "invoke_agent", "create_agent", "invoke_workflow", "retrieval"}
)
# Indexed messages: OpenInference `llm.input_messages.0.message.content`, OpenLLMetry
# `gen_ai.prompt.0.content` / `gen_ai.completion.0.content`.
_INDEXED = {
    "input": (
        re.compile(r"llm\.input_messages\.(\d+)\.message\.(role|content)"),
        re.compile(r"gen_ai\.prompt\.(\d+)\.(role|content)"),
    ),
    "output": (
        re.compile(r"llm\.output_messages\.(\d+)\.message\.(role|content)"),
        re.compile(r"gen_ai\.completion\.(\d+)\.(role|content)"),
    ),
}
# What credentials look like: provider and Langfuse/AutoForge keys (sk-…, pk-…), HTTP
# Authorization values, AWS access key ids, GitHub, Slack and Google API tokens.
_SECRET_PATTERNS = re.compile(
    r"\b(?:sk|pk|rk)-[A-Za-z0-9][A-Za-z0-9_\-]{15,}"
    r"|\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/\-]{8,}=*"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}"
    r"|\bxox[abprs]-[A-Za-z0-9\-]{10,}"
    r"|\bAIza[0-9A-Za-z_\-]{35}"
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
    cost_usd: float
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


def redact_secrets(value: Any) -> Any:
    """`value` (text or JSON-like) with whatever looks like a credential replaced."""
    if isinstance(value, str):
        return _SECRET_PATTERNS.sub(REDACTED, value)
    if isinstance(value, dict):
        return {key: redact_secrets(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_secrets(item) for item in value]
    return value


def call_input(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """`{"messages": [...]}` when the span carries chat messages, else `{"prompt": text}`;
    `"truncated": true` when the text was cut to TEXT_LIMIT characters."""
    messages = _indexed(attributes, "input")
    if messages:
        return _bounded_input(messages)
    for key in INPUT_KEYS:
        if key in attributes and attributes[key] not in (None, ""):
            return _bounded_input(_maybe_json(attributes[key]))
    return {}


def call_output(attributes: Mapping[str, Any]) -> str | None:
    messages = _indexed(attributes, "output")
    if messages:
        return _bounded_text(_text_of(messages))[0]
    for key in OUTPUT_KEYS:
        if key in attributes and attributes[key] not in (None, ""):
            return _bounded_text(_text_of(_maybe_json(attributes[key])))[0]
    return None


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


def _cost(span: Span) -> float:
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
        return 0.0
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


# --- input and output --------------------------------------------------------------------


def _indexed(a: Mapping[str, Any], direction: str) -> list[dict[str, Any]]:
    for pattern in _INDEXED[direction]:
        by_index: dict[int, dict[str, Any]] = {}
        for key, value in a.items():
            match = pattern.fullmatch(key)
            if match:
                by_index.setdefault(int(match.group(1)), {})[match.group(2)] = value
        if by_index:
            return [by_index[i] for i in sorted(by_index)]
    return []


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _as_messages(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in value):
        return None
    return [{"role": m["role"], "content": _content_of(m)} for m in value]


def _content_of(message: Mapping[str, Any]) -> Any:
    # gen_ai.input.messages carries `parts` ([{type: "text", content: ...}]), not `content`.
    parts = message.get("parts")
    if "content" not in message and isinstance(parts, list):
        return "".join(
            str(p.get("content", ""))
            for p in parts
            if isinstance(p, dict) and p.get("type") == "text"
        )
    return message.get("content")


def _text_of(value: Any) -> str:
    messages = _as_messages(value)
    if messages is not None:
        return "\n".join(str(m["content"]) for m in messages if m["content"] is not None)
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return str(value["content"])
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _bounded_input(value: Any) -> dict[str, Any]:
    messages = _as_messages(value)
    if messages is not None:
        body: dict[str, Any] = {"messages": redact_secrets(messages)}
        if len(json.dumps(body, default=str)) <= TEXT_LIMIT:
            return body
        value = json.dumps(messages, default=str)
    text, cut = _bounded_text(value if isinstance(value, str) else json.dumps(value, default=str))
    return {"prompt": text, "truncated": True} if cut else {"prompt": text}


def _bounded_text(text: str) -> tuple[str, bool]:
    masked = str(redact_secrets(text))
    return masked[:TEXT_LIMIT], len(masked) > TEXT_LIMIT


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
    parsed = _maybe_json(value)
    return parsed if isinstance(parsed, dict) else {}
