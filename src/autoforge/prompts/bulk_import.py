"""Bulk import of prompts: upsert by name, all or nothing, for ten thousand prompts in a second.

Everything is validated before anything is written. The writes are a handful of Core
executemany calls with values already in stored form, because at this volume SQLAlchemy's
per-row parameter processing costs as much as the inserts themselves.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from pydantic import ValidationError

from autoforge.audit.log import record
from autoforge.cache import keys as cache_keys
from autoforge.db.base import iso, new_id, utcnow
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, ValidationFailed
from autoforge.prompts import domain
from autoforge.prompts.repository import (
    PROMPT_COLUMNS,
    TAG_COLUMNS,
    VERSION_COLUMNS,
    AnyRow,
    PromptRepository,
)
from autoforge.prompts.schemas import ImportRecord, ImportReport

MAX_IMPORT_RECORDS = 100_000
MAX_REPORTED_ERRORS = 100
Numbered = list[tuple[int, object]]


@dataclass
class _Plan:
    """Everything one import writes, gathered first so the writes are a few executemany calls."""

    now: datetime
    stamp: str  # `now` as stored text, for the raw inserts
    owner: str
    prompts: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    retagged: list[str] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    created_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    unchanged: int = 0


def time_ordered_ids(count: int) -> list[str]:
    """UUIDv7-shaped ids (RFC 9562: millisecond time, then a counter from a random start).
    Consecutive keys append to the indexes instead of landing on random B-tree pages."""
    head = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | 0b10 << 62
    start = int.from_bytes(os.urandom(8)) >> 4  # 60 random bits leave room to count up
    ids = []
    for n in range(start, start + count):
        h = f"{head | n:032x}"
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids


def parse_jsonl(text: str) -> Numbered:
    """(line number, parsed value) for every non-blank line; all bad lines are reported.
    Standard-library json rather than orjson: orjson turns integers beyond 64 bits into
    floats, silently changing the data."""
    parsed: Numbered = []
    errors: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed.append((number, json.loads(line, parse_constant=_no_constants)))
        except ValueError as exc:  # JSONDecodeError is a ValueError
            errors.append({"field": f"line {number}", "message": f"not valid JSON: {exc}"})
    if errors:
        raise _rejected(errors, len(parsed) + len(errors))
    return parsed


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def import_jsonl(uow: UnitOfWork, owner: str, text: str) -> ImportReport:
    return _import(uow, owner, parse_jsonl(text))


def import_prompts(
    uow: UnitOfWork, owner: str, records: Sequence[Mapping[str, Any]]
) -> ImportReport:
    """Upserts by name; record N is reported as `line N`. Raises ValidationFailed (and writes
    nothing) if any record is invalid."""
    return _import(uow, owner, list(enumerate(records, 1)))


def _rejected(errors: list[dict[str, str]], total: int) -> ValidationFailed:
    shown = errors[:MAX_REPORTED_ERRORS]
    more = f" (first {len(shown)} listed)" if len(errors) > len(shown) else ""
    return ValidationFailed(
        f"{len(errors)} of {total} lines rejected{more}; nothing was imported", errors=shown
    )


def _import(uow: UnitOfWork, owner: str, numbered: Numbered) -> ImportReport:
    if len(numbered) > MAX_IMPORT_RECORDS:
        raise ValidationFailed(
            f"at most {MAX_IMPORT_RECORDS} prompts per import, got {len(numbered)}",
            errors=[{"field": "body", "message": "too many lines; split the file"}],
        )
    records, errors = _validate(numbered)
    repo = PromptRepository(uow.session, owner)
    existing = repo.existing_by_names([r.name for _, r in records])
    errors.extend(_conflicts(records, existing))
    if errors:
        errors.sort(key=lambda e: int(e["field"].removeprefix("line ")))
        raise _rejected(errors, len(numbered))
    plan = _plan(records, existing, owner)
    repo.insert_rows("prompts", PROMPT_COLUMNS, plan.prompts)
    repo.update_many(plan.updates)
    repo.insert_rows("prompt_versions", VERSION_COLUMNS, plan.versions)
    repo.clear_tags(plan.retagged)
    repo.insert_rows("prompt_tags", TAG_COLUMNS, plan.tags)
    if plan.created_ids or plan.updated_ids:
        _record(uow, plan)
        uow.invalidate(cache_keys.prompts(owner))
    return ImportReport(
        total=len(records),
        created=len(plan.created_ids),
        updated=len(plan.updated_ids),
        unchanged=plan.unchanged,
    )


def _record(uow: UnitOfWork, plan: _Plan) -> None:
    # One audit entry per batch rather than per prompt: at ten thousand prompts the per-row
    # audit inserts cost more than the prompts themselves. The entry lists every prompt id.
    import_id = new_id()
    record(
        uow.session,
        actor=plan.owner,
        action="import",
        entity_type="prompt_import",
        entity_id=import_id,
        details={"created": plan.created_ids, "updated": plan.updated_ids},
    )
    uow.collect(
        domain.PromptsImported(
            owner_id=plan.owner,
            import_id=import_id,
            created=tuple(plan.created_ids),
            updated=tuple(plan.updated_ids),
        )
    )


def _validate(numbered: Numbered) -> tuple[list[tuple[int, ImportRecord]], list[dict[str, str]]]:
    records: list[tuple[int, ImportRecord]] = []
    errors: list[dict[str, str]] = []
    first_line: dict[str, int] = {}
    for number, value in numbered:
        where = f"line {number}"
        try:
            item = ImportRecord.model_validate(value)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
            )
            errors.append({"field": where, "message": problems})
            continue
        if item.name in first_line:
            message = f"name {item.name!r} already appears on line {first_line[item.name]}"
            errors.append({"field": where, "message": message})
            continue
        first_line[item.name] = number
        records.append((number, item))
    return records, errors


def _conflicts(
    records: list[tuple[int, ImportRecord]], existing: Mapping[str, AnyRow]
) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    for number, item in records:
        current = existing.get(item.name)
        if current is None:
            continue
        if current.deleted_at is not None:
            message = f"a deleted prompt holds the name {item.name!r}; restore or hard-delete it"
            errors.append({"field": f"line {number}", "message": message})
        elif item.status is not None:
            try:
                domain.check_transition(current.status, item.status)
            except ConflictError as exc:
                errors.append({"field": f"line {number}", "message": exc.detail})
    return errors


def _plan(
    records: list[tuple[int, ImportRecord]], existing: Mapping[str, AnyRow], owner: str
) -> _Plan:
    now = utcnow()
    plan = _Plan(now=now, stamp=iso(now), owner=owner)
    ids = iter(time_ordered_ids(2 * len(records)))
    for _, item in records:
        current = existing.get(item.name)
        if current is None:
            _plan_create(plan, item, next(ids), next(ids))
        else:
            _plan_update(plan, item, current, next(ids))
    return plan


def _plan_create(plan: _Plan, item: ImportRecord, prompt_id: str, version_id: str) -> None:
    # The stdlib json, not orjson: it keeps integers beyond 64 bits exact.
    metadata = json.dumps(item.metadata or {}, ensure_ascii=False)
    status = item.status or "draft"
    row = (prompt_id, plan.owner, item.name, item.title, item.content, status, 1, metadata)
    plan.prompts.append((*row, plan.stamp, plan.stamp))
    plan.versions.append(_version_row(plan, version_id, prompt_id, 1, item, config=item.config))
    plan.tags.extend((prompt_id, tag) for tag in item.tags or ())
    plan.created_ids.append(prompt_id)


def _plan_update(plan: _Plan, item: ImportRecord, current: AnyRow, version_id: str) -> None:
    # Like an update: a record without `config` keeps the current one; its kind (text
    # unless given) and config are part of the version, so a change of either makes one.
    current_config = None if current.config is None else json.loads(current.config)
    config = current_config if item.config is None else item.config
    new_text = (item.title, item.content, item.kind, config) != (
        current.title,
        current.content,
        current.kind,
        current_config,
    )
    version = current.version + 1 if new_text else current.version
    status = item.status or current.status
    metadata = current.metadata if item.metadata is None else item.metadata
    tags_changed = item.tags is not None and item.tags != sorted(orjson.loads(current.tags))
    if not (new_text or tags_changed or status != current.status or metadata != current.metadata):
        plan.unchanged += 1
        return
    plan.updates.append(
        {
            "b_id": current.id,
            "b_title": item.title,
            "b_content": item.content,
            "b_status": status,
            "b_version": version,
            "b_metadata": metadata,
            "b_updated_at": plan.now,
        }
    )
    if new_text:
        plan.versions.append(
            _version_row(plan, version_id, current.id, version, item, config=config)
        )
    if tags_changed:
        plan.retagged.append(current.id)
        plan.tags.extend((current.id, tag) for tag in item.tags or ())
    plan.updated_ids.append(current.id)


def _version_row(
    plan: _Plan,
    version_id: str,
    prompt_id: str,
    version: int,
    item: ImportRecord,
    *,
    config: dict[str, Any] | None,
) -> tuple[Any, ...]:
    return (
        version_id,
        prompt_id,
        version,
        item.title,
        item.content,
        "imported",
        plan.owner,
        plan.stamp,
        item.kind,
        None if config is None else json.dumps(config, ensure_ascii=False),
    )
