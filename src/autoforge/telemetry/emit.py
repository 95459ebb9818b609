"""Our own model calls as OpenTelemetry spans, sent over OTLP/HTTP (protobuf) when the
standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set; nothing otherwise.

One span per gateway call, named and attributed by the GenAI semantic conventions. The
exporter reads the other standard variables itself (`OTEL_EXPORTER_OTLP_HEADERS` for the
receiver's credentials, `..._COMPRESSION`, `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_SERVICE_NAME`).
Spans carry counts, names and cost, never the prompt, the answer or any key. The provider
is made once per process and flushed and shut down at exit.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

from autoforge import __version__
from autoforge.llm.types import CallRecord, CompletionRequest, TraceContext
from autoforge.observability import metrics

log = logging.getLogger(__name__)
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
SERVICE_NAME = "autoforge"
_REQUEST_PARAMS = {
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "max_tokens": "gen_ai.request.max_tokens",
    "seed": "gen_ai.request.seed",
}


class _Pipeline:
    """The process's one span pipeline: made at most once, by the first `configure`."""

    lock = threading.Lock()
    configured = False
    provider: Any = None  # the process's opentelemetry TracerProvider, with an endpoint
    tracer: Any = None  # the gateway's Tracer from it


def configure(environ: Mapping[str, str] = os.environ) -> bool:
    """Sets up the span pipeline, once per process, if an OTLP endpoint is configured;
    whether spans are sent. The SDK is imported only then."""
    with _Pipeline.lock:
        if _Pipeline.configured:
            return _Pipeline.tracer is not None
        _Pipeline.configured = True
        if not any(environ.get(name) for name in ENDPOINT_VARIABLES):
            return False
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        resource = Resource.create()
        if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
            resource = resource.merge(Resource({"service.name": SERVICE_NAME}))
        # shutdown_on_exit: an atexit hook flushes the batch and stops the exporter's thread.
        provider = TracerProvider(resource=resource, shutdown_on_exit=True)
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        _Pipeline.provider = provider
        _Pipeline.tracer = provider.get_tracer("autoforge.llm.gateway", __version__)
        log.info("model calls are sent as OpenTelemetry spans")
        return True


def tracer_for(component: str) -> Any:
    """A Tracer of the process's pipeline for `component` (requests, database, jobs), or
    None when spans are not sent."""
    provider = _Pipeline.provider
    return None if provider is None else provider.get_tracer(component, __version__)


def call_span(request: CompletionRequest, record: CallRecord, trace: TraceContext | None) -> None:
    """Counts one finished call in the metrics and sends it as a span (when an endpoint is
    configured), a child of the request or job span it runs in. Never fails the call it
    reports on."""
    _count(request, record)
    tracer = _Pipeline.tracer
    if tracer is None:
        return
    try:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        end = time.time_ns()
        operation = "chat" if request.is_chat else "text_completion"
        span = tracer.start_span(
            f"{operation} {request.model}",
            kind=SpanKind.CLIENT,
            start_time=end - int(record.latency_ms * 1_000_000),
            attributes=call_attributes(request, record, trace),
        )
        if record.error is not None:
            span.set_status(Status(StatusCode.ERROR, record.error))
        span.end(end_time=end)
    except Exception:
        log.exception("could not send the span of call %s", record.id)


def _count(request: CompletionRequest, record: CallRecord) -> None:
    try:
        metrics.model_call(
            record.model or request.model,
            provider_of(record.model or request.model),
            tokens_in=record.tokens_in,
            tokens_out=record.tokens_out,
            cost_usd=record.cost_usd,
            seconds=record.latency_ms / 1000,
            cache_hit=record.cache_hit,
            error_type=record.error.split(":", 1)[0] if record.error is not None else None,
        )
    except Exception:
        log.exception("could not count call %s", record.id)


def call_attributes(
    request: CompletionRequest, record: CallRecord, trace: TraceContext | None
) -> dict[str, Any]:
    """The GenAI attributes of one call, plus ours under `autoforge.`; no content, no key."""
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "chat" if request.is_chat else "text_completion",
        "gen_ai.request.model": request.model,
        "gen_ai.response.model": record.model,
        "gen_ai.usage.input_tokens": record.tokens_in,
        "gen_ai.usage.output_tokens": record.tokens_out,
        "autoforge.call_id": record.id,
        "autoforge.cache_hit": record.cache_hit,
        "autoforge.attempts": record.attempts,
    }
    # An unpriced call (no price known) sends no cost, so a receiver cannot read it as $0.
    if record.cost_usd is not None:
        attributes["autoforge.cost_usd"] = record.cost_usd
    provider = provider_of(record.model)
    if provider is not None:
        attributes["gen_ai.provider.name"] = provider
    if record.finish_reason:
        attributes["gen_ai.response.finish_reasons"] = [record.finish_reason]
    if record.error is not None:
        attributes["error.type"] = record.error.split(":", 1)[0]
    for name, key in _REQUEST_PARAMS.items():
        value = request.params.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            attributes[key] = value
    if trace is not None and trace.prompt_id is not None:
        attributes["autoforge.prompt.id"] = trace.prompt_id
        if trace.prompt_version is not None:
            attributes["autoforge.prompt.version"] = trace.prompt_version
            attributes["gen_ai.prompt.version"] = str(trace.prompt_version)
    if trace is not None and trace.prompt_name is not None:
        attributes["gen_ai.prompt.name"] = trace.prompt_name
    return attributes


def provider_of(model: str) -> str | None:
    """The provider a gateway model name says (`openai/gpt-4o` → `openai`); None for a
    bare name, rather than a guess."""
    provider, slash, _ = model.partition("/")
    return provider if slash and provider else None
