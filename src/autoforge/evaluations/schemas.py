"""Request and response shapes of the evaluation API, with the examples shown in /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict

from autoforge.evaluations.assertions import AssertionSet
from autoforge.evaluations.domain import CallMode

EvaluationStatus = Literal["pending", "running", "completed", "failed"]
MAX_MODELS = 8

_CREATE_EXAMPLE: JsonDict = {
    "prompt_name": "sentiment",
    "label": "production",
    "dataset_name": "sentiment",
    "models": ["local/gemma-3-270m"],
    "assertions": {
        "assertions": [{"type": "equals", "ignore_case": True, "strip": True}],
        "pass_threshold": 1.0,
    },
    "params": {"temperature": 0, "max_tokens": 4, "stop": ["\n"]},
    "concurrency": 4,
}


class GenerationParams(BaseModel):
    """Sent with every case's model call. Temperature 0 makes answers repeatable and lets
    a re-run be answered from the response cache."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, ge=1, le=32_768)
    stop: list[str] | None = Field(default=None, max_length=4)
    seed: int | None = None


class EvaluationCreate(BaseModel):
    """What to evaluate: a prompt version, a dataset version, models, and assertions."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CREATE_EXAMPLE]})

    prompt_id: str | None = Field(default=None, max_length=64)
    prompt_name: str | None = Field(default=None, max_length=200)
    prompt_version: int | None = Field(default=None, ge=1, description="default: label or latest")
    label: str | None = Field(default=None, max_length=64, description="e.g. `production`")
    dataset_id: str | None = Field(default=None, max_length=64)
    dataset_name: str | None = Field(default=None, max_length=200)
    dataset_version: int | None = Field(default=None, ge=1, description="default: latest")
    models: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_MODELS,
        description="one evaluation per model (default: the configured default model)",
    )
    assertions: AssertionSet | None = Field(
        default=None,
        description="default: the shipped setup for an example dataset, else `icontains` "
        "the expected output",
    )
    params: GenerationParams = Field(
        default_factory=GenerationParams,
        description="fields you leave out keep the example dataset's suggested values",
    )
    concurrency: int | None = Field(default=None, ge=1, le=64, description="cases at once")
    mode: CallMode = Field(
        default="auto",
        description="`completion` sends the rendered prompt verbatim, `chat` as a user "
        "message; `auto` is completion for the local base model, chat otherwise",
    )
    judge_model: str | None = Field(default=None, max_length=200, description="for llm_judge")
    no_cache: bool = Field(default=False, description="always call the model")

    @field_validator("models")
    @classmethod
    def _distinct(cls, models: list[str] | None) -> list[str] | None:
        if models is not None and len(set(models)) != len(models):
            raise ValueError("each model may appear once")
        return models

    @model_validator(mode="after")
    def _one_of_each(self) -> EvaluationCreate:
        if (self.prompt_id is None) == (self.prompt_name is None):
            raise ValueError("give exactly one of `prompt_id` or `prompt_name`")
        if (self.dataset_id is None) == (self.dataset_name is None):
            raise ValueError("give exactly one of `dataset_id` or `dataset_name`")
        if self.prompt_version is not None and self.label is not None:
            raise ValueError("give `prompt_version` or `label`, not both")
        return self


class Progress(BaseModel):
    done: int
    total: int
    passed: int
    running_score: float | None = Field(description="mean score of the cases done so far")


class Evaluation(BaseModel):
    id: str
    group_id: str | None
    prompt_id: str
    prompt_version: int
    dataset_version_id: str | None
    model: str
    provider: str
    status: EvaluationStatus
    error: str | None
    progress: Progress
    overall_score: float | None
    accuracy_score: float | None
    hallucination_rate: float | None = Field(
        description="share of cases whose output makes claims their sources do not support "
        "(docs/style-genome.md#hallucination-rate): the LLM judge's verdict or, without one, "
        "the reference check (over half of the output's content words found in neither the "
        "inputs, the expected output nor, on a classification dataset, the labels). A wrong "
        "or malformed label-sized answer on a classification dataset is an error counted by "
        "accuracy, not a hallucination"
    )
    style_consistency: float | None = Field(
        description="the consistency of the outputs' style genome, in 0..1 "
        "(`GET /evaluations/{id}/genome`, docs/style-genome.md)"
    )
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    total_cost_usd: float = Field(description="the sum over priced calls")
    unpriced_calls: int = Field(
        default=0,
        description="calls without a known price, missing from `total_cost_usd` (LLM_PRICES)",
    )
    total_tokens: int
    cache_hits: int = Field(description="model calls answered from the response cache: saved")
    config: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class EvaluationBatch(BaseModel):
    """One evaluation per model, started together."""

    group_id: str
    evaluations: list[Evaluation]


class EvaluationPage(BaseModel):
    items: list[Evaluation]
    next_cursor: str | None


class TestResult(BaseModel):
    test_case_name: str
    input: dict[str, Any]
    output: str | None
    expected: str | None
    score: float
    passed: bool
    latency_ms: float
    tokens: int
    cost_usd: float | None = Field(description="null: unpriced (no price known for the model)")
    unpriced: bool = Field(default=False, description="no price is known for the model")
    cache_hit: bool
    reason: str | None
    error: str | None
    unsupported: bool | None = Field(
        description="flagged as unsupported, i.e. counted in `hallucination_rate`: by the LLM "
        "judge's verdict or, without one, by the reference check against the input, the "
        "expected output and (on a classification dataset) the labels, where a label-sized "
        "answer is never flagged; null: not checked (recorded before flags were stored)"
    )


class ResultPage(BaseModel):
    items: list[TestResult]
    next_cursor: str | None = Field(description="pass as `after` for the next page")


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evaluation_ids: list[str] = Field(
        min_length=2, max_length=10, description="the first is the baseline"
    )

    @field_validator("evaluation_ids")
    @classmethod
    def _distinct(cls, ids: list[str]) -> list[str]:
        if len(set(ids)) != len(ids):
            raise ValueError("each evaluation may appear once")
        return ids


class CaseComparison(BaseModel):
    """One test case across the evaluations, in request order."""

    test_case_name: str
    expected: str | None
    scores: list[float]
    passed: list[bool]
    outputs: list[str | None]


class Interval(BaseModel):
    """Candidate minus baseline, with a 95 % paired bootstrap interval over the cases."""

    delta: float
    ci_low: float
    ci_high: float
    significant: bool = Field(description="the interval excludes 0")


class EvaluationDelta(BaseModel):
    evaluation_id: str
    score: Interval
    accuracy: Interval
    hallucination_rate: float | None
    style_consistency: float | None
    latency_p50_ms: float | None
    total_cost_usd: float


class ComparisonReport(BaseModel):
    evaluations: list[Evaluation]
    cases_compared: int = Field(description="cases present in every evaluation")
    deltas: list[EvaluationDelta] = Field(description="each evaluation after the first vs it")
    cases: list[CaseComparison]
