"""The audit log table; one row per write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow
from autoforge.db.tenancy import ProjectOwned


class AuditEntryRow(ProjectOwned, Base):
    """Who did what to which entity, in which project (NULL: an organization-level act)."""

    __tablename__ = "audit_log"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str | None] = mapped_column(String(64), default=None)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restore', 'hard_delete', 'label', "
            "'rollback', 'import', 'render', 'status', 'revoke', 'add_member', 'remove_member', "
            "'reencrypt')",
            name="action_enum",
        ),
        Index("ix_audit_log_entity", "entity_type", "entity_id", "occurred_at"),
        Index("ix_audit_log_actor", "actor", "occurred_at"),
        Index("ix_audit_log_project", "project_id", "occurred_at"),
    )
