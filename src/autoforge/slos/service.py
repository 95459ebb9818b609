"""Setting, reading and checking prompt SLOs. Never commits.

A check runs in a transaction scoped to the SLO's project: it reads the window, records
the check, moves the state, and on a state change raises the event (outbox) and queues
one alert per webhook, all in that one transaction, so an alert exists exactly when the
state change does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from autoforge.audit.log import record
from autoforge.db.base import utcnow
from autoforge.db.tenancy import actor_of
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import NotFoundError
from autoforge.slos import objectives, webhooks
from autoforge.slos.domain import PromptSLOEvent, PromptSLORecovered, PromptSLOViolated
from autoforge.slos.models import PromptSLORow, SLOCheckRow
from autoforge.slos.repository import SLORepository
from autoforge.slos.schemas import SLO, Figures, SLOCheck, SLOHistory, SLOSet, Targets

_ENTITY = "prompt_slo"


@dataclass(frozen=True, slots=True)
class Checked:
    """What one check found, for the scheduler's metrics."""

    result: objectives.Result
    state: objectives.State
    breached: tuple[str, ...]


def _figures(found: objectives.Figures) -> Figures:
    return Figures(
        calls=found.calls,
        errors=found.errors,
        error_rate=found.error_rate,
        p95_latency_ms=found.p95_latency_ms,
        cost_per_call=found.cost_per_call,
        total_cost=found.total_cost,
        unpriced_calls=found.unpriced_calls,
        evaluations=found.evaluations,
        score=found.score,
    )


def _targets(row: PromptSLORow) -> objectives.Targets:
    return objectives.Targets(
        min_score=row.min_score,
        max_p95_latency_ms=row.max_p95_latency_ms,
        max_error_rate=row.max_error_rate,
        max_cost_per_call=row.max_cost_per_call,
        min_calls=row.min_calls,
    )


def to_slo(row: PromptSLORow) -> SLO:
    return SLO(
        id=row.id,
        prompt_id=row.prompt_id,
        prompt_name=row.prompt_name,
        label=row.label or None,
        window_s=row.window_s,
        targets=Targets(**{k: v for k, v in asdict(_targets(row)).items() if k != "min_calls"}),
        min_calls=row.min_calls,
        state=row.state,
        state_since=row.state_since,
        breached=list(row.breached),
        figures=Figures.model_validate(row.figures or {}),
        checked_at=row.checked_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def set_slo(uow: UnitOfWork, data: SLOSet) -> tuple[SLO, bool]:
    """Makes or replaces the SLO of the prompt (and label); True when made. Replacing the
    targets keeps the state: the next check decides it under the new targets."""
    repo = SLORepository(uow.session)
    prompt = repo.prompt(data.prompt)
    if prompt is None:
        raise NotFoundError(f"prompt {data.prompt!r} not found")
    label = data.label or ""
    row = repo.of_prompt(prompt.id, label)
    made = row is None
    if row is None:
        row = PromptSLORow(prompt_id=prompt.id, prompt_name=prompt.name, label=label)
    row.window_s, row.min_calls = data.window_s, data.min_calls
    row.min_score, row.max_p95_latency_ms = data.min_score, data.max_p95_latency_ms
    row.max_error_rate, row.max_cost_per_call = data.max_error_rate, data.max_cost_per_call
    row.updated_at = utcnow()
    if made:
        repo.add(row)
    else:
        uow.session.flush()
    _audit(uow, "create" if made else "update", row.id)
    return to_slo(row), made


def list_slos(uow: UnitOfWork) -> list[SLO]:
    return [to_slo(row) for row in SLORepository(uow.session).listed()]


def _row(repo: SLORepository, slo_id: str) -> PromptSLORow:
    row = repo.get(slo_id)
    if row is None:
        raise NotFoundError(f"SLO {slo_id!r} not found")
    return row


def get_slo(uow: UnitOfWork, slo_id: str) -> SLO:
    return to_slo(_row(SLORepository(uow.session), slo_id))


def delete_slo(uow: UnitOfWork, slo_id: str) -> None:
    repo = SLORepository(uow.session)
    repo.delete(_row(repo, slo_id))
    _audit(uow, "delete", slo_id)


def history(uow: UnitOfWork, slo_id: str, limit: int) -> SLOHistory:
    repo = SLORepository(uow.session)
    row = _row(repo, slo_id)
    items = [
        SLOCheck(
            checked_at=check.checked_at,
            result=check.result,
            state=check.state,
            transition=check.transition,
            breached=list(check.breached),
            figures=Figures.model_validate(check.figures or {}),
        )
        for check in repo.checks(slo_id, limit)
    ]
    return SLOHistory(slo=to_slo(row), items=items)


def check_slo(uow: UnitOfWork, slo_id: str, now: datetime | None = None) -> Checked:
    """Checks one SLO over the window ending `now` and records what changed."""
    now = now or utcnow()
    repo = SLORepository(uow.session)
    row = _row(repo, slo_id)
    found = _window(repo, row, now)
    verdict = objectives.judge(_targets(row), found)
    state, transition = objectives.next_state(row.state, verdict)  # type: ignore[arg-type]
    figures = _figures(found).model_dump()
    if state != row.state:
        row.state, row.state_since = state, now
    if verdict.result != "no_data":
        row.breached = list(verdict.breached)
    row.figures, row.checked_at = figures, now
    repo.add_check(
        SLOCheckRow(
            slo_id=row.id,
            checked_at=now,
            result=verdict.result,
            state=state,
            transition=transition,
            breached=list(verdict.breached),
            figures=figures,
        )
    )
    if transition is not None:
        _announce(uow, row, transition, figures, now)
    return Checked(verdict.result, state, tuple(row.breached) if state == "violated" else ())


def _window(repo: SLORepository, row: PromptSLORow, now: datetime) -> objectives.Figures:
    version = None
    if row.label:
        version = repo.labelled_version(row.prompt_id, row.label)
        if version is None:
            return objectives.Figures()  # the label points nowhere: nothing to measure
    return repo.window(row.prompt_id, version, now - timedelta(seconds=row.window_s))


def _announce(
    uow: UnitOfWork,
    row: PromptSLORow,
    transition: objectives.Transition,
    figures: dict[str, object],
    now: datetime,
) -> None:
    common = {
        "slo_id": row.id,
        "project_id": row.project_id,
        "prompt_id": row.prompt_id,
        "prompt_name": row.prompt_name,
        "label": row.label or None,
        "window_s": row.window_s,
        "figures": figures,
        "occurred_at": now,
    }
    event: PromptSLOEvent
    if transition == "violated":
        event = PromptSLOViolated(breached=tuple(row.breached), **common)  # type: ignore[arg-type]
    else:
        event = PromptSLORecovered(**common)  # type: ignore[arg-type]
    uow.collect(event)
    webhooks.queue_alert(uow, event.event_id, event.event_type, _alert_body(event, row))


def _alert_body(event: PromptSLOEvent, row: PromptSLORow) -> str:
    """What a webhook receives: the event, the SLO's targets and the window's figures."""
    document = {
        "type": event.event_type,
        "event_id": event.event_id,
        "occurred_at": event.occurred_at.isoformat(),
        "project_id": row.project_id,
        "state": row.state,
        "slo": {
            "id": row.id,
            "prompt_id": row.prompt_id,
            "prompt_name": row.prompt_name,
            "label": row.label or None,
            "window_s": row.window_s,
            "targets": to_slo(row).targets.model_dump(exclude_none=True),
        },
        "breached": list(row.breached) if row.state == "violated" else [],
        "figures": event.figures,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def _audit(uow: UnitOfWork, action: str, slo_id: str) -> None:
    record(
        uow.session,
        actor=actor_of(uow.session, "system"),
        action=action,
        entity_type=_ENTITY,
        entity_id=slo_id,
    )
