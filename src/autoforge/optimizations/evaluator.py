"""The one evaluator every strategy shares: render, call the target model, score, meter.

It renders and calls exactly as an evaluation of the same prompt would (same `render_case`,
same chat-or-completion choice), so an optimized score is the score an evaluation reports.
The model is reached through a `Completer` (the gateway, or a fake): nothing here imports a
web framework or a database, even transitively (a test checks).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from autoforge.evaluations.assertions import AssertionSet, CaseOutcome, Score, ScoringTools
from autoforge.evaluations.domain import as_chat, render_case
from autoforge.llm.errors import ModelCallError
from autoforge.llm.types import CachePolicy, CallRecord, CallResult, Completer, CompletionRequest
from autoforge.optimizations.candidate import Candidate
from autoforge.optimizations.cases import Case
from autoforge.optimizations.protocol import Budget, CandidateScore, StopReason


@dataclass(frozen=True, slots=True)
class Scored:
    """One case under one candidate: what the model answered and how that scored."""

    case: Case
    output: str
    score: Score


class SearchStopped(Exception):
    """The search cannot go on; strategies catch it and return the best so far."""

    def __init__(self, reason: StopReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class BudgetExhausted(SearchStopped):
    """The next model call would exceed the budget in calls, dollars or time."""


class Meter:
    """Spend of one run against its budget; thread-safe, shared by concurrent case calls.

    A call is reserved before it is made, so concurrent calls never overshoot `max_calls`;
    a reservation that turns out to be a cache hit is given back. Dollars are known only
    after a call, so `max_usd` stops new calls once reached (calls in flight may add up to
    one call's cost each).
    """

    def __init__(self, budget: Budget, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self.calls = 0
        self.cache_hits = 0
        self.cost_usd = 0.0  # of priced calls
        self.unpriced_calls = 0
        self._in_flight = 0
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()

    @property
    def wall_s(self) -> float:
        return self._clock() - self._started

    def reserve(self) -> None:
        with self._lock:
            self._check_locked()
            self._in_flight += 1

    def settle(self, record: CallRecord | None) -> None:
        """Ends a reservation: `record` of the finished call, or None if it failed."""
        with self._lock:
            self._in_flight -= 1
            if record is None:
                return
            if record.cache_hit:
                self.cache_hits += 1
            else:
                self.calls += 1
                if record.cost_usd is None:
                    self.unpriced_calls += 1
                else:
                    self.cost_usd += record.cost_usd

    def check(self) -> None:
        with self._lock:
            self._check_locked()

    def _check_locked(self) -> None:
        budget = self.budget
        if budget.max_calls is not None and self.calls + self._in_flight >= budget.max_calls:
            raise BudgetExhausted(StopReason.BUDGET_CALLS, f"{budget.max_calls} calls used")
        if budget.max_usd is not None and self.cost_usd >= budget.max_usd:
            raise BudgetExhausted(StopReason.BUDGET_USD, f"${budget.max_usd} spent")
        if budget.max_usd is not None and self.unpriced_calls:
            # An unpriced call's cost is unknown, not $0: a USD budget can no longer be kept.
            raise BudgetExhausted(
                StopReason.BUDGET_USD,
                f"{self.unpriced_calls} call(s) without a known price: ${budget.max_usd} "
                "cannot be kept (set LLM_PRICES)",
            )
        if budget.max_seconds is not None and self.wall_s >= budget.max_seconds:
            raise BudgetExhausted(StopReason.BUDGET_TIME, f"{budget.max_seconds}s elapsed")


class Evaluator:
    """Scores candidates on cases with the target model; one instance per run.

    Calls go out at temperature 0 with the dataset's generation settings and the response
    cache on, so identical prompts across candidates and runs cost nothing. Within a run,
    (template, case) scores are memoized, so a candidate re-scored on a larger minibatch
    pays only for the new cases.
    """

    def __init__(
        self,
        gateway: Completer,
        model: str,
        assertions: AssertionSet,
        generation: Mapping[str, Any] | None = None,
        *,
        tools: ScoringTools | None = None,
        concurrency: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gateway = gateway
        self._clock = clock
        self.model = model
        self.assertions = assertions
        self.tools = tools or ScoringTools()
        assertions.check_tools(self.tools)
        # Deterministic answers are what make the cache and the memo sound.
        self.params = {**(generation or {}), "temperature": 0.0}
        self.chat = as_chat("auto", model)
        self.meter = Meter(Budget())
        self._memo: dict[tuple[str, str], Scored] = {}
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="optimize")

    def start(self, budget: Budget) -> None:
        """Begins a run: a fresh meter for `budget`, and a memo that starts empty."""
        self.meter = Meter(budget, self._clock)
        self._memo.clear()

    def score(self, candidate: Candidate, cases: Sequence[Case]) -> CandidateScore:
        """Mean case value and pass rate; raises SearchStopped if a needed call is refused."""
        values = self.case_values(candidate, cases)
        if not values:
            return CandidateScore(0.0, 0.0, 0)
        return CandidateScore(
            score=sum(v for v, _ in values) / len(values),
            accuracy=sum(p for _, p in values) / len(values),
            cases=len(values),
        )

    def case_values(self, candidate: Candidate, cases: Sequence[Case]) -> list[tuple[float, bool]]:
        """Each case's (value, passed), in case order.

        Cases run concurrently (bounded by the pool), but results are combined in case
        order, so concurrency never changes a score. Cases finished before a stop stay
        memoized: nothing paid for is thrown away.
        """
        return [(s.score.value, s.score.passed) for s in self.scored(candidate, cases)]

    def scored(self, candidate: Candidate, cases: Sequence[Case]) -> list[Scored]:
        """Each case's output and score, in case order (what a reflective strategy reads)."""
        self.meter.check()
        template = candidate.render()
        futures: list[Future[Scored]] = [
            # In the job's context: its spans and log ids reach the case's model call.
            self._pool.submit(contextvars.copy_context().run, self._case_score, template, case)
            for case in cases
        ]
        done: list[Scored] = []
        stopped: SearchStopped | None = None
        for future in futures:
            try:
                done.append(future.result())
            except SearchStopped as exc:
                stopped = stopped or exc
        if stopped is not None:
            raise stopped
        return done

    def complete(
        self, request: CompletionRequest, cache: CachePolicy = CachePolicy.AUTO
    ) -> CallResult:
        """Any model call of the run (the optimizer model's too), charged to its budget."""
        self.meter.reserve()
        try:
            # A model process that dies mid-call restarts; the call is made again rather
            # than ending the search.
            result = self.gateway.complete(request, cache=cache, crash_retries=2)
        except ModelCallError as exc:
            self.meter.settle(None)
            raise SearchStopped(StopReason.MODEL_ERROR, f"{exc.title}: {exc.detail}") from exc
        except BaseException:
            self.meter.settle(None)
            raise
        self.meter.settle(result.record)
        return result

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _case_score(self, template: str, case: Case) -> Scored:
        key = (template, case.name)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        prompt = render_case(template, case.inputs)
        if self.chat:
            request = CompletionRequest(
                self.model, messages=[{"role": "user", "content": prompt}], params=self.params
            )
        else:
            request = CompletionRequest(self.model, prompt=prompt, params=self.params)
        result = self.complete(request)
        outcome = CaseOutcome(
            output=result.text,
            expected=case.expected,
            inputs=case.inputs,
            latency_ms=result.record.latency_ms,
            cost_usd=result.record.cost_usd,
        )
        scored = Scored(case, result.text, self.assertions.score(outcome, self.tools))
        self._memo[key] = scored
        return scored
