"""Wording assertions: starts_with, contains_all/any, levenshtein, word_count."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from autoforge.evaluations.assertions import (
    CaseOutcome,
    ContainsAllAssertion,
    ContainsAnyAssertion,
    LevenshteinAssertion,
    ScoringTools,
    StartsWithAssertion,
    WordCountAssertion,
    edit_distance,
)

NO_TOOLS = ScoringTools()


def case(output: str, expected: str | None = None) -> CaseOutcome:
    return CaseOutcome(output, expected, {})


def test_starts_with_uses_the_value_else_the_expected_output() -> None:
    assert StartsWithAssertion(value="Paris").score(case("Paris, France"), NO_TOOLS).passed
    assert StartsWithAssertion().score(case("Yes, it is", "Yes"), NO_TOOLS).passed
    failed = StartsWithAssertion(value="Paris").score(case(" Paris"), NO_TOOLS)
    assert (failed.passed, failed.value) == (False, 0.0)
    assert not StartsWithAssertion().score(case("anything"), NO_TOOLS).passed


def test_contains_all_gives_the_share_found_and_names_what_is_missing() -> None:
    spec = ContainsAllAssertion(values=["red", "green", "blue", "black"])
    score = spec.score(case("red and blue"), NO_TOOLS)
    assert (score.passed, score.value) == (False, 0.5)
    assert "'green'" in score.reason
    assert "'black'" in score.reason
    assert spec.score(case("red green blue black"), NO_TOOLS).passed


def test_contains_all_and_any_can_ignore_case() -> None:
    assert not ContainsAllAssertion(values=["Red"]).score(case("red"), NO_TOOLS).passed
    assert (
        ContainsAllAssertion(values=["Red"], ignore_case=True).score(case("RED"), NO_TOOLS).passed
    )
    assert not ContainsAnyAssertion(values=["Yes", "No"]).score(case("no"), NO_TOOLS).passed
    spec = ContainsAnyAssertion(values=["Yes", "No"], ignore_case=True)
    assert spec.score(case("well, no"), NO_TOOLS).passed


def test_contains_any_needs_one_of_the_values() -> None:
    spec = ContainsAnyAssertion(values=["cat", "dog"])
    assert spec.score(case("a dog barks"), NO_TOOLS).reason == "output contains 'dog'"
    assert not spec.score(case("a bird sings"), NO_TOOLS).passed
    with pytest.raises(ValidationError):
        ContainsAnyAssertion(values=[])


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("kitten", "sitting", 3), ("", "abc", 3), ("flaw", "lawn", 2), ("same", "same", 0)],
)
def test_edit_distance_is_levenshtein(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_edit_distance_stops_early_above_a_limit() -> None:
    assert edit_distance("a" * 500, "b", limit=3) == 4
    assert edit_distance("kitten", "sitting", limit=3) == 3


def test_levenshtein_passes_within_max_distance_and_decays_beyond() -> None:
    spec = LevenshteinAssertion(value="sitting", max_distance=3)
    assert spec.score(case("kitten"), NO_TOOLS).passed
    tight = LevenshteinAssertion(value="sitting", max_distance=1).score(case("kitten"), NO_TOOLS)
    assert not tight.passed
    assert 0.0 < tight.value < 1.0
    assert LevenshteinAssertion().score(case("Pari", "Paris"), NO_TOOLS).passed


def test_word_count_bounds() -> None:
    exact = WordCountAssertion(min_words=3, max_words=3)
    assert exact.score(case("one  two\nthree"), NO_TOOLS).passed
    short = exact.score(case("one two"), NO_TOOLS)
    assert (short.passed, round(short.value, 2)) == (False, 0.67)
    assert not WordCountAssertion(max_words=2).score(case("a b c d"), NO_TOOLS).passed
    assert WordCountAssertion(min_words=1).score(case("word"), NO_TOOLS).passed
    with pytest.raises(ValidationError):
        WordCountAssertion()
    with pytest.raises(ValidationError):
        WordCountAssertion(min_words=4, max_words=2)
