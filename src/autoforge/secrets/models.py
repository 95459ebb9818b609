"""The table of a project's stored secrets: ciphertext only, plus what a listing shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow
from autoforge.db.tenancy import ProjectOwned


class ProjectSecretRow(ProjectOwned, Base):
    """One named secret of a project (e.g. `OPENAI_API_KEY`). `ciphertext` is a Fernet token
    (`secrets/vault.py`); `last4` is all of the value a listing may show, empty for short
    values."""

    __tablename__ = "project_secrets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[str] = mapped_column(Text)
    last4: Mapped[str] = mapped_column(String(4), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 2 AND 64", name="secret_name_length"),
        Index("uq_project_secrets_project_name", "project_id", "name", unique=True),
    )
