"""JSON assertions: parsing (strict and extracting), JSON Schema, and matching expected JSON."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from autoforge.evaluations.assertions import (
    CaseOutcome,
    IsJsonAssertion,
    JsonMatchAssertion,
    JsonSchemaAssertion,
    Score,
    ScoringTools,
    parse_json_output,
    same_json,
)

NO_TOOLS = ScoringTools()
PERSON: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name"],
    "additionalProperties": False,
}


def case(output: str, expected: str | None = None) -> CaseOutcome:
    return CaseOutcome(output=output, expected=expected)


def test_parse_strict_takes_only_a_whole_json_text() -> None:
    assert parse_json_output(' {"a": 1} ') == {"a": 1}
    with pytest.raises(ValueError, match="invalid JSON"):
        parse_json_output('Sure! {"a": 1}')


def test_parse_extract_finds_the_first_object_after_prose_or_a_fence() -> None:
    assert parse_json_output('Sure! {"a": 1} Anything else?', extract=True) == {"a": 1}
    assert parse_json_output("```json\n[1, 2]\n```", extract=True) == [1, 2]
    assert parse_json_output('{broken {"a": {"b": 2}}', extract=True) == {"a": {"b": 2}}
    with pytest.raises(ValueError, match="no JSON object or array found"):
        parse_json_output("no json here", extract=True)


def test_parse_extract_gives_up_after_a_bounded_number_of_starts() -> None:
    text = "{" * 50 + '{"late": true}'
    with pytest.raises(ValueError, match="no JSON object or array found"):
        parse_json_output(text, extract=True)


def test_is_json_names_the_kind_and_reports_the_parse_error() -> None:
    assert IsJsonAssertion().score(case("[1]"), NO_TOOLS) == Score(
        1.0, True, "output is valid JSON (array)"
    )
    assert IsJsonAssertion().score(case("3.5"), NO_TOOLS).reason == "output is valid JSON (number)"
    failed = IsJsonAssertion().score(case("{'single': 'quotes'}"), NO_TOOLS)
    assert (failed.value, failed.passed) == (0.0, False)
    assert failed.reason.startswith("invalid JSON: Expecting property name")


def test_is_json_with_extract_accepts_trailing_text() -> None:
    outcome = case('{"name": "Ana"}\n\nSentence: next one')
    assert not IsJsonAssertion().score(outcome, NO_TOOLS).passed
    assert IsJsonAssertion(extract=True).score(outcome, NO_TOOLS).passed


def test_json_schema_passes_a_valid_instance() -> None:
    score = JsonSchemaAssertion(json_schema=PERSON).score(case('{"name": "Ana"}'), NO_TOOLS)
    assert score == Score(1.0, True, "output matches the schema")


def test_json_schema_reports_where_and_why_with_a_count() -> None:
    spec = JsonSchemaAssertion(json_schema=PERSON)
    score = spec.score(case('{"name": "Ana", "age": "34", "extra": 1}'), NO_TOOLS)
    assert not score.passed
    assert score.reason.startswith("schema violation at $")
    assert "(+1 more)" in score.reason
    wrong_type = spec.score(case('{"name": "Ana", "age": "34"}'), NO_TOOLS)
    assert wrong_type.reason == "schema violation at $.age: '34' is not of type 'integer'"


def test_json_schema_fails_on_output_that_is_not_json() -> None:
    score = JsonSchemaAssertion(json_schema=PERSON).score(case("Ana"), NO_TOOLS)
    assert not score.passed
    assert score.reason.startswith("invalid JSON")


def test_an_invalid_schema_is_refused_when_the_spec_is_made() -> None:
    with pytest.raises(ValidationError, match="invalid JSON Schema"):
        JsonSchemaAssertion(json_schema={"type": "no-such-type"})


def test_the_schema_spec_survives_a_json_round_trip() -> None:
    spec = JsonSchemaAssertion(json_schema=PERSON, extract=True)
    again = JsonSchemaAssertion.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert not again.score(case('x {"age": 3}'), NO_TOOLS).passed


def test_same_json_is_strict_about_types() -> None:
    assert same_json({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not same_json(1, True)
    assert not same_json("1", 1)
    assert not same_json([1, 2], [2, 1])
    assert not same_json({"a": None}, {})


def test_json_match_equals_full_credit_regardless_of_key_order() -> None:
    score = JsonMatchAssertion().score(
        case('{"city": "Lisbon", "name": "Ana"}', '{"name": "Ana", "city": "Lisbon"}'), NO_TOOLS
    )
    assert score == Score(1.0, True, "2/2 keys match")


def test_json_match_equals_gives_partial_credit_and_lists_problems() -> None:
    score = JsonMatchAssertion().score(
        case(
            '{"name": "Ana", "age": "34", "job": "x"}',
            '{"name": "Ana", "age": 34, "city": "Porto"}',
        ),
        NO_TOOLS,
    )
    # Keys of both: name ok, age wrong type, city missing, job unexpected -> 1 of 4.
    assert score.value == 0.25
    assert not score.passed
    assert score.reason == (
        "1/4 keys match; 'age': expected 34, got \"34\"; missing 'city'; unexpected 'job'"
    )


def test_json_match_subset_ignores_extra_keys_at_any_depth() -> None:
    spec = JsonMatchAssertion(mode="subset")
    outcome = case(
        '{"name": "Ana", "address": {"city": "Lisbon", "zip": "1000"}, "x": 1}',
        '{"name": "Ana", "address": {"city": "Lisbon"}}',
    )
    assert spec.score(outcome, NO_TOOLS) == Score(1.0, True, "2/2 keys match")
    assert not JsonMatchAssertion().score(outcome, NO_TOOLS).passed


def test_json_match_on_non_objects_scores_all_or_nothing() -> None:
    assert JsonMatchAssertion().score(case("[1, 2]", "[1, 2]"), NO_TOOLS).passed
    wrong = JsonMatchAssertion().score(case("[1, 2]", "[1, 2, 3]"), NO_TOOLS)
    assert (wrong.value, wrong.passed) == (0.0, False)
    assert wrong.reason == "expected '[1, 2, 3]', got '[1, 2]'"


def test_json_match_reports_unparseable_output_or_expected() -> None:
    assert (
        JsonMatchAssertion()
        .score(case("nope", '{"a": 1}'), NO_TOOLS)
        .reason.startswith("invalid JSON")
    )
    bad_expected = JsonMatchAssertion().score(case('{"a": 1}', "not json"), NO_TOOLS)
    assert bad_expected.reason.startswith("expected output is not JSON")
    with pytest.raises(ValidationError, match="invalid JSON"):
        JsonMatchAssertion(value="{not json")


def test_json_match_with_extract_and_an_explicit_value() -> None:
    spec = JsonMatchAssertion(value='{"n": 1}', extract=True)
    assert spec.score(case('Here: {"n": 1} done', "ignored"), NO_TOOLS).passed


def test_json_match_two_empty_objects_match() -> None:
    assert JsonMatchAssertion().score(case("{}", "{}"), NO_TOOLS) == Score(
        1.0, True, "both objects are empty"
    )
