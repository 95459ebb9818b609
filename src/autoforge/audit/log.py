"""Audit entries, written in the caller's transaction so a write and its record commit together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autoforge.audit.models import AuditEntryRow
from autoforge.db.tenancy import scope_of


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> None:
    # In a scoped transaction the actor is who authenticated (a user or an API key id), and
    # the project is the scope's: the caller cannot name someone else.
    scope = scope_of(session)
    session.add(
        AuditEntryRow(
            project_id=scope.project_id if scope else None,
            actor=scope.actor if scope else actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            details=details or {},
        )
    )
