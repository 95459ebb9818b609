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
    candidate_id: str = ""  # the candidate that reached it (in `history`)


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
    cost_usd: float  # of the priced calls
    candidates: int
    unpriced_calls: int = 0  # calls whose cost nobody knows: not in cost_usd
    # In the order `OptimizationResult.history` keeps: an entry never moves, later reports
    # only append entries or replace one as it is scored further (more cases, validation).
    history: tuple[HistoryEntry, ...] = field(default=(), repr=False)


ProgressCallback = Callable[[Progress], None]


# Fewer held-out cases than this never count as conclusive, whatever the bootstrap says.
MIN_TEST_CASES = 10


@dataclass(frozen=True, slots=True)
class TestReport:
    """The start and the winner on the held-out test split, which no step of the search
    read: the honest figure. `low`..`high` is the 95 % paired-bootstrap interval of the
    winner-minus-start difference in mean case score."""

    __test__ = False  # not a pytest class, despite the name

    baseline: CandidateScore
    best: CandidateScore
    delta: float
    low: float
    high: float

    @property
    def cases(self) -> int:
        return self.best.cases

    @property
    def conclusive(self) -> bool:
        """The interval excludes 0, on enough cases for a bootstrap to mean anything (on a
        handful of cases that all moved the same way it collapses to a point)."""
        return self.cases >= MIN_TEST_CASES and (self.low > 0.0 or self.high < 0.0)

    def verdict(self) -> str:
        """The result in plain words, including when the split is too small to tell."""
        figures = (
            f"on {self.cases} held-out test cases the score went "
            f"{self.baseline.score:.3f} -> {self.best.score:.3f} ({self.delta:+.3f}; "
            f"95 % interval {self.low:+.3f} to {self.high:+.3f}), accuracy "
            f"{self.baseline.accuracy:.0%} -> {self.best.accuracy:.0%}"
        )
        if self.delta == 0.0 and self.low == self.high == 0.0:
            return f"{figures}: the search found nothing better than the start"
        if self.conclusive and self.low > 0.0:
            return f"{figures}: a real improvement"
        if self.conclusive:
            return f"{figures}: worse than the start on unseen cases (overfitted)"
        why = (
            f"{self.cases} cases are too few for the interval to mean much"
            if self.cases < MIN_TEST_CASES
            else "the interval includes 0"
        )
        return (
            f"{figures}: {why}, so the test split is too small to tell this apart from "
            "noise; use a larger dataset or test share"
        )


@dataclass(frozen=True, slots=True)
class OptimizationResult:
    strategy: str
    best: Candidate
    baseline_train: CandidateScore
    baseline_val: CandidateScore
    best_train: CandidateScore
    best_val: CandidateScore
    test: TestReport | None
    calls: int
    cache_hits: int
    cost_usd: float  # of the priced calls
    wall_s: float
    stop_reason: StopReason
    history: tuple[HistoryEntry, ...]
    val_trace: tuple[ValPoint, ...]
    stop_detail: str = ""
    unpriced_calls: int = 0  # calls whose cost nobody knows: not in cost_usd

    @property
    def best_test(self) -> CandidateScore | None:
        return None if self.test is None else self.test.best

    @property
    def measured_on(self) -> str:
        """Where `improvement` is measured: "test" (held out), else "validation"."""
        return "validation" if self.test is None else "test"

    @property
    def improvement(self) -> float:
        """Score gained over the starting prompt on the held-out test split; without one,
        on the validation split (which also chose the winner, so it flatters)."""
        if self.test is not None:
            return self.test.delta
        return self.best_val.score - self.baseline_val.score

    def verdict(self) -> str:
        if self.test is not None:
            return self.test.verdict()
        return (
            f"validation score {self.baseline_val.score:.3f} -> {self.best_val.score:.3f}; "
            "no test split was held out, and validation chose the winner, so this figure "
            "flatters it"
        )

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
