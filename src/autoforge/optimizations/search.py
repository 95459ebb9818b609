"""Bookkeeping every strategy shares: history, honest model selection, early stopping.

Strategies decide what to score; `SearchRun` records what was scored, keeps the validation
set to its two jobs (choosing among finalists, and stopping on a plateau), reports
progress, and turns the history into an `OptimizationResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from autoforge.errors import ValidationFailed
from autoforge.optimizations.candidate import Candidate
from autoforge.optimizations.cases import Case
from autoforge.optimizations.evaluator import Evaluator, SearchStopped
from autoforge.optimizations.protocol import (
    Budget,
    CandidateScore,
    HistoryEntry,
    OptimizationResult,
    Progress,
    ProgressCallback,
    StopReason,
    ValPoint,
)


class SearchRun:
    """One run of one strategy: what it scored, the best by validation, when to stop."""

    def __init__(
        self,
        strategy: str,
        evaluator: Evaluator,
        budget: Budget,
        trainset: Sequence[Case],
        valset: Sequence[Case],
        *,
        progress: ProgressCallback | None = None,
    ) -> None:
        if not trainset or not valset:
            raise ValidationFailed("an optimization needs a non-empty trainset and valset")
        evaluator.start(budget)
        self.strategy = strategy
        self.evaluator = evaluator
        self.trainset = list(trainset)
        self.valset = list(valset)
        self.round = 0
        self._progress = progress
        self._entries: dict[str, HistoryEntry] = {}
        self._sizes: dict[str, int] = {}  # the widest trainset prefix each was scored on
        self._baseline: str | None = None
        self._best: HistoryEntry | None = None
        self._val_trace: list[ValPoint] = []
        self._improved = False
        self._stale_rounds = 0

    def baseline(self, start: Candidate) -> None:
        """Scores the starting prompt on train and validation: what improvement is measured
        against, and a finalist itself, so the result is never worse than the start."""
        self.train(start)
        self.validate(start)
        self._baseline = start.id
        self.report()  # the first point of the live chart, long before a round ends

    def train(self, candidate: Candidate, size: int | None = None) -> CandidateScore:
        """Scores on the first `size` trainset cases (all by default) that the candidate
        does not itself show as demonstrations: a prompt asked about its own example only
        copies the answer, which would reward piling up demonstrations."""
        shown = {demo.source for demo in candidate.demonstrations}
        cases = [case for case in self.trainset if case.name not in shown]
        wanted = len(self.trainset) if size is None else min(size, len(self.trainset))
        score = self.evaluator.score(candidate, cases[:wanted])
        entry = self._entries.get(candidate.id)
        if entry is None:
            calls = self.evaluator.meter.calls
            self._entries[candidate.id] = HistoryEntry(
                candidate.id, self.round, candidate, score, None, calls
            )
        elif wanted >= self._sizes[candidate.id]:
            self._entries[candidate.id] = replace(entry, train=score)
        self._sizes[candidate.id] = max(wanted, self._sizes.get(candidate.id, 0))
        return score

    def fully_trained(self, candidate_id: str) -> bool:
        return self._sizes.get(candidate_id, 0) >= len(self.trainset)

    def train_score(self, candidate: Candidate) -> float:
        """The full-trainset score (scored now if needed): what ranks candidates."""
        entry = self._entries.get(candidate.id)
        if entry is None or entry.train is None or not self.fully_trained(candidate.id):
            return self.train(candidate).score
        return entry.train.score

    def validate(self, candidate: Candidate) -> CandidateScore:
        """Scores a finalist on the validation set; never used to make candidates."""
        self.train_score(candidate)
        score = self.evaluator.score(candidate, self.valset)
        entry = replace(self._entries[candidate.id], val=score)
        self._entries[candidate.id] = entry
        if self._best is None or _selection_key(entry) > _selection_key(self._best):
            if self._best is None or score.score > _val(self._best):
                self._improved = True
                self._val_trace.append(
                    ValPoint(self.evaluator.meter.calls, score.score, score.accuracy, candidate.id)
                )
            self._best = entry
        return score

    def validated(self, candidate: Candidate) -> bool:
        entry = self._entries.get(candidate.id)
        return entry is not None and entry.val is not None

    def seen(self, candidate: Candidate) -> bool:
        return candidate.id in self._entries

    def ranked(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        """Best full-trainset score first; ties keep their given order (deterministic), so
        callers list newcomers first to let equally good new prompts displace old ones."""
        scores = [self.train_score(c) for c in candidates]
        order = sorted(range(len(candidates)), key=lambda i: -scores[i])
        return [candidates[i] for i in order]

    def end_round(self) -> None:
        """Counts rounds without a validation improvement, reports progress, moves on.

        Rounds count only once something beat the starting prompt: until then the search
        has found nothing to overfit, and stopping would just waste the budget it was given.
        """
        nothing_found = len(self._val_trace) <= 1 and _val(self._best_entry()) < 1.0
        if self._improved or nothing_found:
            self._stale_rounds = 0
        else:
            self._stale_rounds += 1
        self._improved = False
        self.report()
        self.round += 1

    def _best_entry(self) -> HistoryEntry:
        assert self._best is not None, "the start is validated before any round ends"
        return self._best

    def plateaued(self, patience: int) -> bool:
        return self._stale_rounds >= patience

    def converged(self) -> bool:
        """Perfect on train and validation: no candidate can be chosen over this one."""
        best = self._best
        return best is not None and _val(best) >= 1.0 and _train(best) >= 1.0

    def report(self) -> None:
        if self._progress is None:
            return
        meter = self.evaluator.meter
        full = [
            e.train.score
            for e in self._entries.values()
            if e.train is not None and self.fully_trained(e.id)
        ]
        self._progress(
            Progress(
                strategy=self.strategy,
                round=self.round,
                best_train=max(full, default=None),
                best_val=None if self._best is None else _val(self._best),
                calls=meter.calls,
                cache_hits=meter.cache_hits,
                cost_usd=meter.cost_usd,
                unpriced_calls=meter.unpriced_calls,
                candidates=len(self._entries),
                history=self.history(),
            )
        )

    def history(self) -> tuple[HistoryEntry, ...]:
        """Every candidate scored so far, in the order first scored (entries are immutable,
        so the snapshot stays as it was while the search goes on)."""
        return tuple(self._entries.values())

    def result(self, stopped: SearchStopped | StopReason) -> OptimizationResult:
        if self._baseline is None or self._best is None:
            # Without the starting prompt's scores there is nothing honest to report.
            detail = stopped.detail if isinstance(stopped, SearchStopped) else stopped.value
            raise SearchStopped(
                stopped.reason if isinstance(stopped, SearchStopped) else stopped,
                f"the budget ran out before the starting prompt was scored ({detail})",
            )
        base = self._entries[self._baseline]
        best = self._best
        assert base.train is not None
        assert base.val is not None
        assert best.train is not None
        assert best.val is not None
        meter = self.evaluator.meter
        reason = stopped.reason if isinstance(stopped, SearchStopped) else stopped
        return OptimizationResult(
            strategy=self.strategy,
            best=best.candidate,
            baseline_train=base.train,
            baseline_val=base.val,
            best_train=best.train,
            best_val=best.val,
            test=None,
            calls=meter.calls,
            cache_hits=meter.cache_hits,
            cost_usd=meter.cost_usd,
            unpriced_calls=meter.unpriced_calls,
            wall_s=meter.wall_s,
            stop_reason=reason,
            stop_detail=stopped.detail if isinstance(stopped, SearchStopped) else "",
            history=self.history(),
            val_trace=tuple(self._val_trace),
        )


def _val(entry: HistoryEntry) -> float:
    return entry.val.score if entry.val is not None else -1.0


def _train(entry: HistoryEntry) -> float:
    return entry.train.score if entry.train is not None else -1.0


def _selection_key(entry: HistoryEntry) -> tuple[float, float]:
    """Validation score first; the train score breaks ties. Earlier wins an exact tie."""
    return (_val(entry), _train(entry))
