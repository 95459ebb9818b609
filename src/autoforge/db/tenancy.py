"""Project scoping, applied in one place: every ORM statement of a scoped transaction that
reads, updates or deletes a project-owned table gets `project_id = :scope` added by
SQLAlchemy's `with_loader_criteria`, and every new project-owned row is stamped with the
scope's project. Repositories write no tenant filter of their own, so none can be forgotten.

A transaction opened without a scope is a *system* transaction (the job runner, the outbox
relay, migrations): it reads across projects on purpose, and loads its targets by id. Requests
always open scoped transactions (`api/deps.py`); the CLI opens them for the current project.

Child tables (versions, items, results, candidates, tags, labels) carry no project column:
they are only reached through their parent, which is loaded through this filter first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    with_loader_criteria,
)

SCOPE_KEY = "scope"
ACROSS_PROJECTS = "autoforge_across_projects"


@dataclass(frozen=True, slots=True)
class Scope:
    """Who acts, and in which project. `actor` is a user id or an API key id."""

    project_id: str
    actor: str
    # The project's organization: prompts its other projects share are readable here.
    organization_id: str | None = None


def reading(project_id: str) -> Scope:
    """The scope of a read-only transaction opened outside a request's dependency (a
    stream, a poll): it only reads, so no actor is recorded."""
    return Scope(project_id=project_id, actor="reader")


class ProjectOwned:
    """Marks a tenant table: each row belongs to the project in its `project_id` column (a
    plain reference, not a foreign key, as aggregates refer to each other by id). The call
    log's column may be NULL: calls made outside any project (benchmarks) belong to none.

    The column is declared here (each table re-declares it with its own length and
    nullability) because the filter is one criterion on this class, which SQLAlchemy
    evaluates against the class itself before applying it to each mapped subclass."""

    project_id: Mapped[str | None] = mapped_column(String(64), default=None)


class CrossProjectWriteError(RuntimeError):
    """A scoped transaction tried to store a row in another project."""


def scope_of(session: Session) -> Scope | None:
    scope = session.info.get(SCOPE_KEY)
    return scope if isinstance(scope, Scope) else None


def actor_of(session: Session, fallback: str) -> str:
    """Who acts in this transaction: the scope's actor, or `fallback` in a system one."""
    scope = scope_of(session)
    return scope.actor if scope is not None else fallback


def _add_project_criteria(state: ORMExecuteState) -> None:
    scope = scope_of(state.session)
    if scope is None or not (state.is_select or state.is_update or state.is_delete):
        return
    # The one exception, explicit and read-only: prompts shared with the organization or
    # made public (`PromptRepository.visible_elsewhere` names its own filter).
    if state.execution_options.get(ACROSS_PROJECTS) and state.session.info.get("read_only"):
        return
    project_id = scope.project_id
    state.statement = state.statement.options(
        with_loader_criteria(
            ProjectOwned,
            lambda cls: cls.project_id == project_id,
            include_aliases=True,
            track_closure_variables=False,
        )
    )


def _stamp_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    scope = scope_of(session)
    if scope is None:
        return
    for row in session.new:
        if not isinstance(row, ProjectOwned):
            continue
        if row.project_id is None:
            row.project_id = scope.project_id
        elif row.project_id != scope.project_id:
            raise CrossProjectWriteError(
                f"{type(row).__name__} for project {row.project_id!r} written in a "
                f"transaction scoped to {scope.project_id!r}"
            )


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "do_orm_execute", _add_project_criteria)
    event.listen(session_class, "before_flush", _stamp_new_rows)
