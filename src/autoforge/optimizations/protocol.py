"""What every optimization strategy takes and returns: budget, scores, history, result.

Strategies are siblings behind `Strategy.optimize` and share one `Evaluator` (DSPy's
teleprompt shape). Pure: no framework, no database; the model is behind the evaluator.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from autoforge.errors import ValidationFailed
from autoforge.optimizations.candidate import Candidate, Lineage
from autoforge.optimizations.cases import Case

if TYPE_CHECKING:
    from autoforge.optimizations.evaluator import Evaluator


@dataclass(frozen=True, slots=True)
class Budget:
    """Upper bounds for one run; None means unbounded. Cache hits are free."""

    max_calls: int | None = None
    max_usd: float | None = None
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        for name, value in (
            ("max_calls", self.max_calls),
            ("max_usd", self.max_usd),
            ("max_seconds", self.max_seconds),
        ):
            if value is not None and value < 0:
                raise ValidationFailed(f"{name} must not be negative")

    def less_calls(self, calls: int) -> Budget:
        """The same budget with `calls` set aside (for the one final test-set scoring)."""
        if self.max_calls is None:
            return self
        return Budget(max(0, self.max_calls - calls), self.max_usd, self.max_seconds)


class StopReason(StrEnum):
    COMPLETED = "completed"  # every planned generation/round ran
    PLATEAU = "plateau"  # validation stopped improving (early stopping)
    CONVERGED = "converged"  # perfect train and validation scores: nothing left to find
    BUDGET_CALLS = "budget_calls"
    BUDGET_USD = "budget_usd"
    BUDGET_TIME = "budget_time"
    MODEL_ERROR = "model_error"  # the gateway gave up on a call (after its own retries)


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """A candidate on a list of cases: mean case value (drives search) and pass rate."""

    score: float
    accuracy: float
    cases: int


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One evaluated candidate. `train` may cover only a prefix of the trainset (`bandit`)."""

    id: str
    round: int
    candidate: Candidate
    train: CandidateScore | None
    val: CandidateScore | None
    calls_at: int  # calls used when it was first scored: when the search "found" it

    @property
    def lineage(self) -> Lineage:
        return self.candidate.lineage

    @property
    def template(self) -> str:
        return self.candidate.render()


@dataclass(frozen=True, slots=True)
class ValPoint:
    """The best validation score so far, and the calls spent when it was reached."""

    calls: int
    score: float
    accuracy: float


@dataclass(frozen=True, slots=True)
class Progress:
    """What a running search reports after every generation/round (for SSE), and the
    history so far, so a caller can show the candidates before the search ends."""

    strategy: str
    round: int
    best_train: float | None
    best_val: float | None
    calls: int
    cache_hits: int
    cost_usd: float
    candidates: int
    # In the order `OptimizationResult.history` keeps: an entry never moves, later reports
    # only append entries or replace one as it is scored further (more cases, validation).
    history: tuple[HistoryEntry, ...] = field(default=(), repr=False)


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class OptimizationResult:
    strategy: str
    best: Candidate
    baseline_train: CandidateScore
    baseline_val: CandidateScore
    best_train: CandidateScore
    best_val: CandidateScore
    best_test: CandidateScore | None
    calls: int
    cache_hits: int
    cost_usd: float
    wall_s: float
    stop_reason: StopReason
    history: tuple[HistoryEntry, ...]
    val_trace: tuple[ValPoint, ...]
    stop_detail: str = ""

    @property
    def improvement(self) -> float:
        """Validation score gained over the starting prompt: the honest figure."""
        return self.best_val.score - self.baseline_val.score

    @property
    def template(self) -> str:
        return self.best.render()


class Strategy(Protocol):
    """One search algorithm. Train scores drive it; validation only selects and stops it."""

    name: str

    def optimize(
        self,
        start: Candidate,
        *,
        trainset: Sequence[Case],
        valset: Sequence[Case],
        evaluator: Evaluator,
        budget: Budget,
        rng: random.Random,
        progress: ProgressCallback | None = None,
    ) -> OptimizationResult:
        """Searches from `start` until done or out of budget; returns the best so far."""
        ...
