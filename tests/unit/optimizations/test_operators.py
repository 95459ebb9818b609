"""Operators make valid templates from trainset parts only; LLM rewrites are metered."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest

from autoforge.evaluations.domain import render_case
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.types import CompletionRequest
from autoforge.optimizations import Budget, Candidate, SearchSpace, Variation
from autoforge.optimizations.operators import STRUCTURAL, LLMRewrite, crossover
from autoforge.templates.domain import variables_in
from tests.unit.optimizations.oracle import (
    START,
    dataset,
    plain_gateway,
    sentiment_evaluator,
)

CASES = dataset(32)
TRAIN, VAL = CASES[:16], CASES[16:]


@pytest.fixture
def space() -> SearchSpace:
    return SearchSpace.build(Candidate.from_template(START), TRAIN)


def test_the_search_space_holds_trainset_demonstrations_only(space: SearchSpace) -> None:
    assert {d.source for d in space.pool} == {c.name for c in TRAIN}
    assert "Classify each text as negative or positive." in space.instructions
    assert "Classify the review." in space.instructions  # the start's own, to put it back


@pytest.mark.parametrize("name", list(STRUCTURAL))
def test_every_operator_keeps_the_template_valid(name: str, space: SearchSpace) -> None:
    rng = random.Random(0)
    variation = Variation(space)
    applied = 0
    for _ in range(50):
        parent = Candidate.from_template(START)
        for _demo in range(rng.randint(0, 4)):
            parent = variation.apply("add_demonstration", parent, rng) or parent
        parent = variation.mutate(parent, rng, rng.randint(0, 3))
        child = variation.apply(name, parent, rng)
        if child is None:
            continue
        applied += 1
        template = child.render()
        assert variables_in(template) == ["text"]
        assert render_case(template, {"text": "A new review."}).count("A new review.") == 1
        assert {d.source for d in child.demonstrations} <= {c.name for c in TRAIN}
        assert len(child.demonstrations) <= space.max_demonstrations
    assert applied > 10


def test_added_demonstrations_balance_the_labels(space: SearchSpace) -> None:
    rng = random.Random(3)
    candidate = Candidate.from_template(START)
    for _ in range(6):
        added = Variation(space).apply("add_demonstration", candidate, rng)
        assert added is not None
        candidate = added

    labels = Counter(d.label for d in candidate.demonstrations)
    assert labels == {"positive": 3, "negative": 3}
    assert len({d.source for d in candidate.demonstrations}) == 6


def test_swap_keeps_the_label_of_the_example_it_replaces(space: SearchSpace) -> None:
    rng = random.Random(1)
    start = replace(Candidate.from_template(START), demonstrations=space.pool[:2])

    for _ in range(20):
        swapped = Variation(space).apply("swap_demonstration", start, rng)
        assert swapped is not None
        assert [d.label for d in swapped.demonstrations] == [d.label for d in start.demonstrations]
        assert swapped.demonstrations != start.demonstrations


def test_mutation_records_its_parent_and_operators(space: SearchSpace) -> None:
    start = Candidate.from_template(START)

    child = Variation(space).mutate(start, random.Random(2), steps=3)

    assert child.lineage.parents == (start.id,)
    assert len(child.lineage.operators) == 3
    assert set(child.lineage.operators) <= set(STRUCTURAL)


def test_crossover_takes_every_part_from_a_parent(space: SearchSpace) -> None:
    a = replace(
        Candidate.from_template("Say it.\n\nReview: {{text}}\nSentiment:"),
        demonstrations=space.pool[:3],
    )
    b = replace(Candidate.from_template(START), demonstrations=space.pool[5:7], separator="\n")
    rng = random.Random(4)

    for _ in range(20):
        child = crossover(a, b, rng)
        assert child.instruction in {a.instruction, b.instruction}
        assert (child.query, child.answer_prefix) in {
            (a.query, a.answer_prefix),
            (b.query, b.answer_prefix),
        }
        assert child.separator in {a.separator, b.separator}
        assert set(child.demonstrations) <= set(a.demonstrations) | set(b.demonstrations)
        assert len(child.demonstrations) in {2, 3}
        assert child.lineage.parents == (a.id, b.id)


def optimizer_reply(request: CompletionRequest) -> str:
    return f'Instruction: "Label each review by its sentiment, variant {request.params["seed"]}."'


def test_llm_rewrite_calls_the_optimizer_model_and_charges_the_budget(
    space: SearchSpace,
) -> None:
    fake = FakeModelClient(optimizer_reply)
    with sentiment_evaluator(plain_gateway(fake)) as evaluator:
        evaluator.start(Budget(max_calls=10))
        llm = LLMRewrite("fake/optimizer", evaluator.complete)

        child = llm.rewrite(Candidate.from_template(START), space, random.Random(0))

        assert child is not None
        assert child.instruction.startswith("Label each review by its sentiment, variant ")
        assert variables_in(child.render()) == ["text"]
        assert fake.calls_to("fake/optimizer") == 1
        assert evaluator.meter.calls == 1


def test_llm_rewrite_gives_nothing_for_an_unusable_answer(space: SearchSpace) -> None:
    fake = FakeModelClient(lambda _request: "  \n use {{text}} here")
    with sentiment_evaluator(plain_gateway(fake)) as evaluator:
        llm = LLMRewrite("fake/optimizer", evaluator.complete)

        assert llm.rewrite(Candidate.from_template(START), space, random.Random(0)) is None
