"""Runs an evaluation: every case rendered, sent to the model, scored and committed at once.

Each result is committed in its own short transaction as soon as it exists, and the UNIQUE
(evaluation_id, test_case_name) index turns a second write of the same case into a no-op.
So a run killed at any point loses at most the cases in flight, and running it again (a
restarted worker, a redelivered Celery task, two workers at once) scores only the rest.

Sensitive dataset fields are decrypted for the model and the scoring only, in memory: the
stored result and the traced variables show them redacted. The plaintext is one join away
for whoever may read the dataset, and deleting the dataset leaves no copy behind.
"""

from __future__ import annotations

import contextvars
import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from autoforge.datasets.sealing import VaultSource, open_vault, redact, unseal
from autoforge.db.base import utcnow
from autoforge.errors import NotFoundError, ValidationFailed, describe_failure
from autoforge.evaluations.assertions import AssertionSet, CaseOutcome, Score
from autoforge.evaluations.domain import EvaluationCompleted, as_chat
from autoforge.evaluations.metrics import (
    ScoredCase,
    is_hallucination,
    label_vocabulary,
    summarize,
)
from autoforge.evaluations.models import EvaluationRow, TestResultRow
from autoforge.evaluations.repository import CaseRecord, EvaluationRepository
from autoforge.evaluations.tools import scoring_tools
from autoforge.llm.errors import ModelCallError
from autoforge.llm.types import CachePolicy, CallResult, CompletionRequest, TraceContext, masked
from autoforge.runs.messages import render_version
from autoforge.secrets.keys import vault_of
from autoforge.style.service import check_drift
from autoforge.worker.jobs import JobInterrupted
from autoforge.worker.targets import failure_marker

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.db.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    inputs: dict[str, Any]  # in plaintext: never stored or traced as they are
    expected: str | None
    sensitive: frozenset[str] = frozenset()

    @property
    def stored_inputs(self) -> dict[str, Any]:
        """The inputs as a result or a trace keeps them: sensitive values redacted."""
        return redact(self.inputs, self.sensitive)

    @property
    def secret_values(self) -> tuple[str, ...]:
        """The sensitive values as text: the call log masks them in the prompt it keeps."""
        return tuple(
            str(self.inputs[field]) for field in self.sensitive if str(self.inputs.get(field, ""))
        )


@dataclass(frozen=True)
class RunPlan:
    """What a run needs, read once at its start; `cases` are the ones without a result."""

    evaluation_id: str
    prompt_id: str
    prompt_version: int
    model: str
    template: str
    config: dict[str, Any]
    cases: list[Case]
    project_id: str | None = None
    kind: str = "text"  # a chat version's `template` is its JSON list of messages
    # The dataset's labels when it is a classification dataset (`metrics.label_vocabulary`).
    labels: frozenset[str] | None = None
    # The prompt's name, for the spans of the case calls (`gen_ai.prompt.name`).
    prompt_name: str | None = None

    @property
    def assertions(self) -> AssertionSet:
        return AssertionSet.model_validate(self.config["assertions"])


def run_evaluation(
    container: Container, evaluation_id: str, *, should_stop: Callable[[], bool] | None = None
) -> None:
    """Scores every case that has no result yet, then stores the aggregates and raises
    `EvaluationCompleted`. A completed evaluation is left as it is. When `should_stop`
    turns true, cases in flight finish and JobInterrupted is raised (the status stays
    `running`: the next claim resumes). Any other error is raised for the worker: it
    retries a passing one and marks the evaluation failed (`fail_evaluation`) once the
    failure is final, so the status never reads `failed` while a retry is coming."""
    plan = _start(container, evaluation_id)
    if plan is None:
        return
    run_case = _CaseRunner(container, plan)
    _run_cases(run_case, plan, should_stop or (lambda: False))
    _finish(container, evaluation_id)


# Marks the evaluation failed with an error, unless it already completed.
fail_evaluation = failure_marker(lambda uow, key: EvaluationRepository(uow.session).get(key))


def _start(container: Container, evaluation_id: str) -> RunPlan | None:
    def mark_running(uow: UnitOfWork) -> EvaluationRow | None:
        row = EvaluationRepository(uow.session).get(evaluation_id)
        if row is None:
            raise NotFoundError(f"evaluation {evaluation_id} not found")
        if row.status == "completed":
            return None
        now = utcnow()
        row.status, row.error, row.finished_at, row.updated_at = "running", None, None, now
        row.started_at = row.started_at or now
        return row

    row = container.database.run(mark_running)
    if row is None:
        return None
    vault = partial(vault_of, container.settings)
    return container.database.run(lambda uow: _plan(uow, row, vault), read_only=True)


def _plan(uow: UnitOfWork, row: EvaluationRow, vault: VaultSource) -> RunPlan:
    repo = EvaluationRepository(uow.session)
    found = repo.prompt_template(row.prompt_id, row.prompt_version)
    if found is None:
        raise NotFoundError(f"prompt {row.prompt_id} has no version {row.prompt_version}")
    kind, template = found
    if row.dataset_version_id is None:
        raise NotFoundError("the dataset version of this evaluation was deleted")
    done = repo.done_case_names(row.id)
    fields = frozenset(repo.sensitive_fields(row.dataset_version_id))
    key = open_vault(vault) if fields else None
    items = repo.items(row.dataset_version_id)
    cases = [
        Case(
            item.name,
            unseal(item.input, fields, key) if key is not None else dict(item.input),
            item.expected,
            fields,
        )
        for item in items
        if item.name not in done
    ]
    return RunPlan(
        row.id,
        row.prompt_id,
        row.prompt_version,
        row.model,
        template,
        dict(row.config),
        cases,
        project_id=row.project_id,
        kind=kind,
        labels=label_vocabulary([item.expected for item in items]),
        prompt_name=repo.prompt_name(row.prompt_id),
    )


class _CaseRunner:
    """Runs one case end to end and commits its result; called from the pool's threads."""

    def __init__(self, container: Container, plan: RunPlan) -> None:
        self.database = container.database
        self.gateway = container.gateway
        self.plan = plan
        self.assertions = plan.assertions
        config = plan.config
        judge = config.get("judge_model") or self.gateway.config.default_model
        self.tools = scoring_tools(self.assertions, self.gateway, container.embedder, judge)
        self.assertions.check_tools(self.tools)
        self.params = {k: v for k, v in config.get("params", {}).items() if v is not None}
        self.chat = as_chat(config.get("mode", "auto"), plan.model)
        self.cache = CachePolicy.BYPASS if config.get("no_cache") else CachePolicy.AUTO

    def model_limit(self) -> int:
        """The gateway's parallel-call limit for the model: more cases in flight than that
        would only wait for a slot, and the wait would count as the cases' latency."""
        return self.gateway.concurrency_of(self.plan.model)

    def __call__(self, case: Case) -> None:
        record = self._score(case)
        self.database.run(
            lambda uow: EvaluationRepository(uow.session).record_case(
                self.plan.evaluation_id, record
            )
        )

    def _score(self, case: Case) -> CaseRecord:
        started = time.perf_counter()
        try:
            result = self._call(case)
        except (ModelCallError, ValidationFailed) as exc:
            return _failed(case, None, exc, _ms_since(started), self.plan.labels)
        call = result.record
        outcome = CaseOutcome(
            result.text, case.expected, case.inputs, call.latency_ms, call.cost_usd
        )
        try:
            score = self.assertions.score(outcome, self.tools)
        except ModelCallError as exc:  # the judge model failed
            return _failed(case, result, exc, _ms_since(started), self.plan.labels)
        flagged = is_hallucination(ScoredCase(outcome, score), labels=self.plan.labels)
        return _record(case, result, score, flagged)

    def _call(self, case: Case) -> CallResult:
        # Inputs the prompt does not use are ignored: a dataset may serve several prompts.
        rendered = render_version(self.plan.kind, self.plan.template, case.inputs, strict=False)
        messages, prompt = rendered.as_call(self.chat)
        request = CompletionRequest(
            model=self.plan.model, messages=messages, prompt=prompt, params=self.params
        )
        trace = TraceContext(
            self.plan.prompt_id,
            self.plan.prompt_version,
            case.stored_inputs,
            self.plan.project_id,
            redact=case.secret_values,
            prompt_name=self.plan.prompt_name,
        )
        # A model process that dies mid-case (killed, out of memory) restarts; the case is
        # asked again rather than scored as failed.
        return self.gateway.complete(
            request, cache=self.cache, trace=trace, crash_retries=CRASH_RETRIES
        )


CRASH_RETRIES = 2


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _record(case: Case, result: CallResult, score: Score, unsupported: bool) -> CaseRecord:
    call = result.record
    return CaseRecord(
        test_case_name=case.name,
        input=case.stored_inputs,
        # A model may repeat a sensitive value it was given: it is not stored either.
        output=masked(result.text, case.secret_values),
        expected=case.expected,
        score=score.value,
        passed=score.passed,
        latency_ms=call.latency_ms,
        tokens=call.tokens_in + call.tokens_out,
        cost=call.cost_usd,
        cache_hit=call.cache_hit,
        reason=masked(score.reason, case.secret_values),
        unsupported=unsupported,
    )


def _failed(
    case: Case,
    result: CallResult | None,
    exc: Exception,
    elapsed: float,
    labels: frozenset[str] | None,
) -> CaseRecord:
    """A case whose model call (or judge) failed after the gateway's retries: it scores 0."""
    error = describe_failure(exc)
    call = result.record if result is not None else None
    output = result.text if result is not None else None
    # No judge verdict: the hallucination rate counts the case by the reference check on
    # whatever output it has (no output is never flagged), and the stored flag says the same.
    outcome = CaseOutcome(output or "", case.expected, case.inputs)
    unsupported = is_hallucination(ScoredCase(outcome, Score(0.0, False, error)), labels=labels)
    return CaseRecord(
        test_case_name=case.name,
        input=case.stored_inputs,
        output=masked(output, case.secret_values),
        expected=case.expected,
        score=0.0,
        passed=False,
        latency_ms=elapsed,
        tokens=call.tokens_in + call.tokens_out if call is not None else 0,
        cost=call.cost_usd if call is not None else 0.0,
        cache_hit=call.cache_hit if call is not None else False,
        reason=error,
        error=error,
        unsupported=unsupported,
    )


def _run_cases(run_case: _CaseRunner, plan: RunPlan, should_stop: Callable[[], bool]) -> None:
    """At most `concurrency` cases in flight; cases are handed out one by one, so a stop
    request or a failure leaves the rest untouched instead of queued in the pool."""
    concurrency = min(int(plan.config.get("concurrency", 4)), run_case.model_limit())
    waiting = iter(plan.cases)
    pending: set[Future[None]] = set()
    failure: BaseException | None = None
    with ThreadPoolExecutor(concurrency, thread_name_prefix="eval-case") as pool:
        while True:
            while failure is None and len(pending) < concurrency and not should_stop():
                case = next(waiting, None)
                if case is None:
                    break
                # In the job's context: its spans and log ids reach the case's model call.
                pending.add(pool.submit(contextvars.copy_context().run, run_case, case))
            if not pending:
                break
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            failure = failure or _first_error(finished)
    if failure is not None:
        raise failure
    if next(waiting, None) is not None:
        raise JobInterrupted(f"evaluation {plan.evaluation_id} stopped before its last case")


def _first_error(futures: Iterable[Future[None]]) -> BaseException | None:
    return next((f.exception() for f in futures if f.exception() is not None), None)


def _finish(container: Container, evaluation_id: str) -> None:
    """Aggregates from the stored results (all of them, not only this run's), so a resumed
    run reports the same figures as one that never stopped."""
    results = container.database.run(
        lambda uow: EvaluationRepository(uow.session).results(evaluation_id), read_only=True
    )
    container.database.run(lambda uow: _complete(uow, evaluation_id, results))


def _complete(uow: UnitOfWork, evaluation_id: str, results: Sequence[TestResultRow]) -> None:
    row = EvaluationRepository(uow.session).get(evaluation_id)
    if row is None or row.status == "completed":
        return  # another worker finished it first; its event is the one
    if len(results) != row.total_cases:
        raise RuntimeError(f"{len(results)} of {row.total_cases} cases have a result")
    now = utcnow()
    row.status, row.finished_at, row.updated_at = "completed", now, now
    row.done_cases = len(results)
    row.passed_cases = sum(r.passed for r in results)
    row.cache_hits = sum(r.cache_hit for r in results)
    row.total_tokens = sum(r.tokens for r in results)
    row.total_cost = math.fsum(r.cost for r in results)
    row.unpriced_calls = sum(r.unpriced for r in results)
    if results:
        _store_summary(row, [_scored(r) for r in results])
    uow.collect(
        EvaluationCompleted(
            evaluation_id=row.id,
            group_id=row.group_id,
            prompt_id=row.prompt_id,
            prompt_version=row.prompt_version,
            model=row.model,
            cases=row.done_cases,
            overall_score=row.overall_score or 0.0,
            accuracy=row.accuracy_score or 0.0,
            cache_hits=row.cache_hits,
        )
    )
    check_drift(uow, row, [r.output or "" for r in results])


def _store_summary(row: EvaluationRow, cases: Sequence[ScoredCase]) -> None:
    summary = summarize(cases)
    row.overall_score = summary.overall_score
    row.accuracy_score = summary.accuracy
    row.hallucination_rate = summary.hallucination_rate
    row.style_consistency = summary.style_consistency
    row.latency_p50_ms = summary.latency_ms.p50
    row.latency_p95_ms = summary.latency_ms.p95


def _scored(row: TestResultRow) -> ScoredCase:
    """The stored flag is the case's own verdict (judge or reference check), so the rate is
    the share of flagged rows; a row without one (NULL: recorded before flags were stored)
    falls back to the reference check in `metrics.is_hallucination`."""
    outcome = CaseOutcome(row.output or "", row.expected, row.input, row.latency_ms, row.cost)
    return ScoredCase(outcome, Score(row.score, row.passed, row.reason or "", row.unsupported))
