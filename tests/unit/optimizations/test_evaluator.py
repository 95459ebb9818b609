"""The shared evaluator: scores, memo, concurrency, and the budget it enforces."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from autoforge.bootstrap import Container
from autoforge.llm.errors import ModelRequestError
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.gateway import Gateway
from autoforge.llm.types import Completion, CompletionRequest
from autoforge.optimizations import Budget, BudgetExhausted, Candidate, SearchStopped, StopReason
from autoforge.optimizations.operators import SearchSpace
from tests.support.gateway import make_gateway
from tests.unit.optimizations.oracle import (
    START,
    TARGET,
    dataset,
    oracle_client,
    plain_gateway,
    sentiment_evaluator,
)

CASES = dataset(16)
CUED = Candidate.from_template("Review: {{text}}\nSentiment:")


def with_both_labels(candidate: Candidate) -> Candidate:
    pool = SearchSpace.build(candidate, CASES[:2]).pool
    return replace(candidate, demonstrations=pool)


def test_a_score_is_the_mean_case_value_and_the_pass_rate() -> None:
    fake = oracle_client(CASES)
    with sentiment_evaluator(plain_gateway(fake)) as evaluator:
        # The cue alone: "positive" for every case, so half pass and the rest score 0.25.
        score = evaluator.score(CUED, CASES)

        assert score.accuracy == 0.5
        assert score.score == pytest.approx((8 * 1.0 + 8 * 0.25) / 16)
        assert score.cases == 16
        assert evaluator.score(with_both_labels(CUED), CASES).accuracy == 1.0
        assert evaluator.score(Candidate.from_template(START), CASES).score == 0.0


def test_calls_go_out_at_temperature_zero_with_the_dataset_settings() -> None:
    fake = oracle_client(CASES)
    with sentiment_evaluator(plain_gateway(fake)) as evaluator:
        evaluator.score(CUED, CASES[:1])

    [request] = fake.calls
    assert request.model == TARGET
    assert request.params == {"temperature": 0.0, "stop": ["\n"], "max_tokens": 4}


def test_a_candidate_case_pair_is_scored_once_per_run() -> None:
    fake = oracle_client(CASES)
    with sentiment_evaluator(plain_gateway(fake)) as evaluator:
        evaluator.start(Budget())
        first = evaluator.score(CUED, CASES[:8])
        again = evaluator.score(CUED, CASES)

        assert len(fake.calls) == 16  # 8, then only the 8 new cases
        assert evaluator.meter.calls == 16
        assert again.cases == 16
        assert first.accuracy == 0.5


def test_cases_run_concurrently_but_bounded() -> None:
    fake = oracle_client(CASES)
    fake.delay_s = 0.02
    with sentiment_evaluator(plain_gateway(fake), concurrency=3) as evaluator:
        evaluator.score(CUED, CASES)

    assert fake.max_active == 3


def test_calls_never_exceed_the_budget_and_the_stop_is_clean() -> None:
    fake = oracle_client(CASES)
    fake.delay_s = 0.005
    with sentiment_evaluator(plain_gateway(fake), concurrency=4) as evaluator:
        evaluator.start(Budget(max_calls=10))
        with pytest.raises(BudgetExhausted) as stopped:
            evaluator.score(CUED, CASES)

        assert stopped.value.reason is StopReason.BUDGET_CALLS
        assert len(fake.calls) == 10
        assert evaluator.meter.calls == 10
        # What was paid for is kept: a wider budget re-scores without calling again.
        evaluator.meter.budget = Budget()
        evaluator.score(CUED, CASES)
        assert len(fake.calls) == 16


def test_dollars_stop_new_calls_once_spent() -> None:
    fake = oracle_client(CASES, cost_per_token=0.01)
    with sentiment_evaluator(plain_gateway(fake), concurrency=1) as evaluator:
        evaluator.start(Budget(max_usd=0.5))
        with pytest.raises(BudgetExhausted) as stopped:
            evaluator.score(CUED, CASES)

        assert stopped.value.reason is StopReason.BUDGET_USD
        per_call = evaluator.meter.cost_usd / evaluator.meter.calls
        assert 0.5 <= evaluator.meter.cost_usd < 0.5 + per_call
        assert evaluator.meter.calls < len(CASES)


def test_wall_time_is_a_budget_too() -> None:
    # Time is the fake's: each model call moves the clock 0.05 s, so the 0.12 s budget
    # admits exactly three calls however loaded the machine is.
    now = [0.0]
    fake = oracle_client(CASES)
    answer = fake.complete

    def slow_answer(request: CompletionRequest, *, timeout_s: float) -> Completion:
        now[0] += 0.05
        return answer(request, timeout_s=timeout_s)

    fake.complete = slow_answer  # type: ignore[method-assign]
    with sentiment_evaluator(plain_gateway(fake), concurrency=1, clock=lambda: now[0]) as evaluator:
        evaluator.start(Budget(max_seconds=0.12))
        with pytest.raises(BudgetExhausted) as stopped:
            evaluator.score(CUED, CASES)

        assert stopped.value.reason is StopReason.BUDGET_TIME
        assert evaluator.meter.calls == 3
        assert evaluator.meter.wall_s == pytest.approx(0.15)


def test_a_failing_model_stops_the_search_with_its_reason() -> None:
    fake = oracle_client(CASES)
    fake.fail(TARGET, ModelRequestError("context too long"))
    with sentiment_evaluator(plain_gateway(fake), concurrency=1) as evaluator:
        with pytest.raises(SearchStopped) as stopped:
            evaluator.score(CUED, CASES[:1])

        assert stopped.value.reason is StopReason.MODEL_ERROR
        assert "context too long" in stopped.value.detail
        assert evaluator.meter.calls == 0


@pytest.fixture
def cached_gateway(file_container: Container) -> Iterator[tuple[Gateway, FakeModelClient]]:
    fake = oracle_client(CASES)
    gateway = make_gateway(file_container.database, fake, default_model=TARGET)
    yield gateway, fake
    gateway.close()


def test_cache_hits_are_free_and_reported(
    cached_gateway: tuple[Gateway, FakeModelClient],
) -> None:
    gateway, fake = cached_gateway
    with sentiment_evaluator(gateway) as evaluator:
        evaluator.start(Budget(max_calls=16))
        first = evaluator.score(CUED, CASES)
        evaluator.start(Budget(max_calls=16))  # a new run: empty memo, same cache
        second = evaluator.score(CUED, CASES)

        assert second == first
        assert len(fake.calls) == 16
        assert evaluator.meter.calls == 0
        assert evaluator.meter.cache_hits == 16
