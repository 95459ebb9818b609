"""Queries of the evaluation aggregate, plus the reads it needs from prompts and datasets.

Other aggregates are only read, by id: the prompt version an evaluation runs and the items
of the dataset version it runs on (immutable, so reading them late is as good as early).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from autoforge.datasets.models import DatasetItemRow, DatasetVersionRow
from autoforge.db.base import new_id, table_of, utcnow
from autoforge.evaluations.models import EvaluationRow, TestResultRow
from autoforge.prompts.domain import Cursor
from autoforge.prompts.models import PromptRow, PromptVersionRow
from autoforge.prompts.repository import beyond


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One scored test case, as it is written to `test_results`."""

    test_case_name: str
    input: dict[str, Any]
    output: str | None
    expected: str | None
    score: float
    passed: bool
    latency_ms: float
    tokens: int
    cost: float | None  # None: unpriced (no price known for the model)
    cache_hit: bool
    reason: str | None
    error: str | None = None
    unsupported: bool | None = None  # counted as a hallucination; None: not checked


class EvaluationRepository:
    """Reads are scoped to the unit of work's project (`db/tenancy.py`); the job runner's
    system transactions load by id across projects."""

    def __init__(self, session: Session, owner: str | None = None) -> None:
        self.session = session
        self.owner = owner

    def add(self, row: EvaluationRow) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, evaluation_id: str) -> EvaluationRow | None:
        query = select(EvaluationRow).where(EvaluationRow.id == evaluation_id)
        return self.session.scalars(query).first()

    def get_many(self, ids: Sequence[str]) -> dict[str, EvaluationRow]:
        query = select(EvaluationRow).where(EvaluationRow.id.in_(ids))
        return {row.id: row for row in self.session.scalars(query)}

    def page(
        self, *, prompt_id: str | None, status: str | None, after: Cursor | None, limit: int
    ) -> list[EvaluationRow]:
        query = select(EvaluationRow)
        if prompt_id is not None:
            query = query.where(EvaluationRow.prompt_id == prompt_id)
        if status is not None:
            query = query.where(EvaluationRow.status == status)
        if after is not None:
            query = query.where(
                beyond(EvaluationRow.created_at, EvaluationRow.id, after, newest_first=True)
            )
        order = (EvaluationRow.created_at.desc(), EvaluationRow.id.desc())
        return list(self.session.scalars(query.order_by(*order).limit(limit)))

    def newest_of_prompts(
        self, prompt_ids: Sequence[str], limit: int
    ) -> dict[str, list[EvaluationRow]]:
        """The newest `limit` evaluations of each prompt, newest first, in one statement:
        GraphQL's DataLoader batch (`limit=1` is each prompt's latest evaluation)."""
        rank = (
            func.row_number()
            .over(
                partition_by=EvaluationRow.prompt_id,
                order_by=(EvaluationRow.created_at.desc(), EvaluationRow.id.desc()),
            )
            .label("rank")
        )
        ranked = (
            select(EvaluationRow.id, rank).where(EvaluationRow.prompt_id.in_(prompt_ids)).subquery()
        )
        # The outer select is over the mapped class, so the project filter applies to it.
        query = (
            select(EvaluationRow)
            .where(EvaluationRow.id.in_(select(ranked.c.id).where(ranked.c.rank <= limit)))
            .order_by(EvaluationRow.created_at.desc(), EvaluationRow.id.desc())
        )
        found: dict[str, list[EvaluationRow]] = {prompt_id: [] for prompt_id in prompt_ids}
        for row in self.session.scalars(query):
            found[row.prompt_id].append(row)
        return found

    def first_results_of(
        self, evaluation_ids: Sequence[str], *, passed: bool | None, limit: int
    ) -> dict[str, list[TestResultRow]]:
        """The first `limit` results of each evaluation by test case name (only the passed or
        failed ones with `passed`), in one statement: GraphQL's DataLoader batch. The ids
        are of evaluations already loaded through the project filter."""
        rank = (
            func.row_number()
            .over(partition_by=TestResultRow.evaluation_id, order_by=TestResultRow.test_case_name)
            .label("rank")
        )
        ranked = select(TestResultRow.id, rank).where(
            TestResultRow.evaluation_id.in_(evaluation_ids)
        )
        if passed is not None:
            ranked = ranked.where(TestResultRow.passed == passed)
        top = ranked.subquery()
        query = (
            select(TestResultRow)
            .where(TestResultRow.id.in_(select(top.c.id).where(top.c.rank <= limit)))
            .order_by(TestResultRow.evaluation_id, TestResultRow.test_case_name)
        )
        found: dict[str, list[TestResultRow]] = {i: [] for i in evaluation_ids}
        for row in self.session.scalars(query):
            found[row.evaluation_id].append(row)
        return found

    def running_scores(self, ids: Sequence[str]) -> dict[str, float]:
        """Mean score so far per evaluation, in one query (the index covers it)."""
        if not ids:
            return {}
        query = (
            select(TestResultRow.evaluation_id, func.avg(TestResultRow.score))
            .where(TestResultRow.evaluation_id.in_(ids))
            .group_by(TestResultRow.evaluation_id)
        )
        return {row[0]: float(row[1]) for row in self.session.execute(query)}

    def results_page(
        self,
        evaluation_id: str,
        *,
        passed: bool | None,
        unsupported: bool | None,
        after: str | None,
        limit: int,
    ) -> list[TestResultRow]:
        query = select(TestResultRow).where(TestResultRow.evaluation_id == evaluation_id)
        if passed is not None:
            query = query.where(TestResultRow.passed == passed)
        if unsupported is not None:  # an unchecked case (NULL) matches neither value
            query = query.where(TestResultRow.unsupported == unsupported)
        if after is not None:
            query = query.where(TestResultRow.test_case_name > after)
        return list(self.session.scalars(query.order_by(TestResultRow.test_case_name).limit(limit)))

    def results(self, evaluation_id: str) -> list[TestResultRow]:
        query = select(TestResultRow).where(TestResultRow.evaluation_id == evaluation_id)
        return list(self.session.scalars(query.order_by(TestResultRow.test_case_name)))

    def done_case_names(self, evaluation_id: str) -> set[str]:
        query = select(TestResultRow.test_case_name).where(
            TestResultRow.evaluation_id == evaluation_id
        )
        return set(self.session.scalars(query))

    def record_case(self, evaluation_id: str, case: CaseRecord) -> bool:
        """Inserts the result unless the case already has one (a redelivered job, or a
        second worker), and bumps the progress counters only when it inserted: counted once."""
        values = {"evaluation_id": evaluation_id, "id": new_id(), **_result_values(case)}
        inserted: int = self.session.execute(_INSERT_RESULT, values).rowcount  # type: ignore[attr-defined]
        if inserted != 1:
            return False
        progress = {
            "evaluation_id": evaluation_id,
            "passed": int(case.passed),
            "cache_hit": int(case.cache_hit),
            "tokens": case.tokens,
            "cost": case.cost or 0.0,
            "unpriced": int(case.cost is None),
            "now": utcnow(),
        }
        self.session.execute(_COUNT_RESULT, progress)
        return True

    def prompt_template(self, prompt_id: str, version: int) -> tuple[str, str] | None:
        """The version's (kind, content): a chat version's content is its JSON messages."""
        query = select(PromptVersionRow.kind, PromptVersionRow.content).where(
            PromptVersionRow.prompt_id == prompt_id, PromptVersionRow.version_number == version
        )
        found = self.session.execute(query).first()
        return None if found is None else (found.kind, found.content)

    def prompt_name(self, prompt_id: str) -> str | None:
        return self.session.scalar(select(PromptRow.name).where(PromptRow.id == prompt_id))

    def items(self, dataset_version_id: str) -> list[DatasetItemRow]:
        query = (
            select(DatasetItemRow)
            .where(DatasetItemRow.dataset_version_id == dataset_version_id)
            .order_by(DatasetItemRow.position)
        )
        return list(self.session.scalars(query))

    def sensitive_fields(self, dataset_version_id: str) -> list[str]:
        """The input fields the version's items hold encrypted."""
        query = select(DatasetVersionRow.sensitive).where(
            DatasetVersionRow.id == dataset_version_id
        )
        return list(self.session.scalar(query) or [])


# Built once: this is the per-case hot path, and building and caching a statement per call
# cost more than running it.
_RESULTS = table_of(TestResultRow)
_EVALUATIONS = table_of(EvaluationRow)
_INSERT_RESULT = insert(_RESULTS).on_conflict_do_nothing(
    index_elements=["evaluation_id", "test_case_name"]
)
_COUNT_RESULT = (
    update(_EVALUATIONS)
    .where(_EVALUATIONS.c.id == bindparam("evaluation_id"))
    .values(
        done_cases=_EVALUATIONS.c.done_cases + 1,
        passed_cases=_EVALUATIONS.c.passed_cases + bindparam("passed"),
        cache_hits=_EVALUATIONS.c.cache_hits + bindparam("cache_hit"),
        total_tokens=_EVALUATIONS.c.total_tokens + bindparam("tokens"),
        total_cost=_EVALUATIONS.c.total_cost + bindparam("cost"),
        unpriced_calls=_EVALUATIONS.c.unpriced_calls + bindparam("unpriced"),
        updated_at=bindparam("now"),
    )
)


def _result_values(case: CaseRecord) -> dict[str, Any]:
    return {
        "test_case_name": case.test_case_name,
        "input": case.input,
        "output": case.output,
        "expected": case.expected,
        "score": case.score,
        "passed": case.passed,
        "latency_ms": case.latency_ms,
        "tokens": case.tokens,
        "cost": case.cost or 0.0,
        "unpriced": case.cost is None,
        "cache_hit": case.cache_hit,
        "reason": case.reason,
        "error": case.error,
        "unsupported": case.unsupported,
        "created_at": utcnow(),
    }
