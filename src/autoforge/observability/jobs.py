"""A background job as observed: its duration in the metrics, its span (the parent of the
statement and model-call spans it causes), and the request id that queued it on every log
line it writes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from opentelemetry import context as otel_context

from autoforge.observability import metrics, tracing
from autoforge.observability.logs import REQUEST_ID, log_context

T = TypeVar("T")
PAYLOAD_KEY = "request_id"


def with_request_id(payload: dict[str, Any]) -> dict[str, Any]:
    """The job payload, plus the id of the request queuing it (when there is one)."""
    request_id = REQUEST_ID.get()
    return {**payload, PAYLOAD_KEY: request_id} if request_id else payload


def observe_job(kind: str, job_id: str, payload: dict[str, Any], run: Callable[[], T]) -> T:
    """Runs `run` (which returns the job's outcome) inside the job's span and log context."""
    request_id = payload.get(PAYLOAD_KEY)
    started = time.perf_counter()
    tracer = tracing.tracer("autoforge.jobs")
    span = token = None
    if tracer is not None:
        span = tracer.start_span(
            f"job {kind}",
            kind=tracing.CONSUMER,
            attributes={
                "autoforge.job.kind": kind,
                "autoforge.job.id": job_id,
                "autoforge.request_id": str(request_id or ""),
            },
        )
        token = otel_context.attach(tracing.current_context_with(span))
    outcome: object = "failed"
    error: BaseException | None = None
    try:
        with log_context(request_id=str(request_id) if request_id else None, job_id=job_id):
            result = run()
        outcome = result
        return result
    except BaseException as exc:
        error = exc
        raise
    finally:
        metrics.job_finished(kind, str(outcome), time.perf_counter() - started)
        if span is not None and token is not None:
            otel_context.detach(token)
            span.set_attribute("autoforge.job.outcome", str(outcome))
            tracing.end(span, error)
