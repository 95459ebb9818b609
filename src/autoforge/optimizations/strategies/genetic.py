"""EvoPrompt-style genetic algorithm: tournament selection, crossover, mutation, elitism.

Budget: every individual is scored on the whole trainset, so a generation costs about
`offspring` x |trainset| calls (fewer when children repeat cached prompts), plus one
validation pass whenever the population's best changes. Selection is (mu + lambda): parents
and children compete, so the best individuals always survive (elitism). It stops after
`generations`, on a validation plateau of `patience` generations, or at the budget.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from autoforge.optimizations.candidate import Candidate
from autoforge.optimizations.cases import Case
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
class GeneticStrategy:
    population: int = 8
    offspring: int = 6
    generations: int = 50  # the seed's default; the budget usually ends the run first
    tournament: int = 3
    crossover_rate: float = 0.5
    initial_mutations: int = 4  # the first population spreads out from the start further
    patience: int = 5
    optimizer_model: str | None = None
    max_demonstrations: int | None = None  # None: from the data (see demonstrations_for)
    name = "genetic"

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
        run = SearchRun(self.name, evaluator, budget, trainset, valset, progress=progress)
        variation = variation_for(
            start,
            trainset,
            evaluator.complete,
            optimizer_model=self.optimizer_model,
            max_demonstrations=self.max_demonstrations,
        )
        try:
            run.baseline(start)
            population = self._first_generation(start, variation, rng, run)
            for _generation in range(self.generations):
                if run.converged():
                    return run.result(StopReason.CONVERGED)
                if run.plateaued(self.patience):
                    return run.result(StopReason.PLATEAU)
                children = self._children(population, variation, rng, run)
                population = self._select(population, children, run)
            return run.result(StopReason.COMPLETED)
        except SearchStopped as stopped:
            return run.result(stopped)

    def _first_generation(
        self, start: Candidate, variation: Variation, rng: random.Random, run: SearchRun
    ) -> list[Candidate]:
        population = [start]
        for _ in range(20 * self.population):
            if len(population) >= self.population:
                break
            steps = rng.randint(1, self.initial_mutations)
            child = variation.mutate(start, rng, steps)
            if all(child != member for member in population):
                population.append(child)
        return self._select([], population, run)

    def _children(
        self,
        population: list[Candidate],
        variation: Variation,
        rng: random.Random,
        run: SearchRun,
    ) -> list[Candidate]:
        """New individuals only: a prompt scored before would spend a slot on nothing new."""
        children: list[Candidate] = []
        for _ in range(20 * self.offspring):
            if len(children) >= self.offspring:
                break
            mother = self._tournament(population, rng)
            if rng.random() < self.crossover_rate:
                child = variation.breed(mother, self._tournament(population, rng), rng)
            else:
                child = variation.mutate(mother, rng)
            if not run.seen(child) and all(child != other for other in children):
                children.append(child)
        return children

    def _tournament(self, population: list[Candidate], rng: random.Random) -> Candidate:
        # The population is kept best-first, so the lowest index drawn wins.
        size = min(self.tournament, len(population))
        return population[min(rng.sample(range(len(population)), size))]

    def _select(
        self, parents: list[Candidate], children: list[Candidate], run: SearchRun
    ) -> list[Candidate]:
        """Scores the children, keeps the best `population` of both, validates the leader."""
        for child in children:
            run.train(child)
        survivors = run.ranked([*children, *parents])[: self.population]
        if not run.validated(survivors[0]):
            run.validate(survivors[0])
        run.end_round()
        return survivors
