"""Every query of the style genome: outputs of evaluations and traces, labels, drift events.
Flushes nothing, never commits; a scoped transaction confines it to its project."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from autoforge.evaluations.models import EvaluationRow, TestResultRow
from autoforge.events.models import StoredEventRow
from autoforge.llm.models import LLMCallRow
from autoforge.prompts.models import PromptLabelRow, PromptRow


class StyleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def prompt(self, prompt_id: str) -> PromptRow | None:
        return self.session.scalar(
            select(PromptRow).where(PromptRow.id == prompt_id, PromptRow.deleted_at.is_(None))
        )

    def evaluation(self, evaluation_id: str) -> EvaluationRow | None:
        return self.session.scalar(select(EvaluationRow).where(EvaluationRow.id == evaluation_id))

    def outputs(self, evaluation_ids: Sequence[str]) -> dict[str, list[str]]:
        """Every case's output by evaluation, a failed case's as "" (as the evaluation's
        `style_consistency` counts it)."""
        found: dict[str, list[str]] = defaultdict(list)
        query = (
            select(TestResultRow.evaluation_id, TestResultRow.output)
            .where(TestResultRow.evaluation_id.in_(evaluation_ids))
            .order_by(TestResultRow.test_case_name)
        )
        for evaluation_id, output in self.session.execute(query):
            found[evaluation_id].append(output or "")
        return found

    def completed(self, prompt_id: str, limit: int) -> list[EvaluationRow]:
        """The prompt's most recent completed evaluations, oldest first."""
        query = (
            select(EvaluationRow)
            .where(EvaluationRow.prompt_id == prompt_id, EvaluationRow.status == "completed")
            .order_by(EvaluationRow.finished_at.desc(), EvaluationRow.id.desc())
            .limit(limit)
        )
        return list(reversed(self.session.scalars(query).all()))

    def latest_completed(
        self, prompt_id: str, version: int, dataset_version_id: str | None = None
    ) -> EvaluationRow | None:
        """The version's latest completed evaluation, one on `dataset_version_id` first."""
        query = select(EvaluationRow).where(
            EvaluationRow.prompt_id == prompt_id,
            EvaluationRow.prompt_version == version,
            EvaluationRow.status == "completed",
        )
        if dataset_version_id is not None:
            query = query.order_by((EvaluationRow.dataset_version_id == dataset_version_id).desc())
        order = (EvaluationRow.finished_at.desc(), EvaluationRow.id.desc())
        return self.session.scalars(query.order_by(*order).limit(1)).first()

    def trace_outputs(self, prompt_id: str, version: int, limit: int) -> list[str]:
        """Outputs of the version's most recent successful model calls (gateway or OTLP)."""
        query = (
            select(LLMCallRow.output)
            .where(
                LLMCallRow.prompt_id == prompt_id,
                LLMCallRow.prompt_version == version,
                LLMCallRow.output.is_not(None),
                LLMCallRow.error.is_(None),
            )
            .order_by(LLMCallRow.created_at.desc())
            .limit(limit)
        )
        return [output for output in self.session.scalars(query) if output is not None]

    def labelled_version(self, prompt_id: str, label: str) -> int | None:
        return self.session.scalar(
            select(PromptLabelRow.version_number).where(
                PromptLabelRow.prompt_id == prompt_id, PromptLabelRow.label == label
            )
        )

    def events(self, stream_id: str, event_type: str, limit: int) -> list[StoredEventRow]:
        """A stream's events of one type, newest first. The stream is reached through its
        prompt, which the caller loaded in scope first."""
        query = (
            select(StoredEventRow)
            .where(StoredEventRow.stream_id == stream_id, StoredEventRow.event_type == event_type)
            .order_by(StoredEventRow.version.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))
