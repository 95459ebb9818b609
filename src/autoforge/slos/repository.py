"""Every query of SLOs, their checks, webhooks and deliveries. Flushes, never commits. No
project filter is written here: a scoped transaction confines every statement to its project
(`db/tenancy.py`); the scheduler's system transactions read across projects on purpose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from autoforge.evaluations.models import EvaluationRow
from autoforge.llm.models import LLMCallRow
from autoforge.prompts.models import PromptLabelRow, PromptRow
from autoforge.slos.models import (
    PromptSLORow,
    ScheduleRow,
    SLOCheckRow,
    WebhookDeliveryRow,
    WebhookRow,
)
from autoforge.slos.objectives import Figures, percentile_rank


@dataclass(frozen=True, slots=True)
class DueDelivery:
    id: str
    project_id: str
    webhook_id: str
    event_id: str
    event_type: str
    body: str
    attempts: int


class SLORepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def prompt(self, ref: str) -> PromptRow | None:
        """The live prompt named `ref`, else the one whose id is `ref`."""
        live = PromptRow.deleted_at.is_(None)
        found = self.session.scalar(select(PromptRow).where(PromptRow.name == ref, live))
        return found or self.session.scalar(select(PromptRow).where(PromptRow.id == ref, live))

    def labelled_version(self, prompt_id: str, label: str) -> int | None:
        return self.session.scalar(
            select(PromptLabelRow.version_number).where(
                PromptLabelRow.prompt_id == prompt_id, PromptLabelRow.label == label
            )
        )

    def get(self, slo_id: str) -> PromptSLORow | None:
        return self.session.scalar(select(PromptSLORow).where(PromptSLORow.id == slo_id))

    def of_prompt(self, prompt_id: str, label: str) -> PromptSLORow | None:
        return self.session.scalar(
            select(PromptSLORow).where(
                PromptSLORow.prompt_id == prompt_id, PromptSLORow.label == label
            )
        )

    def listed(self) -> Sequence[PromptSLORow]:
        query = select(PromptSLORow).order_by(PromptSLORow.prompt_name, PromptSLORow.label)
        return self.session.scalars(query).all()

    def every_slo(self) -> list[tuple[str, str]]:
        """(project, SLO id) of every project's SLOs: a system transaction's question."""
        query = select(PromptSLORow.project_id, PromptSLORow.id).order_by(PromptSLORow.id)
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def add(self, row: PromptSLORow) -> None:
        self.session.add(row)
        self.session.flush()

    def delete(self, row: PromptSLORow) -> None:
        self.session.delete(row)
        self.session.flush()

    def add_check(self, row: SLOCheckRow) -> None:
        self.session.add(row)
        self.session.flush()

    def checks(self, slo_id: str, limit: int) -> list[SLOCheckRow]:
        """The `limit` most recent checks, oldest first."""
        query = (
            select(SLOCheckRow)
            .where(SLOCheckRow.slo_id == slo_id)
            .order_by(SLOCheckRow.checked_at.desc(), SLOCheckRow.id.desc())
            .limit(limit)
        )
        return list(reversed(self.session.scalars(query).all()))

    def window(self, prompt_id: str, version: int | None, since: datetime) -> Figures:
        """The prompt's calls and finished evaluations since `since` (of one version)."""
        calls = [LLMCallRow.prompt_id == prompt_id, LLMCallRow.created_at >= since]
        if version is not None:
            calls.append(LLMCallRow.prompt_version == version)
        failed = func.sum(case((LLMCallRow.error.is_not(None), 1), else_=0))
        unpriced = func.sum(case((LLMCallRow.unpriced, 1), else_=0))
        count, errors, cost, unpriced_calls = self.session.execute(
            select(func.count(), failed, func.sum(LLMCallRow.cost_usd), unpriced).where(*calls)
        ).one()
        latency = None
        if count:
            # Nearest rank through OFFSET: no window's latencies are loaded into memory.
            latency = self.session.scalar(
                select(LLMCallRow.latency_ms)
                .where(*calls)
                .order_by(LLMCallRow.latency_ms)
                .offset(percentile_rank(count) - 1)
                .limit(1)
            )
        runs = [
            EvaluationRow.prompt_id == prompt_id,
            EvaluationRow.status == "completed",
            EvaluationRow.finished_at >= since,
            EvaluationRow.overall_score.is_not(None),
        ]
        if version is not None:
            runs.append(EvaluationRow.prompt_version == version)
        evaluations, score = self.session.execute(
            select(func.count(), func.avg(EvaluationRow.overall_score)).where(*runs)
        ).one()
        return Figures(
            calls=count,
            errors=int(errors or 0),
            p95_latency_ms=latency,
            total_cost=float(cost or 0.0),
            unpriced_calls=int(unpriced_calls or 0),
            evaluations=evaluations,
            score=float(score) if score is not None else None,
        )


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def listed(self) -> Sequence[WebhookRow]:
        query = select(WebhookRow).order_by(WebhookRow.created_at, WebhookRow.id)
        return self.session.scalars(query).all()

    def get(self, webhook_id: str) -> WebhookRow | None:
        return self.session.scalar(select(WebhookRow).where(WebhookRow.id == webhook_id))

    def secret_of(self, webhook_id: str) -> tuple[str, str] | None:
        """(url, encrypted secret) of a webhook, looked up by id."""
        found = self.session.execute(
            select(WebhookRow.url, WebhookRow.secret_ciphertext).where(WebhookRow.id == webhook_id)
        ).first()
        return (found[0], found[1]) if found is not None else None

    def add(self, row: WebhookRow) -> None:
        self.session.add(row)
        self.session.flush()

    def delete(self, row: WebhookRow) -> None:
        self.session.delete(row)
        self.session.flush()

    def deliveries(self, limit: int) -> Sequence[WebhookDeliveryRow]:
        query = (
            select(WebhookDeliveryRow)
            .order_by(WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.id.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def add_deliveries(self, rows: Sequence[WebhookDeliveryRow]) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def any_due(self, now: datetime) -> bool:
        return bool(
            self.session.scalar(
                select(func.count())
                .select_from(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.status == "pending",
                    WebhookDeliveryRow.next_attempt_at <= now,
                )
            )
        )

    def claim_due(self, now: datetime, lease_s: float, limit: int) -> list[DueDelivery]:
        """Takes up to `limit` due deliveries: counts the attempt and moves their next attempt
        past the lease, so no other process sends them meanwhile; a sender that dies leaves
        them due again once the lease is over."""
        due = (
            select(WebhookDeliveryRow.id)
            .where(
                WebhookDeliveryRow.status == "pending", WebhookDeliveryRow.next_attempt_at <= now
            )
            .order_by(WebhookDeliveryRow.next_attempt_at)
            .limit(limit)
        )
        statement = (
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.id.in_(due.scalar_subquery()),
                WebhookDeliveryRow.status == "pending",
            )
            .values(
                attempts=WebhookDeliveryRow.attempts + 1,
                next_attempt_at=now + timedelta(seconds=lease_s),
            )
            .returning(
                WebhookDeliveryRow.id,
                WebhookDeliveryRow.project_id,
                WebhookDeliveryRow.webhook_id,
                WebhookDeliveryRow.event_id,
                WebhookDeliveryRow.event_type,
                WebhookDeliveryRow.body,
                WebhookDeliveryRow.attempts,
            )
            .execution_options(synchronize_session=False)
        )
        return [DueDelivery(*row) for row in self.session.execute(statement)]

    def finish(self, delivery_id: str, **values: object) -> None:
        statement = (
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id == delivery_id, WebhookDeliveryRow.status == "pending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(statement)


class ScheduleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def due_at(self, name: str) -> datetime | None:
        return self.session.scalar(select(ScheduleRow.due_at).where(ScheduleRow.name == name))

    def take(self, name: str, holder: str, now: datetime, every_s: float, lease_s: float) -> bool:
        """Whether `holder` won this turn of `name`: one guarded UPDATE moves the due time
        on, so of several processes asking at once exactly one does. A turn still held (a
        check outlasting its interval) is not taken until its holder lets go or its lease
        ends (the holder died)."""
        self.session.execute(
            insert(ScheduleRow).prefix_with("OR IGNORE").values(name=name, due_at=now)
        )
        statement = (
            update(ScheduleRow)
            .where(
                ScheduleRow.name == name,
                ScheduleRow.due_at <= now,
                or_(ScheduleRow.held_until.is_(None), ScheduleRow.held_until <= now),
            )
            .values(
                due_at=now + timedelta(seconds=every_s),
                holder=holder,
                held_until=now + timedelta(seconds=lease_s),
            )
            .execution_options(synchronize_session=False)
        )
        taken: int = self.session.execute(statement).rowcount  # type: ignore[attr-defined]
        return taken == 1

    def let_go(self, name: str, holder: str) -> None:
        statement = (
            update(ScheduleRow)
            .where(and_(ScheduleRow.name == name, ScheduleRow.holder == holder))
            .values(held_until=None)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(statement)
