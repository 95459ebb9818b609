"""Alert webhooks: a project's endpoints with their signing secrets, the alerts queued for
them, and the delivery of due alerts, signed and retried with back-off until dead-lettered.

Signing: `X-Autoforge-Signature: sha256=<hex>`, the HMAC-SHA256 under the webhook's secret
of `<X-Autoforge-Timestamp>.<raw body>`. Covering the timestamp lets a receiver refuse a
replayed request whose timestamp is old. A secret never appears in a log line or an error.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

import httpx

from autoforge.audit.log import record
from autoforge.config import Settings
from autoforge.db.base import utcnow
from autoforge.db.tenancy import actor_of
from autoforge.db.unit_of_work import Database, UnitOfWork
from autoforge.errors import NotFoundError
from autoforge.secrets.vault import Vault
from autoforge.slos.models import WebhookDeliveryRow, WebhookRow
from autoforge.slos.repository import DueDelivery, WebhookRepository
from autoforge.slos.schemas import Delivery, Webhook, WebhookCreate, WebhookCreated

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Autoforge-Signature"
TIMESTAMP_HEADER = "X-Autoforge-Timestamp"
EVENT_HEADER = "X-Autoforge-Event"
DELIVERY_HEADER = "X-Autoforge-Delivery"
_ENTITY = "webhook"
_BATCH = 20
_MAX_BACKOFF_S = 3600.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (and the tests): constant-time comparison."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def _webhook(row: WebhookRow) -> Webhook:
    return Webhook(id=row.id, url=row.url, description=row.description, created_at=row.created_at)


def create_webhook(uow: UnitOfWork, vault: Vault, data: WebhookCreate) -> WebhookCreated:
    """A new webhook with a fresh secret, returned this once and stored encrypted."""
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    row = WebhookRow(
        url=data.url, description=data.description, secret_ciphertext=vault.encrypt(secret)
    )
    WebhookRepository(uow.session).add(row)
    _audit(uow, "create", row.id)
    return WebhookCreated(**_webhook(row).model_dump(), secret=secret)


def list_webhooks(uow: UnitOfWork) -> list[Webhook]:
    return [_webhook(row) for row in WebhookRepository(uow.session).listed()]


def delete_webhook(uow: UnitOfWork, webhook_id: str) -> None:
    repo = WebhookRepository(uow.session)
    row = repo.get(webhook_id)
    if row is None:
        raise NotFoundError(f"webhook {webhook_id!r} not found")
    repo.delete(row)
    _audit(uow, "delete", webhook_id)


def list_deliveries(uow: UnitOfWork, limit: int) -> list[Delivery]:
    return [
        Delivery(
            id=row.id,
            webhook_id=row.webhook_id,
            event_id=row.event_id,
            event_type=row.event_type,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            response_status=row.response_status,
            delivered_at=row.delivered_at,
            created_at=row.created_at,
        )
        for row in WebhookRepository(uow.session).deliveries(limit)
    ]


def queue_alert(uow: UnitOfWork, event_id: str, event_type: str, body: str) -> int:
    """One pending delivery per webhook of the transaction's project."""
    repo = WebhookRepository(uow.session)
    rows = [
        WebhookDeliveryRow(webhook_id=hook.id, event_id=event_id, event_type=event_type, body=body)
        for hook in repo.listed()
    ]
    if rows:
        repo.add_deliveries(rows)
    return len(rows)


def backoff_s(settings: Settings, attempts: int) -> float:
    """The wait after the `attempts`-th failed attempt: doubling from the base."""
    return float(min(settings.webhook_backoff_s * 2 ** (attempts - 1), _MAX_BACKOFF_S))


class Sender:
    """Sends due deliveries. `vault` is asked for only when there is something to sign."""

    def __init__(self, database: Database, settings: Settings, vault: Callable[[], Vault]) -> None:
        self._database = database
        self._settings = settings
        self._vault = vault
        self._client = httpx.Client(
            timeout=settings.webhook_timeout_s,
            follow_redirects=False,
            headers={"User-Agent": "autoforge-webhooks"},
        )

    def close(self) -> None:
        self._client.close()

    def any_due(self) -> bool:
        return self._database.run(
            lambda uow: WebhookRepository(uow.session).any_due(utcnow()), read_only=True
        )

    def send_due(self) -> int:
        """Sends every due delivery once; returns how many were attempted."""
        attempted = 0
        lease = self._settings.webhook_timeout_s * 3
        while True:
            batch = self._database.run(
                lambda uow: WebhookRepository(uow.session).claim_due(utcnow(), lease, _BATCH)
            )
            for delivery in batch:
                self._send(delivery)
            attempted += len(batch)
            if len(batch) < _BATCH:
                return attempted

    def _send(self, delivery: DueDelivery) -> None:
        try:
            status = self._post(delivery)
            error = None if 200 <= status < 300 else f"the receiver answered HTTP {status}"
        except Exception as exc:  # any failure fails this attempt; the next may succeed
            status, error = None, _describe(exc)
        now = utcnow()
        if error is None:
            outcome = {"status": "delivered", "delivered_at": now, "last_error": None}
        elif delivery.attempts >= self._settings.webhook_max_attempts:
            log.error(
                "webhook delivery %s dead after %d attempts: %s",
                delivery.id,
                delivery.attempts,
                error,
            )
            outcome = {"status": "dead", "last_error": error}
        else:
            wait = timedelta(seconds=backoff_s(self._settings, delivery.attempts))
            outcome = {"next_attempt_at": now + wait, "last_error": error}
        self._database.run(
            lambda uow: WebhookRepository(uow.session).finish(
                delivery.id, response_status=status, **outcome
            )
        )

    def _post(self, delivery: DueDelivery) -> int:
        found = self._database.run(
            lambda uow: WebhookRepository(uow.session).secret_of(delivery.webhook_id),
            read_only=True,
        )
        if found is None:
            raise NotFoundError("the webhook was deleted")
        url, ciphertext = found
        body = delivery.body.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._vault().decrypt(ciphertext), timestamp, body),
            EVENT_HEADER: delivery.event_type,
            DELIVERY_HEADER: delivery.id,
        }
        return self._client.post(url, content=body, headers=headers).status_code


def _describe(exc: Exception) -> str:
    # An httpx error names the URL; never the headers, so never the signature or secret.
    detail = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {detail}"[:2000]


def _audit(uow: UnitOfWork, action: str, webhook_id: str) -> None:
    record(
        uow.session,
        actor=actor_of(uow.session, "system"),
        action=action,
        entity_type=_ENTITY,
        entity_id=webhook_id,
    )
