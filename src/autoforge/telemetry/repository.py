"""The queries ingestion makes of its own: which prompt names (and versions) spans mention
are prompts of the caller's project, and which spans the project already has. The unit of
work's scope confines both to that project."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from autoforge.llm.models import LLMCallRow
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


def stored_spans(session: Session, spans: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (trace id, span id) pairs are already stored as calls. Writers hold
    the write lock from BEGIN (`db/engine.py`), so nothing is stored between this and the
    insert; the unique index of migration 0011 guards it anyway."""
    wanted = set(spans)
    found: set[tuple[str, str]] = set()
    span_ids = sorted({span_id for _, span_id in wanted})
    for start in range(0, len(span_ids), _IN_CHUNK):
        rows = session.execute(
            select(LLMCallRow.trace_id, LLMCallRow.span_id).where(
                LLMCallRow.span_id.in_(span_ids[start : start + _IN_CHUNK])
            )
        )
        found.update((trace_id, span_id) for trace_id, span_id in rows if trace_id and span_id)
    return found & wanted
