"""Successive halving over many candidates: the budget goes to the promising ones.

This is the seed's "reinforcement learning" strategy as a best-arm bandit. Each bracket
draws `candidates` new prompts, scores them all on a small minibatch of the trainset, keeps
the best 1/`eta`, scores the survivors on an `eta`-times larger minibatch, and so on up to
the whole trainset. Minibatches are prefixes of one label-balanced order, and case scores
are memoized, so a promoted candidate pays only for its new cases. A bracket costs about
`candidates x min_cases x (rungs)` calls instead of `candidates x |trainset|`.

The bracket's best `finalists` (on the full trainset) are validated; the next bracket
mutates and recombines the finalists found so far. Stops after `brackets`, on a validation
plateau of `patience` brackets, or at the budget.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from autoforge.optimizations.candidate import Candidate
from autoforge.optimizations.cases import Case, interleaved
from autoforge.optimizations.evaluator import Evaluator, SearchStopped
from autoforge.optimizations.operators import Variation, variation_for
from autoforge.optimizations.protocol import (
    Budget,
    OptimizationResult,
    ProgressCallback,
    StopReason,
)
from autoforge.optimizations.search import SearchRun


@dataclass
class BanditStrategy:
    candidates: int = 24
    eta: int = 2
    min_cases: int = 4
    finalists: int = 3
    brackets: int = 20
    initial_mutations: int = 4  # the first bracket spreads out from the start further
    patience: int = 3
    optimizer_model: str | None = None
    max_demonstrations: int | None = None  # None: from the data (see demonstrations_for)
    name = "bandit"

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
        # Minibatches are prefixes of one label-balanced order of the trainset.
        order = interleaved(trainset, rng)
        run = SearchRun(self.name, evaluator, budget, order, valset, progress=progress)
        variation = variation_for(
            start,
            trainset,
            evaluator.complete,
            optimizer_model=self.optimizer_model,
            max_demonstrations=self.max_demonstrations,
        )
        try:
            run.baseline(start)
            elite = [start]
            for bracket in range(self.brackets):
                if run.converged():
                    return run.result(StopReason.CONVERGED)
                if run.plateaued(self.patience):
                    return run.result(StopReason.PLATEAU)
                steps = self.initial_mutations if bracket == 0 else 2
                arms = self._arms(elite, variation, rng, run, steps)
                if not arms:
                    break  # the search space is used up
                survivors = self._halve(arms, len(order), run)
                elite = run.ranked([*survivors, *elite])[: self.finalists]
                for finalist in elite:
                    if not run.validated(finalist):
                        run.validate(finalist)
                run.end_round()
            return run.result(StopReason.COMPLETED)
        except SearchStopped as stopped:
            return run.result(stopped)

    def _arms(
        self,
        elite: list[Candidate],
        variation: Variation,
        rng: random.Random,
        run: SearchRun,
        steps: int,
    ) -> list[Candidate]:
        """New prompts: mostly mutants of the elite, some crossovers between them."""
        arms: list[Candidate] = []
        for _ in range(20 * self.candidates):
            if len(arms) >= self.candidates:
                break
            parent = rng.choice(elite)
            if len(elite) > 1 and rng.random() < 0.25:
                arm = variation.breed(parent, rng.choice(elite), rng)
            else:
                arm = variation.mutate(parent, rng, rng.randint(1, steps))
            if not run.seen(arm) and all(arm != other for other in arms):
                arms.append(arm)
        return arms

    def _halve(self, arms: list[Candidate], cases: int, run: SearchRun) -> list[Candidate]:
        """Rungs of growing minibatches until the whole trainset; returns the last rung."""
        size = min(self.min_cases, cases)
        while True:
            scores = [run.train(arm, size).score for arm in arms]
            ranking = sorted(range(len(arms)), key=lambda i: -scores[i])
            arms = [arms[i] for i in ranking]
            if size >= cases:
                return arms[: self.finalists]
            keep = max(self.finalists, math.ceil(len(arms) / self.eta))
            arms = arms[:keep]
            size = min(cases, size * self.eta)
