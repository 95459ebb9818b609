"""Whether one window's figures meet an SLO's targets. Pure: no framework, no database.

An objective is measured only when its window has data for it: trace objectives (p95
latency, error rate, cost per call) need at least `min_calls` calls, the score objective
needs a finished evaluation. A window where nothing could be measured is `no_data`, which
changes no state: an idle prompt neither breaks nor recovers its SLO.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

ObjectiveKind = Literal["score", "p95_latency_ms", "error_rate", "cost_per_call"]
OBJECTIVE_KINDS: tuple[ObjectiveKind, ...] = (
    "score",
    "p95_latency_ms",
    "error_rate",
    "cost_per_call",
)
Result = Literal["ok", "violated", "no_data"]
State = Literal["unknown", "ok", "violated"]
Transition = Literal["violated", "recovered"]


@dataclass(frozen=True, slots=True)
class Targets:
    """None: no objective of that kind. The score is a floor, the others are ceilings."""

    min_score: float | None = None
    max_p95_latency_ms: float | None = None
    max_error_rate: float | None = None
    max_cost_per_call: float | None = None
    min_calls: int = 1

    def kinds(self) -> tuple[ObjectiveKind, ...]:
        limits = (self.min_score, self.max_p95_latency_ms, self.max_error_rate)
        present = (*limits, self.max_cost_per_call)
        return tuple(
            k for k, limit in zip(OBJECTIVE_KINDS, present, strict=True) if limit is not None
        )


@dataclass(frozen=True, slots=True)
class Figures:
    """What one window holds for the SLO's prompt."""

    calls: int = 0
    errors: int = 0
    p95_latency_ms: float | None = None
    total_cost: float = 0.0  # over priced calls
    unpriced_calls: int = 0  # calls without a known price: no cost, not $0
    evaluations: int = 0
    score: float | None = None

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None

    @property
    def cost_per_call(self) -> float | None:
        """Over the priced calls only: an unpriced call's cost is unknown, not $0."""
        priced = self.calls - self.unpriced_calls
        return self.total_cost / priced if priced > 0 else None


@dataclass(frozen=True, slots=True)
class Verdict:
    result: Result
    measured: tuple[ObjectiveKind, ...]
    breached: tuple[ObjectiveKind, ...]


def judge(targets: Targets, figures: Figures) -> Verdict:
    """`violated` when any measured objective misses its target, `ok` when every measured
    one meets it, `no_data` when none could be measured."""
    measured: list[ObjectiveKind] = []
    breached: list[ObjectiveKind] = []
    enough_calls = figures.calls >= max(1, targets.min_calls)
    checks: tuple[tuple[ObjectiveKind, float | None, float | None, bool], ...] = (
        ("score", targets.min_score, figures.score, figures.evaluations > 0),
        ("p95_latency_ms", targets.max_p95_latency_ms, figures.p95_latency_ms, enough_calls),
        ("error_rate", targets.max_error_rate, figures.error_rate, enough_calls),
        ("cost_per_call", targets.max_cost_per_call, figures.cost_per_call, enough_calls),
    )
    for kind, limit, value, has_data in checks:
        if limit is None or value is None or not has_data:
            continue
        measured.append(kind)
        missed = value < limit if kind == "score" else value > limit
        if missed:
            breached.append(kind)
    if not measured:
        return Verdict("no_data", (), ())
    return Verdict("violated" if breached else "ok", tuple(measured), tuple(breached))


def next_state(current: State, verdict: Verdict) -> tuple[State, Transition | None]:
    """The state after a check, and the transition that emits an event: only entering or
    leaving `violated` does; staying violated, or the first `ok`, emits nothing."""
    if verdict.result == "no_data":
        return current, None
    if verdict.result == "violated":
        return "violated", None if current == "violated" else "violated"
    return "ok", "recovered" if current == "violated" else None


def percentile_rank(count: int, fraction: float = 0.95) -> int:
    """The 1-based nearest rank of a percentile among `count` sorted values (0 when empty):
    the p95 of 20 values is the 19th, of 100 the 95th."""
    if count <= 0:
        return 0
    return max(1, math.ceil(fraction * count))


def p95(values: Sequence[float]) -> float | None:
    """Nearest-rank 95th percentile, the same rank the repository reads with OFFSET."""
    if not values:
        return None
    return sorted(values)[percentile_rank(len(values)) - 1]
