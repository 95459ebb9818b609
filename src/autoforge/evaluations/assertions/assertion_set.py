"""Weighted combination of assertions into one score and one pass/fail per test case."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from autoforge.evaluations.assertions.base import (
    CaseOutcome,
    Score,
    ScorerUnavailable,
    ScoringTools,
)
from autoforge.evaluations.assertions.limits import CostAssertion, LatencyAssertion
from autoforge.evaluations.assertions.model_scored import LlmJudgeAssertion, SimilarityAssertion
from autoforge.evaluations.assertions.structured import (
    IsJsonAssertion,
    JsonMatchAssertion,
    JsonSchemaAssertion,
)
from autoforge.evaluations.assertions.text import (
    ContainsAssertion,
    EqualsAssertion,
    IContainsAssertion,
    LengthAssertion,
    RegexAssertion,
)

AssertionSpec = Annotated[
    EqualsAssertion
    | ContainsAssertion
    | IContainsAssertion
    | RegexAssertion
    | LengthAssertion
    | IsJsonAssertion
    | JsonSchemaAssertion
    | JsonMatchAssertion
    | SimilarityAssertion
    | LlmJudgeAssertion
    | LatencyAssertion
    | CostAssertion,
    Field(discriminator="type"),
]

# Weighted shares are sums of floats: 0.1 * 10 must still reach a threshold of 1.0.
_TOLERANCE = 1e-9


class AssertionSet(BaseModel):
    """The assertions every case of an evaluation is checked with, and how they combine.

    A case's `value` is the weighted mean of the assertions' values (graded, partial credit
    included). The case `passed` when the weighted share of assertions that passed reaches
    `pass_threshold`: the default 1.0 means every assertion must pass, 0.5 means passing
    assertions must carry at least half the total weight. Passing is decided on the
    assertions' own verdicts, not on the mean value, so an assertion that passes with partial
    credit (a cosine of 0.85 over a 0.7 threshold) never fails a case on its own.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    assertions: list[AssertionSpec] = Field(min_length=1)
    pass_threshold: float = Field(default=1.0, ge=0.0, le=1.0)

    def check_tools(self, tools: ScoringTools) -> None:
        """Raises ScorerUnavailable before a run starts if a needed model was not provided."""
        types = {assertion.type for assertion in self.assertions}
        if "similarity" in types and tools.embedder is None:
            raise ScorerUnavailable("the similarity assertion needs an embedding model")
        if "llm_judge" in types and tools.judge is None:
            raise ScorerUnavailable("the llm_judge assertion needs a judge model")

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        """Scores one case with every assertion and combines the verdicts."""
        scores = [assertion.score(case, tools) for assertion in self.assertions]
        weights = [assertion.weight for assertion in self.assertions]
        total = sum(weights)
        value = sum(w * s.value for w, s in zip(weights, scores, strict=True)) / total
        share = sum(w for w, s in zip(weights, scores, strict=True) if s.passed) / total
        passed = share + _TOLERANCE >= self.pass_threshold
        return Score(
            min(1.0, value),
            passed,
            self._reason(scores, share, passed),
            unsupported=combine_unsupported(s.unsupported for s in scores),
        )

    def _reason(self, scores: Sequence[Score], share: float, passed: bool) -> str:
        count = sum(s.passed for s in scores)
        sign = ">=" if passed else "<"
        head = (
            f"{count}/{len(scores)} assertions passed "
            f"(weighted {share:.2f} {sign} threshold {self.pass_threshold:.2f})"
        )
        parts = [
            f"[{'ok' if s.passed else 'FAIL'}] {a.type}: {s.reason}"
            for a, s in zip(self.assertions, scores, strict=True)
        ]
        return "; ".join([head, *parts])


def combine_unsupported(flags: Iterable[bool | None]) -> bool | None:
    """Any assertion flagging unsupported content flags the case; None if none checked."""
    seen = [flag for flag in flags if flag is not None]
    if not seen:
        return None
    return any(seen)
