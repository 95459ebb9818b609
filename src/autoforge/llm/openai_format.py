"""OpenAI's response shapes (chat and legacy completions, whole and as SSE chunks)."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any, Literal

import orjson

from autoforge.db.base import new_id
from autoforge.llm.errors import ModelCallError
from autoforge.llm.gateway import CompletionStream
from autoforge.llm.schemas import CallRecordOut
from autoforge.llm.types import CallResult

Kind = Literal["chat", "text"]
_FINISH_REASONS = {"stop", "length", "tool_calls", "content_filter", "function_call"}


def finish_reason(value: str | None) -> str:
    """OpenAI clients validate the reason; providers' own words become `stop`."""
    return value if value in _FINISH_REASONS else "stop"


def usage(result: CallResult) -> dict[str, int]:
    tokens_in, tokens_out = result.completion.tokens_in, result.completion.tokens_out
    return {
        "prompt_tokens": tokens_in,
        "completion_tokens": tokens_out,
        "total_tokens": tokens_in + tokens_out,
    }


def response(kind: Kind, result: CallResult) -> dict[str, Any]:
    completion = result.completion
    if kind == "chat":
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": completion.text},
            "finish_reason": finish_reason(completion.finish_reason),
            "logprobs": None,
        }
    else:
        choice = {
            "index": 0,
            "text": completion.text,
            "finish_reason": finish_reason(completion.finish_reason),
            "logprobs": None,
        }
    return {
        "id": f"{_prefix(kind)}-{result.record.id}",
        "object": "chat.completion" if kind == "chat" else "text_completion",
        "created": int(result.record.created_at.timestamp()),
        "model": completion.model,
        "choices": [choice],
        "usage": usage(result),
        "autoforge": CallRecordOut.of(result.record).model_dump(),
    }


def sse(
    kind: Kind, stream: CompletionStream, model: str, include_usage: bool
) -> Generator[bytes, None, None]:
    """Server-sent events as OpenAI sends them, ending in `[DONE]`; errors as an error event."""
    chunk_id = f"{_prefix(kind)}-{new_id()}"
    created = int(time.time())

    def event(choices: list[dict[str, Any]], **extra: Any) -> bytes:
        body = {
            "id": chunk_id,
            "object": "chat.completion.chunk" if kind == "chat" else "text_completion",
            "created": created,
            "model": model,
            "choices": choices,
            **extra,
        }
        return b"data: " + orjson.dumps(body) + b"\n\n"

    def choice(text: str | None, reason: str | None, first: bool = False) -> dict[str, Any]:
        if kind == "text":
            return {"index": 0, "text": text or "", "finish_reason": reason, "logprobs": None}
        delta: dict[str, Any] = {"role": "assistant"} if first else {}
        if text is not None:
            delta["content"] = text
        return {"index": 0, "delta": delta, "finish_reason": reason, "logprobs": None}

    try:
        if kind == "chat":
            yield event([choice("", None, first=True)])
        for piece in stream:
            yield event([choice(piece, None)])
        result = stream.result
        assert result is not None, "a finished stream always has a result"
        model = result.completion.model
        yield event([choice(None, finish_reason(result.completion.finish_reason))])
        if include_usage:
            record = CallRecordOut.of(result.record).model_dump()
            yield event([], usage=usage(result), autoforge=record)
    except ModelCallError as exc:
        error = {"message": exc.detail, "type": exc.title, "code": exc.status}
        yield b"data: " + orjson.dumps({"error": error}) + b"\n\n"
    finally:
        stream.close()
    yield b"data: [DONE]\n\n"


def _prefix(kind: Kind) -> str:
    return "chatcmpl" if kind == "chat" else "cmpl"
