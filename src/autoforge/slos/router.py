"""`/api/v1/slos`: prompt SLOs, their state and history (viewer reads, member writes), and
`/api/v1/webhooks`: where alerts go (admin only, checked in `api/access.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from autoforge.api.deps import ContainerDep, ReadUoW, WriteUoW
from autoforge.api.responses import problems
from autoforge.secrets.keys import vault_of
from autoforge.slos import service, webhooks
from autoforge.slos.schemas import (
    SLO,
    Delivery,
    SLOCheck,
    SLOHistory,
    SLOSet,
    Webhook,
    WebhookCreate,
    WebhookCreated,
)

router = APIRouter(prefix="/api/v1", tags=["slos"])

SLOId = Annotated[str, Path(max_length=64, description="the SLO's id")]
WebhookId = Annotated[str, Path(max_length=64, description="the webhook's id")]


@router.get("/slos", response_model=list[SLO], responses=problems(422, 503))
def list_slos(uow: ReadUoW) -> list[SLO]:
    """This project's SLOs with their state and the figures of their last check."""
    return service.list_slos(uow)


@router.post("/slos", response_model=SLO, status_code=201, responses=problems(404, 422, 503))
def set_slo(data: SLOSet, uow: WriteUoW, response: Response) -> SLO:
    """Set the SLO of a prompt (and label): targets over a rolling window (default 24 h).
    201 when made, 200 when an existing one's targets were replaced. The scheduler checks it
    every `SLO_CHECK_INTERVAL_S`."""
    slo, made = service.set_slo(uow, data)
    response.status_code = 201 if made else 200
    return slo


@router.get("/slos/{slo_id}", response_model=SLO, responses=problems(404, 422, 503))
def get_slo(slo_id: SLOId, uow: ReadUoW) -> SLO:
    """One SLO with its state."""
    return service.get_slo(uow, slo_id)


@router.delete("/slos/{slo_id}", status_code=204, responses=problems(404, 422, 503))
def delete_slo(slo_id: SLOId, uow: WriteUoW) -> Response:
    """Delete an SLO and its history."""
    service.delete_slo(uow, slo_id)
    return Response(status_code=204)


@router.get("/slos/{slo_id}/history", response_model=SLOHistory, responses=problems(404, 422, 503))
def slo_history(
    slo_id: SLOId,
    uow: ReadUoW,
    limit: Annotated[int, Query(ge=1, le=5000, description="most recent checks")] = 500,
) -> SLOHistory:
    """The SLO and its most recent checks, oldest first: state, result and figures each."""
    return service.history(uow, slo_id, limit)


@router.post("/slos/{slo_id}/check", response_model=SLOCheck, responses=problems(404, 422, 503))
def check_slo(slo_id: SLOId, uow: WriteUoW) -> SLOCheck:
    """Check the SLO now, as the scheduler does (a state change emits the event and
    alerts); answers with the check recorded."""
    service.check_slo(uow, slo_id)
    return service.history(uow, slo_id, 1).items[-1]


@router.get("/webhooks", response_model=list[Webhook], responses=problems(422, 503))
def list_webhooks(uow: ReadUoW) -> list[Webhook]:
    """This project's alert webhooks (never their secrets)."""
    return webhooks.list_webhooks(uow)


@router.post(
    "/webhooks", response_model=WebhookCreated, status_code=201, responses=problems(422, 503)
)
def create_webhook(data: WebhookCreate, uow: WriteUoW, container: ContainerDep) -> WebhookCreated:
    """Add a webhook for SLO alerts. The answer holds its signing secret, this once; it is
    stored encrypted. 503 when the server has no encryption key."""
    return webhooks.create_webhook(uow, vault_of(container.settings), data)


@router.get("/webhooks/deliveries", response_model=list[Delivery], responses=problems(422, 503))
def list_deliveries(
    uow: ReadUoW, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[Delivery]:
    """Alerts sent, pending (with their next attempt) and dead (every attempt failed),
    newest first."""
    return webhooks.list_deliveries(uow, limit)


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=problems(404, 422, 503))
def delete_webhook(webhook_id: WebhookId, uow: WriteUoW) -> Response:
    """Delete a webhook and its deliveries."""
    webhooks.delete_webhook(uow, webhook_id)
    return Response(status_code=204)
