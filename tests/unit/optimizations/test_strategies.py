"""Every strategy, against the structure-sensitive fake: it finds the structure, within
budget, reproducibly, and without letting the validation set shape a candidate."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest

from autoforge.bootstrap import Container
from autoforge.errors import ValidationFailed
from autoforge.evaluations.domain import render_case
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.gateway import Gateway
from autoforge.llm.types import CompletionRequest
from autoforge.optimizations import (
    STRATEGIES,
    Budget,
    Case,
    OptimizationResult,
    Progress,
    SearchStopped,
    StopReason,
    make_strategy,
    run_optimization,
    split_cases,
)
from autoforge.optimizations.candidate import Candidate
from autoforge.optimizations.operators import cues_for
from autoforge.optimizations.protocol import Strategy
from tests.support.gateway import make_gateway
from tests.unit.optimizations.oracle import (
    START,
    TARGET,
    SentimentOracle,
    dataset,
    oracle_client,
    plain_gateway,
    prompt_of,
    sentiment_evaluator,
)

CASES = dataset(40)
# The strategies that need no optimizer model (`reflective` has its own tests).
STRUCTURAL = [name for name in STRATEGIES if name != "reflective"]
SPLIT = split_cases(CASES, train=16, val=16, test=8, seed=0)
OPTIMIZER = "fake/optimizer"


def strategy(name: str, **options: object) -> Strategy:
    return make_strategy(name, **options)


def optimize(
    name: str,
    client: FakeModelClient,
    budget: Budget,
    *,
    seed: int = 0,
    valset: Sequence[Case] = SPLIT.val,
    testset: Sequence[Case] = (),
    progress: list[Progress] | None = None,
    **options: object,
) -> OptimizationResult:
    with sentiment_evaluator(plain_gateway(client)) as evaluator:
        return run_optimization(
            strategy(name, **options),
            START,
            trainset=SPLIT.train,
            valset=valset,
            evaluator=evaluator,
            budget=budget,
            seed=seed,
            testset=testset,
            progress=None if progress is None else progress.append,
        )


def signature(result: OptimizationResult) -> list[tuple[object, ...]]:
    return [(e.id, e.round, e.train, e.val, e.lineage) for e in result.history]


@pytest.mark.parametrize("name", STRUCTURAL)
def test_each_strategy_improves_a_bad_starting_prompt(name: str) -> None:
    result = optimize(name, oracle_client(CASES), Budget(max_calls=3000))

    assert result.baseline_val.score == 0.0
    assert result.best_val.accuracy == 1.0
    assert result.improvement == 1.0
    assert result.best.output_cue in cues_for(SPLIT.train)  # derived from the data
    assert {d.label for d in result.best.demonstrations} == {"positive", "negative"}
    assert result.stop_reason is StopReason.CONVERGED
    assert result.best.id in {e.id for e in result.history}


@pytest.mark.parametrize("name", STRUCTURAL)
def test_the_call_budget_stops_the_run_cleanly_with_the_best_so_far(name: str) -> None:
    fake = oracle_client(CASES)
    fake.delay_s = 0.001  # lets concurrent calls overlap at the limit

    result = optimize(name, fake, Budget(max_calls=90))

    assert result.stop_reason is StopReason.BUDGET_CALLS
    assert result.calls <= 90
    assert len(fake.calls) == result.calls
    # The budget was spent, not abandoned early (concurrent calls stop within a few of it),
    # and the best so far is the best validated candidate of the history, not merely one
    # no worse than the start.
    assert result.calls > 90 - 8
    validated = [entry.val.score for entry in result.history if entry.val is not None]
    assert result.best_val.score == max(validated)
    assert len(result.history) >= 2


def test_a_budget_too_small_for_the_starting_prompt_is_an_error() -> None:
    with pytest.raises(SearchStopped) as stopped:
        optimize("bandit", oracle_client(CASES), Budget(max_calls=20))

    assert stopped.value.reason is StopReason.BUDGET_CALLS
    assert "before the starting prompt was scored" in stopped.value.detail


@pytest.mark.parametrize("name", STRUCTURAL)
def test_the_same_seed_gives_the_same_history(name: str) -> None:
    first = optimize(name, oracle_client(CASES), Budget(max_calls=3000), seed=5)
    second = optimize(name, oracle_client(CASES), Budget(max_calls=3000), seed=5)
    other = optimize(name, oracle_client(CASES), Budget(max_calls=3000), seed=6)

    assert signature(first) == signature(second)
    assert first.calls == second.calls
    assert [e.id for e in other.history] != [e.id for e in first.history]


@pytest.mark.parametrize("name", STRUCTURAL)
def test_the_validation_set_never_shapes_a_candidate(name: str) -> None:
    fake = oracle_client(CASES)
    # An unanswerable case in each valset: no run converges, so both run every round.
    impossible = Case("val-impossible", {"text": "Review number 999 is unreadable."}, "neutral")
    other_val = [*SPLIT.test, impossible]
    oracle = fake.reply
    assert isinstance(oracle, SentimentOracle)

    one = optimize(name, fake, Budget(), valset=[*SPLIT.val, impossible], patience=100)
    two = optimize(name, oracle_client(CASES), Budget(), valset=other_val, patience=100)

    assert [e.id for e in one.history] == [e.id for e in two.history]
    train_names = {case.name for case in SPLIT.train}
    for entry in one.history:
        assert {d.source for d in entry.candidate.demonstrations} <= train_names
    val_texts = [str(case.inputs["text"]) for case in SPLIT.val]
    assert len(fake.calls) > 100
    for request in fake.calls:
        prompt = prompt_of(request)
        before_query = prompt[: prompt.rfind(oracle.query_of(prompt))]
        assert not any(text in before_query for text in val_texts)


@pytest.mark.parametrize("name", STRUCTURAL)
def test_progress_is_reported_every_round(name: str) -> None:
    reports: list[Progress] = []

    result = optimize(name, oracle_client(CASES), Budget(max_calls=3000), progress=reports)

    assert len(reports) >= 3
    assert all(r.strategy == name for r in reports)
    # First the starting prompt alone (the live chart's first point), then every round.
    baseline, rounds = reports[0], reports[1:]
    assert baseline.round == rounds[0].round
    assert baseline.candidates == 1
    assert baseline.best_val == result.baseline_val.score
    assert [r.round for r in rounds] == list(range(rounds[0].round, rounds[-1].round + 1))
    assert [r.calls for r in reports] == sorted(r.calls for r in reports)
    assert reports[-1].best_val == result.best_val.score
    assert reports[-1].calls <= result.calls


@pytest.mark.parametrize("name", STRUCTURAL)
def test_each_report_carries_the_history_so_far_in_the_result_order(name: str) -> None:
    reports: list[Progress] = []

    result = optimize(name, oracle_client(CASES), Budget(max_calls=3000), progress=reports)

    assert [len(r.history) for r in reports] == [r.candidates for r in reports]
    for report in reports:
        keys = [entry.id for entry in report.history]
        assert keys == [entry.id for entry in result.history[: len(keys)]]
    assert reports[-1].history[0].val == result.baseline_val


def test_the_test_set_scores_the_start_and_the_winner_once_each_after_the_search() -> None:
    held_out = dataset(64)[40:]  # 24 more cases, none in the train or validation split
    fake = oracle_client([*CASES, *held_out])
    test_texts = {str(case.inputs["text"]) for case in held_out}
    oracle = fake.reply
    assert isinstance(oracle, SentimentOracle)

    result = optimize("bandit", fake, Budget(max_calls=3000), testset=held_out)

    assert result.test is not None
    assert result.test.cases == len(held_out)
    asked = [r for r in fake.calls if oracle.query_of(prompt_of(r)) in test_texts]
    assert len(asked) == 2 * len(held_out)
    prompts = sorted(prompt_of(r) for r in asked)
    expected = [render_case(t, c.inputs) for t in (START, result.template) for c in held_out]
    assert prompts == sorted(expected)
    # The oracle's truth is known: a working search goes from 0 to every test case right.
    assert (result.test.baseline.accuracy, result.test.best.accuracy) == (0.0, 1.0)
    assert result.measured_on == "test"
    assert result.improvement == result.test.delta == 1.0
    assert result.test.low > 0.0
    assert "a real improvement" in result.verdict()


class Tripwire(dict[str, object]):
    """Case inputs that fail any reader while armed: proof that nobody looked."""

    armed = True

    def _check(self) -> None:
        if Tripwire.armed:
            raise AssertionError("a step of the search read a test-split case")

    def __getitem__(self, key: str) -> object:
        self._check()
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[str]:
        self._check()
        return super().__iter__()

    def keys(self) -> Any:
        self._check()
        return super().keys()

    def items(self) -> Any:
        self._check()
        return super().items()

    def get(self, key: str, default: object = None) -> object:
        self._check()
        return super().get(key, default)


@dataclass
class Disarming:
    """Wraps a strategy: the test cases are disarmed only once the search has returned."""

    inner: Strategy
    name: str = "guarded"

    def optimize(self, start: Candidate, **kwargs: Any) -> OptimizationResult:
        assert not set(kwargs) & {"testset", "test"}
        result = self.inner.optimize(start, **kwargs)
        Tripwire.armed = False
        return result


def with_optimizer(oracle: FakeModelClient) -> FakeModelClient:
    """The oracle as the target, and an optimizer model that rewrites the instruction."""
    rewrite = "Answer with exactly one word: negative or positive."
    return FakeModelClient(
        lambda request: rewrite if request.model == OPTIMIZER else oracle.reply(request)
    )


@pytest.mark.parametrize("name", STRATEGIES)
def test_no_step_of_the_search_reads_a_test_case(name: str) -> None:
    wired = [replace(case, inputs=Tripwire(case.inputs)) for case in SPLIT.test]
    # Every strategy, the reflective one with an optimizer model that reads failing cases.
    options = {"optimizer_model": OPTIMIZER} if name == "reflective" else {}
    Tripwire.armed = True
    try:
        client = with_optimizer(oracle_client(CASES))
        with sentiment_evaluator(plain_gateway(client)) as evaluator:
            result = run_optimization(
                Disarming(strategy(name, **options)),
                START,
                trainset=SPLIT.train,
                valset=SPLIT.val,
                testset=wired,
                evaluator=evaluator,
                budget=Budget(max_calls=3000),
            )
    finally:
        Tripwire.armed = False

    assert result.test is not None
    assert result.test.cases == len(wired)  # read after the search, and only then
    if name == "reflective":
        assert client.calls_to(OPTIMIZER) >= 1  # it did reflect, on train cases only


def test_a_small_test_split_says_it_cannot_tell() -> None:
    result = optimize(
        "bandit", oracle_client(CASES), Budget(max_calls=3000), testset=SPLIT.test[:2]
    )

    assert result.test is not None
    assert not result.test.conclusive
    assert "2 cases are too few" in result.verdict()
    assert "too small to tell" in result.verdict()


def test_calls_set_aside_for_the_test_set_are_not_spent_by_the_search() -> None:
    fake = oracle_client(CASES)

    result = optimize("genetic", fake, Budget(max_calls=120), testset=SPLIT.test)

    assert result.stop_reason is StopReason.BUDGET_CALLS
    assert result.test is not None
    assert result.calls <= 120
    assert len(fake.calls) == result.calls


def routed(target: SentimentOracle) -> FakeModelClient:
    """The target is the oracle; the optimizer model writes a new instruction per seed."""

    def reply(request: CompletionRequest) -> str:
        if request.model == "fake/optimizer":
            return f"Label every review, take {request.params['seed'] % 1000}."
        return target(request)

    return FakeModelClient(reply)


@pytest.mark.parametrize(
    ("name", "operators"),
    [("genetic", {"llm_rewrite", "llm_paraphrase", "llm_crossover"}), ("opro", {"opro_proposal"})],
)
def test_an_optimizer_model_adds_rewrites_charged_to_the_budget(
    name: str, operators: set[str]
) -> None:
    fake = routed(SentimentOracle(CASES))

    result = optimize(name, fake, Budget(max_calls=3000), optimizer_model="fake/optimizer")

    used = {op for e in result.history for op in e.lineage.operators}
    assert used & operators
    rewritten = [e for e in result.history if e.candidate.instruction.startswith("Label every")]
    assert rewritten
    assert fake.calls_to("fake/optimizer") > 0
    assert result.calls == len(fake.calls)


@pytest.fixture
def cached(file_container: Container) -> Iterator[tuple[FakeModelClient, Gateway]]:
    fake = oracle_client(CASES)
    gateway = make_gateway(file_container.database, fake, default_model=TARGET)
    yield fake, gateway
    gateway.close()


def test_a_rerun_is_answered_from_the_cache_and_costs_no_calls(
    cached: tuple[FakeModelClient, Gateway],
) -> None:
    fake, gateway = cached

    def run(budget: Budget) -> OptimizationResult:
        with sentiment_evaluator(gateway) as evaluator:
            return run_optimization(
                strategy("bandit"),
                START,
                trainset=SPLIT.train,
                valset=SPLIT.val,
                evaluator=evaluator,
                budget=budget,
                seed=1,
            )

    first = run(Budget(max_calls=100))
    second = run(Budget(max_calls=100))

    assert first.stop_reason is StopReason.BUDGET_CALLS
    assert second.calls <= 100
    assert second.cache_hits >= first.calls
    # The free answers let the second run get further on the same budget.
    assert len(second.history) > len(first.history)
    found = [(e.id, e.round, e.lineage) for e in first.history]
    assert [(e.id, e.round, e.lineage) for e in second.history][: len(found)] == found
    assert len(fake.calls) == first.calls + second.calls


def test_unknown_strategies_and_options_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="no optimization strategy"):
        make_strategy("annealing")
    with pytest.raises(ValidationFailed, match="bad options"):
        make_strategy("bandit", population=3)


@pytest.mark.parametrize("name", STRUCTURAL)
def test_a_validation_plateau_stops_the_search_early(name: str) -> None:
    fake = oracle_client(CASES)
    # The oracle never says "neutral": validation cannot be perfect, so the run cannot
    # converge and only the plateau (or the rounds) can end it.
    impossible = Case("val-impossible", {"text": "Review number 999 is unreadable."}, "neutral")

    result = optimize(name, fake, Budget(max_calls=20_000), valset=[*SPLIT.val, impossible])

    assert result.stop_reason is StopReason.PLATEAU
    assert result.best_val.accuracy == 16 / 17
    assert result.calls < 20_000


@pytest.mark.parametrize("name", STRUCTURAL)
def test_nothing_found_yet_is_no_plateau(name: str) -> None:
    fake = FakeModelClient(lambda _request: " I think it is")

    result = optimize(name, fake, Budget(max_calls=1500), patience=1)

    assert result.stop_reason in {StopReason.BUDGET_CALLS, StopReason.COMPLETED}
    assert result.best_val.score == 0.0
    assert result.improvement == 0.0
