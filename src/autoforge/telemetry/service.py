"""Ingesting spans: model calls are stored in the caller's project as traced calls (source
"otlp"), linked to the project's prompt when the span names one; other spans are counted. A
span the project already has (an exporter's retry) is accepted and not stored again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from autoforge.llm.models import LLMCallRow
from autoforge.llm.repository import add_calls
from autoforge.telemetry.mapping import Span, SpanCall, Unmappable, map_span
from autoforge.telemetry.repository import prompt_versions, stored_spans

SOURCE = "otlp"
_REASONS_SHOWN = 5


@dataclass
class Ingested:
    calls: int = 0  # model-call spans stored as calls
    other: int = 0  # spans accepted that are not model calls (chains, tools, agents...)
    rejected: list[str] = field(default_factory=list)  # why each refused span was refused
    duplicates: int = 0  # model-call spans accepted that were already stored (or sent twice)

    def message(self) -> str:
        """OTLP's `partial_success.error_message`: how many were refused and the first few
        reasons; and, as a warning that rejects nothing, how many were already stored."""
        parts = []
        if self.rejected:
            shown = "; ".join(self.rejected[:_REASONS_SHOWN])
            more = len(self.rejected) - _REASONS_SHOWN
            parts.append(
                f"{len(self.rejected)} span(s) not stored: {shown}"
                + (f"; and {more} more" if more > 0 else "")
            )
        if self.duplicates:
            parts.append(f"{self.duplicates} span(s) already stored, accepted and kept once")
        return "; ".join(parts)


def ingest(session: Session, spans: Iterable[Span]) -> Ingested:
    """Maps every span and stores the calls in `session`'s transaction (the caller's)."""
    result = Ingested()
    calls: list[SpanCall] = []
    for span in spans:
        try:
            call = map_span(span)
        except Unmappable as exc:
            result.rejected.append(str(exc))
            continue
        if call is None:
            result.other += 1
        else:
            calls.append(call)
    calls = _new_calls(session, calls, result)
    links = prompt_versions(session, {c.prompt_name for c in calls if c.prompt_name})
    add_calls(session, [_row(call, links) for call in calls])
    result.calls = len(calls)
    return result


def _new_calls(session: Session, calls: list[SpanCall], result: Ingested) -> list[SpanCall]:
    """The calls whose span the project does not have yet, each span once."""
    seen = stored_spans(session, {(call.trace_id, call.span_id) for call in calls})
    new: list[SpanCall] = []
    for call in calls:
        key = (call.trace_id, call.span_id)
        if key in seen:
            result.duplicates += 1
        else:
            seen.add(key)
            new.append(call)
    return new


def _row(call: SpanCall, links: dict[str, tuple[str, set[int]]]) -> LLMCallRow:
    prompt_id = None
    if call.prompt_name in links:
        found, versions = links[call.prompt_name]
        # A version we do not have is not linked: the trace would point at the wrong text.
        if call.prompt_version is None or call.prompt_version in versions:
            prompt_id = found
    return LLMCallRow(
        model=call.model,
        prompt_id=prompt_id,
        prompt_version=call.prompt_version,
        variables=call.variables,
        input=call.input,
        output=call.output,
        finish_reason=call.finish_reason,
        tokens_in=call.tokens_in,
        tokens_out=call.tokens_out,
        cost_usd=call.cost_usd or 0.0,
        unpriced=call.cost_usd is None,
        latency_ms=call.latency_ms,
        cache_hit=False,
        attempts=1,
        error=call.error,
        created_at=call.created_at,
        source=SOURCE,
        provider=call.provider,
        trace_id=call.trace_id,
        span_id=call.span_id,
        prompt_name=call.prompt_name,
    )
