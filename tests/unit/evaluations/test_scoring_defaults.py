"""Scoring defaults inferred from a dataset's answers, and how a run's request overrides them."""

from __future__ import annotations

from autoforge.evaluations.assertions import AssertionSet, CaseOutcome, ScoringTools
from autoforge.evaluations.scoring import (
    GenerationDefaults,
    Scoring,
    fitted_tokens,
    infer_scoring,
    resolve_scoring,
)

LABELS = ["billing", "shipping", "refund", "account"] * 15


def score(scoring: Scoring, output: str, expected: str) -> bool:
    outcome = CaseOutcome(output=output, expected=expected, inputs={})
    return scoring.assertions.score(outcome, ScoringTools()).passed


def test_a_small_label_set_gets_first_line_equals_and_short_answers() -> None:
    scoring = infer_scoring(LABELS)

    assert [a.type for a in scoring.assertions.assertions] == ["equals"]
    assert scoring.generation.stop == ["\n"]
    assert scoring.generation.max_tokens == fitted_tokens(len("shipping"))
    assert scoring.generation.max_tokens is not None
    assert scoring.generation.max_tokens <= 8  # never 256 tokens to answer with one word
    assert scoring.source == "inferred"
    assert "4 labels (account, billing, refund, shipping)" in scoring.explanation
    # An output naming every label no longer passes every case, as icontains let it.
    assert not score(scoring, "billing, shipping, refund or account", "refund")
    assert score(scoring, " Refund\nQ: next", "refund")
    assert not score(scoring, "refunds", "refund")


def test_json_answers_get_json_match() -> None:
    scoring = infer_scoring(['{"name": "Ada", "age": 36}', '{"name": "Bo"}', '{"city": "Rome"}'])

    assert [a.type for a in scoring.assertions.assertions] == ["is_json", "json_match"]
    assert scoring.generation.stop == ["\n"]
    assert score(scoring, 'Here: {"name": "Bo"}', '{"name": "Bo"}')


def test_free_text_gets_similarity_and_length_bounds() -> None:
    answers = [
        "The meeting moved to Friday afternoon.",
        "Bring your own laptop and a charger.",
        "Lunch is served at noon in the hall.",
    ]
    scoring = infer_scoring(answers)

    kinds = [a.type for a in scoring.assertions.assertions]
    assert kinds == ["similarity", "length"]
    assert "free-text answers" in scoring.explanation
    assert scoring.generation.max_tokens == fitted_tokens(2 * max(len(a) for a in answers))


def test_a_request_overrides_field_by_field() -> None:
    dataset = Scoring(
        assertions=AssertionSet.model_validate({"assertions": [{"type": "icontains"}]}),
        generation=GenerationDefaults(max_tokens=6, stop=["\n"]),
    )
    own = AssertionSet.model_validate({"assertions": [{"type": "equals"}]})

    kept = resolve_scoring(dataset, None, {"max_tokens": 12})
    replaced = resolve_scoring(dataset, own, {})

    assert kept.assertions == dataset.assertions
    assert kept.params == {"max_tokens": 12, "stop": ["\n"], "temperature": 0.0}
    assert kept.assertions_from == "dataset"
    assert replaced.assertions == own
    assert replaced.assertions_from == "request"
    assert replaced.params["max_tokens"] == 6
