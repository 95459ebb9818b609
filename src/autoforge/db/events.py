"""Infrastructure events about the database connection. Payloads never hold a URL or token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from autoforge.events.base import DomainEvent, register


class HealthStatus(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


HEALTHY_BELOW_MS = 100.0
DEGRADED_BELOW_MS = 200.0


def classify_latency(latency_ms: float) -> HealthStatus:
    if latency_ms < HEALTHY_BELOW_MS:
        return HealthStatus.HEALTHY
    if latency_ms < DEGRADED_BELOW_MS:
        return HealthStatus.DEGRADED
    return HealthStatus.UNHEALTHY


@register
@dataclass(frozen=True, kw_only=True)
class DatabaseConnectionEstablished(DomainEvent):
    stream_prefix = "database"
    database_type: str
    environment: str
    latency_ms: float


@register
@dataclass(frozen=True, kw_only=True)
class DatabaseConnectionFailed(DomainEvent):
    stream_prefix = "database"
    database_type: str
    environment: str
    error_type: str
    error_message: str


@register
@dataclass(frozen=True, kw_only=True)
class DatabaseHealthCheckCompleted(DomainEvent):
    stream_prefix = "database"
    database_type: str
    environment: str
    status: HealthStatus
    latency_ms: float
    error_message: str | None = None

    @property
    def requires_alert(self) -> bool:
        return self.status is not HealthStatus.HEALTHY
