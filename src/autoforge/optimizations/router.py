"""`/api/v1/optimizations`: start a search in the background, follow it live, read its history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from autoforge.api.deps import ContainerDep, Principal, ReadUoW, WriteUoW
from autoforge.api.responses import problems
from autoforge.api.sse import progress_stream
from autoforge.bootstrap import Container
from autoforge.db.tenancy import reading
from autoforge.optimizations import service
from autoforge.optimizations.schemas import (
    CandidatePage,
    Optimization,
    OptimizationCreate,
    OptimizationPage,
    OptimizationStatus,
)

router = APIRouter(prefix="/api/v1", tags=["optimizations"])

OptimizationId = Annotated[str, Path(max_length=64, description="the optimization's id")]
# How often the live stream looks at the database; the run writes progress at most 2/s.
EVENTS_POLL_S = 0.5


@router.post(
    "/optimizations",
    status_code=202,
    response_model=Optimization,
    responses=problems(404, 422, 503),
)
def start_optimization(
    data: OptimizationCreate,
    response: Response,
    uow: WriteUoW,
    container: ContainerDep,
    owner: Principal,
) -> Optimization:
    """Start optimizing a prompt version on a dataset version with a strategy (`genetic`,
    `bandit` or `opro`) under a budget. Returns the `pending` optimization at once; follow
    it at `GET /optimizations/{id}` or live at `/optimizations/{id}/events`. The best
    prompt is saved as a new (unlabelled) version of the prompt: see `best_version`."""
    gateway = container.gateway
    model = gateway.config.default_model
    started = service.start_optimization(uow, owner, data, model, gateway.unpriced)
    response.headers["Location"] = f"/api/v1/optimizations/{started.optimization.id}"
    return started.optimization


@router.get("/optimizations", response_model=OptimizationPage, responses=problems(422, 503))
def list_optimizations(
    *,
    uow: ReadUoW,
    owner: Principal,
    prompt_id: Annotated[str | None, Query(max_length=64)] = None,
    status: OptimizationStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=500, description="from `next_cursor`")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> OptimizationPage:
    """Your optimizations, newest first, optionally of one prompt or in one status."""
    return service.list_optimizations(
        uow, owner, prompt_id=prompt_id, status=status, cursor=cursor, limit=limit
    )


@router.get(
    "/optimizations/{optimization_id}",
    response_model=Optimization,
    responses=problems(404, 422, 503),
)
def get_optimization(
    optimization_id: OptimizationId, uow: ReadUoW, owner: Principal
) -> Optimization:
    """Status, the latest progress (round, best train and validation scores, calls), and
    once completed: baseline vs best on train, validation and test, the improvement (on
    validation), calls, cost, wall time, the best template and its prompt version."""
    return service.get_optimization(uow, owner, optimization_id)


@router.get(
    "/optimizations/{optimization_id}/candidates",
    response_model=CandidatePage,
    responses=problems(404, 422, 503),
)
def list_candidates(
    *,
    optimization_id: OptimizationId,
    uow: ReadUoW,
    owner: Principal,
    after: Annotated[int | None, Query(ge=0, description="from `next_cursor`")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CandidatePage:
    """Every candidate the search evaluated, in order, with its scores and lineage (the
    parents and operators that made it). While the run goes, the candidates scored so far,
    saved with each progress report: their scores may still improve, and new ones follow."""
    return service.list_candidates(uow, owner, optimization_id, after=after, limit=limit)


def _read(container: Container, owner: str, optimization_id: str) -> Optimization:
    return container.database.run(
        lambda uow: service.get_optimization(uow, owner, optimization_id),
        read_only=True,
        scope=reading(owner),
    )


def _existing(optimization_id: OptimizationId, container: ContainerDep, owner: Principal) -> str:
    """A 404 before the stream starts; each poll then reads in its own transaction."""
    _read(container, owner, optimization_id)
    return optimization_id


@router.get(
    "/optimizations/{optimization_id}/events",
    response_class=EventSourceResponse,
    responses=problems(404, 422, 503),
)
async def progress_events(
    optimization_id: Annotated[str, Depends(_existing)], container: ContainerDep, owner: Principal
) -> AsyncIterator[ServerSentEvent]:
    """Server-Sent Events: a `progress` event (status, round, best train, best validation,
    calls used, candidates) whenever it changes, then one `completed` or `failed` event
    with the whole optimization, and the stream ends."""
    events = progress_stream(
        lambda: _read(container, owner, optimization_id),
        lambda o: o.progress.model_dump() if o.progress is not None else {},
        lambda o: o.status,
        EVENTS_POLL_S,
    )
    async for event in events:
        yield event
