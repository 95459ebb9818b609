"""Request and response bodies of `POST /api/v1/prompts/{id}/run` and its by-name twin."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from autoforge.prompts.schemas import Kind

RunMode = Literal["auto", "chat", "completion"]


class RunRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "variables": {"question": "Where is my order?"},
                    "model": "local/gemma-3-270m",
                    "params": {"temperature": 0, "max_tokens": 64},
                }
            ]
        },
    )

    variables: dict[str, Any] = Field(
        default_factory=dict,
        description="template variables; a chat prompt's placeholder takes a list of "
        '`{"role", "content"}` messages',
    )
    version: int | None = Field(default=None, ge=1, description="default: label, else latest")
    label: str | None = Field(default=None, max_length=64, description="e.g. production")
    model: str | None = Field(default=None, max_length=200, description="default model if unset")
    params: dict[str, Any] = Field(
        default_factory=lambda: {"temperature": 0},
        description="temperature, max_tokens, stop, top_p, seed, ...",
    )
    mode: RunMode = Field(
        default="auto",
        description="for text prompts: `chat` sends the prompt as a user message, `completion` "
        "as plain text; `auto` uses completion for the local base model and chat for everything "
        "else. A chat prompt is always sent as its messages",
    )
    no_cache: bool = Field(default=False, description="bypass the response cache")


class RunUsage(BaseModel):
    tokens_in: int
    tokens_out: int
    cost_usd: float | None = Field(description="null: unpriced (no price known for the model)")
    unpriced: bool = Field(default=False, description="no price is known for the model")
    latency_ms: float
    cache_hit: bool
    attempts: int


class RunResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "trace_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                    "prompt_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "prompt_name": "support-reply",
                    "version": 2,
                    "kind": "text",
                    "model": "local/gemma-3-270m",
                    "rendered": "Answer the customer politely: Where is my order?",
                    "output": "Your order is on its way.",
                    "finish_reason": "stop",
                    "usage": {
                        "tokens_in": 14,
                        "tokens_out": 7,
                        "cost_usd": 0.0,
                        "latency_ms": 412.5,
                        "cache_hit": False,
                        "attempts": 1,
                    },
                }
            ]
        }
    )

    trace_id: str
    prompt_id: str
    prompt_name: str
    version: int
    kind: Kind = Field(description="text, or chat: then `messages` is what the model was sent")
    model: str
    rendered: str = Field(description="the rendered text; for a chat prompt, `messages` as JSON")
    messages: list[dict[str, str]] | None = Field(
        default=None, description="a chat prompt's messages, rendered and placeholders filled"
    )
    output: str
    finish_reason: str | None
    usage: RunUsage
