"""What every assertion shares: the case it scores, the Score it gives, the tools it may need."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from autoforge.errors import AutoforgeError


class ScorerUnavailable(AutoforgeError):
    """An assertion needs a judge or an embedder that the evaluation was not given."""

    status = 422
    title = "Scorer unavailable"


@dataclass(frozen=True, slots=True)
class Score:
    """One assertion's (or one case's) verdict.

    `value` grades the output in 0..1 (partial credit where the assertion has a notion of
    "closer"); `passed` is the assertion's own yes/no; `unsupported` is set only by
    assertions able to tell whether the output is grounded (the LLM judge), and stays None
    otherwise, so hallucination metrics can tell "checked and fine" from "not checked".
    """

    value: float
    passed: bool
    reason: str
    unsupported: bool | None = None

    def __post_init__(self) -> None:
        if not (0.0 <= self.value <= 1.0) or math.isnan(self.value):
            raise ValueError(f"score value must be in 0..1, got {self.value!r}")


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """What a model produced for one test case, with what the case expected."""

    output: str
    expected: str | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    latency_ms: float = 0.0
    cost_usd: float | None = 0.0  # None: unpriced (no price known for the model)


@dataclass(frozen=True, slots=True)
class Judgement:
    """A judge's verdict: `score` in 0..1, its reason, and whether it found unsupported claims."""

    score: float
    reason: str
    unsupported: bool | None = None


class Judge(Protocol):
    """Scores an output against a rubric; the real one calls a judge model through the gateway.

    Errors from the model (timeouts, provider failures) propagate: the runner owns retries.
    """

    def __call__(
        self, rubric: str, inputs: Mapping[str, Any], output: str, expected: str | None
    ) -> Judgement: ...


class Embedder(Protocol):
    """Turns texts into one vector per text (rows), for cosine similarity."""

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


@dataclass(frozen=True, slots=True)
class ScoringTools:
    """The model-backed helpers an assertion set may need; plain assertions need neither."""

    embedder: Embedder | None = None
    judge: Judge | None = None


class AssertionBase(BaseModel, ABC):
    """Common fields of every assertion spec; subclasses add `type` and their parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float = Field(default=1.0, gt=0.0, description="Relative weight in the case score.")

    @abstractmethod
    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        """Grades one case. Pure apart from the tools' model calls."""


def preview(text: str, limit: int = 60) -> str:
    """A short quoted rendering of a text for reasons, so one case never floods a report."""
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(shown)


def reference_of(value: str | None, case: CaseOutcome) -> str | None:
    """The text to compare with: the assertion's own `value`, else the case's expected output."""
    return value if value is not None else case.expected


NO_REFERENCE = Score(0.0, False, "no expected output to compare with")
