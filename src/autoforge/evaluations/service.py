"""Evaluation use cases: start a batch (one evaluation per model), read progress and results.

Each takes the caller's unit of work and owner; none commits. Starting writes the
evaluations and their jobs in the caller's transaction; the jobs reach a worker once that
transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from autoforge.cache import keys as cache_keys
from autoforge.cache.keys import CacheKey
from autoforge.cache.reads import read_through
from autoforge.datasets.service import ResolvedVersion, resolve_version
from autoforge.db.base import new_id, utcnow
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import NotFoundError
from autoforge.evaluations.domain import provider_of
from autoforge.evaluations.models import EvaluationRow, TestResultRow
from autoforge.evaluations.repository import EvaluationRepository
from autoforge.evaluations.schemas import (
    Evaluation,
    EvaluationBatch,
    EvaluationCreate,
    EvaluationPage,
    Progress,
    ResultPage,
    TestResult,
)
from autoforge.evaluations.scoring import resolve_scoring
from autoforge.prompts import versions
from autoforge.prompts.domain import Cursor, keyset_page
from autoforge.worker.dispatch import enqueue_job

if TYPE_CHECKING:
    from autoforge.bootstrap import Container


@dataclass(frozen=True)
class Defaults:
    """Settings-derived defaults, passed in so the service does not read the environment."""

    model: str
    concurrency: int
    judge_model: str | None = None


def defaults_of(container: Container) -> Defaults:
    settings = container.settings
    return Defaults(
        model=container.gateway.config.default_model,
        concurrency=settings.evaluation_concurrency,
        judge_model=settings.judge_model,
    )


@dataclass(frozen=True)
class Started:
    batch: EvaluationBatch
    job_ids: list[str]


def to_schema(row: EvaluationRow, running_score: float | None = None) -> Evaluation:
    score = row.overall_score if row.status == "completed" else running_score
    return Evaluation(
        id=row.id,
        group_id=row.group_id,
        prompt_id=row.prompt_id,
        prompt_version=row.prompt_version,
        dataset_version_id=row.dataset_version_id,
        model=row.model,
        provider=row.provider,
        status=row.status,
        error=row.error,
        progress=Progress(
            done=row.done_cases,
            total=row.total_cases,
            passed=row.passed_cases,
            running_score=score,
        ),
        overall_score=row.overall_score,
        accuracy_score=row.accuracy_score,
        hallucination_rate=row.hallucination_rate,
        style_consistency=row.style_consistency,
        latency_p50_ms=row.latency_p50_ms,
        latency_p95_ms=row.latency_p95_ms,
        total_cost_usd=row.total_cost,
        unpriced_calls=row.unpriced_calls,
        total_tokens=row.total_tokens,
        cache_hits=row.cache_hits,
        config=row.config,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def start_evaluations(
    uow: UnitOfWork, owner: str, data: EvaluationCreate, defaults: Defaults
) -> Started:
    """Creates one pending evaluation per model, sharing a group id, each with a queued job."""
    prompt = versions.resolve_version(
        uow,
        owner,
        data.prompt_name or str(data.prompt_id),
        version=data.prompt_version,
        label=data.label,
    )
    dataset = resolve_version(
        uow, owner, data.dataset_name or str(data.dataset_id), data.dataset_version
    )
    config = _config(data, dataset, defaults)
    group_id = new_id()
    rows, job_ids = [], []
    for model in data.models or [defaults.model]:
        row = EvaluationRow(
            project_id=owner,
            prompt_id=prompt.prompt_id,
            prompt_version=prompt.version,
            dataset_version_id=dataset.version.id,
            group_id=group_id,
            status="pending",
            provider=provider_of(model),
            model=model,
            config=config,
            total_cases=dataset.version.item_count,
            created_at=utcnow(),
        )
        EvaluationRepository(uow.session, owner).add(row)
        job_ids.append(enqueue_job(uow, "evaluation", row.id, {}))
        rows.append(row)
    batch = EvaluationBatch(group_id=group_id, evaluations=[to_schema(r) for r in rows])
    return Started(batch, job_ids)


def _config(data: EvaluationCreate, dataset: ResolvedVersion, defaults: Defaults) -> dict[str, Any]:
    """Everything the run needs besides the prompt and the items, frozen at creation: the
    dataset version's scoring, with what the request sets explicitly winning over it."""
    scoring = resolve_scoring(
        dataset.scoring, data.assertions, data.params.model_dump(exclude_unset=True)
    )
    return {
        "assertions": scoring.assertions.model_dump(mode="json"),
        "params": scoring.params,
        "scoring": scoring.model_dump(mode="json", exclude={"assertions", "params"}),
        "mode": data.mode,
        "concurrency": data.concurrency or defaults.concurrency,
        "judge_model": data.judge_model or defaults.judge_model,
        "no_cache": data.no_cache,
        "dataset_id": dataset.dataset_id,
        "dataset_name": dataset.dataset_name,
    }


def get_evaluation(uow: UnitOfWork, owner: str, evaluation_id: str) -> Evaluation:
    repo = EvaluationRepository(uow.session, owner)
    row = repo.get(evaluation_id)
    if row is None:
        raise NotFoundError(f"evaluation {evaluation_id} not found")
    return to_schema(row, repo.running_scores([row.id]).get(row.id))


def list_evaluations(
    uow: UnitOfWork,
    owner: str,
    *,
    prompt_id: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> EvaluationPage:
    """Newest first; one query for the page and one for the running scores of its unfinished
    evaluations."""
    repo = EvaluationRepository(uow.session, owner)
    after = Cursor.decode(cursor) if cursor else None
    fetched = repo.page(prompt_id=prompt_id, status=status, after=after, limit=limit + 1)
    rows, next_cursor = keyset_page(fetched, limit)
    scores = repo.running_scores([r.id for r in rows if r.status != "completed"])
    return EvaluationPage(
        items=[to_schema(r, scores.get(r.id)) for r in rows], next_cursor=next_cursor
    )


def result_schema(row: TestResultRow) -> TestResult:
    return TestResult(
        test_case_name=row.test_case_name,
        input=row.input,
        output=row.output,
        expected=row.expected,
        score=row.score,
        passed=row.passed,
        latency_ms=row.latency_ms,
        tokens=row.tokens,
        cost_usd=None if row.unpriced else row.cost,
        unpriced=row.unpriced,
        cache_hit=row.cache_hit,
        reason=row.reason,
        error=row.error,
        unsupported=row.unsupported,
    )


def cached_results(
    container: Container,
    scope: Scope,
    evaluation_id: str,
    *,
    passed: bool | None,
    unsupported: bool | None,
    after: str | None,
    limit: int,
) -> bytes:
    """`list_results` through the cache (the response body). Only a completed evaluation's
    pages are kept: its results never change again. Deleting its prompt for good deletes
    it too, so that invalidates these entries (`prompts.service.delete_prompt`)."""
    key = CacheKey(
        cache_keys.evaluations(scope.project_id),
        cache_keys.digest("results", evaluation_id, passed, unsupported, after, limit),
        container.settings.cache_evaluation_ttl_s,
    )

    def read(uow: UnitOfWork) -> tuple[BaseModel, bool]:
        page = list_results(
            uow,
            scope.project_id,
            evaluation_id,
            passed=passed,
            unsupported=unsupported,
            after=after,
            limit=limit,
        )
        row = EvaluationRepository(uow.session, scope.project_id).get(evaluation_id)
        return page, row is not None and row.status == "completed"

    return read_through(container.cache, container.database, scope, key, read)


def list_results(
    uow: UnitOfWork,
    owner: str,
    evaluation_id: str,
    *,
    passed: bool | None = None,
    unsupported: bool | None = None,
    after: str | None = None,
    limit: int = 50,
) -> ResultPage:
    """The per-case table by test case name; `passed=False` lists the failures only,
    `unsupported=True` the cases counted in the hallucination rate."""
    repo = EvaluationRepository(uow.session, owner)
    if repo.get(evaluation_id) is None:
        raise NotFoundError(f"evaluation {evaluation_id} not found")
    rows = repo.results_page(
        evaluation_id, passed=passed, unsupported=unsupported, after=after, limit=limit + 1
    )
    more, rows = len(rows) > limit, rows[:limit]
    return ResultPage(
        items=[result_schema(r) for r in rows],
        next_cursor=rows[-1].test_case_name if more else None,
    )
