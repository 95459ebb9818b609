"""Side-by-side comparison of evaluations: cases matched by name, deltas against the first.

Score and accuracy deltas come with a paired bootstrap interval over the cases all the
evaluations share, so "B is better than A" is only claimed when the interval excludes 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, NotFoundError, ValidationFailed
from autoforge.evaluations.metrics import paired_bootstrap
from autoforge.evaluations.models import EvaluationRow, TestResultRow
from autoforge.evaluations.repository import EvaluationRepository
from autoforge.evaluations.schemas import (
    CaseComparison,
    ComparisonReport,
    EvaluationDelta,
    Interval,
)
from autoforge.evaluations.service import to_schema


def compare_evaluations(uow: UnitOfWork, owner: str, ids: Sequence[str]) -> ComparisonReport:
    repo = EvaluationRepository(uow.session, owner)
    found = repo.get_many(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"evaluation {missing[0]} not found")
    rows = [found[i] for i in ids]
    unfinished = [r.id for r in rows if r.status != "completed"]
    if unfinished:
        raise ConflictError(f"evaluation {unfinished[0]} is not completed yet")
    results = [{r.test_case_name: r for r in repo.results(row.id)} for row in rows]
    shared = sorted(set(results[0]).intersection(*results[1:]))
    if not shared:
        raise ValidationFailed(
            "the evaluations have no test case in common",
            errors=[{"field": "evaluation_ids", "message": "no shared test case names"}],
        )
    matched = [[by_name[name] for name in shared] for by_name in results]
    return ComparisonReport(
        evaluations=[to_schema(r) for r in rows],
        cases_compared=len(shared),
        deltas=[
            _delta(rows[0], matched[0], row, cases)
            for row, cases in zip(rows[1:], matched[1:], strict=True)
        ],
        cases=[_case(name, [cases[k] for cases in matched]) for k, name in enumerate(shared)],
    )


def _case(name: str, results: Sequence[TestResultRow]) -> CaseComparison:
    return CaseComparison(
        test_case_name=name,
        expected=results[0].expected,
        scores=[r.score for r in results],
        passed=[r.passed for r in results],
        outputs=[r.output for r in results],
    )


def _interval(baseline: Sequence[float], candidate: Sequence[float]) -> Interval:
    result = paired_bootstrap(baseline, candidate)
    return Interval(
        delta=result.delta,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        significant=result.significant,
    )


def _minus(candidate: float | None, baseline: float | None) -> float | None:
    return None if candidate is None or baseline is None else candidate - baseline


def _delta(
    base: EvaluationRow,
    base_cases: Sequence[TestResultRow],
    row: EvaluationRow,
    cases: Sequence[TestResultRow],
) -> EvaluationDelta:
    return EvaluationDelta(
        evaluation_id=row.id,
        score=_interval([c.score for c in base_cases], [c.score for c in cases]),
        accuracy=_interval([float(c.passed) for c in base_cases], [float(c.passed) for c in cases]),
        hallucination_rate=_minus(row.hallucination_rate, base.hallucination_rate),
        style_consistency=_minus(row.style_consistency, base.style_consistency),
        latency_p50_ms=_minus(row.latency_p50_ms, base.latency_p50_ms),
        total_cost_usd=row.total_cost - base.total_cost,
    )
