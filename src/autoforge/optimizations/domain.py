"""Events of the optimization aggregate. Pure: imports neither SQLAlchemy nor FastAPI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autoforge.events.base import DomainEvent, register


@register
@dataclass(frozen=True, kw_only=True)
class OptimizationCompleted(DomainEvent):
    """A search finished and its winner is saved. `improvement` is measured on
    `measured_on`: the held-out test split when the run kept one (with its 95 % interval),
    else the validation split."""

    optimization_id: str
    owner_id: str
    prompt_id: str
    best_version: int | None
    strategy: str
    measured_on: str
    improvement: float
    test_cases: int | None
    test_delta_low: float | None
    test_delta_high: float | None
    verdict: str
    calls: int
    stream_prefix: ClassVar[str] = "optimization"

    @property
    def stream_id(self) -> str:
        return f"optimization-{self.optimization_id}"
