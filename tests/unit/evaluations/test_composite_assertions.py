"""Composite assertions: not, group (promptfoo's assert-set) and per_case."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from autoforge.evaluations.assertions import (
    AssertionSet,
    CaseOutcome,
    ScorerUnavailable,
    ScoringTools,
    types_in,
)

NO_TOOLS = ScoringTools()


def scored(spec: dict[str, Any], output: str, **inputs: Any) -> tuple[bool, float]:
    score = AssertionSet.model_validate({"assertions": [spec]}).score(
        CaseOutcome(output, None, inputs), NO_TOOLS
    )
    return score.passed, score.value


def test_not_inverts_verdict_and_value() -> None:
    spec = {"type": "not", "assertion": {"type": "contains", "value": "sorry"}}
    assert scored(spec, "Here you go") == (True, 1.0)
    assert scored(spec, "sorry, no") == (False, 0.0)


def test_not_of_a_graded_assertion_inverts_its_value() -> None:
    spec = {"type": "not", "assertion": {"type": "word_count", "max_words": 2}}
    assert scored(spec, "a b c d") == (True, 0.5)


def test_group_passes_by_its_own_threshold_and_counts_as_one_weighted_assertion() -> None:
    group = {
        "type": "group",
        "pass_threshold": 0.5,
        "weight": 3,
        "assertions": [
            {"type": "contains", "value": "a"},
            {"type": "contains", "value": "b"},
        ],
    }
    assert scored(group, "only a") == (True, 0.5)
    assert scored(group, "neither") == (False, 0.0)
    outer = AssertionSet.model_validate(
        {"assertions": [group, {"type": "contains", "value": "z"}], "pass_threshold": 0.75}
    )
    score = outer.score(CaseOutcome("a b", None, {}), NO_TOOLS)
    assert score.passed
    assert score.value == pytest.approx(0.75)


def test_per_case_scores_each_case_with_the_set_its_variable_names() -> None:
    spec = {
        "type": "per_case",
        "variable": "__test",
        "cases": {
            "0": {"assertions": [{"type": "equals", "value": "4"}]},
            "1": {"assertions": [{"type": "icontains", "value": "paris"}]},
        },
    }
    assert scored(spec, "4", __test="0")[0]
    assert not scored(spec, "Paris", __test="0")[0]
    assert scored(spec, "Paris", __test=1)[0]


def test_per_case_fails_a_case_without_an_entry() -> None:
    spec = {
        "type": "per_case",
        "cases": {"0": {"assertions": [{"type": "contains", "value": "x"}]}},
    }
    assert scored(spec, "x") == (False, 0.0)
    assert scored(spec, "x", __case="7") == (False, 0.0)


def test_nested_model_scored_assertions_still_need_their_model() -> None:
    nested = AssertionSet.model_validate(
        {
            "assertions": [
                {
                    "type": "group",
                    "assertions": [{"type": "not", "assertion": {"type": "similarity"}}],
                }
            ]
        }
    )
    assert types_in(nested.assertions) == {"group", "not", "similarity"}
    with pytest.raises(ScorerUnavailable):
        nested.check_tools(NO_TOOLS)


def test_composites_validate_their_parts() -> None:
    with pytest.raises(ValidationError):
        AssertionSet.model_validate({"assertions": [{"type": "group", "assertions": []}]})
    with pytest.raises(ValidationError):
        AssertionSet.model_validate(
            {"assertions": [{"type": "not", "assertion": {"type": "nope"}}]}
        )


def test_composites_round_trip_through_json() -> None:
    data = {
        "assertions": [
            {"type": "not", "assertion": {"type": "starts_with", "value": "No"}},
            {"type": "group", "assertions": [{"type": "contains_any", "values": ["a", "b"]}]},
        ]
    }
    first = AssertionSet.model_validate(data)
    assert AssertionSet.model_validate(first.model_dump(mode="json")) == first
