"""Use cases on top of the gateway: run final messages as a traced call, read the traces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
    source: str | None = None,
    limit: int = 50,
) -> list[LLMCallRow]:
    if gateway.calls is None:
        return []
    return gateway.calls.list(
        model=model, prompt_id=prompt_id, source=source, limit=limit, project_id=project_id
    )


@dataclass(frozen=True)
class ProjectCalls:
    """The gateway as a `Completer` whose every call is traced to one project, so a
    background run's calls are listed (and counted) in the project that started it."""

    gateway: Gateway
    project_id: str
    # Sensitive values the calls carry: the call log masks them in what it stores.
    redact: tuple[str, ...] = ()

    def complete(
        self,
        request: CompletionRequest,
        *,
        cache: CachePolicy = CachePolicy.AUTO,
        trace: TraceContext | None = None,
        timeout_s: float | None = None,
        crash_retries: int = 0,
    ) -> CallResult:
        trace = replace(
            trace or TraceContext(),
            project_id=self.project_id,
            redact=(trace.redact if trace else ()) + self.redact,
        )
        return self.gateway.complete(
            request, cache=cache, trace=trace, timeout_s=timeout_s, crash_retries=crash_retries
        )
