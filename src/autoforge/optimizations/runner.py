"""Runs an optimization job: split the items, search under the budget, store the outcome.

Resumability is deliberately simple: the search lives in memory, and its outcome (every
candidate, the figures, the new prompt version) is committed in one transaction at the
end. A run killed or interrupted before that commit starts the search again from scratch
on its next claim; with the same seed it proposes the same candidates in the same order,
and the response cache answers every model call the first attempt already made, so the
repeat costs neither calls nor dollars, only the time to replay it. A completed
optimization is never run twice.

While it runs, each progress report that is written also saves the candidates scored so
far (new ones, and those rescored since), so the history can be watched as it grows. These
rows are only a view of the search in memory: a (re)start deletes what an earlier attempt
left, and the end replaces them with the final history.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from autoforge.datasets.sealing import VaultSource, open_vault, unseal
from autoforge.db.base import utcnow
from autoforge.errors import BudgetTooSmall, NotFoundError
from autoforge.evaluations.assertions import AssertionSet
from autoforge.evaluations.tools import scoring_tools
from autoforge.llm.service import ProjectCalls
from autoforge.optimizations.cases import Case, Split, split_cases
from autoforge.optimizations.domain import OptimizationCompleted
from autoforge.optimizations.evaluator import Evaluator, SearchStopped
from autoforge.optimizations.models import OptimizationRow
from autoforge.optimizations.protocol import (
    Budget,
    HistoryEntry,
    OptimizationResult,
    Progress,
    StopReason,
)
from autoforge.optimizations.repository import OptimizationRepository
from autoforge.optimizations.run import run_optimization
from autoforge.optimizations.schemas import OptimizationProgress
from autoforge.optimizations.strategies import make_strategy
from autoforge.prompts.schemas import PromptUpdate
from autoforge.prompts.service import get_prompt, update_prompt
from autoforge.secrets.keys import vault_of
from autoforge.worker.jobs import JobInterrupted
from autoforge.worker.targets import failure_marker

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.db.unit_of_work import UnitOfWork

_BUDGET_REASONS = {StopReason.BUDGET_CALLS, StopReason.BUDGET_USD, StopReason.BUDGET_TIME}
# Progress is written at most this often: a fast fake model reports hundreds of rounds/s.
PROGRESS_INTERVAL_S = 0.5


@dataclass(frozen=True)
class Plan:
    """What a run needs, read once at its start."""

    optimization_id: str
    template: str
    model: str
    optimizer_model: str | None
    strategy: str
    seed: int
    budget: Budget
    config: dict[str, Any]
    split: Split
    project_id: str


def run_optimization_job(
    container: Container, optimization_id: str, should_stop: Callable[[], bool] | None = None
) -> None:
    """Runs the search and stores its outcome; a completed optimization is left as it is.
    When `should_stop` turns true, the search is abandoned at its next progress report and
    JobInterrupted raised (the next claim starts over). Any other error is raised for the
    worker: it retries a passing one and marks the optimization failed (`fail_optimization`)
    once the failure is final, so the status never reads `failed` while a retry is coming."""
    plan = _start(container, optimization_id)
    if plan is None:
        return
    writer = ProgressWriter(container, optimization_id, should_stop or (lambda: False))
    try:
        result = _search(container, plan, writer)
    except SearchStopped as stopped:
        # Only raised when the starting prompt was never fully scored: nothing honest can
        # be reported. Out of budget, a retry would stop at the same place, so the error
        # says so as a final (4xx) one; the worker marks the optimization failed with it.
        if stopped.reason not in _BUDGET_REASONS:
            raise  # the model failed: the worker retries, and gives up visibly
        raise BudgetTooSmall(
            f"{stopped.detail}; scoring it takes one call per train and validation case "
            f"({len(plan.split.train) + len(plan.split.val)} here), and "
            f"{2 * len(plan.split.test)} calls are set aside to score the start and the "
            "winner on the test split: raise the budget"
        ) from stopped
    container.database.run(lambda uow: _complete(uow, optimization_id, result))


# Marks the optimization failed with an error, unless it already completed.
fail_optimization = failure_marker(lambda uow, key: OptimizationRepository(uow.session).get(key))


def _start(container: Container, optimization_id: str) -> Plan | None:
    def mark_running(uow: UnitOfWork) -> Plan | None:
        repo = OptimizationRepository(uow.session)
        row = repo.get(optimization_id)
        if row is None:
            raise NotFoundError(f"optimization {optimization_id} not found")
        if row.status == "completed":
            return None
        # The search starts over, and so does its history: no stale or duplicate rows.
        repo.delete_candidates(row.id)
        now = utcnow()
        row.status, row.error, row.finished_at, row.updated_at = "running", None, None, now
        row.started_at = row.started_at or now
        return _plan(repo, row, partial(vault_of, container.settings))

    return container.database.run(mark_running)


def _plan(repo: OptimizationRepository, row: OptimizationRow, vault: VaultSource) -> Plan:
    """Sensitive values are decrypted here for the target model; each case names its own
    (`Case.sensitive`), so the search never shows one in what it stores."""
    template = repo.prompt_content(row.prompt_id, row.prompt_version)
    if template is None:
        raise NotFoundError(f"prompt {row.prompt_id} has no version {row.prompt_version}")
    if row.dataset_version_id is None:
        raise NotFoundError("the dataset version of this optimization was deleted")
    fields = frozenset(repo.sensitive_fields(row.dataset_version_id))
    key = open_vault(vault) if fields else None
    cases = [
        Case(
            item.name,
            unseal(item.input, fields, key) if key is not None else dict(item.input),
            item.expected or "",
            dict(item.metadata_ or {}),
            sensitive=fields.intersection(item.input),
        )
        for item in repo.items(row.dataset_version_id)
    ]
    budget = Budget(row.budget.get("calls"), row.budget.get("usd"), row.budget.get("seconds"))
    return Plan(
        optimization_id=row.id,
        template=template,
        model=row.model,
        optimizer_model=row.optimizer_model,
        strategy=row.strategy,
        seed=row.seed,
        budget=budget,
        config=dict(row.config),
        split=split_by_fractions(cases, row.config.get("split", {}), row.seed),
        project_id=row.project_id,
    )


def split_by_fractions(cases: Sequence[Case], fractions: dict[str, float], seed: int) -> Split:
    """Sizes from the fractions, at least one train and one validation case; the same seed
    gives the same split (stratified by label, see `split_cases`)."""
    total = len(cases)
    test = min(int(total * fractions.get("test", 0.0)), max(0, total - 2))
    val = max(1, min(int(total * fractions.get("val", 0.5)), total - test - 1))
    train = max(1, min(int(total * fractions.get("train", 0.5)), total - test - val))
    return split_cases(cases, train=train, val=val, test=test, seed=seed)


def _search(container: Container, plan: Plan, writer: ProgressWriter) -> OptimizationResult:
    gateway = container.gateway
    assertions = AssertionSet.model_validate(plan.config["assertions"])
    judge = container.settings.judge_model or gateway.config.default_model
    tools = scoring_tools(assertions, gateway, container.embedder, judge)
    params = {k: v for k, v in plan.config.get("params", {}).items() if v is not None}
    strategy = make_strategy(plan.strategy, optimizer_model=plan.optimizer_model)
    # As many cases in flight as the model takes at once: more would only queue for it.
    concurrency = gateway.concurrency_of(plan.model)
    secrets = tuple(
        {
            str(case.inputs[name])
            for case in (*plan.split.train, *plan.split.val, *plan.split.test)
            for name in case.sensitive
            if str(case.inputs.get(name, ""))
        }
    )
    calls = ProjectCalls(gateway, plan.project_id, redact=secrets)
    with Evaluator(
        calls, plan.model, assertions, params, tools=tools, concurrency=concurrency
    ) as evaluator:
        return run_optimization(
            strategy,
            plan.template,
            trainset=plan.split.train,
            valset=plan.split.val,
            testset=plan.split.test,
            evaluator=evaluator,
            budget=plan.budget,
            seed=plan.seed,
            progress=writer,
        )


class ProgressWriter:
    """The search's progress callback: keeps the latest report on the optimization row, and
    the candidates scored so far, in its own short transaction, at most every
    PROGRESS_INTERVAL_S; also where a stop request is noticed (between rounds, the only
    place the search can be left cleanly)."""

    def __init__(
        self,
        container: Container,
        optimization_id: str,
        should_stop: Callable[[], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = container.database
        self._clock = clock
        self._id = optimization_id
        self._should_stop = should_stop
        self._written = float("-inf")
        self._saved: tuple[HistoryEntry, ...] = ()  # the history as last committed
        self._lock = threading.Lock()

    def __call__(self, progress: Progress) -> None:
        if self._should_stop():
            raise JobInterrupted(f"optimization {self._id} stopped; it restarts on its next claim")
        # Held through the write: `_saved` must describe what is committed, so two reports
        # never write at once (the search reports from one thread: this never waits).
        with self._lock:
            now = self._clock()
            if now - self._written < PROGRESS_INTERVAL_S:
                return
            self._written = now
            rows = _changed_candidates(self._saved, progress.history)
            if self._database.run(lambda uow: _write_progress(uow, self._id, progress, rows)):
                self._saved = progress.history


def _changed_candidates(
    saved: Sequence[HistoryEntry], history: Sequence[HistoryEntry]
) -> list[dict[str, Any]]:
    """Rows of the entries new or rescored since `saved`: an entry keeps its position, so
    each write costs what changed, not the whole history."""
    return [
        _candidate(position, entry)
        for position, entry in enumerate(history)
        if position >= len(saved) or entry != saved[position]
    ]


def _progress_values(progress: Progress) -> dict[str, Any]:
    """The figures the API shows live; the history has its own table."""
    return {name: getattr(progress, name) for name in OptimizationProgress.model_fields}


def _write_progress(
    uow: UnitOfWork, optimization_id: str, progress: Progress, candidates: Sequence[dict[str, Any]]
) -> bool:
    """False if the run is no longer running here: then nothing is written."""
    repo = OptimizationRepository(uow.session)
    row = repo.get(optimization_id)
    if row is None or row.status != "running":
        return False
    repo.save_candidates(row.id, candidates)
    row.progress = _progress_values(progress)
    row.calls_used, row.cache_hits = progress.calls, progress.cache_hits
    row.cost_usd, row.unpriced_calls = progress.cost_usd, progress.unpriced_calls
    row.updated_at = utcnow()
    return True


def _complete(uow: UnitOfWork, optimization_id: str, result: OptimizationResult) -> None:
    """History, new prompt version and figures in one transaction: all or nothing."""
    repo = OptimizationRepository(uow.session)
    row = repo.get(optimization_id)
    if row is None or row.status == "completed":
        return  # another worker finished it first
    # Exactly the final history, whatever the progress reports saved before.
    repo.delete_candidates(row.id)
    repo.save_candidates(row.id, [_candidate(i, e) for i, e in enumerate(result.history)])
    row.best_template = result.template
    row.best_version = _save_best(uow, row, result)
    row.baseline_train, row.baseline_val = result.baseline_train.score, result.baseline_val.score
    row.best_train, row.best_val = result.best_train.score, result.best_val.score
    test = result.test
    row.best_test = test.best.score if test is not None else None
    row.baseline_test = test.baseline.score if test is not None else None
    row.test_cases = test.cases if test is not None else None
    row.test_delta_low = test.low if test is not None else None
    row.test_delta_high = test.high if test is not None else None
    row.measured_on = result.measured_on
    row.verdict = result.verdict()
    row.improvement = result.improvement
    row.calls_used, row.cache_hits = result.calls, result.cache_hits
    row.cost_usd, row.unpriced_calls = result.cost_usd, result.unpriced_calls
    row.wall_s = result.wall_s
    row.stop_reason = str(result.stop_reason)
    row.progress = _progress_values(_final_progress(result))
    now = utcnow()
    row.status, row.finished_at, row.updated_at = "completed", now, now
    uow.collect(
        OptimizationCompleted(
            optimization_id=row.id,
            owner_id=row.project_id,
            prompt_id=row.prompt_id,
            best_version=row.best_version,
            strategy=row.strategy,
            measured_on=result.measured_on,
            improvement=result.improvement,
            test_cases=row.test_cases,
            test_delta_low=row.test_delta_low,
            test_delta_high=row.test_delta_high,
            verdict=row.verdict,
            calls=result.calls,
        )
    )


def _save_best(uow: UnitOfWork, row: OptimizationRow, result: OptimizationResult) -> int:
    """A new version of the prompt holding the best template (no label moves). If the
    prompt's latest version already holds it (nothing better was found), that version."""
    current = get_prompt(uow, row.project_id, row.prompt_id)
    if current.content == result.template:
        return current.version
    note = (
        f"optimization {row.id} ({row.strategy}, seed {row.seed}) from v{row.prompt_version}, "
        f"{result.calls} calls: {result.verdict()}"
    )
    update = PromptUpdate(content=result.template, change_note=note, base_version=current.version)
    return update_prompt(uow, row.project_id, row.prompt_id, update).version


def _candidate(position: int, entry: HistoryEntry) -> dict[str, Any]:
    return {
        "position": position,
        "candidate_key": entry.id,
        "round": entry.round,
        "template": entry.template,
        "train_score": entry.train.score if entry.train is not None else None,
        "train_cases": entry.train.cases if entry.train is not None else 0,
        "val_score": entry.val.score if entry.val is not None else None,
        "calls_at": entry.calls_at,
        "parents": list(entry.lineage.parents),
        "operators": list(entry.lineage.operators),
    }


def _final_progress(result: OptimizationResult) -> Progress:
    return Progress(
        strategy=result.strategy,
        round=max((entry.round for entry in result.history), default=0),
        best_train=result.best_train.score,
        best_val=result.best_val.score,
        calls=result.calls,
        cache_hits=result.cache_hits,
        cost_usd=result.cost_usd,
        unpriced_calls=result.unpriced_calls,
        candidates=len(result.history),
    )
