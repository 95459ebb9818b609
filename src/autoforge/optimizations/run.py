"""One optimization run end to end: seed the rng, search, score the best on the test set."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from autoforge.optimizations.candidate import Candidate
from autoforge.optimizations.cases import Case
from autoforge.optimizations.evaluator import Evaluator, SearchStopped
from autoforge.optimizations.protocol import (
    Budget,
    OptimizationResult,
    ProgressCallback,
    Strategy,
)


def run_optimization(
    strategy: Strategy,
    start: Candidate | str,
    *,
    trainset: Sequence[Case],
    valset: Sequence[Case],
    evaluator: Evaluator,
    budget: Budget,
    seed: int = 0,
    testset: Sequence[Case] = (),
    progress: ProgressCallback | None = None,
) -> OptimizationResult:
    """Runs `strategy` with `random.Random(seed)`: the same seed gives the same candidates
    in the same order (given the same budget and response cache).

    The test set is scored once, on the chosen prompt only, after the search; its calls
    are set aside from the call budget before the search starts, so the search cannot
    spend them. If time or dollars run out first, `best_test` stays None.
    """
    if isinstance(start, str):
        start = Candidate.from_template(start)
    search_budget = budget.less_calls(len(testset))
    result = strategy.optimize(
        start,
        trainset=trainset,
        valset=valset,
        evaluator=evaluator,
        budget=search_budget,
        rng=random.Random(seed),
        progress=progress,
    )
    if not testset:
        return result
    evaluator.meter.budget = budget
    try:
        test = evaluator.score(result.best, testset)
    except SearchStopped:
        return result
    meter = evaluator.meter
    return replace(
        result,
        best_test=test,
        calls=meter.calls,
        cache_hits=meter.cache_hits,
        cost_usd=meter.cost_usd,
        wall_s=meter.wall_s,
    )
