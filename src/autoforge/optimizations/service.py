"""Optimization use cases: start a run (queued as a job), read its progress, figures, history.

Each takes the caller's unit of work and owner; none commits. Starting writes the
optimization and its job in the caller's transaction; the job reaches a worker once that
transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autoforge.datasets.service import ResolvedVersion, resolve_version
from autoforge.db.base import utcnow
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import NotFoundError, ValidationFailed
from autoforge.evaluations.scoring import resolve_scoring
from autoforge.llm.pricing import unpriced_problem
from autoforge.optimizations.models import OptimizationCandidateRow, OptimizationRow
from autoforge.optimizations.repository import OptimizationRepository
from autoforge.optimizations.schemas import (
    CandidatePage,
    Optimization,
    OptimizationCandidate,
    OptimizationCreate,
    OptimizationPage,
    OptimizationProgress,
)
from autoforge.prompts import versions
from autoforge.prompts.domain import Cursor, keyset_page
from autoforge.worker.dispatch import enqueue_job

# A search needs at least one case to search on and one to select with.
MIN_ITEMS = 2


@dataclass(frozen=True)
class Started:
    optimization: Optimization
    job_id: str


def to_schema(row: OptimizationRow) -> Optimization:
    progress = row.progress
    return Optimization(
        id=row.id,
        prompt_id=row.prompt_id,
        prompt_version=row.prompt_version,
        dataset_version_id=row.dataset_version_id,
        strategy=row.strategy,
        model=row.model,
        optimizer_model=row.optimizer_model,
        seed=row.seed,
        budget=row.budget,
        config=row.config,
        status=row.status,
        progress=OptimizationProgress.model_validate(progress) if progress else None,
        baseline_train=row.baseline_train,
        baseline_val=row.baseline_val,
        best_train=row.best_train,
        best_val=row.best_val,
        best_test=row.best_test,
        baseline_test=row.baseline_test,
        test_cases=row.test_cases,
        test_delta_low=row.test_delta_low,
        test_delta_high=row.test_delta_high,
        measured_on=row.measured_on,
        improvement=row.improvement,
        verdict=row.verdict,
        calls_used=row.calls_used,
        cache_hits=row.cache_hits,
        cost_usd=row.cost_usd,
        unpriced_calls=row.unpriced_calls,
        wall_s=row.wall_s,
        stop_reason=row.stop_reason,
        best_template=row.best_template,
        best_version=row.best_version,
        error=row.error,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def start_optimization(
    uow: UnitOfWork,
    owner: str,
    data: OptimizationCreate,
    default_model: str,
    unpriced: Callable[[str], str | None],
) -> Started:
    """Creates a pending optimization with a queued job, everything the run needs frozen.
    `unpriced(model)`: the model of its chain without a known price (`Gateway.unpriced`)."""
    # Before any statement: a USD budget on a model nobody can price could never stop the run.
    _check_priced(data, data.model or default_model, unpriced)
    prompt = versions.resolve_version(
        uow, owner, data.prompt, version=data.prompt_version, label=data.label
    )
    _check_text(uow, owner, prompt.prompt_id, prompt.version)
    dataset = resolve_version(uow, owner, data.dataset, data.dataset_version, min_items=MIN_ITEMS)
    row = OptimizationRow(
        project_id=owner,
        prompt_id=prompt.prompt_id,
        prompt_version=prompt.version,
        dataset_version_id=dataset.version.id,
        strategy=data.strategy,
        model=data.model or default_model,
        optimizer_model=data.optimizer_model,
        seed=data.seed,
        budget=data.budget.model_dump(),
        config=_config(data, dataset),
        status="pending",
        created_at=utcnow(),
    )
    OptimizationRepository(uow.session, owner).add(row)
    job_id = enqueue_job(uow, "optimization", row.id, {})
    return Started(to_schema(row), job_id)


def _check_priced(
    data: OptimizationCreate, model: str, unpriced: Callable[[str], str | None]
) -> None:
    if data.budget.usd is None:
        return
    missing = unpriced(model)
    if missing is not None:
        detail = unpriced_problem(missing)
        raise ValidationFailed(detail, errors=[{"field": "budget.usd", "message": detail}])


def _check_text(uow: UnitOfWork, owner: str, prompt_id: str, version: int) -> None:
    """The strategies rewrite one template text; a chat version's text is its JSON
    messages, which they would cut up as prose. Refused rather than silently broken."""
    if versions.get_version(uow, owner, prompt_id, version).kind == "chat":
        raise ValidationFailed(
            "optimizing chat prompts is not supported yet",
            errors=[{"field": "prompt", "message": f"version {version} is a chat prompt"}],
        )


def _config(data: OptimizationCreate, dataset: ResolvedVersion) -> dict[str, Any]:
    """The scoring an evaluation of this dataset version would use (its defaults, with
    what the request sets winning), so optimized scores are the scores an evaluation
    reports."""
    scoring = resolve_scoring(
        dataset.scoring, data.assertions, data.params.model_dump(exclude_unset=True)
    )
    return {
        "split": data.split.model_dump(),
        "assertions": scoring.assertions.model_dump(mode="json"),
        "params": scoring.params,
        "scoring": scoring.model_dump(mode="json", exclude={"assertions", "params"}),
        "dataset_id": dataset.dataset_id,
        "dataset_name": dataset.dataset_name,
    }


def get_optimization(uow: UnitOfWork, owner: str, optimization_id: str) -> Optimization:
    row = OptimizationRepository(uow.session, owner).get(optimization_id)
    if row is None:
        raise NotFoundError(f"optimization {optimization_id} not found")
    return to_schema(row)


def list_optimizations(
    uow: UnitOfWork,
    owner: str,
    *,
    prompt_id: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> OptimizationPage:
    """Newest first."""
    repo = OptimizationRepository(uow.session, owner)
    after = Cursor.decode(cursor) if cursor else None
    fetched = repo.page(prompt_id=prompt_id, status=status, after=after, limit=limit + 1)
    rows, next_cursor = keyset_page(fetched, limit)
    return OptimizationPage(items=[to_schema(r) for r in rows], next_cursor=next_cursor)


def candidate_schema(row: OptimizationCandidateRow) -> OptimizationCandidate:
    return OptimizationCandidate(
        position=row.position,
        key=row.candidate_key,
        round=row.round,
        template=row.template,
        train_score=row.train_score,
        train_cases=row.train_cases,
        val_score=row.val_score,
        calls_at=row.calls_at,
        parents=list(row.parents),
        operators=list(row.operators),
    )


def list_candidates(
    uow: UnitOfWork, owner: str, optimization_id: str, *, after: int | None = None, limit: int = 50
) -> CandidatePage:
    """The run's history in the order the search evaluated it: while it runs, the
    candidates scored by its latest progress report (their scores may still improve)."""
    repo = OptimizationRepository(uow.session, owner)
    if repo.get(optimization_id) is None:
        raise NotFoundError(f"optimization {optimization_id} not found")
    rows = repo.candidates_page(optimization_id, after=after, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    return CandidatePage(
        items=[candidate_schema(r) for r in rows],
        next_cursor=rows[-1].position if more else None,
    )
