"""`GET /metrics`: every process's metrics, summed, plus the queue and outbox gauges read
from the database, in the Prometheus text format.

Outside `/api/`, so API keys do not apply. Who may scrape: with METRICS_TOKEN set, callers
sending `Authorization: Bearer <token>`; without it, anyone in AUTH_MODE=local (the server
only listens on loopback then) and only loopback clients in AUTH_MODE=required.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from autoforge.api.problems import problem
from autoforge.bootstrap import Container
from autoforge.observability import metrics
from autoforge.observability.collector import DatabaseCollector

router = APIRouter(tags=["observability"])


class _Scrape:
    """The collectors of one scrape, read in turn (what `generate_latest` needs)."""

    def __init__(self, *sources: Any) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


class _Declared:
    """Every metric this process defines, without samples: a metric no process has
    reported yet is still listed (HELP and TYPE), so dashboards and alerts find it."""

    def __init__(self, reported: CollectorRegistry) -> None:
        self.reported = reported

    def collect(self) -> Iterator[Metric]:
        present = {family.name for family in self.reported.collect()}
        for family in REGISTRY.collect():
            if family.name.startswith("autoforge_") and family.name not in present:
                yield Metric(family.name, family.documentation, family.type, family.unit)


def exposition(container: Container) -> bytes:
    database = DatabaseCollector(container.database)
    directory = metrics.multiprocess_directory()
    if directory is None:
        return generate_latest(_Scrape(REGISTRY, database))
    shared = CollectorRegistry()
    MultiProcessCollector(shared, path=str(directory))  # type: ignore[no-untyped-call]
    return generate_latest(_Scrape(shared, _Declared(shared), database))


def refusal(request: Request, container: Container) -> Response | None:
    settings = container.settings
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}"
        sent = request.headers.get("authorization", "")
        if hmac.compare_digest(sent.encode(), expected.encode()):
            return None
        return problem(
            401,
            "Unauthorized",
            "/metrics needs `Authorization: Bearer <METRICS_TOKEN>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if settings.auth_mode == "local" or _loopback(request):
        return None
    return problem(
        403,
        "Forbidden",
        "/metrics answers loopback clients only; set METRICS_TOKEN to scrape from elsewhere",
    )


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


# Not in the OpenAPI document: it is for Prometheus, not for API clients, and is
# documented in docs/observability.md.
@router.get("/metrics", response_class=Response, include_in_schema=False)
def scrape(request: Request) -> Response:
    """Prometheus metrics of every process on this data dir (see docs/observability.md)."""
    container: Container = request.app.state.container
    refused = refusal(request, container)
    if refused is not None:
        return refused
    return Response(exposition(container), media_type=CONTENT_TYPE_LATEST)
