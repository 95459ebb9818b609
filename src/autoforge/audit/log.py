"""Audit entries, written in the caller's transaction so a write and its record commit together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autoforge.audit.models import AuditEntryRow


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntryRow(
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            details=details or {},
        )
    )
