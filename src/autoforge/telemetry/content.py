"""What of a span's content a call keeps: its input as chat messages or text, its output as
text, both bounded to TEXT_LIMIT characters and with anything that looks like a credential
masked. Pure, like `mapping`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from autoforge.llm.types import REDACTED

TEXT_LIMIT = 10_000  # characters of a call's input and of its output that are kept
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
            return _bounded_input(maybe_json(attributes[key]))
    return {}


def call_output(attributes: Mapping[str, Any]) -> str | None:
    messages = _indexed(attributes, "output")
    if messages:
        return _bounded_text(_text_of(messages))[0]
    for key in OUTPUT_KEYS:
        if key in attributes and attributes[key] not in (None, ""):
            return _bounded_text(_text_of(maybe_json(attributes[key])))[0]
    return None


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


def maybe_json(value: Any) -> Any:
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
