"""Dashboard figures: one aggregate query per figure, never rows pulled into Python."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from autoforge.dashboard.schemas import CallDay, Dashboard, EvaluationDay, Totals
from autoforge.datasets.models import DatasetRow
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.evaluations.models import EvaluationRow
from autoforge.llm.models import LLMCallRow
from autoforge.optimizations.models import OptimizationRow
from autoforge.prompts.models import PromptRow


def _day(column: InstrumentedAttribute[datetime]) -> ColumnElement[str]:
    # Timestamps are stored as ISO-8601 UTC text: the first ten characters are the date.
    return func.substr(column, 1, 10)


def _count(table: type[Any], *where: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).select_from(table).where(*where).scalar_subquery()


def dashboard(uow: UnitOfWork, owner: str, *, days: int, now: datetime | None = None) -> Dashboard:
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    session = uow.session

    # Every figure is the unit of work's project's (`db/tenancy.py` scopes each table here,
    # subqueries included). Every total in one statement: one round trip, not eight.
    live_prompts = PromptRow.deleted_at.is_(None)
    figures = session.execute(
        select(
            _count(PromptRow, live_prompts),
            _count(PromptRow, live_prompts, PromptRow.status == "active"),
            _count(DatasetRow),
            _count(EvaluationRow),
            _count(OptimizationRow),
            _count(LLMCallRow),
            select(func.coalesce(func.sum(LLMCallRow.cost_usd), 0.0)).scalar_subquery(),
            _count(LLMCallRow, LLMCallRow.source == "otlp"),
            _count(LLMCallRow, LLMCallRow.unpriced.is_(True)),
        )
    ).one()
    totals = Totals(
        prompts=figures[0],
        active_prompts=figures[1],
        datasets=figures[2],
        evaluations=figures[3],
        optimizations=figures[4],
        model_calls=figures[5],
        cost_usd=float(figures[6]),
        ingested_calls=figures[7],
        unpriced_calls=figures[8],
    )

    completed = EvaluationRow.status == "completed"
    eval_day = _day(EvaluationRow.created_at).label("day")
    evaluation_rows = session.execute(
        select(
            eval_day,
            func.count(),
            func.sum(case((completed, 1), else_=0)),
            func.avg(case((completed, EvaluationRow.overall_score))),
            func.avg(case((completed, EvaluationRow.accuracy_score))),
        )
        .where(EvaluationRow.created_at >= since)
        .group_by(eval_day)
        .order_by(eval_day)
    ).all()

    call_day = _day(LLMCallRow.created_at).label("day")
    answered = LLMCallRow.cache_hit.is_(False)
    call_rows = session.execute(
        select(
            call_day,
            func.count(),
            func.sum(case((LLMCallRow.cache_hit, 1), else_=0)),
            func.coalesce(func.sum(LLMCallRow.cost_usd), 0.0),
            cast(func.avg(case((answered, LLMCallRow.latency_ms))), Float),
            func.sum(case((LLMCallRow.unpriced, 1), else_=0)),
        )
        .where(LLMCallRow.created_at >= since)
        .group_by(call_day)
        .order_by(call_day)
    ).all()

    return Dashboard(
        days=days,
        totals=totals,
        evaluations=[
            EvaluationDay(day=d, evaluations=n, completed=int(c or 0), avg_score=s, avg_accuracy=a)
            for d, n, c, s, a in evaluation_rows
        ],
        calls=[
            CallDay(
                day=d,
                calls=n,
                cache_hits=int(h or 0),
                cost_usd=float(c),
                unpriced_calls=int(u or 0),
                avg_latency_ms=lat,
            )
            for d, n, h, c, lat, u in call_rows
        ],
    )
