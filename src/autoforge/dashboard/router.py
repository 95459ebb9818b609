"""`/api/v1/dashboard`: what the UI's first page shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from autoforge.api.deps import Principal, ReadUoW
from autoforge.api.responses import problems
from autoforge.dashboard import service
from autoforge.dashboard.schemas import Dashboard

router = APIRouter(prefix="/api/v1", tags=["dashboard"])


@router.get("/dashboard", response_model=Dashboard, responses=problems(422, 503))
def get_dashboard(
    uow: ReadUoW,
    owner: Principal,
    days: Annotated[int, Query(ge=1, le=366, description="how far back the series go")] = 30,
) -> Dashboard:
    """Totals (prompts, datasets, evaluations, optimizations, model calls, cost) and daily
    series: evaluations with their average scores, and model calls with cost and latency."""
    return service.dashboard(uow, owner, days=days)
