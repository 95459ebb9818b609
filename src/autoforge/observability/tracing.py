"""Spans for requests, statements and jobs, from the process's one pipeline (the one
`telemetry/emit.py` sets up for model calls, so every span goes to the same endpoint).

The current span lives in a context variable: a statement run while a request or a job is
handled becomes its child, and so does a model call (`emit.call_span`).
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from autoforge.telemetry import emit

SERVER = SpanKind.SERVER
CLIENT = SpanKind.CLIENT
CONSUMER = SpanKind.CONSUMER
_tracers: dict[str, Any] = {}


def tracer(component: str) -> Any:
    """The Tracer for `component`, or None while spans are not sent."""
    found = _tracers.get(component)
    if found is None:
        found = emit.tracer_for(component)
        if found is not None:
            _tracers[component] = found
    return found


def end(span: Any, error: BaseException | None = None) -> None:
    if error is not None:
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.set_attribute("error.type", type(error).__name__)
    span.end()


def current_context_with(span: Any) -> Any:
    """The context in which `span` is the current span (to attach while work runs)."""
    return trace.set_span_in_context(span)
