"""The one query ingestion makes of its own: which prompt names (and versions) spans mention
are prompts of the caller's project. The unit of work's scope confines it to that project."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from autoforge.prompts.models import PromptRow, PromptVersionRow

_IN_CHUNK = 500  # names per IN (...) list, well below SQLite's bound-parameter limit


def prompt_versions(session: Session, names: Collection[str]) -> dict[str, tuple[str, set[int]]]:
    """Each live prompt among `names`: its id and the version numbers it has."""
    found: dict[str, tuple[str, set[int]]] = {}
    ordered = sorted(names)
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        rows = session.execute(
            select(PromptRow.name, PromptRow.id, PromptVersionRow.version_number)
            .outerjoin(PromptVersionRow, PromptVersionRow.prompt_id == PromptRow.id)
            .where(PromptRow.name.in_(chunk), PromptRow.deleted_at.is_(None))
        )
        for name, prompt_id, version in rows:
            _, versions = found.setdefault(name, (prompt_id, set()))
            if version is not None:
                versions.add(version)
    return found
