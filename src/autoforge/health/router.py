"""`/health/live` (the process answers) and `/health/ready` (the database answers in time)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from autoforge.api.deps import ContainerDep
from autoforge.db.events import HealthStatus
from autoforge.health.service import check_database

router = APIRouter(prefix="/health", tags=["health"])


class Liveness(BaseModel):
    status: str = "ok"


class DatabaseHealth(BaseModel):
    status: HealthStatus
    latency_ms: float
    database_type: str
    error: str | None = None


class ModelHealth(BaseModel):
    name: str
    available: bool
    detail: str


class Readiness(BaseModel):
    status: HealthStatus
    database: DatabaseHealth
    model: ModelHealth = Field(description="the default model, judged without calling it")


@router.get("/live", response_model=Liveness)
def live() -> Liveness:
    """The process is up. Never touches the database."""
    return Liveness()


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "the database is unhealthy"}},
)
def ready(container: ContainerDep) -> JSONResponse:
    """Checks the database: HEALTHY under 100 ms, DEGRADED under 200 ms, else UNHEALTHY (503).
    A default model that cannot run (say, the local model's process keeps dying at start)
    makes the server DEGRADED, not unhealthy: every endpoint but model calls still works."""
    settings = container.settings
    result = check_database(
        container.database, settings.app_env.value, settings.resolved_database_url
    )
    container.publish_infrastructure(result)
    default = container.gateway.status(container.gateway.config.default_model)
    status = result.status
    if not default.available and status is HealthStatus.HEALTHY:
        status = HealthStatus.DEGRADED
    body = Readiness(
        status=status,
        database=DatabaseHealth(
            status=result.status,
            latency_ms=result.latency_ms,
            database_type=result.database_type,
            error=result.error_message,
        ),
        model=ModelHealth(name=default.name, available=default.available, detail=default.detail),
    )
    code = 503 if result.status is HealthStatus.UNHEALTHY else 200
    return JSONResponse(body.model_dump(mode="json"), status_code=code)
