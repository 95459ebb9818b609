"""Prompt history: versions, diffs, rollback, deployment labels and lookup by name.

Each use case takes the caller's unit of work and owner; none commits.
"""

from __future__ import annotations

from autoforge.db.base import utcnow
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import NotFoundError, ValidationFailed
from autoforge.prompts import domain
from autoforge.prompts.models import PromptVersionRow
from autoforge.prompts.repository import PromptRepository
from autoforge.prompts.schemas import (
    Label,
    Prompt,
    PromptDiff,
    PromptVersion,
    ResolvedPrompt,
    Rollback,
    VersionPage,
)
from autoforge.prompts.service import audit, check_base, delete_prompt, live, to_schema


def _version_schema(row: PromptVersionRow, labels: dict[str, int]) -> PromptVersion:
    return PromptVersion(
        prompt_id=row.prompt_id,
        version=row.version_number,
        title=row.title,
        content=row.content,
        kind=row.kind,
        config=row.config,
        change_note=row.change_note,
        created_by=row.created_by,
        created_at=row.created_at,
        labels=sorted(label for label, n in labels.items() if n == row.version_number),
    )


def list_versions(
    uow: UnitOfWork, owner: str, prompt_id: str, *, before: int | None = None, limit: int = 50
) -> VersionPage:
    repo = PromptRepository(uow.session, owner)
    view = live(repo, prompt_id)
    rows = repo.versions(prompt_id, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return VersionPage(
        items=[_version_schema(r, view.labels) for r in rows],
        next_before=rows[-1].version_number if more else None,
    )


def _version(repo: PromptRepository, prompt_id: str, number: int) -> PromptVersionRow:
    row = repo.version(prompt_id, number)
    if row is None:
        raise NotFoundError(f"prompt {prompt_id} has no version {number}")
    return row


def get_version(uow: UnitOfWork, owner: str, prompt_id: str, number: int) -> PromptVersion:
    repo = PromptRepository(uow.session, owner)
    view = live(repo, prompt_id)
    return _version_schema(_version(repo, prompt_id, number), view.labels)


def diff_versions(
    uow: UnitOfWork, owner: str, prompt_id: str, from_version: int, to_version: int
) -> PromptDiff:
    repo = PromptRepository(uow.session, owner)
    live(repo, prompt_id)
    old = _version(repo, prompt_id, from_version)
    new = _version(repo, prompt_id, to_version)
    return PromptDiff(
        prompt_id=prompt_id,
        from_version=from_version,
        to_version=to_version,
        title_changed=old.title != new.title,
        diff=domain.unified_diff(old.content, new.content, from_version, to_version),
    )


def rollback(uow: UnitOfWork, owner: str, prompt_id: str, data: Rollback) -> Prompt:
    """Brings an old version's title and content back as a new version; history is kept.
    Rolling back to text identical to the current version changes nothing."""
    repo = PromptRepository(uow.session, owner)
    row = live(repo, prompt_id).row
    if data.base_version is not None:
        check_base(row, data.base_version)
    target = _version(repo, prompt_id, data.version)
    current = _version(repo, prompt_id, row.version)
    if _snapshot(target) != _snapshot(current):
        row.title, row.content = target.title, target.content
        row.version += 1
        row.updated_at = utcnow()
        repo.add_version(
            row,
            data.change_note or f"rollback to version {data.version}",
            kind=target.kind,
            config=target.config,
        )
        audit(uow, owner, "rollback", row.id, to_version=data.version, version=row.version)
        uow.collect(
            domain.PromptRolledBack(
                prompt_id=row.id, owner_id=owner, to_version=data.version, new_version=row.version
            )
        )
    return to_schema(live(repo, prompt_id))


def delete_version(uow: UnitOfWork, owner: str, prompt_id: str, number: int) -> None:
    """Removes one version and the labels on it. Removing the newest makes the newest
    remaining one current again; removing the only one deletes the prompt for good."""
    repo = PromptRepository(uow.session, owner)
    row = live(repo, prompt_id).row
    _version(repo, prompt_id, number)
    if number == row.version:
        older = repo.versions(prompt_id, number, 1)
        if not older:
            delete_prompt(uow, owner, prompt_id, hard=True)
            return
        row.title, row.content, row.version = (
            older[0].title,
            older[0].content,
            older[0].version_number,
        )
    repo.delete_version(prompt_id, number)
    row.updated_at = utcnow()
    audit(uow, owner, "update", prompt_id, deleted_version=number, version=row.version)
    uow.collect(
        domain.PromptUpdated(
            prompt_id=prompt_id, owner_id=owner, version=row.version, changed=("versions",)
        )
    )


def _snapshot(row: PromptVersionRow) -> tuple[object, ...]:
    return (row.title, row.content, row.kind, row.config)


def set_label(uow: UnitOfWork, owner: str, prompt_id: str, label: str, version: int) -> Label:
    _check_label(label)
    repo = PromptRepository(uow.session, owner)
    row = live(repo, prompt_id).row
    if not 1 <= version <= row.version:
        raise ValidationFailed(
            f"prompt {prompt_id} has versions 1 to {row.version}, not {version}",
            errors=[{"field": "version", "message": f"must be between 1 and {row.version}"}],
        )
    saved = repo.set_label(prompt_id, label, version, utcnow())
    audit(uow, owner, "label", prompt_id, label=label, version=version)
    uow.collect(
        domain.PromptLabelSet(prompt_id=prompt_id, owner_id=owner, label=label, version=version)
    )
    return Label(
        prompt_id=prompt_id,
        label=label,
        version=saved.version_number,
        updated_by=saved.updated_by,
        updated_at=saved.updated_at,
    )


def remove_label(uow: UnitOfWork, owner: str, prompt_id: str, label: str) -> None:
    _check_label(label)
    repo = PromptRepository(uow.session, owner)
    live(repo, prompt_id)
    if not repo.remove_label(prompt_id, label):
        raise NotFoundError(f"prompt {prompt_id} has no label {label!r}")
    audit(uow, owner, "label", prompt_id, label=label, version=None)
    uow.collect(
        domain.PromptLabelSet(prompt_id=prompt_id, owner_id=owner, label=label, version=None)
    )


def _check_label(label: str) -> None:
    try:
        domain.validate_label(label)
    except ValueError as exc:
        raise ValidationFailed(
            f"invalid label {label!r}", errors=[{"field": "label", "message": str(exc)}]
        ) from None


def resolve_version(
    uow: UnitOfWork,
    owner: str,
    name_or_id: str,
    *,
    version: int | None = None,
    label: str | None = None,
) -> ResolvedPrompt:
    """The one way runs (evaluations, optimizations) pick a prompt version: by name, else by
    id; then the explicit version, else the label's, else the latest."""
    repo = PromptRepository(uow.session, owner)
    view = repo.view_by_name(name_or_id)
    found = view.row if view is not None else repo.get(name_or_id)
    if found is None:
        raise NotFoundError(f"prompt {name_or_id!r} not found")
    if version is not None and label is not None:
        raise ValidationFailed(
            "give a version or a label, not both",
            errors=[{"field": "label", "message": "conflicts with version"}],
        )
    resolved = resolve_by_name(uow, owner, found.name, label=label)
    if version is None or version == resolved.version:
        return resolved
    chosen = get_version(uow, owner, resolved.prompt_id, version)
    return resolved.model_copy(
        update={"version": chosen.version, "title": chosen.title, "content": chosen.content}
    )


def resolve_by_name(
    uow: UnitOfWork, owner: str, name: str, *, label: str | None = None
) -> ResolvedPrompt:
    """How applications fetch their live prompt: the version a label points at (or latest)."""
    return resolve_with_project(uow, owner, name, label=label)[0]


def resolve_with_project(
    uow: UnitOfWork, owner: str, name: str, *, label: str | None = None
) -> tuple[ResolvedPrompt, str | None]:
    """`resolve_by_name`, plus the project the prompt belongs to (the caller's, or another
    that shares it): the cache keeps only what the caller's own writes invalidate."""
    repo = PromptRepository(uow.session, owner)
    view = repo.view_by_name(name)
    if view is None or view.row.deleted_at is not None:
        raise NotFoundError(f"prompt {name!r} not found")
    row = view.row
    number = row.version
    if label is not None and label != domain.LATEST_LABEL:
        if label not in view.labels:
            raise NotFoundError(f"prompt {name!r} has no label {label!r}")
        number = view.labels[label]
    version = _version(repo, row.id, number)
    resolved = ResolvedPrompt(
        prompt_id=row.id,
        name=row.name,
        label=label,
        version=number,
        title=version.title,
        content=version.content,
        status=row.status,
    )
    return resolved, row.project_id
