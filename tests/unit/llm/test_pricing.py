"""Issue #19: an unknown price is unknown, not $0 — the pricing rule, LiteLLM's mocked path
for a model it has no price for, and what the gateway records."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from autoforge.bootstrap import Container, prices
from autoforge.config import Settings
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.gateway import Gateway
from autoforge.llm.litellm_client import LiteLLMClient
from autoforge.llm.local_model import GATEWAY_NAME
from autoforge.llm.pricing import FREE, Price, Pricing, unpriced_problem
from autoforge.llm.types import CompletionRequest
from autoforge.optimizations.evaluator import BudgetExhausted, Meter
from autoforge.optimizations.protocol import Budget, StopReason
from tests.support.gateway import make_gateway

KNOWN = "openai/gpt-4o-mini"
SELF_HOSTED = "openai/autoforge-selfhosted-test"  # a name LiteLLM's table does not have


def table(model: str) -> Price | None:
    return Price(1.0, 2.0) if model == KNOWN else None


def ask(model: str) -> CompletionRequest:
    return CompletionRequest(model, messages=[{"role": "user", "content": "one two three"}])


def test_llm_prices_win_over_the_table() -> None:
    pricing = Pricing({KNOWN: Price(10.0, 20.0)}, table)

    assert pricing.price_of(KNOWN) == Price(10.0, 20.0)
    assert pricing.cost(KNOWN, 1_000_000, 500_000, reported=0.123) == pytest.approx(20.0)


def test_an_unknown_model_has_no_price_and_no_cost() -> None:
    pricing = Pricing({}, table)

    assert pricing.price_of(SELF_HOSTED) is None
    assert pricing.cost(SELF_HOSTED, 10, 10, reported=None) is None
    assert pricing.price_of(KNOWN) == Price(1.0, 2.0)


def test_the_local_model_is_priced_at_zero() -> None:
    assert Pricing({}, table).price_of(GATEWAY_NAME) == FREE
    assert FREE.cost(1000, 1000) == 0.0


def test_llm_prices_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_PRICES", '{"ollama/llama3": {"input": 0.2, "output": 0.6}}')

    assert prices(Settings()) == {"ollama/llama3": Price(0.2, 0.6)}


def test_a_negative_or_misspelt_price_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_PRICES", '{"ollama/llama3": {"input": -1, "output": 0.6}}')
    with pytest.raises(ValueError, match="input"):
        Settings()
    monkeypatch.setenv("LLM_PRICES", '{"ollama/llama3": {"in": 1, "output": 0.6}}')
    with pytest.raises(ValueError, match="in"):
        Settings()


def test_the_problem_says_what_to_set() -> None:
    detail = unpriced_problem("ollama/llama3")

    assert "ollama/llama3" in detail
    assert """LLM_PRICES='{"ollama/llama3": {"input": 0.5, "output": 1.5}}'""" in detail


def test_litellm_mocked_call_to_a_model_it_cannot_price_is_unpriced() -> None:
    client = LiteLLMClient(model_options={SELF_HOSTED: {"mock_response": "hello there"}})

    completion = client.complete(ask(SELF_HOSTED), timeout_s=5)
    streamed = list(client.stream(ask(SELF_HOSTED), timeout_s=5))[-1]

    assert completion.text == "hello there"
    assert completion.tokens_out > 0
    assert completion.cost_usd is None
    assert not isinstance(streamed, str)
    assert streamed.cost_usd is None
    assert client.price(SELF_HOSTED) is None
    known = client.price(KNOWN)
    assert known is not None
    assert known.input_per_million > 0


def test_the_gateway_prices_a_litellm_model_with_llm_prices(file_container: Container) -> None:
    client = LiteLLMClient(model_options={SELF_HOSTED: {"mock_response": "hello there"}})
    gateway = make_gateway(file_container.database, client, default_model=SELF_HOSTED)
    gateway.pricing = Pricing({SELF_HOSTED: Price(1_000_000.0, 2_000_000.0)}, client.price)

    record = gateway.complete(ask(SELF_HOSTED)).record

    assert record.cost_usd == pytest.approx(record.tokens_in * 1.0 + record.tokens_out * 2.0)
    assert gateway.unpriced(SELF_HOSTED) is None


def test_the_gateway_records_an_unpriced_call(file_container: Container) -> None:
    fake = FakeModelClient(cost_per_token=0.001, unpriced=["fake/custom"])
    gateway = make_gateway(file_container.database, fake, default_model="fake/primary")

    unpriced = gateway.complete(ask("fake/custom")).record
    priced = gateway.complete(ask("fake/primary")).record
    gateway.flush()

    assert unpriced.cost_usd is None
    assert priced.cost_usd == pytest.approx((priced.tokens_in + priced.tokens_out) * 0.001)
    assert priced.cost_usd > 0
    assert gateway.unpriced("fake/custom") == "fake/custom"
    assert gateway.unpriced("fake/primary") is None
    query = text("SELECT id, unpriced FROM llm_calls WHERE id IN (:a, :b)")
    rows = file_container.database.run(
        lambda uow: dict(uow.session.execute(query, {"a": unpriced.id, "b": priced.id}).all()),
        read_only=True,
    )
    assert rows == {unpriced.id: 1, priced.id: 0}


def test_a_fallback_without_a_price_is_found_in_the_chain(file_container: Container) -> None:
    fake = FakeModelClient(unpriced=["fake/backup"])
    gateway = make_gateway(
        file_container.database, fake, fallbacks={"fake/primary": ["fake/backup"]}
    )

    assert gateway.unpriced("fake/primary") == "fake/backup"


def test_an_unpriced_call_stops_a_usd_budget_instead_of_counting_zero(
    file_container: Container,
) -> None:
    fake = FakeModelClient(unpriced=["fake/custom"])
    gateway: Gateway = make_gateway(file_container.database, fake)
    meter = Meter(Budget(max_calls=100, max_usd=1.0), clock=lambda: 0.0)

    meter.reserve()
    meter.settle(gateway.complete(ask("fake/custom")).record)

    assert meter.unpriced_calls == 1
    assert meter.cost_usd == 0.0
    with pytest.raises(BudgetExhausted) as stopped:
        meter.check()
    assert stopped.value.reason == StopReason.BUDGET_USD
    assert "LLM_PRICES" in stopped.value.detail


def test_an_slos_cost_per_call_is_over_priced_calls_only() -> None:
    from autoforge.slos.objectives import Figures

    assert Figures(calls=4, unpriced_calls=2, total_cost=1.0).cost_per_call == 0.5
    assert Figures(calls=2, unpriced_calls=2, total_cost=0.0).cost_per_call is None
    assert Figures(calls=4, total_cost=1.0).cost_per_call == 0.25
