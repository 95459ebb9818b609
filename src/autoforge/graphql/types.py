"""The GraphQL object types, each built from the service layer's schema of the same thing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from autoforge.datasets import schemas as datasets
from autoforge.errors import ValidationFailed
from autoforge.evaluations import schemas as evaluations
from autoforge.graphql.context import Info
from autoforge.optimizations import schemas as optimizations
from autoforge.prompts import schemas as prompts

# Per-field list bounds; `limits.py` also bounds what they multiply to in one query.
MAX_VERSIONS = 50
MAX_EVALUATIONS = 20
MAX_RESULTS = 100
Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def field(description: str) -> Callable[[Resolver], Resolver]:
    """`strawberry.field(description=...)` as a decorator mypy can type (Strawberry's
    overload for it returns Any)."""
    return cast(Callable[[Resolver], Resolver], strawberry.field(description=description))


def mutation(description: str) -> Callable[[Resolver], Resolver]:
    return cast(Callable[[Resolver], Resolver], strawberry.mutation(description=description))


def bounded(value: int, maximum: int, field: str) -> int:
    """A list argument in 1..maximum; the error names the field, like a REST 422."""
    if not 1 <= value <= maximum:
        raise ValidationFailed(
            f"{field} must be between 1 and {maximum}",
            errors=[{"field": field, "message": f"between 1 and {maximum}"}],
        )
    return value


@strawberry.type
class Label:
    name: str
    version: int


@strawberry.type
class PromptVersion:
    version: int
    title: str
    content: str
    kind: str
    config: JSON | None
    change_note: str | None
    created_by: str
    created_at: datetime
    labels: list[str] = strawberry.field(description="the labels pointing at this version")


@strawberry.type
class Progress:
    done: int
    total: int
    passed: int
    running_score: float | None


@strawberry.type
class TestResult:
    test_case_name: str
    input: JSON
    output: str | None
    expected: str | None
    score: float
    passed: bool
    latency_ms: float
    tokens: int
    cost_usd: float | None
    unpriced: bool
    cache_hit: bool
    reason: str | None
    error: str | None
    unsupported: bool | None

    @classmethod
    def of(cls, result: evaluations.TestResult) -> TestResult:
        return cls(**result.model_dump())


@strawberry.type
class Evaluation:
    id: strawberry.ID
    group_id: str | None
    prompt_id: str
    prompt_version: int
    dataset_version_id: str | None
    model: str
    provider: str
    status: str
    error: str | None
    progress: Progress
    overall_score: float | None
    accuracy_score: float | None
    hallucination_rate: float | None
    style_consistency: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    total_cost_usd: float = strawberry.field(description="the sum over priced calls")
    unpriced_calls: int
    total_tokens: int
    cache_hits: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, evaluation: evaluations.Evaluation) -> Evaluation:
        fields = evaluation.model_dump(exclude={"progress", "config"})
        return cls(progress=Progress(**evaluation.progress.model_dump()), **fields)

    @field("per-case results by test case name (at most 100)")
    async def results(
        self, info: Info, limit: int = 50, passed: bool | None = None
    ) -> list[TestResult]:
        key = (str(self.id), passed, bounded(limit, MAX_RESULTS, "limit"))
        return await info.context.loaders.results.load(key)


@strawberry.type
class Prompt:
    id: strawberry.ID
    name: str
    title: str
    content: str
    status: str
    visibility: str
    version: int
    tags: list[str]
    labels: list[Label]
    metadata: JSON
    parent_id: str | None
    template_id: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, prompt: prompts.Prompt) -> Prompt:
        return cls(
            id=strawberry.ID(prompt.id),
            name=prompt.name,
            title=prompt.title,
            content=prompt.content,
            status=prompt.status,
            visibility=prompt.visibility,
            version=prompt.version,
            tags=prompt.tags,
            labels=[Label(name=k, version=v) for k, v in sorted(prompt.labels.items())],
            metadata=JSON(prompt.metadata),
            parent_id=prompt.parent_id,
            template_id=prompt.template_id,
            created_at=prompt.created_at,
            updated_at=prompt.updated_at,
        )

    @field("newest first (at most 50)")
    async def versions(self, info: Info, limit: int = 20) -> list[PromptVersion]:
        rows = await info.context.loaders.versions.load(
            (str(self.id), bounded(limit, MAX_VERSIONS, "limit"))
        )
        return [
            PromptVersion(
                version=row.version_number,
                title=row.title,
                content=row.content,
                kind=row.kind,
                config=None if row.config is None else JSON(row.config),
                change_note=row.change_note,
                created_by=row.created_by,
                created_at=row.created_at,
                labels=[label.name for label in self.labels if label.version == row.version_number],
            )
            for row in rows
        ]

    @field("this project's evaluations of the prompt, newest first")
    async def evaluations(self, info: Info, limit: int = 5) -> list[Evaluation]:
        key = (str(self.id), bounded(limit, MAX_EVALUATIONS, "limit"))
        return await info.context.loaders.evaluations.load(key)

    @field("the newest evaluation in this project, if any")
    async def latest_evaluation(self, info: Info) -> Evaluation | None:
        found = await info.context.loaders.evaluations.load((str(self.id), 1))
        return found[0] if found else None


@strawberry.type
class PromptPage:
    items: list[Prompt]
    next_cursor: str | None = strawberry.field(description="pass as `cursor` for the next page")

    @classmethod
    def of(cls, page: prompts.PromptPage) -> PromptPage:
        return cls(items=[Prompt.of(p) for p in page.items], next_cursor=page.next_cursor)


@strawberry.type
class EvaluationPage:
    items: list[Evaluation]
    next_cursor: str | None

    @classmethod
    def of(cls, page: evaluations.EvaluationPage) -> EvaluationPage:
        return cls(items=[Evaluation.of(e) for e in page.items], next_cursor=page.next_cursor)


@strawberry.type
class DatasetVersion:
    id: strawberry.ID
    version: int
    item_count: int
    note: str | None
    created_by: str
    created_at: datetime


@strawberry.type
class Dataset:
    id: strawberry.ID
    name: str
    description: str | None
    latest_version: int
    latest: DatasetVersion | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, dataset: datasets.Dataset) -> Dataset:
        latest = dataset.latest
        return cls(
            id=strawberry.ID(dataset.id),
            name=dataset.name,
            description=dataset.description,
            latest_version=dataset.latest_version,
            latest=None
            if latest is None
            else DatasetVersion(
                id=strawberry.ID(latest.id),
                version=latest.version,
                item_count=latest.item_count,
                note=latest.note,
                created_by=latest.created_by,
                created_at=latest.created_at,
            ),
            created_at=dataset.created_at,
            updated_at=dataset.updated_at,
        )


@strawberry.type
class DatasetPage:
    items: list[Dataset]
    next_cursor: str | None

    @classmethod
    def of(cls, page: datasets.DatasetPage) -> DatasetPage:
        return cls(items=[Dataset.of(d) for d in page.items], next_cursor=page.next_cursor)


@strawberry.type
class Optimization:
    id: strawberry.ID
    prompt_id: str
    prompt_version: int
    dataset_version_id: str | None
    strategy: str
    model: str
    status: str
    baseline_val: float | None
    best_val: float | None
    baseline_test: float | None
    best_test: float | None
    improvement: float | None
    verdict: str | None
    calls_used: int
    cache_hits: int
    cost_usd: float = strawberry.field(description="USD of the priced calls")
    unpriced_calls: int
    stop_reason: str | None
    best_template: str | None
    best_version: int | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, optimization: optimizations.Optimization) -> Optimization:
        names = {f.name for f in cls.__strawberry_definition__.fields}  # type: ignore[attr-defined]
        return cls(**optimization.model_dump(include=names))


@strawberry.type
class OptimizationPage:
    items: list[Optimization]
    next_cursor: str | None

    @classmethod
    def of(cls, page: optimizations.OptimizationPage) -> OptimizationPage:
        return cls(items=[Optimization.of(o) for o in page.items], next_cursor=page.next_cursor)


@strawberry.type
class LabelSet:
    prompt_id: str
    label: str
    version: int
    updated_by: str
    updated_at: datetime
