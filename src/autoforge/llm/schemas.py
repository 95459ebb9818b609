"""Request and response bodies: OpenAI's wire format for /v1, ours for /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from autoforge.llm.types import CallRecord


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None


class StreamOptions(BaseModel):
    include_usage: bool = False


class SamplingParams(BaseModel):
    """The OpenAI fields the gateway passes on; unknown fields are ignored, as OpenAI's are."""

    model_config = ConfigDict(extra="ignore")

    model: str | None = Field(default=None, description="a gateway model name; default if empty")
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    n: int = Field(default=1, ge=1, le=1, description="one choice per call")
    stream: bool = False
    stream_options: StreamOptions | None = None
    no_cache: bool = Field(default=False, description="AutoForgeNexus: bypass the cache")

    def params(self) -> dict[str, Any]:
        fields = (
            "temperature",
            "top_p",
            "max_tokens",
            "stop",
            "seed",
            "presence_penalty",
            "frequency_penalty",
        )
        values = {name: getattr(self, name) for name in fields}
        return {k: v for k, v in values.items() if v is not None}


class ChatCompletionIn(SamplingParams):
    messages: list[ChatMessage] = Field(min_length=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    response_format: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _newer_token_limit(self) -> ChatCompletionIn:
        # OpenAI renamed max_tokens; newer clients send only the new name.
        if self.max_tokens is None and self.max_completion_tokens is not None:
            self.max_tokens = self.max_completion_tokens
        return self

    def params(self) -> dict[str, Any]:
        values = super().params()
        if self.response_format is not None:
            values["response_format"] = self.response_format
        return values

    def message_dicts(self) -> list[dict[str, Any]]:
        return [m.model_dump(exclude_none=True) for m in self.messages]


class TextCompletionIn(SamplingParams):
    prompt: str | list[str]

    @model_validator(mode="after")
    def _single_prompt(self) -> TextCompletionIn:
        if isinstance(self.prompt, list):
            if len(self.prompt) != 1:
                raise ValueError("exactly one prompt per call")
            self.prompt = self.prompt[0]
        return self


class TraceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    model: str
    prompt_id: str | None
    prompt_version: int | None
    variables: dict[str, Any] | None
    input: dict[str, Any]
    output: str | None
    finish_reason: str | None
    tokens_in: int
    tokens_out: int
    cost_usd: float | None = Field(description="null: unpriced (no price known for the model)")
    unpriced: bool = Field(
        default=False, description="no price is known for the model (set LLM_PRICES)"
    )
    latency_ms: float
    cache_hit: bool
    attempts: int
    error: str | None
    created_at: datetime
    source: str = Field(description='"gateway": a call made here; "otlp": a span sent to us')
    provider: str | None = Field(default=None, description="as the span named it (otlp)")
    prompt_name: str | None = Field(
        default=None, description="the prompt the span named; `prompt_id` if it is ours"
    )
    trace_id: str | None = Field(default=None, description="OpenTelemetry trace id (hex)")
    span_id: str | None = Field(default=None, description="OpenTelemetry span id (hex)")

    @model_validator(mode="after")
    def _unknown_cost(self) -> TraceOut:
        # The row stores 0.0 for an unpriced call; the API says "unknown".
        if self.unpriced:
            self.cost_usd = None
        return self


class TraceList(BaseModel):
    items: list[TraceOut]


class ModelProcessOut(BaseModel):
    """The local model's supervised process."""

    state: Literal["stopped", "starting", "ready", "crashed", "unavailable"]
    pid: int | None = Field(description="while it runs")
    starts: int
    crashes: int = Field(description="deaths during or between calls since the server started")
    last_exit: str | None = Field(description='how the last process ended, e.g. "SIGKILL (killed)"')
    reason: str | None = Field(description="why it is crashed or unavailable")
    load_s: float | None = Field(description="seconds the last start took to load the weights")


class ModelOut(BaseModel):
    name: str
    available: bool
    detail: str
    is_default: bool
    running: int = Field(description="calls running now")
    queued: int = Field(description="calls waiting for a turn (the model's concurrency is full)")
    process: ModelProcessOut | None = Field(
        default=None, description="local models: the process that runs the model"
    )


class CallRecordOut(BaseModel):
    """The gateway's facts about one call, attached to responses as `autoforge`."""

    call_id: str
    model: str
    cost_usd: float | None = Field(description="null: unpriced (no price known for the model)")
    unpriced: bool = Field(default=False, description="no price is known for the model")
    latency_ms: float
    cache_hit: bool
    attempts: int

    @classmethod
    def of(cls, record: CallRecord) -> CallRecordOut:
        return cls(
            call_id=record.id,
            model=record.model,
            cost_usd=record.cost_usd,
            unpriced=record.cost_usd is None,
            latency_ms=round(record.latency_ms, 3),
            cache_hit=record.cache_hit,
            attempts=record.attempts,
        )
