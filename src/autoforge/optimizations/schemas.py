"""Request and response shapes of the optimization API, with the example shown in /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from autoforge.evaluations.assertions import AssertionSet
from autoforge.evaluations.schemas import GenerationParams

OptimizationStatus = Literal["pending", "running", "completed", "failed"]
StrategyName = Literal["genetic", "bandit", "opro", "reflective"]

_CREATE_EXAMPLE: JsonDict = {
    "prompt": "sentiment",
    "dataset": "sentiment",
    "strategy": "bandit",
    "budget": {"calls": 1500},
    "seed": 0,
    "split": {"train": 0.4, "val": 0.3, "test": 0.3},
}


class BudgetIn(BaseModel):
    """Where the run stops: whichever limit comes first. Cache hits cost nothing."""

    model_config = ConfigDict(extra="forbid")

    calls: int = Field(default=300, ge=1, le=1_000_000, description="model calls")
    usd: float | None = Field(default=None, ge=0, le=100_000, description="dollars")
    seconds: float | None = Field(default=None, gt=0, le=7 * 24 * 3600, description="wall time")


class SplitIn(BaseModel):
    """Shares of the dataset's items for search (train), selection (val) and the held-out
    test the result is reported on (no step of the search reads it). The split is
    stratified by label and shuffled with the run's seed: the same seed, the same split."""

    model_config = ConfigDict(extra="forbid")

    train: float = Field(default=0.4, gt=0, le=1)
    val: float = Field(default=0.3, gt=0, le=1)
    test: float = Field(
        default=0.3, ge=0, le=1, description="0 reports on validation, which flatters the winner"
    )

    @model_validator(mode="after")
    def _at_most_all(self) -> SplitIn:
        if self.train + self.val + self.test > 1 + 1e-9:
            raise ValueError("train + val + test must not exceed 1")
        return self


class OptimizationCreate(BaseModel):
    """What to optimize, on what, how, and with how much."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CREATE_EXAMPLE]})

    prompt: str = Field(min_length=1, max_length=200, description="the prompt's name or id")
    prompt_version: int | None = Field(default=None, ge=1, description="default: label or latest")
    label: str | None = Field(default=None, max_length=64, description="start from this label")
    dataset: str = Field(min_length=1, max_length=200, description="the dataset's name or id")
    dataset_version: int | None = Field(default=None, ge=1, description="default: latest")
    strategy: StrategyName = "bandit"
    model: str | None = Field(
        default=None, max_length=200, description="target model (default: the configured one)"
    )
    optimizer_model: str | None = Field(
        default=None, max_length=200, description="a capable model for rewriting operators"
    )
    budget: BudgetIn = Field(default_factory=BudgetIn)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    split: SplitIn = Field(default_factory=SplitIn)
    assertions: AssertionSet | None = Field(
        default=None, description="default: the dataset version's scoring (see its `scoring`)"
    )
    params: GenerationParams = Field(
        default_factory=GenerationParams,
        description="generation settings; fields left out keep the dataset version's",
    )

    @model_validator(mode="after")
    def _version_or_label(self) -> OptimizationCreate:
        if self.prompt_version is not None and self.label is not None:
            raise ValueError("give `prompt_version` or `label`, not both")
        if self.strategy == "reflective" and not self.optimizer_model:
            raise ValueError(
                "the reflective strategy needs `optimizer_model`, a model that can read "
                "failures and write instructions; without one use bandit, genetic or opro"
            )
        return self


class OptimizationProgress(BaseModel):
    """The latest report of the running search (after each generation or round)."""

    round: int
    best_train: float | None
    best_val: float | None
    calls: int
    cache_hits: int
    cost_usd: float = Field(description="USD of the priced calls so far")
    candidates: int
    unpriced_calls: int = Field(0, description="calls without a known price: not in cost_usd")


class Optimization(BaseModel):
    id: str
    prompt_id: str
    prompt_version: int
    dataset_version_id: str | None
    strategy: StrategyName
    model: str
    optimizer_model: str | None
    seed: int
    budget: dict[str, Any]
    config: dict[str, Any]
    status: OptimizationStatus
    progress: OptimizationProgress | None
    baseline_train: float | None
    baseline_val: float | None
    best_train: float | None
    best_val: float | None
    best_test: float | None
    baseline_test: float | None = Field(description="the start's score on the test split")
    test_cases: int | None = Field(description="held-out test cases the result is measured on")
    test_delta_low: float | None = Field(description="95 % interval of the test improvement")
    test_delta_high: float | None
    measured_on: Literal["test", "validation"] | None = Field(
        description="where `improvement` is measured: the held-out test split, or (no test "
        "split) the validation split that also chose the winner"
    )
    improvement: float | None = Field(description="winner minus start, on `measured_on`")
    verdict: str | None = Field(description="the result in plain words")
    calls_used: int
    cache_hits: int
    cost_usd: float = Field(description="USD of the priced calls")
    unpriced_calls: int = Field(
        description="calls to a model without a known price (set LLM_PRICES): their cost is "
        "unknown, so it is not in cost_usd"
    )
    wall_s: float | None
    stop_reason: str | None
    best_template: str | None
    best_version: int | None = Field(description="the prompt version holding the best template")
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class OptimizationPage(BaseModel):
    items: list[Optimization]
    next_cursor: str | None


class OptimizationCandidate(BaseModel):
    position: int = Field(description="order in which the search evaluated it")
    key: str
    round: int = Field(description="generation (genetic), bracket (bandit) or step (opro)")
    template: str
    train_score: float | None
    train_cases: int = Field(description="train cases scored (bandit scores prefixes)")
    val_score: float | None
    calls_at: int = Field(description="calls used when it was first scored")
    parents: list[str]
    operators: list[str]


class CandidatePage(BaseModel):
    items: list[OptimizationCandidate]
    next_cursor: int | None = Field(description="pass as `after` for the next page")
