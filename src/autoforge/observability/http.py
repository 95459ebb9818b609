"""The outermost ASGI middleware: a request id for every request (the caller's sane
`X-Request-ID`, else a new one; always sent back), its duration in the metrics by route
template, and its span, the parent of the statement and model-call spans it causes."""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import context as otel_context
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from autoforge.observability import metrics, tracing
from autoforge.observability.logs import accepted_request_id, log_context

HEADER = b"x-request-id"
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/api/v1/prompts/{prompt_id}`), never the path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    if isinstance(route, Mount):  # the web UI's files: one label for all of them
        return f"{path}/{{path:path}}"
    return path


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            return str(value.decode("latin-1"))
    return None


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(_incoming_id(scope))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message["headers"] = [*headers, (HEADER, request_id.encode("latin-1"))]
            await send(message)

        if not self.enabled:
            with log_context(request_id=request_id):
                await self.app(scope, receive, send_with_id)
            return
        started = time.perf_counter()
        recorded = False

        def record() -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                duration = time.perf_counter() - started
                metrics.http_request(scope["method"], route_template(scope), status, duration)

        async def send_counted(message: Message) -> None:
            # Counted before the last body chunk leaves: a client that scrapes /metrics
            # right after its answer arrived finds that answer already counted.
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                record()
            await send_with_id(message)

        span, token = _open_span(scope, request_id)
        error: BaseException | None = None
        try:
            with log_context(request_id=request_id):
                await self.app(scope, receive, send_counted)
        except BaseException as exc:
            error = exc
            raise
        finally:
            record()
            if span is not None:
                route = route_template(scope)
                otel_context.detach(token)
                _close_span(span, f"{scope['method']} {route}", route, status, error)


def _open_span(scope: Scope, request_id: str) -> tuple[Any, Any]:
    tracer = tracing.tracer("autoforge.http")
    if tracer is None:
        return None, None
    span = tracer.start_span(
        scope["method"],
        kind=tracing.SERVER,
        attributes={
            "http.request.method": scope["method"],
            "url.scheme": scope.get("scheme", "http"),
            "autoforge.request_id": request_id,
        },
    )
    return span, otel_context.attach(tracing.current_context_with(span))


def _close_span(span: Any, name: str, route: str, status: int, error: BaseException | None) -> None:
    span.update_name(name)
    span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if error is None and status >= 500:
        span.set_attribute("error.type", str(status))
    tracing.end(span, error)
