"""The LLM-judge contract: reading judge answers, the prompt, and the llm_judge assertion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import ValidationError

from autoforge.evaluations.assertions import (
    CaseOutcome,
    Judgement,
    JudgeParseError,
    LlmJudgeAssertion,
    ScorerUnavailable,
    ScoringTools,
    judge_prompt,
    parse_judgement,
)


class ScriptedJudge:
    """A judge port for tests: reads a canned judge-model answer with the real parser."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls: list[tuple[str, Mapping[str, Any], str, str | None]] = []

    def __call__(
        self, rubric: str, inputs: Mapping[str, Any], output: str, expected: str | None
    ) -> Judgement:
        self.calls.append((rubric, inputs, output, expected))
        return parse_judgement(self.answer)


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        ("Score: 4/5", 0.8),
        ("score: 4 / 5\nThe answer is mostly right.", 0.8),
        ("I would give it a rating of 3 out of 5.", 0.6),
        ("The output is fine. Score: 5", 1.0),
        ("Score: 1", 0.2),  # the bottom of a 1-5 scale, never a perfect 1.0
        ("0.8", 0.8),
        ("0", 0.0),
        ("4", 0.8),
        ("7/10 - good but verbose", 0.7),
        ("Overall I'd say 85% correct.", 0.85),
        ("First draft: score 2/5. After rereading, final score: 4/5.", 0.8),
        ('{"score": 3, "reason": "partly right"}', 0.6),
        ('{"score": 0.9}', 0.9),
        ('{"rating": "4/5"}', 0.8),
        ('Here is my verdict:\n```json\n{"score": 5, "reason": "exact"}\n```', 1.0),
    ],
)
def test_parse_judgement_reads_common_answer_shapes(answer: str, score: float) -> None:
    assert parse_judgement(answer).score == pytest.approx(score)


def test_parse_judgement_takes_reason_and_unsupported_from_json() -> None:
    verdict = parse_judgement('{"score": 2, "reason": "invents a city", "unsupported": true}')
    assert verdict == Judgement(0.4, "invents a city", True)
    assert parse_judgement('{"score": 5, "hallucination": "no"}').unsupported is False


def test_parse_judgement_reads_an_unsupported_line_in_text() -> None:
    verdict = parse_judgement("Score: 2/5\nUnsupported: yes\nIt names a person not in the input.")
    assert verdict.unsupported is True
    assert verdict.reason.startswith("Score: 2/5")
    assert parse_judgement("Score: 5").unsupported is None


def test_parse_judgement_honours_another_scale() -> None:
    assert parse_judgement("Score: 7", scale=10).score == pytest.approx(0.7)
    assert parse_judgement("1", scale=1).score == 1.0


@pytest.mark.parametrize(
    "answer", ["I cannot grade this.", "Score: 9", "12/10", "150%", '{"score": true}', ""]
)
def test_parse_judgement_refuses_answers_without_a_usable_score(answer: str) -> None:
    with pytest.raises(JudgeParseError):
        parse_judgement(answer)


def test_parse_judgement_clips_long_reasons() -> None:
    assert len(parse_judgement("Score: 3 " + "blah " * 500).reason) == 500


def test_judge_prompt_carries_every_part_and_the_answer_format() -> None:
    prompt = judge_prompt("Is it polite?", {"text": "hi"}, "Hello there", "Hello")
    for part in ("Is it polite?", '{"text": "hi"}', "Hello there", "Reference answer:\nHello"):
        assert part in prompt
    assert '"score": <integer 1-5>' in prompt
    assert "Reference answer" not in judge_prompt("r", {}, "o", None)


def test_llm_judge_passes_at_threshold_and_passes_the_case_to_the_judge() -> None:
    judge = ScriptedJudge('{"score": 3, "reason": "adequate", "unsupported": false}')
    spec = LlmJudgeAssertion(rubric="Is it correct?", threshold=0.6)
    outcome = CaseOutcome(output="Lisbon", expected="Lisbon", inputs={"text": "Capital?"})
    score = spec.score(outcome, ScoringTools(judge=judge))
    assert (score.value, score.passed, score.unsupported) == (0.6, True, False)
    assert score.reason == "judge 0.60 >= 0.60: adequate"
    assert judge.calls == [("Is it correct?", {"text": "Capital?"}, "Lisbon", "Lisbon")]


def test_llm_judge_fails_below_threshold() -> None:
    spec = LlmJudgeAssertion(rubric="r")
    score = spec.score(CaseOutcome(output="x"), ScoringTools(judge=ScriptedJudge("Score: 2/5")))
    assert (score.value, score.passed) == (0.4, False)
    assert score.reason.startswith("judge 0.40 < 0.50")


def test_llm_judge_turns_an_unreadable_answer_into_a_failed_case() -> None:
    spec = LlmJudgeAssertion(rubric="r")
    score = spec.score(CaseOutcome(output="x"), ScoringTools(judge=ScriptedJudge("no idea")))
    assert (score.value, score.passed) == (0.0, False)
    assert score.reason.startswith("judge answer unreadable: no score found")


def test_llm_judge_without_a_judge_is_a_configuration_error() -> None:
    with pytest.raises(ScorerUnavailable, match="judge model"):
        LlmJudgeAssertion(rubric="r").score(CaseOutcome(output="x"), ScoringTools())


def test_llm_judge_needs_a_rubric() -> None:
    with pytest.raises(ValidationError):
        LlmJudgeAssertion(rubric="")
