"""Values that cross the gateway: a request, a model's answer, and the record of one call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from autoforge.errors import ValidationFailed

Message = Mapping[str, Any]

# Every parameter a caller may pass changes the output, so all of them are part of the
# cache key. Transport settings (timeout, retries, cache policy) travel separately.
OUTPUT_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "top_k",
        "max_tokens",
        "stop",
        "seed",
        "response_format",
        "presence_penalty",
        "frequency_penalty",
        "logit_bias",
        "tools",
        "tool_choice",
    }
)


class CachePolicy(StrEnum):
    AUTO = "auto"  # only deterministic calls (temperature 0) are cached
    FORCE = "force"  # cache whatever the temperature, e.g. to replay an evaluation
    BYPASS = "bypass"  # neither read nor write the cache


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """Chat `messages` or a plain `prompt` (never both) for one model."""

    model: str
    messages: Sequence[Message] | None = None
    prompt: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    # Whom the call is made for, so that the project's stored provider key can pay for it;
    # the gateway sets it from the trace. It shapes no output: it is neither in the cache
    # key nor in the traced input.
    project_id: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValidationFailed("give either messages or a prompt, not both or neither")
        if self.messages is not None and not self.messages:
            raise ValidationFailed("messages must not be empty")
        unknown = sorted(set(self.params) - OUTPUT_PARAMS)
        if unknown:
            raise ValidationFailed(f"unsupported model parameters: {', '.join(unknown)}")

    @property
    def is_chat(self) -> bool:
        return self.messages is not None

    @property
    def deterministic(self) -> bool:
        temperature = self.params.get("temperature")
        return temperature is not None and float(temperature) == 0.0

    def for_model(self, model: str) -> CompletionRequest:
        return replace(self, model=model)

    def for_project(self, project_id: str | None) -> CompletionRequest:
        """Named for the project in the call's trace: the one place callers say whom a call
        is for."""
        return self if project_id == self.project_id else replace(self, project_id=project_id)

    def as_input(self) -> dict[str, Any]:
        """What the trace stores as the call's input."""
        body: dict[str, Any] = (
            {"messages": [dict(m) for m in self.messages]}
            if self.messages is not None
            else {"prompt": self.prompt}
        )
        if self.params:
            body["params"] = dict(self.params)
        return body


@dataclass(frozen=True, slots=True)
class Completion:
    """A model's answer. `model` is the name the provider reports (its real model)."""

    text: str
    model: str
    tokens_in: int
    tokens_out: int
    finish_reason: str
    # None: nobody knows this model's price (issue #19), which is not $0.
    cost_usd: float | None = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "model": self.model,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "finish_reason": self.finish_reason,
            "cost_usd": self.cost_usd,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Completion:
        return cls(
            text=str(data["text"]),
            model=str(data["model"]),
            tokens_in=int(data["tokens_in"]),
            tokens_out=int(data["tokens_out"]),
            finish_reason=str(data["finish_reason"]),
            cost_usd=_cost(data.get("cost_usd", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class TraceContext:
    """Where a call came from, stored on its trace (set when a stored prompt is run)."""

    prompt_id: str | None = None
    prompt_version: int | None = None
    variables: Mapping[str, Any] | None = None
    # The project the call is made for: its traces are listed there only.
    project_id: str | None = None
    # Values the call carries that must not be stored (a dataset's sensitive fields): the
    # trace keeps its input and output with each of them replaced by "[redacted]".
    redact: tuple[str, ...] = ()
    # The stored prompt's name, for the call's span (`gen_ai.prompt.name`).
    prompt_name: str | None = None


def _cost(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """The per-call facts: who answered, what it cost, how long it took, what went wrong.

    `model` is the gateway name of the model that answered (a fallback, if one did).
    A cache hit costs nothing, so its `cost_usd` is 0 while its tokens are the stored ones.
    `cost_usd` is None for an unpriced call: neither LLM_PRICES nor LiteLLM knows the model.
    """

    id: str
    model: str
    tokens_in: int
    tokens_out: int
    cost_usd: float | None
    latency_ms: float
    cache_hit: bool
    attempts: int
    created_at: datetime
    finish_reason: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CallResult:
    completion: Completion
    record: CallRecord

    @property
    def text(self) -> str:
        return self.completion.text


@dataclass(frozen=True, slots=True)
class ModelStatus:
    name: str
    available: bool
    detail: str
    is_default: bool = False
    # Calls running and waiting under the model's concurrency limit (the gateway fills it).
    running: int = 0
    queued: int = 0
    # The local model's process: state, pid, starts, crashes, last exit, reason.
    process: Mapping[str, Any] | None = None


class Completer(Protocol):
    """What scoring and searching need of the gateway: one call, answered or raised as a
    `ModelCallError`. `Gateway` is the real one; a fake is one method."""

    def complete(
        self,
        request: CompletionRequest,
        *,
        cache: CachePolicy = ...,
        trace: TraceContext | None = None,
        timeout_s: float | None = None,
        crash_retries: int = 0,
    ) -> CallResult: ...


REDACTED = "[redacted]"


def masked(value: Any, secrets: tuple[str, ...]) -> Any:
    """`value` (text, or JSON-like) with every occurrence of each secret replaced."""
    if not secrets or value is None:
        return value
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):  # longest first: no fragments
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {key: masked(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item, secrets) for item in value]
    return value
