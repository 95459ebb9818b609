"""One optimization run end to end: seed the rng, search, measure on the held-out test split."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from autoforge.evaluations.metrics import paired_bootstrap
from autoforge.optimizations.candidate import Candidate
from autoforge.optimizations.cases import Case
from autoforge.optimizations.evaluator import Evaluator, SearchStopped
from autoforge.optimizations.protocol import (
    Budget,
    CandidateScore,
    OptimizationResult,
    ProgressCallback,
    Strategy,
    TestReport,
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

    The strategy is given the train and validation cases only: the test cases never reach
    it. Once it returns, the start and the winner are scored on the test split, the
    headline figure; those calls are set aside from the call budget before the search
    starts, so the search cannot spend them. If time or dollars run out first, `test`
    stays None and the result says the figure is a validation one.
    """
    if isinstance(start, str):
        start = Candidate.from_template(start)
    search_budget = budget.less_calls(2 * len(testset))
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
        report = measure_on_test(evaluator, start, result.best, testset, seed)
    except SearchStopped:
        return result
    meter = evaluator.meter
    return replace(
        result,
        test=report,
        calls=meter.calls,
        cache_hits=meter.cache_hits,
        cost_usd=meter.cost_usd,
        unpriced_calls=meter.unpriced_calls,
        wall_s=meter.wall_s,
    )


def measure_on_test(
    evaluator: Evaluator, start: Candidate, best: Candidate, testset: Sequence[Case], seed: int
) -> TestReport:
    """Start and winner on the same test cases, with a paired bootstrap of the difference."""
    before = evaluator.case_values(start, testset)
    after = before if best == start else evaluator.case_values(best, testset)
    compared = paired_bootstrap(
        [v for v, _ in before], [v for v, _ in after], resamples=5000, seed=seed
    )
    return TestReport(
        baseline=_summary(before),
        best=_summary(after),
        delta=compared.delta,
        low=compared.ci_low,
        high=compared.ci_high,
    )


def _summary(values: Sequence[tuple[float, bool]]) -> CandidateScore:
    return CandidateScore(
        score=sum(v for v, _ in values) / len(values),
        accuracy=sum(p for _, p in values) / len(values),
        cases=len(values),
    )
