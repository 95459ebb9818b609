"""Assertions on what a case cost to produce: wall-clock latency and money."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from autoforge.evaluations.assertions.base import AssertionBase, CaseOutcome, Score, ScoringTools


def _within(actual: float, limit: float) -> float:
    """1 within the limit, then limit/actual: twice over the budget scores 0.5."""
    if actual <= limit:
        return 1.0
    return limit / actual


class LatencyAssertion(AssertionBase):
    """The model answered within `max_ms` milliseconds."""

    type: Literal["latency"] = "latency"
    max_ms: float = Field(gt=0.0)

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        value = _within(case.latency_ms, self.max_ms)
        if value == 1.0:
            return Score(1.0, True, f"{case.latency_ms:.0f} ms <= {self.max_ms:.0f} ms")
        return Score(value, False, f"{case.latency_ms:.0f} ms > max {self.max_ms:.0f} ms")


class CostAssertion(AssertionBase):
    """The call cost at most `max_usd` US dollars (0 allows only free calls, e.g. local)."""

    type: Literal["cost"] = "cost"
    max_usd: float = Field(ge=0.0)

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        if case.cost_usd is None:
            return Score(0.0, False, "unpriced: no price is known for the model (LLM_PRICES)")
        value = _within(case.cost_usd, self.max_usd)
        if value == 1.0:
            return Score(1.0, True, f"${case.cost_usd:.6f} <= ${self.max_usd:.6f}")
        return Score(value, False, f"${case.cost_usd:.6f} > max ${self.max_usd:.6f}")
