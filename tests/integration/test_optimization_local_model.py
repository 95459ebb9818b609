"""One small real optimization: the embedded model on the shipped sentiment dataset.

A 270M base model's answers are not asserted, only what must hold whatever it says: the
run returns within its call budget, the chosen prompt is no worse on validation than the
start (the start is itself a finalist), the history and template are well formed, and the
score the search reports for its winner is what the model gives that winner when it is
scored again from scratch (answers at temperature 0 come back from the response cache).
"""

from __future__ import annotations

from autoforge.bootstrap import Container
from autoforge.evaluations.examples import example_setup, load_example
from autoforge.llm.local_model import GATEWAY_NAME
from autoforge.optimizations import (
    BanditStrategy,
    Budget,
    Evaluator,
    Progress,
    cases_from_items,
    run_optimization,
    split_cases,
)
from autoforge.templates.domain import variables_in

START = "Classify the sentiment of this review as positive or negative.\n\n{{text}}\n"
BUDGET = 150


def test_a_small_bandit_run_on_the_local_model(file_container: Container) -> None:
    setup = example_setup("sentiment")
    split = split_cases(cases_from_items(load_example("sentiment")), train=8, val=12, seed=0)
    reports: list[Progress] = []
    generation = {**setup.generation, "max_tokens": 3}

    with Evaluator(file_container.gateway, GATEWAY_NAME, setup.assertions, generation) as ev:
        result = run_optimization(
            BanditStrategy(candidates=8, min_cases=4, finalists=2),
            START,
            trainset=split.train,
            valset=split.val,
            evaluator=ev,
            budget=Budget(max_calls=BUDGET),
            seed=0,
            progress=reports.append,
        )

    assert result.calls <= BUDGET
    assert result.calls + result.cache_hits > 20  # the start alone: 8 train + 12 val cases
    assert result.best_val.score >= result.baseline_val.score
    assert result.baseline_val.cases == 12
    with Evaluator(file_container.gateway, GATEWAY_NAME, setup.assertions, generation) as again:
        again.start(Budget(max_calls=BUDGET))
        rescored = again.score(result.best, split.val)
    assert rescored.score == result.best_val.score
    assert again.meter.calls == 0  # every answer came back from the cache: none was new
    assert len(result.history) > 1
    assert reports
    assert variables_in(result.template) == ["text"]
    train_names = {case.name for case in split.train}
    assert {d.source for d in result.best.demonstrations} <= train_names
