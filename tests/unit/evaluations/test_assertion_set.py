"""Assertion specs as data (a union on `type`) and their weighted combination per case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from autoforge.evaluations.assertions import (
    AssertionSet,
    AssertionSpec,
    CaseOutcome,
    EqualsAssertion,
    Judgement,
    LatencyAssertion,
    LengthAssertion,
    ScorerUnavailable,
    ScoringTools,
    combine_unsupported,
)

NO_TOOLS = ScoringTools()
SPEC = TypeAdapter(AssertionSpec)


def assertion_set(*assertions: dict[str, Any], pass_threshold: float = 1.0) -> AssertionSet:
    return AssertionSet.model_validate(
        {"assertions": list(assertions), "pass_threshold": pass_threshold}
    )


class FixedJudge:
    def __init__(self, verdict: Judgement) -> None:
        self.verdict = verdict

    def __call__(
        self, rubric: str, inputs: Mapping[str, Any], output: str, expected: str | None
    ) -> Judgement:
        return self.verdict


@pytest.mark.parametrize(
    "data",
    [
        {"type": "equals", "ignore_case": True},
        {"type": "contains", "value": "a"},
        {"type": "icontains"},
        {"type": "regex", "pattern": "a+"},
        {"type": "length", "max_chars": 5},
        {"type": "is_json"},
        {"type": "json_schema", "json_schema": {"type": "object"}},
        {"type": "json_match", "mode": "subset"},
        {"type": "similarity", "threshold": 0.8},
        {"type": "llm_judge", "rubric": "r"},
        {"type": "latency", "max_ms": 100},
        {"type": "cost", "max_usd": 0.01},
    ],
)
def test_every_type_parses_from_data_and_round_trips(data: dict[str, Any]) -> None:
    spec = SPEC.validate_python(data)
    assert spec.type == data["type"]
    assert spec.weight == 1.0
    assert SPEC.validate_json(SPEC.dump_json(spec)) == spec


def test_unknown_types_and_unknown_parameters_are_refused() -> None:
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        SPEC.validate_python({"type": "telepathy"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        SPEC.validate_python({"type": "equals", "ignorecase": True})
    with pytest.raises(ValidationError):
        SPEC.validate_python({"type": "equals", "weight": 0})


def test_a_set_needs_assertions_and_a_threshold_in_range() -> None:
    with pytest.raises(ValidationError):
        AssertionSet(assertions=[])
    with pytest.raises(ValidationError):
        assertion_set({"type": "is_json"}, pass_threshold=1.5)


def test_default_threshold_requires_every_assertion() -> None:
    checks = assertion_set({"type": "equals"}, {"type": "length", "max_chars": 3})
    passing = checks.score(CaseOutcome(output="abc", expected="abc"), NO_TOOLS)
    assert (passing.value, passing.passed) == (1.0, True)
    failing = checks.score(CaseOutcome(output="abcd", expected="abcd"), NO_TOOLS)
    assert not failing.passed
    assert failing.value == pytest.approx((1.0 + 0.75) / 2)


def test_value_is_the_weighted_mean_and_pass_uses_the_weighted_pass_share() -> None:
    checks = assertion_set(
        {"type": "equals", "weight": 3},
        {"type": "regex", "pattern": "^[a-z]+$"},
        pass_threshold=0.75,
    )
    right_label = checks.score(CaseOutcome(output="Yes", expected="Yes"), NO_TOOLS)
    assert (right_label.value, right_label.passed) == (0.75, True)
    wrong_label = checks.score(CaseOutcome(output="no", expected="yes"), NO_TOOLS)
    assert (wrong_label.value, wrong_label.passed) == (0.25, False)


def test_pass_share_tolerates_float_sums() -> None:
    checks = assertion_set(*[{"type": "contains", "value": "a", "weight": 0.1}] * 10)
    assert checks.score(CaseOutcome(output="a"), NO_TOOLS).passed


def test_an_assertion_passing_with_partial_credit_does_not_fail_the_case() -> None:
    judge = FixedJudge(Judgement(0.6, "fine"))
    checks = assertion_set({"type": "llm_judge", "rubric": "r", "threshold": 0.5})
    score = checks.score(CaseOutcome(output="x"), ScoringTools(judge=judge))
    assert (score.value, score.passed) == (0.6, True)


def test_combined_reason_lists_each_assertion_with_its_verdict() -> None:
    checks = assertion_set({"type": "equals"}, {"type": "length", "min_chars": 10})
    reason = checks.score(CaseOutcome(output="yes", expected="yes"), NO_TOOLS).reason
    assert reason == (
        "1/2 assertions passed (weighted 0.50 < threshold 1.00); "
        "[ok] equals: output equals 'yes'; [FAIL] length: 3 chars, below min 10"
    )


def test_unsupported_flag_propagates_from_the_judge() -> None:
    judged = assertion_set({"type": "equals"}, {"type": "llm_judge", "rubric": "grounded?"})
    tools = ScoringTools(judge=FixedJudge(Judgement(1.0, "ok", unsupported=True)))
    assert judged.score(CaseOutcome(output="a", expected="a"), tools).unsupported is True
    plain = assertion_set({"type": "equals"})
    assert plain.score(CaseOutcome(output="a", expected="a"), NO_TOOLS).unsupported is None


def test_combine_unsupported() -> None:
    assert combine_unsupported([None, None]) is None
    assert combine_unsupported([None, False]) is False
    assert combine_unsupported([False, True, None]) is True


def test_check_tools_fails_before_any_case_runs() -> None:
    needs_both = assertion_set({"type": "similarity"}, {"type": "llm_judge", "rubric": "r"})
    with pytest.raises(ScorerUnavailable, match="embedding model"):
        needs_both.check_tools(NO_TOOLS)
    with pytest.raises(ScorerUnavailable, match="judge model"):
        needs_both.check_tools(ScoringTools(embedder=object()))  # type: ignore[arg-type]
    assertion_set({"type": "equals"}).check_tools(NO_TOOLS)


def test_similarity_without_an_embedder_is_a_configuration_error() -> None:
    with pytest.raises(ScorerUnavailable, match="embedding model"):
        assertion_set({"type": "similarity"}).score(CaseOutcome(output="a", expected="a"), NO_TOOLS)


def test_specs_are_immutable() -> None:
    spec = EqualsAssertion()
    with pytest.raises(ValidationError):
        spec.strip = True  # type: ignore[misc]
    assert isinstance(
        assertion_set({"type": "latency", "max_ms": 5}).assertions[0], LatencyAssertion
    )
    assert LengthAssertion(max_chars=1).type == "length"
