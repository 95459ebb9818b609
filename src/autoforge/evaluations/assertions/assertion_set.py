"""Weighted combination of assertions into one score and one pass/fail per test case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from autoforge.evaluations.assertions.base import (
    AssertionBase,
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
from autoforge.evaluations.assertions.words import (
    ContainsAllAssertion,
    ContainsAnyAssertion,
    LevenshteinAssertion,
    StartsWithAssertion,
    WordCountAssertion,
)


class NotAssertion(AssertionBase):
    """Passes when the wrapped assertion fails (promptfoo's `not-` prefix); value 1 - its value."""

    type: Literal["not"] = "not"
    assertion: AssertionSpec

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        inner = self.assertion.score(case, tools)
        return Score(1.0 - inner.value, not inner.passed, f"not ({inner.reason})")


class GroupAssertion(AssertionBase):
    """Several assertions that count as one, with their own threshold (promptfoo's
    `assert-set`): value their weighted mean, passed when the weighted share that passed
    reaches `pass_threshold`."""

    type: Literal["group"] = "group"
    assertions: list[AssertionSpec] = Field(min_length=1)
    pass_threshold: float = Field(default=1.0, ge=0.0, le=1.0)

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        return combine(self.assertions, self.pass_threshold, case, tools)


class PerCaseAssertion(AssertionBase):
    """Each case is scored by the assertions its input `variable` selects from `cases`, for
    suites whose test cases each carry their own checks (promptfoo's per-test `assert`).

    A case whose variable is missing or names no entry fails: no case passes unchecked.
    """

    type: Literal["per_case"] = "per_case"
    variable: str = Field(default="__case", min_length=1)
    cases: Mapping[str, AssertionSet] = Field(min_length=1)

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        key = case.inputs.get(self.variable)
        chosen = self.cases.get(str(key)) if key is not None else None
        if chosen is None:
            return Score(0.0, False, f"no assertions for {self.variable}={key!r}")
        return chosen.score(case, tools)


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
    | CostAssertion
    | StartsWithAssertion
    | ContainsAllAssertion
    | ContainsAnyAssertion
    | LevenshteinAssertion
    | WordCountAssertion
    | NotAssertion
    | GroupAssertion
    | PerCaseAssertion,
    Field(discriminator="type"),
]
MODEL_SCORED = frozenset({"similarity", "llm_judge"})

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
        types = types_in(self.assertions)
        if "similarity" in types and tools.embedder is None:
            raise ScorerUnavailable("the similarity assertion needs an embedding model")
        if "llm_judge" in types and tools.judge is None:
            raise ScorerUnavailable("the llm_judge assertion needs a judge model")

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        """Scores one case with every assertion and combines the verdicts."""
        return combine(self.assertions, self.pass_threshold, case, tools)


def combine(
    assertions: Sequence[AssertionBase], threshold: float, case: CaseOutcome, tools: ScoringTools
) -> Score:
    """The weighted verdict of several assertions (see AssertionSet)."""
    scores = [assertion.score(case, tools) for assertion in assertions]
    weights = [assertion.weight for assertion in assertions]
    total = sum(weights)
    value = sum(w * s.value for w, s in zip(weights, scores, strict=True)) / total
    share = sum(w for w, s in zip(weights, scores, strict=True) if s.passed) / total
    passed = share + _TOLERANCE >= threshold
    count = sum(s.passed for s in scores)
    sign = ">=" if passed else "<"
    head = (
        f"{count}/{len(scores)} assertions passed "
        f"(weighted {share:.2f} {sign} threshold {threshold:.2f})"
    )
    parts = [
        f"[{'ok' if s.passed else 'FAIL'}] {a.type}: {s.reason}"  # type: ignore[attr-defined]
        for a, s in zip(assertions, scores, strict=True)
    ]
    return Score(
        min(1.0, value),
        passed,
        "; ".join([head, *parts]),
        unsupported=combine_unsupported(s.unsupported for s in scores),
    )


def types_in(assertions: Iterable[AssertionBase]) -> set[str]:
    """The types of these assertions and of every assertion nested in them."""
    found: set[str] = set()
    for assertion in assertions:
        found.add(assertion.type)  # type: ignore[attr-defined]
        if isinstance(assertion, NotAssertion):
            found |= types_in([assertion.assertion])
        elif isinstance(assertion, GroupAssertion):
            found |= types_in(assertion.assertions)
        elif isinstance(assertion, PerCaseAssertion):
            for chosen in assertion.cases.values():
                found |= types_in(chosen.assertions)
    return found


for _model in (NotAssertion, GroupAssertion, PerCaseAssertion, AssertionSet):
    _model.model_rebuild()


def combine_unsupported(flags: Iterable[bool | None]) -> bool | None:
    """Any assertion flagging unsupported content flags the case; None if none checked."""
    seen = [flag for flag in flags if flag is not None]
    if not seen:
        return None
    return any(seen)
