"""Text and budget assertions: verdict, graded value and the reason a reader sees."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from autoforge.evaluations.assertions import (
    CaseOutcome,
    ContainsAssertion,
    CostAssertion,
    EqualsAssertion,
    IContainsAssertion,
    LatencyAssertion,
    LengthAssertion,
    RegexAssertion,
    Score,
    ScoringTools,
)

NO_TOOLS = ScoringTools()


def case(
    output: str, expected: str | None = None, *, latency_ms: float = 0.0, cost_usd: float = 0.0
) -> CaseOutcome:
    return CaseOutcome(output, expected, {}, latency_ms, cost_usd)


def test_equals_passes_on_identical_text_and_names_the_reference() -> None:
    score = EqualsAssertion().score(case("positive", "positive"), NO_TOOLS)
    assert score == Score(1.0, True, "output equals 'positive'")


def test_equals_is_exact_by_default() -> None:
    assert not EqualsAssertion().score(case(" Positive", "positive"), NO_TOOLS).passed


def test_equals_fails_with_expected_and_actual_in_the_reason() -> None:
    score = EqualsAssertion().score(case("negative", "positive"), NO_TOOLS)
    assert (score.value, score.passed) == (0.0, False)
    assert score.reason == "expected 'positive', got 'negative'"


def test_equals_options_ignore_case_and_surrounding_whitespace() -> None:
    spec = EqualsAssertion(ignore_case=True, strip=True)
    assert spec.score(case("  POSITIVE\n", "positive"), NO_TOOLS).passed
    assert (
        not EqualsAssertion(ignore_case=True).score(case(" positive", "positive"), NO_TOOLS).passed
    )
    assert not EqualsAssertion(strip=True).score(case(" POSITIVE", "positive"), NO_TOOLS).passed


def test_equals_casefolds_rather_than_lowercases() -> None:
    assert EqualsAssertion(ignore_case=True).score(case("STRASSE", "straße"), NO_TOOLS).passed


def test_an_explicit_value_overrides_the_expected_output() -> None:
    assert EqualsAssertion(value="42").score(case("42", "something else"), NO_TOOLS).passed


def test_no_reference_at_all_fails_with_a_reason() -> None:
    score = EqualsAssertion().score(case("42"), NO_TOOLS)
    assert not score.passed
    assert "no expected output" in score.reason


def test_long_texts_are_shortened_in_reasons() -> None:
    score = EqualsAssertion().score(case("x" * 500, "y"), NO_TOOLS)
    assert len(score.reason) < 100
    assert "..." in score.reason


def test_contains_is_case_sensitive_and_icontains_is_not() -> None:
    outcome = case("The answer is Positive.", "positive")
    assert not ContainsAssertion().score(outcome, NO_TOOLS).passed
    assert ContainsAssertion(value="Positive").score(outcome, NO_TOOLS).passed
    score = IContainsAssertion().score(outcome, NO_TOOLS)
    assert score == Score(1.0, True, "output contains 'positive'")


def test_contains_failure_reason_names_the_missing_text() -> None:
    score = ContainsAssertion(value="Lisbon").score(case("Porto"), NO_TOOLS)
    assert score == Score(0.0, False, "output does not contain 'Lisbon'")


def test_regex_searches_anywhere_unless_full_match() -> None:
    outcome = case("Answer: 42 apples")
    assert RegexAssertion(pattern=r"\d+").score(outcome, NO_TOOLS).passed
    full = RegexAssertion(pattern=r"\d+", full_match=True).score(outcome, NO_TOOLS)
    assert not full.passed
    assert full.reason == r"output does not fully match /\d+/"
    assert RegexAssertion(pattern=r"\d+", full_match=True).score(case("42"), NO_TOOLS).passed


def test_regex_ignore_case_and_failure_reason() -> None:
    assert RegexAssertion(pattern="^yes$", ignore_case=True).score(case("YES"), NO_TOOLS).passed
    score = RegexAssertion(pattern="^yes$").score(case("YES"), NO_TOOLS)
    assert score == Score(0.0, False, "output has no match for /^yes$/")


def test_an_invalid_regex_is_refused_when_the_spec_is_made() -> None:
    with pytest.raises(ValidationError, match="invalid regular expression"):
        RegexAssertion(pattern="(unclosed")


@pytest.mark.parametrize(
    ("output", "value", "passed", "reason"),
    [
        ("abcde", 1.0, True, "5 chars, within [2, 10]"),
        ("ab", 1.0, True, "2 chars, within [2, 10]"),
        ("a", 0.5, False, "1 chars, below min 2"),
        ("x" * 20, 0.5, False, "20 chars, above max 10"),
    ],
)
def test_length_bounds_with_graded_value(
    output: str, value: float, passed: bool, reason: str
) -> None:
    score = LengthAssertion(min_chars=2, max_chars=10).score(case(output), NO_TOOLS)
    assert score == Score(value, passed, reason)


def test_length_with_one_bound_and_empty_output() -> None:
    assert LengthAssertion(max_chars=3).score(case(""), NO_TOOLS).reason == "0 chars, within [0, 3]"
    too_short = LengthAssertion(min_chars=4).score(case(""), NO_TOOLS)
    assert (too_short.value, too_short.passed) == (0.0, False)


def test_length_needs_a_bound_and_ordered_bounds() -> None:
    with pytest.raises(ValidationError, match="min_chars, max_chars or both"):
        LengthAssertion()
    with pytest.raises(ValidationError, match="must not exceed"):
        LengthAssertion(min_chars=5, max_chars=4)


def test_latency_within_and_over_the_limit() -> None:
    spec = LatencyAssertion(max_ms=200)
    assert spec.score(case("x", latency_ms=200.0), NO_TOOLS) == Score(1.0, True, "200 ms <= 200 ms")
    over = spec.score(case("x", latency_ms=800.0), NO_TOOLS)
    assert over == Score(0.25, False, "800 ms > max 200 ms")


def test_cost_within_and_over_budget_and_zero_budget() -> None:
    spec = CostAssertion(max_usd=0.001)
    assert spec.score(case("x", cost_usd=0.0005), NO_TOOLS).passed
    over = spec.score(case("x", cost_usd=0.002), NO_TOOLS)
    assert (over.value, over.passed) == (0.5, False)
    assert over.reason == "$0.002000 > max $0.001000"
    free_only = CostAssertion(max_usd=0.0)
    assert free_only.score(case("x", cost_usd=0.0), NO_TOOLS).passed
    assert free_only.score(case("x", cost_usd=0.01), NO_TOOLS).value == 0.0


def test_budgets_reject_nonsense_limits() -> None:
    with pytest.raises(ValidationError):
        LatencyAssertion(max_ms=0)
    with pytest.raises(ValidationError):
        CostAssertion(max_usd=-1)


def test_score_refuses_values_outside_unit_range() -> None:
    with pytest.raises(ValueError, match=r"0\.\.1"):
        Score(1.5, True, "too good")
    with pytest.raises(ValueError, match=r"0\.\.1"):
        Score(float("nan"), False, "nan")
