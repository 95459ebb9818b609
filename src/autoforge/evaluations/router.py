"""`/api/v1/evaluations`: start runs, follow progress (also live), read and compare results."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from autoforge.api.deps import CallerDep, ContainerDep, Principal, ReadUoW, WriteUoW, scope_of
from autoforge.api.downloads import download, download_responses
from autoforge.api.responses import problems
from autoforge.api.sse import progress_stream
from autoforge.bootstrap import Container
from autoforge.db.tenancy import reading
from autoforge.evaluations import export, service
from autoforge.evaluations.comparison import compare_evaluations
from autoforge.evaluations.schemas import (
    CompareRequest,
    ComparisonReport,
    Evaluation,
    EvaluationBatch,
    EvaluationCreate,
    EvaluationPage,
    EvaluationStatus,
    ResultPage,
)
from autoforge.exports import ExportFormat

router = APIRouter(prefix="/api/v1", tags=["evaluations"])

EvaluationId = Annotated[str, Path(max_length=64, description="the evaluation's id")]
# How often the live stream looks at the database: progress is committed per case anyway.
EVENTS_POLL_S = 0.5


@router.post(
    "/evaluations",
    status_code=202,
    response_model=EvaluationBatch,
    responses=problems(404, 422, 503),
)
def start_evaluations(
    data: EvaluationCreate,
    response: Response,
    uow: WriteUoW,
    container: ContainerDep,
    owner: Principal,
) -> EvaluationBatch:
    """Start evaluating a prompt version on a dataset version: one evaluation per model,
    sharing a `group_id`, each `pending` with a queued job. Returns at once; follow
    progress at `GET /evaluations/{id}` or live at `/evaluations/{id}/events`. Results are
    committed case by case, so a run survives a restart and resumes where it stopped."""
    started = service.start_evaluations(uow, owner, data, service.defaults_of(container))
    response.headers["Location"] = f"/api/v1/evaluations/{started.batch.evaluations[0].id}"
    return started.batch


@router.get("/evaluations", response_model=EvaluationPage, responses=problems(422, 503))
def list_evaluations(
    *,
    uow: ReadUoW,
    owner: Principal,
    prompt_id: Annotated[str | None, Query(max_length=64)] = None,
    status: EvaluationStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=500, description="from `next_cursor`")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> EvaluationPage:
    """Your evaluations, newest first, optionally of one prompt or in one status."""
    return service.list_evaluations(
        uow, owner, prompt_id=prompt_id, status=status, cursor=cursor, limit=limit
    )


@router.post(
    "/evaluations:compare", response_model=ComparisonReport, responses=problems(404, 409, 422, 503)
)
def compare(data: CompareRequest, uow: ReadUoW, owner: Principal) -> ComparisonReport:
    """Compare completed evaluations (prompt versions or models on the same dataset): a
    per-case table of the cases they share (matched by test case name), and each one's
    deltas against the first, with a 95 % paired bootstrap interval and whether it is
    significant (the interval excludes 0)."""
    return compare_evaluations(uow, owner, data.evaluation_ids)


@router.get(
    "/evaluations/{evaluation_id}", response_model=Evaluation, responses=problems(404, 422, 503)
)
def get_evaluation(evaluation_id: EvaluationId, uow: ReadUoW, owner: Principal) -> Evaluation:
    """Status, progress (done / total, passed, running score), aggregates once completed,
    the error if it failed, and `cache_hits`: model calls the response cache saved."""
    return service.get_evaluation(uow, owner, evaluation_id)


@router.get(
    "/evaluations/{evaluation_id}/results",
    response_model=ResultPage,
    responses=problems(404, 422, 503),
)
def list_results(
    *,
    evaluation_id: EvaluationId,
    container: ContainerDep,
    caller: CallerDep,
    passed: Annotated[bool | None, Query(description="only passed, or only failed cases")] = None,
    unsupported: Annotated[
        bool | None,
        Query(description="only cases flagged as unsupported, or only those checked and not"),
    ] = None,
    after: Annotated[str | None, Query(max_length=255, description="from `next_cursor`")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """The per-case results committed so far, by test case name. `unsupported` per case
    says which cases make up the evaluation's `hallucination_rate`."""
    page = service.cached_results(
        container,
        scope_of(caller),
        evaluation_id,
        passed=passed,
        unsupported=unsupported,
        after=after,
        limit=limit,
    )
    return Response(content=page, media_type="application/json")


@router.get(
    "/evaluations/{evaluation_id}/results:export",
    response_class=StreamingResponse,
    responses={**download_responses("one case's result"), **problems(404, 422, 503)},
)
def export_results(
    *,
    evaluation_id: EvaluationId,
    container: ContainerDep,
    owner: Principal,
    fmt: Annotated[ExportFormat, Query(alias="format")] = "jsonl",
) -> StreamingResponse:
    """Every per-case result committed so far, by test case name, as JSON Lines or CSV
    (structured cells as JSON text). Read from the database: nothing runs again."""
    chunks = export.export_results(container.database, owner, evaluation_id, fmt)
    return download(chunks, fmt, f"evaluation-{evaluation_id}")


def _read(container: Container, owner: str, evaluation_id: str) -> Evaluation:
    return container.database.run(
        lambda uow: service.get_evaluation(uow, owner, evaluation_id),
        read_only=True,
        scope=reading(owner),
    )


def _existing(evaluation_id: EvaluationId, container: ContainerDep, owner: Principal) -> str:
    """A 404 before the stream starts; a transaction held for the whole stream would pin a
    connection, so each poll reads on its own."""
    _read(container, owner, evaluation_id)
    return evaluation_id


@router.get(
    "/evaluations/{evaluation_id}/events",
    response_class=EventSourceResponse,
    responses=problems(404, 422, 503),
)
async def progress_events(
    evaluation_id: Annotated[str, Depends(_existing)], container: ContainerDep, owner: Principal
) -> AsyncIterator[ServerSentEvent]:
    """Server-Sent Events: a `progress` event (done, total, passed, running score, status)
    whenever progress changes, then one `completed` or `failed` event with the whole
    evaluation, and the stream ends."""
    events = progress_stream(
        lambda: _read(container, owner, evaluation_id),
        lambda e: e.progress.model_dump(),
        lambda e: e.status,
        EVENTS_POLL_S,
    )
    async for event in events:
        yield event
