"""HTTP: OpenAI-compatible `/v1` for existing clients, and traces and models under `/api/v1`.

Endpoints are plain `def`: a model call blocks, so FastAPI runs it in its thread pool, and a
streaming body is a sync generator that Starlette also drains off the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from autoforge.api.deps import ContainerDep, Principal
from autoforge.api.problems import PROBLEM_JSON, Problem
from autoforge.llm import openai_format, service
from autoforge.llm.gateway import Gateway
from autoforge.llm.openai_format import Kind
from autoforge.llm.schemas import (
    ChatCompletionIn,
    ModelOut,
    ModelProcessOut,
    SamplingParams,
    TextCompletionIn,
    TraceList,
    TraceOut,
)
from autoforge.llm.types import CachePolicy, CompletionRequest, TraceContext

openai_router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])
router = APIRouter(prefix="/api/v1", tags=["models"])
_PROBLEM_TITLES = {
    400: "the provider rejected the request (bad parameters, context too long, credentials)",
    404: "no provider is known for this model name",
    422: "invalid input; `errors` names each offending field",
    429: "the model's rate limit held after the gateway's retries",
    502: "the model failed",
    503: "the model (or the database) is unavailable",
    504: "the model did not answer within the call's timeout",
}


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {
            "model": Problem,
            "description": _PROBLEM_TITLES[code],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


# A completion answers with JSON, or with server-sent events when the body asks to stream.
_COMPLETION_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the completion (JSON), or its chunks (SSE) when `stream` is true",
        "content": {"application/json": {}, "text/event-stream": {}},
    },
    **_problems(400, 404, 422, 429, 502, 503, 504),
}


@openai_router.post("/chat/completions", response_model=None, responses=_COMPLETION_RESPONSES)
def chat_completions(
    body: ChatCompletionIn, container: ContainerDep, owner: Principal, http: Request
) -> Any:
    """OpenAI's chat completion, answered by any gateway model and traced.

    `stream: true` answers with server-sent events in OpenAI's chunk format.
    `no_cache: true` (an extension) bypasses the response cache.
    """
    gateway = container.gateway
    request = CompletionRequest(
        model=body.model or gateway.config.default_model,
        messages=body.message_dicts(),
        params=body.params(),
    )
    return _answer(gateway, request, body, "chat", http, trace=TraceContext(project_id=owner))


@openai_router.post("/completions", response_model=None, responses=_COMPLETION_RESPONSES)
def completions(
    body: TextCompletionIn, container: ContainerDep, owner: Principal, http: Request
) -> Any:
    """OpenAI's legacy text completion: the prompt goes to the model verbatim."""
    gateway = container.gateway
    request = CompletionRequest(
        model=body.model or gateway.config.default_model,
        prompt=str(body.prompt),
        params=body.params(),
    )
    return _answer(gateway, request, body, "text", http, trace=TraceContext(project_id=owner))


@openai_router.get("/models")
def openai_models(container: ContainerDep) -> dict[str, Any]:
    """The configured models, in OpenAI's list format."""
    names = container.gateway.config.known_models()
    return {
        "object": "list",
        "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": name.split("/")[0]}
            for name in names
        ],
    }


@router.get("/models", response_model=list[ModelOut])
def models(container: ContainerDep) -> list[ModelOut]:
    """Configured models and whether each can be called here (keys present, files
    installed, the local model's process not failing), with the calls running and queued.
    Nothing is loaded or called to find out."""
    return [
        ModelOut(
            name=s.name,
            available=s.available,
            detail=s.detail,
            is_default=s.is_default,
            running=s.running,
            queued=s.queued,
            process=ModelProcessOut.model_validate(s.process) if s.process else None,
        )
        for s in container.gateway.statuses()
    ]


@router.get("/traces", response_model=TraceList, responses=_problems(422, 503))
def traces(
    container: ContainerDep,
    owner: Principal,
    *,
    model: str | None = None,
    prompt_id: str | None = None,
    source: Annotated[
        Literal["gateway", "otlp"] | None,
        Query(description='"gateway": calls made here; "otlp": spans sent over OTLP'),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> TraceList:
    """Recorded model calls, newest first, optionally for one model, one prompt or one
    source."""
    rows = service.list_traces(
        container.gateway, owner, model=model, prompt_id=prompt_id, source=source, limit=limit
    )
    return TraceList(items=[TraceOut.model_validate(row) for row in rows])


def _answer(
    gateway: Gateway,
    request: CompletionRequest,
    body: SamplingParams,
    kind: Kind,
    http: Request,
    *,
    trace: TraceContext,
) -> Any:
    policy = CachePolicy.BYPASS if body.no_cache else CachePolicy.AUTO
    if not body.stream:
        return openai_format.response(kind, gateway.complete(request, cache=policy, trace=trace))
    stream = gateway.stream(request, cache=policy, trace=trace)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    events = openai_format.sse(kind, stream, request.model, include_usage)
    return StreamingResponse(_until_disconnected(http, events), media_type="text/event-stream")


async def _until_disconnected(
    http: Request, events: Generator[bytes, None, None]
) -> AsyncIterator[bytes]:
    """Relays the events, and stops the model as soon as the reader has gone.

    uvicorn drops writes to a closed connection without an error, so nothing would stop a
    stream whose reader left: it would hold the local model to the end for nobody (seen
    here: the next call waited 10 s). When Starlette cancels this generator on disconnect,
    the close runs shielded; unshielded, the cancellation swallowed it too.
    """
    try:
        while True:
            event = await run_in_threadpool(next, events, None)
            if event is None:
                return
            yield event
            if await http.is_disconnected():
                return
    finally:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(events.close)
