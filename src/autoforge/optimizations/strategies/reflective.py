"""Reflective evolution (GEPA-style), for when a capable optimizer model is configured.

Each step picks a parent from the Pareto front over the training cases (the candidates that
are best on at least one case, drawn in proportion to how many cases they lead), scores it
on a small minibatch of training cases, and shows the optimizer model the cases it failed:
the input, the model's output, the expected answer and the assertions' reasons. The model
writes a revised instruction; the child keeps the parent's structure (demonstrations,
cues). A child that beats its parent on the same minibatch is scored on the whole trainset
and joins the pool; one that does not costs only the minibatch.

It needs a model that can read failures and write instructions: with the embedded 270M base
model alone the structural strategies (`bandit`, `genetic`, `opro`) stay the default.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from autoforge.errors import ValidationFailed
from autoforge.optimizations.candidate import Candidate, Lineage
from autoforge.optimizations.cases import Case
from autoforge.optimizations.evaluator import Evaluator, Scored, SearchStopped
from autoforge.optimizations.operators import LLMRewrite
from autoforge.optimizations.protocol import (
    Budget,
    OptimizationResult,
    ProgressCallback,
    StopReason,
)
from autoforge.optimizations.search import SearchRun

_SHOWN_FAILURES = 4
_PREVIEW = 300


@dataclass
class ReflectiveStrategy:
    steps: int = 40
    minibatch: int = 4
    patience: int = 8
    optimizer_model: str | None = None
    name = "reflective"

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
        if not self.optimizer_model:
            raise ValidationFailed(
                "the reflective strategy needs an optimizer model that can read failures and "
                "write instructions (optimizer_model); without one use bandit, genetic or opro"
            )
        reflector = LLMRewrite(self.optimizer_model, evaluator.complete)
        run = SearchRun(self.name, evaluator, budget, trainset, valset, progress=progress)
        # Children keep the start's demonstrations: the cases they show are never scored.
        shown = {demo.source for demo in start.demonstrations}
        train = [case for case in trainset if case.name not in shown]
        try:
            run.baseline(start)
            pool = [start]
            run.end_round()
            for _step in range(self.steps):
                if run.converged():
                    return run.result(StopReason.CONVERGED)
                if run.plateaued(self.patience):
                    return run.result(StopReason.PLATEAU)
                child = self._step(
                    pool, train=train, evaluator=evaluator, reflector=reflector, rng=rng, run=run
                )
                if child is not None:
                    pool.append(child)
                    best = run.ranked(pool)[0]
                    if not run.validated(best):
                        run.validate(best)
                run.end_round()
            return run.result(StopReason.COMPLETED)
        except SearchStopped as stopped:
            return run.result(stopped)

    def _step(
        self,
        pool: list[Candidate],
        *,
        train: list[Case],
        evaluator: Evaluator,
        reflector: LLMRewrite,
        rng: random.Random,
        run: SearchRun,
    ) -> Candidate | None:
        parent = pareto_parent(pool, train, evaluator, rng)
        batch = rng.sample(train, min(self.minibatch, len(train)))
        before = evaluator.scored(parent, batch)
        failures = [s for s in before if not s.score.passed]
        if not failures:
            return None  # nothing to learn from on this minibatch
        instruction = reflector.ask(reflection_prompt(parent, failures), rng)
        if instruction is None or instruction == parent.instruction:
            return None
        child = replace(
            parent, instruction=instruction, lineage=Lineage((parent.id,), ("reflection",))
        )
        if run.seen(child):
            return None
        after = evaluator.scored(child, batch)
        if sum(s.score.value for s in after) <= sum(s.score.value for s in before):
            return None
        run.train_score(child)  # accepted: scored on the whole trainset, now in the history
        return child


def pareto_parent(
    pool: Sequence[Candidate], train: Sequence[Case], evaluator: Evaluator, rng: random.Random
) -> Candidate:
    """A candidate from the Pareto front over the training cases: each case votes for the
    candidates with its best score; candidates are drawn in proportion to their votes, so a
    prompt that alone solves some cases survives next to one with a better average."""
    values = [evaluator.case_values(candidate, train) for candidate in pool]
    votes = [0] * len(pool)
    for index in range(len(train)):
        best = max(v[index][0] for v in values)
        for position, candidate_values in enumerate(values):
            if candidate_values[index][0] == best:
                votes[position] += 1
    front = [(c, n) for c, n in zip(pool, votes, strict=True) if n > 0]
    return rng.choices([c for c, _ in front], weights=[n for _, n in front])[0]


def reflection_prompt(parent: Candidate, failures: Sequence[Scored]) -> str:
    """What the optimizer model reads: the instruction, then the failed cases with reasons."""
    shown = []
    for scored in failures[:_SHOWN_FAILURES]:
        inputs = ", ".join(f"{k}={v!r}" for k, v in scored.case.shown_inputs.items())
        shown.append(
            f"Input: {inputs[:_PREVIEW]}\nModel output: {scored.output.strip()[:_PREVIEW]!r}\n"
            f"Expected: {scored.case.expected[:_PREVIEW]!r}\nWhy it failed: {scored.score.reason}"
        )
    cases = "\n\n".join(shown)
    return (
        "A language model was given the instruction below, then a task input, and it got "
        f"these cases wrong.\n\nInstruction: {parent.instruction or '(none)'}\n\n{cases}\n\n"
        "Write an improved instruction that would make the model answer these and similar "
        "cases correctly: say what the answer must look like and what to avoid. Reply with "
        "only the instruction.\nImproved instruction:"
    )
