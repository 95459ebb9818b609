"""Assertions scored by a model: embedding similarity to the reference, and an LLM judge."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from autoforge.evaluations.assertions.base import (
    NO_REFERENCE,
    AssertionBase,
    CaseOutcome,
    Score,
    ScorerUnavailable,
    ScoringTools,
    reference_of,
)
from autoforge.evaluations.assertions.judge import JudgeParseError


def cosine(a: NDArray[np.floating], b: NDArray[np.floating]) -> float:
    """Cosine similarity of two vectors; 0 when either is all zeros (no direction to compare)."""
    norms = float(np.linalg.norm(a)) * float(np.linalg.norm(b))
    if norms == 0.0:
        return 0.0
    return float(np.dot(a, b)) / norms


class SimilarityAssertion(AssertionBase):
    """The output means nearly the same as the reference: cosine of their embeddings.

    The value is the cosine clipped to 0..1 (opposite meanings score 0, not negative);
    passed when it reaches `threshold`. With all-MiniLM-L6-v2, paraphrases typically land
    around 0.7-0.9 and unrelated sentences below 0.2.
    """

    type: Literal["similarity"] = "similarity"
    value: str | None = None
    threshold: float = Field(default=0.7, ge=0.0, le=1.0)

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        if tools.embedder is None:
            raise ScorerUnavailable("the similarity assertion needs an embedding model")
        reference = reference_of(self.value, case)
        if reference is None:
            return NO_REFERENCE
        vectors = tools.embedder.embed([case.output, reference])
        similarity = min(1.0, max(0.0, cosine(vectors[0], vectors[1])))
        if similarity >= self.threshold:
            return Score(similarity, True, f"cosine {similarity:.2f} >= {self.threshold:.2f}")
        return Score(similarity, False, f"cosine {similarity:.2f} < {self.threshold:.2f}")


class LlmJudgeAssertion(AssertionBase):
    """A judge model grades the output against a rubric; passed when its score >= threshold.

    An answer the judge parser cannot read fails the case with the reason; errors calling
    the judge model propagate so the runner can retry the case.
    """

    type: Literal["llm_judge"] = "llm_judge"
    rubric: str = Field(min_length=1)
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        if tools.judge is None:
            raise ScorerUnavailable("the llm_judge assertion needs a judge model")
        try:
            verdict = tools.judge(self.rubric, case.inputs, case.output, case.expected)
        except JudgeParseError as exc:
            return Score(0.0, False, f"judge answer unreadable: {exc}")
        passed = verdict.score >= self.threshold
        sign = ">=" if passed else "<"
        reason = f"judge {verdict.score:.2f} {sign} {self.threshold:.2f}: {verdict.reason}"
        return Score(verdict.score, passed, reason, unsupported=verdict.unsupported)
