"""The dashboard's one response: totals and one row per day."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Totals(BaseModel):
    prompts: int = Field(description="prompts not deleted")
    active_prompts: int
    datasets: int
    evaluations: int
    optimizations: int
    model_calls: int = Field(description="every traced model call, cache hits included")
    ingested_calls: int = Field(description="of those, calls other systems sent as OTLP spans")
    cost_usd: float = Field(description="spent on model calls with a known price")
    unpriced_calls: int = Field(
        default=0,
        description="model calls without a known price, missing from `cost_usd` (LLM_PRICES)",
    )


class EvaluationDay(BaseModel):
    day: str = Field(description="UTC date, YYYY-MM-DD")
    evaluations: int
    completed: int
    avg_score: float | None = Field(description="mean overall score of completed evaluations")
    avg_accuracy: float | None


class CallDay(BaseModel):
    day: str
    calls: int
    cache_hits: int
    cost_usd: float = Field(description="over priced calls")
    unpriced_calls: int = Field(default=0, description="calls missing from `cost_usd`")
    avg_latency_ms: float | None = Field(description="over calls answered by a model, not cache")


class Dashboard(BaseModel):
    days: int = Field(description="how many days back the series reach")
    totals: Totals
    evaluations: list[EvaluationDay] = Field(description="oldest first; days with none left out")
    calls: list[CallDay] = Field(description="oldest first; days with none left out")
