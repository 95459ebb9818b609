"""The LLM gateway: every model call goes through `Gateway` (LiteLLM is imported lazily)."""

from autoforge.llm.errors import (
    ModelBusy,
    ModelCallError,
    ModelRequestError,
    ModelTimeout,
    ModelUnavailable,
    RateLimited,
    UnknownModelError,
)
from autoforge.llm.gateway import CompletionStream, Gateway, GatewayConfig, ModelClient
from autoforge.llm.service import list_traces, run_completion
from autoforge.llm.types import (
    CachePolicy,
    CallRecord,
    CallResult,
    Completion,
    CompletionRequest,
    ModelStatus,
    TraceContext,
)

__all__ = [
    "CachePolicy",
    "CallRecord",
    "CallResult",
    "Completion",
    "CompletionRequest",
    "CompletionStream",
    "Gateway",
    "GatewayConfig",
    "ModelBusy",
    "ModelCallError",
    "ModelClient",
    "ModelRequestError",
    "ModelStatus",
    "ModelTimeout",
    "ModelUnavailable",
    "RateLimited",
    "TraceContext",
    "UnknownModelError",
    "list_traces",
    "run_completion",
]
