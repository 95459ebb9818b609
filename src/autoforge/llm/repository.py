"""The call log (`llm_calls`): every gateway call is appended here, and traces are read back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import Database
from autoforge.llm.models import LLMCallRow
from autoforge.llm.types import CallRecord, CompletionRequest, TraceContext, masked
from autoforge.llm.write_behind import WriteBehind

_CALLS: Table = LLMCallRow.__table__  # type: ignore[assignment]


class CallLog:
    def __init__(self, database: Database, writes: WriteBehind) -> None:
        self._database = database
        self._writes = writes

    def append(
        self,
        record: CallRecord,
        request: CompletionRequest,
        output: str | None,
        trace: TraceContext | None,
    ) -> None:
        trace = trace or TraceContext()
        values: dict[str, Any] = {
            "id": record.id,
            "project_id": trace.project_id,
            "model": record.model,
            "prompt_id": trace.prompt_id,
            "prompt_version": trace.prompt_version,
            "variables": dict(trace.variables) if trace.variables is not None else None,
            "input": masked(request.as_input(), trace.redact),
            "output": masked(output, trace.redact),
            "finish_reason": record.finish_reason,
            "tokens_in": record.tokens_in,
            "tokens_out": record.tokens_out,
            "cost_usd": record.cost_usd or 0.0,
            "unpriced": record.cost_usd is None,
            "latency_ms": record.latency_ms,
            "cache_hit": record.cache_hit,
            "attempts": record.attempts,
            "error": record.error,
            "created_at": record.created_at,
        }
        self._writes.insert(_CALLS, values)

    def flush(self) -> None:
        self._writes.flush()

    def close(self) -> None:
        """Writes what is queued and stops the writer thread."""
        self._writes.close()

    def list(
        self,
        *,
        model: str | None = None,
        prompt_id: str | None = None,
        source: str | None = None,
        limit: int = 50,
        project_id: str | None = None,
    ) -> list[LLMCallRow]:
        """Newest first. Waits for queued records, so a caller always sees its own calls.
        With a `project_id`, that project's calls only; without, every call (the system's
        view, for tests and benchmarks)."""
        self._writes.flush()
        query = select(LLMCallRow).order_by(LLMCallRow.created_at.desc(), LLMCallRow.id.desc())
        if model is not None:
            query = query.where(LLMCallRow.model == model)
        if prompt_id is not None:
            query = query.where(LLMCallRow.prompt_id == prompt_id)
        if source is not None:
            query = query.where(LLMCallRow.source == source)
        scope = reading(project_id) if project_id is not None else None
        with self._database.transaction(read_only=True, scope=scope) as uow:
            return list(uow.session.scalars(query.limit(limit)))

    def get(self, call_id: str) -> LLMCallRow | None:
        self._writes.flush()
        with self._database.transaction(read_only=True) as uow:
            return uow.session.get(LLMCallRow, call_id)


def add_calls(session: Session, calls: Iterable[LLMCallRow]) -> None:
    """Stores calls in the session's own transaction, not through the write-behind: a span
    another system sent (`telemetry/`) is committed with the request that brought it, and
    stamped with that request's project (`db/tenancy.py`)."""
    session.add_all(calls)
    session.flush()
