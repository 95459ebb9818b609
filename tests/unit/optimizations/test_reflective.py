"""The reflective (GEPA-style) strategy with LLM fakes: it reads failures, rewrites the
instruction, keeps a Pareto front over cases, and pays for every call from the budget."""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from autoforge.datasets.sealing import REDACTED
from autoforge.errors import ValidationFailed
from autoforge.evaluations.assertions import Score
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.types import CompletionRequest
from autoforge.optimizations import Budget, Candidate, run_optimization, split_cases
from autoforge.optimizations.evaluator import Scored
from autoforge.optimizations.strategies import make_strategy
from autoforge.optimizations.strategies.reflective import pareto_parent, reflection_prompt
from tests.unit.optimizations.oracle import (
    START,
    dataset,
    plain_gateway,
    prompt_of,
    sentiment_evaluator,
)

CASES = dataset(40)
SPLIT = split_cases(CASES, train=16, val=16, test=8, seed=0)
OPTIMIZER = "fake/optimizer"
TRUTH = {str(case.inputs["text"]): case.expected for case in CASES}


def target(request: CompletionRequest) -> str:
    """Right only when the instruction names every label: a behaviour, not a string."""
    prompt = prompt_of(request)
    query = max(TRUTH, key=prompt.rfind)
    instruction = prompt[: prompt.rfind(query)]
    if all(re.search(rf"\b{label}\b", instruction) for label in ("negative", "positive")):
        return f" {TRUTH[query]}"
    return " I think it is"


def reflector(request: CompletionRequest) -> str:
    """Writes an instruction naming the labels it saw expected in the failures it is shown."""
    prompt = prompt_of(request)
    expected = sorted(set(re.findall(r"Expected: '([a-z]+)'", prompt)))
    return f"Answer with exactly one word: {' or '.join(expected)}."


def client() -> FakeModelClient:
    return FakeModelClient(
        lambda request: reflector(request) if request.model == OPTIMIZER else target(request)
    )


def test_it_learns_from_failures_and_charges_the_reflections_to_the_budget() -> None:
    fake = client()
    with sentiment_evaluator(plain_gateway(fake)) as evaluator:
        result = run_optimization(
            make_strategy("reflective", optimizer_model=OPTIMIZER),
            START,
            trainset=SPLIT.train,
            valset=SPLIT.val,
            evaluator=evaluator,
            budget=Budget(max_calls=2000),
        )

    assert result.baseline_val.accuracy == 0.0
    assert result.best_val.accuracy == 1.0
    assert "reflection" in result.best.lineage.operators
    assert re.search(r"negative or positive|positive or negative", result.best.instruction)
    reflections = [r for r in fake.calls if r.model == OPTIMIZER]
    assert reflections
    shown = prompt_of(reflections[0])
    assert "Model output: 'I think it is'" in shown
    assert "Why it failed: 0/2 assertions passed" in shown
    assert "[FAIL] equals: expected" in shown
    assert shown.count("Input: ") <= 4  # a minibatch's failures, not the whole trainset
    assert result.calls == len(fake.calls)


def test_a_child_that_does_not_beat_its_parent_on_the_minibatch_is_dropped() -> None:
    fake = FakeModelClient(
        lambda r: "Please try harder." if r.model == OPTIMIZER else " I think it is"
    )
    with sentiment_evaluator(plain_gateway(fake)) as evaluator:
        result = run_optimization(
            make_strategy("reflective", optimizer_model=OPTIMIZER, steps=5),
            START,
            trainset=SPLIT.train,
            valset=SPLIT.val,
            evaluator=evaluator,
            budget=Budget(max_calls=2000),
        )

    assert [entry.candidate for entry in result.history] == [Candidate.from_template(START)]
    assert fake.calls_to(OPTIMIZER) >= 1


def test_the_pareto_front_keeps_specialists_and_drops_the_dominated() -> None:
    """A: right on the positive cases only, B: on the negative ones, C: on none."""
    labelled = {"A": "positive", "B": "negative"}

    def answer(request: CompletionRequest) -> str:
        prompt = prompt_of(request)
        query = max(TRUTH, key=prompt.rfind)
        tag = prompt.split(":", 1)[0]
        return f" {TRUTH[query]}" if labelled.get(tag) == TRUTH[query] else " no"

    pool = [Candidate.from_template(f"{tag}: classify.\n\n{{{{text}}}}\n") for tag in "ABC"]
    with sentiment_evaluator(plain_gateway(FakeModelClient(answer))) as evaluator:
        rng = random.Random(0)
        picked = {pareto_parent(pool, SPLIT.train, evaluator, rng).instruction for _ in range(60)}

    assert picked == {"A: classify.", "B: classify."}


def test_it_needs_an_optimizer_model() -> None:
    with (
        sentiment_evaluator(plain_gateway(client())) as evaluator,
        pytest.raises(ValidationFailed, match="needs an optimizer model"),
    ):
        run_optimization(
            make_strategy("reflective"),
            START,
            trainset=SPLIT.train,
            valset=SPLIT.val,
            evaluator=evaluator,
            budget=Budget(max_calls=100),
        )


def test_the_optimizer_model_never_reads_a_sensitive_value() -> None:
    """What it reads shapes an instruction that is stored with the candidate."""
    case = replace(CASES[0], inputs={**CASES[0].inputs, "ssn": "078-05-1120"})
    failed = Scored(replace(case, sensitive=frozenset({"ssn"})), "no", Score(0.0, False, "wrong"))

    prompt = reflection_prompt(Candidate(query=START), [failed])

    assert "078-05-1120" not in prompt
    assert f"ssn={REDACTED!r}" in prompt
    assert str(case.inputs["text"]) in prompt  # not sensitive: shown as it is
