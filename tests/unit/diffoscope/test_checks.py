"""Checks against outputs whose verdicts are known by construction, the shares, the gap
score and the suggestions."""

from __future__ import annotations

import pytest

from autoforge.diffoscope.checks import (
    NOT_CHECKED,
    Output,
    check,
    check_all,
    gap_score,
    language_of,
    sentences,
)
from autoforge.diffoscope.extract import Requirement, extract_requirements
from autoforge.diffoscope.suggest import suggestions


def requirement(kind: str, **params: object) -> Requirement:
    return Requirement(kind, kind, 0, 1, params=dict(params))  # type: ignore[arg-type]


# 10 outputs: 4 of them three sentences long, 3 of them not JSON (known by construction).
OUTPUTS = [
    Output(f"case-{i}", '{"answer": "One. Two. Three."}' if i < 4 else '{"answer": "Fine."}')
    for i in range(7)
] + [Output(f"case-{i}", "Just prose.") for i in range(7, 10)]


@pytest.mark.parametrize(
    ("kind", "params", "output", "broken"),
    [
        ("json", {}, '{"a": 1}', False),
        ("json", {}, '```json\n{"a": 1}\n```', False),
        ("json", {}, "sure: {}", True),
        ("list", {}, "- one\n- two", False),
        ("list", {}, "1. one\n2. two", False),
        ("list", {}, "one and two", True),
        ("item_count", {"bound": "exactly", "count": 3}, "- a\n- b\n- c", False),
        ("item_count", {"bound": "exactly", "count": 3}, "- a\n- b", True),
        ("sentence_count", {"bound": "at_most", "count": 2}, "One. Two!", False),
        ("sentence_count", {"bound": "at_most", "count": 2}, "One. Two? Three.", True),
        ("sentence_count", {"bound": "at_least", "count": 2}, "One.", True),
        ("max_words", {"limit": 3}, "one two three", False),
        ("max_words", {"limit": 3}, "one two three four", True),
        ("max_chars", {"limit": 5}, "abcdef", True),
        ("must_include", {"phrase": "refund"}, "Your Refund is on its way", False),
        ("must_include", {"phrase": "refund"}, "Your money is on its way", True),
        ("must_avoid", {"phrase": "guarantee"}, "We GUARANTEE it", True),
        ("must_avoid", {"phrase": "guarantee"}, "We hope so", False),
        ("vocabulary", {"words": ["yes", "no"]}, " Yes.", False),
        ("vocabulary", {"words": ["yes", "no"]}, "maybe", True),
        ("tone", {"tone": "formal"}, "We cannot help with that.", False),
        ("tone", {"tone": "formal"}, "We can't help, lol!", True),
        ("tone", {"tone": "friendly"}, "Thanks for asking, glad to help.", False),
        ("tone", {"tone": "friendly"}, "No.", True),
        ("tone", {"tone": "concise"}, "word " * 80, True),
        (
            "language",
            {"language": "French"},
            "Le colis est en route et il arrive avec la poste.",
            False,
        ),
        (
            "language",
            {"language": "French"},
            "The parcel is on the way and it will be with you.",
            True,
        ),
    ],
)
def test_one_check(kind: str, params: dict[str, object], output: str, broken: bool) -> None:
    verdict = check(requirement(kind, **params), output)
    assert verdict != NOT_CHECKED
    assert (verdict is not None) is broken, verdict


def test_what_cannot_be_told_is_not_checked() -> None:
    assert check(requirement("language", language="French"), "OK") == NOT_CHECKED
    assert check(requirement("tone", tone="casual"), "Hi there") == NOT_CHECKED
    assert check(requirement("other"), "anything") == NOT_CHECKED


def test_shares_violations_gap_and_suggestions_on_a_known_dataset() -> None:
    prompt = "Reply in at most 2 sentences, in JSON."
    two_sentences, as_json = extract_requirements(prompt)
    assert two_sentences.kind == "sentence_count"
    assert as_json.kind == "json"
    failed_call = Output("case-failed", None)
    sentence_result = check_all(two_sentences, [*OUTPUTS, failed_call])
    json_result = check_all(as_json, OUTPUTS)

    assert (sentence_result.checked, sentence_result.satisfied) == (10, 6)
    assert sentence_result.share == pytest.approx(0.6)
    assert [v.case for v in sentence_result.violations] == [f"case-{i}" for i in range(4)]
    assert sentence_result.violations[0].reason == "3 sentences (limit 2)"
    assert json_result.share == pytest.approx(0.7)
    assert [v.case for v in json_result.violations] == ["case-7", "case-8", "case-9"]

    assert gap_score([sentence_result, json_result]) == pytest.approx(0.35)
    assert suggestions([json_result, sentence_result]) == [
        "outputs exceed the 2-sentence limit in 40 % of cases: "
        "add an example of a 2-sentence answer",
        "outputs are not valid JSON in 30 % of cases: "
        "show the exact JSON shape expected and say to answer with the JSON only",
    ]


def test_a_kept_requirement_has_no_suggestion_and_no_gap() -> None:
    (as_json,) = extract_requirements("Answer in JSON.")
    result = check_all(as_json, [Output("a", "{}"), Output("b", "[]")])
    assert result.share == 1.0
    assert result.violations == []
    assert suggestions([result]) == []
    assert gap_score([result]) == 0.0
    assert gap_score([check_all(as_json, [Output("c", None)])]) is None


def test_sentences_and_languages() -> None:
    assert sentences("One. Two? Three!") == 3
    assert sentences("  ") == 0
    assert language_of("Der Hund ist nicht mit der Katze auf dem Sofa") == "German"
    assert language_of("yes") is None
