"""Use cases on top of the gateway: run final messages as a traced call, read the traces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from autoforge.llm.gateway import Gateway
from autoforge.llm.models import LLMCallRow
from autoforge.llm.types import CachePolicy, CallResult, CompletionRequest, Message, TraceContext


def run_completion(
    gateway: Gateway,
    messages: Sequence[Message],
    *,
    model: str | None = None,
    params: Mapping[str, Any] | None = None,
    prompt_id: str | None = None,
    prompt_version: int | None = None,
    variables: Mapping[str, Any] | None = None,
    no_cache: bool = False,
    timeout_s: float | None = None,
    project_id: str | None = None,
) -> CallResult:
    """Calls a model with already-rendered messages and stores the trace with its origin.

    Rendering the prompt is the caller's job; this records which prompt version and which
    variables produced the messages, so the trace can be found from the prompt later.
    """
    request = CompletionRequest(
        model=model or gateway.config.default_model,
        messages=list(messages),
        params=dict(params or {}),
    )
    return gateway.complete(
        request,
        cache=CachePolicy.BYPASS if no_cache else CachePolicy.AUTO,
        trace=TraceContext(prompt_id, prompt_version, variables, project_id),
        timeout_s=timeout_s,
    )


def list_traces(
    gateway: Gateway,
    project_id: str,
    *,
    model: str | None = None,
    prompt_id: str | None = None,
    limit: int = 50,
) -> list[LLMCallRow]:
    if gateway.calls is None:
        return []
    return gateway.calls.list(model=model, prompt_id=prompt_id, limit=limit, project_id=project_id)
