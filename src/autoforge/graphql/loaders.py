"""DataLoaders: each batches the keys one execution step asks for into one repository call,
so 50 prompts with their versions and latest evaluation cost a fixed number of statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from autoforge.db.unit_of_work import UnitOfWork
from autoforge.evaluations import service as evaluations
from autoforge.evaluations.repository import EvaluationRepository
from autoforge.graphql.types import Evaluation, TestResult
from autoforge.prompts.models import PromptVersionRow
from autoforge.prompts.repository import PromptRepository

V = TypeVar("V")
# (prompt id, how many), (evaluation id, passed filter, how many)
PromptKey = tuple[str, int]
ResultKey = tuple[str, bool | None, int]


def _grouped(
    keys: Sequence[tuple[Any, ...]], fetch: Callable[[tuple[Any, ...], list[str]], dict[str, V]]
) -> list[V]:
    """Keys that differ only in their id (the first member) share one batch call,
    `fetch(the rest of the key, ids)`; a query asking for two limits makes two calls."""
    by_rest: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for key in keys:
        by_rest[key[1:]].append(key[0])
    found: dict[tuple[Any, ...], V] = {}
    for rest, ids in by_rest.items():
        for object_id, value in fetch(rest, ids).items():
            found[(object_id, *rest)] = value
    return [found[key] for key in keys]


class Loaders:
    """One set per request, bound to its unit of work. The batch functions run the blocking
    repository calls directly: the whole execution already runs in a worker thread."""

    def __init__(self, uow: UnitOfWork, owner: str) -> None:
        self.prompts = PromptRepository(uow.session, owner)
        self.evaluation_repo = EvaluationRepository(uow.session, owner)
        self.versions = DataLoader[PromptKey, list[PromptVersionRow]](load_fn=self._versions)
        self.evaluations = DataLoader[PromptKey, list[Evaluation]](load_fn=self._evaluations)
        self.results = DataLoader[ResultKey, list[TestResult]](load_fn=self._results)

    async def _versions(self, keys: Sequence[PromptKey]) -> list[list[PromptVersionRow]]:
        return _grouped(keys, lambda rest, ids: self.prompts.newest_versions_of(ids, rest[0]))

    async def _evaluations(self, keys: Sequence[PromptKey]) -> list[list[Evaluation]]:
        def fetch(rest: tuple[Any, ...], ids: list[str]) -> dict[str, list[Evaluation]]:
            rows = self.evaluation_repo.newest_of_prompts(ids, rest[0])
            unfinished = [r.id for found in rows.values() for r in found if r.status != "completed"]
            scores = self.evaluation_repo.running_scores(unfinished)
            return {
                prompt_id: [
                    Evaluation.of(evaluations.to_schema(r, scores.get(r.id))) for r in found
                ]
                for prompt_id, found in rows.items()
            }

        return _grouped(keys, fetch)

    async def _results(self, keys: Sequence[ResultKey]) -> list[list[TestResult]]:
        def fetch(rest: tuple[Any, ...], ids: list[str]) -> dict[str, list[TestResult]]:
            rows = self.evaluation_repo.first_results_of(ids, passed=rest[0], limit=rest[1])
            return {
                evaluation_id: [TestResult.of(evaluations.result_schema(r)) for r in found]
                for evaluation_id, found in rows.items()
            }

        return _grouped(keys, fetch)
