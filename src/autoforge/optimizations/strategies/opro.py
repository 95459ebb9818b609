"""OPRO-style loop: propose from the trajectory of (prompt, score) pairs, score, repeat.

With an optimizer model configured, half of each step's proposals come from it: it is shown
the best instructions so far with their train scores (worst to best, as in OPRO) plus a few
trainset examples, and writes a new instruction, which is put on the best prompt's structure
(its demonstrations and cues: parts the instruction-only meta-prompt does not see).

Without one (the embedded base model cannot write prompts) every proposal is structural,
guided by the trajectory in two ways: a parent is drawn from the best `trajectory` prompts
with weights rising steeply with their train score, and an operator is drawn with weights
rising with the average train gain its past children showed over their parents, so the
operators that have been paying off get used more.

Budget: a step costs about `proposals` x |trainset| calls, plus a validation pass when the
trajectory's best changes. Stops after `steps`, on a validation plateau, or at the budget.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from autoforge.optimizations.candidate import Candidate, Lineage
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

_PARENT_TEMPERATURE = 0.05  # a 0.05 train-score lead makes a parent e (2.7) times likelier
_GAIN_SCALE = 10.0  # an operator whose children gained 0.1 on average is e times likelier
_RECENT_GAINS = 10


@dataclass
class OproStrategy:
    steps: int = 50
    proposals: int = 4
    trajectory: int = 8
    patience: int = 10
    optimizer_model: str | None = None
    max_demonstrations: int | None = None  # None: from the data (see demonstrations_for)
    name = "opro"

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
        gains: dict[str, list[float]] = defaultdict(list)
        try:
            run.baseline(start)
            trajectory = [start]
            run.end_round()
            for _step in range(self.steps):
                if run.converged():
                    return run.result(StopReason.CONVERGED)
                if run.plateaued(self.patience):
                    return run.result(StopReason.PLATEAU)
                proposed = self._propose(trajectory, variation, gains, rng, run)
                trajectory = run.ranked([*proposed, *trajectory])[: self.trajectory]
                if not run.validated(trajectory[0]):
                    run.validate(trajectory[0])
                run.end_round()
            return run.result(StopReason.COMPLETED)
        except SearchStopped as stopped:
            return run.result(stopped)

    def _propose(
        self,
        trajectory: list[Candidate],
        variation: Variation,
        gains: dict[str, list[float]],
        rng: random.Random,
        run: SearchRun,
    ) -> list[Candidate]:
        proposed: list[Candidate] = []
        choose = _OperatorChooser(gains)
        for index in range(4 * self.proposals):
            if len(proposed) >= self.proposals:
                break
            child: Candidate | None
            if variation.llm is not None and index % 2 == 0:
                child = self._from_optimizer(trajectory, variation, rng, run)
            else:
                parent = self._parent(trajectory, rng, run)
                child = variation.mutate(parent, rng, rng.randint(1, 2), choose)
                if run.seen(child):
                    child = None
                else:
                    gain = run.train_score(child) - run.train_score(parent)
                    for name in child.lineage.operators:
                        gains[name].append(gain)
            if child is not None:
                run.train_score(child)
                proposed.append(child)
        return proposed

    def _parent(self, trajectory: list[Candidate], rng: random.Random, run: SearchRun) -> Candidate:
        scores = [run.train_score(c) for c in trajectory]
        top = max(scores)
        weights = [math.exp((s - top) / _PARENT_TEMPERATURE) for s in scores]
        return rng.choices(trajectory, weights=weights)[0]

    def _from_optimizer(
        self,
        trajectory: list[Candidate],
        variation: Variation,
        rng: random.Random,
        run: SearchRun,
    ) -> Candidate | None:
        assert variation.llm is not None
        shown = sorted(trajectory, key=run.train_score)  # OPRO lists worst to best
        pairs = "\n\n".join(
            f"Instruction: {c.instruction or '(none)'}\nScore: {round(100 * run.train_score(c))}"
            for c in shown
        )
        examples = "\n".join(
            f"Input: {dict(d.inputs)}\nOutput: {d.output}" for d in variation.space.pool[:3]
        )
        prompt = (
            "Below are instructions for a task, each with its score out of 100 (higher is "
            f"better), worst to best.\n\n{pairs}\n\nExamples of the task:\n{examples}\n\n"
            "Write a new instruction, different from all of the above, that scores higher. "
            "Reply with only the instruction.\nInstruction:"
        )
        instruction = variation.llm.ask(prompt, rng)
        best = trajectory[0]
        if instruction is None or instruction == best.instruction:
            return None
        child = replace(best, instruction=instruction)
        if run.seen(child):
            return None
        return replace(child, lineage=Lineage((best.id,), ("opro_proposal",)))


class _OperatorChooser:
    """Draws operator names weighted by exp(scale x mean recent gain): trajectory-guided."""

    def __init__(self, gains: dict[str, list[float]]) -> None:
        self._gains = gains

    def __call__(self, rng: random.Random, names: Sequence[str]) -> str:
        weights = []
        for name in names:
            recent = self._gains.get(name, [])[-_RECENT_GAINS:]
            # One imaginary zero-gain observation keeps untried operators in play.
            mean = sum(recent) / (len(recent) + 1)
            weights.append(math.exp(_GAIN_SCALE * mean))
        return rng.choices(list(names), weights=weights)[0]
