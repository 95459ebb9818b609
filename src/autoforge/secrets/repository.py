"""Every query of stored secrets. Flushes, never commits. No project filter is written here:
a scoped transaction confines every statement to its project (`db/tenancy.py`), and only a
system transaction (a key rotation) sees every project's rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from autoforge.secrets.models import ProjectSecretRow


class SecretRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def named(self, name: str) -> ProjectSecretRow | None:
        return self.session.scalar(select(ProjectSecretRow).where(ProjectSecretRow.name == name))

    def listed(self) -> Sequence[ProjectSecretRow]:
        query = select(ProjectSecretRow).order_by(
            ProjectSecretRow.project_id, ProjectSecretRow.name
        )
        return self.session.scalars(query).all()

    def add(self, row: ProjectSecretRow) -> None:
        self.session.add(row)
        self.session.flush()

    def delete(self, row: ProjectSecretRow) -> None:
        self.session.delete(row)
        self.session.flush()
