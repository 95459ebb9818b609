"""Aggregates over scored cases, style consistency, hallucination rate, paired bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from autoforge.evaluations.assertions import CaseOutcome, Score
from autoforge.evaluations.metrics import (
    LatencyPercentiles,
    ScoredCase,
    content_tokens,
    hallucination_rate,
    is_short_answer,
    label_vocabulary,
    latency_percentiles,
    mean_score,
    paired_bootstrap,
    pass_rate,
    style_consistency,
    summarize,
    total_cost,
    unsupported_share,
)
from autoforge.style.genome import profile


def scored(
    output: str,
    value: float = 1.0,
    *,
    passed: bool = True,
    expected: str | None = None,
    text: str = "",
    unsupported: bool | None = None,
    latency_ms: float = 0.0,
    cost_usd: float = 0.0,
) -> ScoredCase:
    outcome = CaseOutcome(output, expected, {"text": text}, latency_ms, cost_usd)
    return ScoredCase(outcome, Score(value, passed, "", unsupported))


def test_pass_rate_and_mean_score() -> None:
    assert pass_rate([True, False, True, True]) == 0.75
    assert mean_score([0.1, 0.2, 0.3]) == pytest.approx(0.2)


@pytest.mark.parametrize(
    "function", [pass_rate, mean_score, latency_percentiles, style_consistency]
)
def test_aggregates_of_nothing_are_refused(function: object) -> None:
    with pytest.raises(ValueError, match="no cases"):
        function([])  # type: ignore[operator]


def test_latency_percentiles_interpolate_between_ranks() -> None:
    result = latency_percentiles([float(ms) for ms in range(1, 101)])
    assert (result.p50, result.p95, result.p99) == pytest.approx((50.5, 95.05, 99.01))
    assert latency_percentiles([7.0]) == LatencyPercentiles(7.0, 7.0, 7.0)


def test_total_cost_sums_exactly() -> None:
    assert total_cost([0.1] * 10) == 1.0
    assert total_cost([]) == 0.0


def test_identical_outputs_are_perfectly_consistent() -> None:
    assert style_consistency(["positive"] * 5) == 1.0
    assert style_consistency(["Only one."]) == 1.0


def test_style_consistency_ranks_alike_above_mixed_outputs() -> None:
    alike = style_consistency(["positive", "negative", "positive", "negative"])
    mixed = style_consistency(
        ["positive", "NEGATIVE!!!", '{"label": "positive"}', "I think it is positive. Really."]
    )
    assert alike == 1.0  # same length, one sentence, no capitals, no punctuation, no JSON
    assert 0.0 <= mixed < 0.6


def test_style_consistency_half_json_half_text_costs_a_full_gene() -> None:
    outputs = ['{"a": 1}', '{"a": 2}', "plain text", "clean text"]
    # Of the 14 genes, five vary. chars 8,8,10,10: CV 1/9; words and words per sentence
    # 1,1,2,2: CV 1/3 each; punctuation 5/7,5/7,0,0: std (5/14) / 0.5; JSON 1,1,0,0: 1.0.
    # Reading grade is 0 for all (one-syllable words clip at 0).
    expected = 1 - (1 / 9 + 1 / 3 + 1 / 3 + (5 / 14) / 0.5 + 1.0) / 14
    assert style_consistency(outputs) == pytest.approx(expected)


def test_style_consistency_formula_on_a_hand_computed_pair() -> None:
    # "ab" -> 2 chars, 0 uppercase, 0 punctuation; "ABCD." -> 5 chars, uppercase 1.0,
    # punctuation 0.2; both one word in one sentence, grade 0 (one syllable).
    # chars CV: std 1.5 / mean 3.5; uppercase: std 0.5 / 0.5 = 1; punctuation: 0.1 / 0.5 = 0.2
    expected = 1 - (1.5 / 3.5 + 1.0 + 0.2) / 14
    assert style_consistency(["ab", "ABCD."]) == pytest.approx(expected)


def test_style_consistency_is_the_genomes_consistency() -> None:
    outputs = ["Sure! You'll love it.", "# Title\n- one\n- two", '{"k": 1}', "Perhaps."]
    assert style_consistency(outputs) == profile(outputs).consistency


def test_content_tokens_drop_function_words_and_keep_numbers() -> None:
    assert content_tokens("The cat is 3 years old, and it lives in Lisbon.") == {
        "cat",
        "3",
        "years",
        "old",
        "lives",
        "lisbon",
    }


def test_unsupported_share_counts_tokens_absent_from_input_and_expected() -> None:
    grounded = CaseOutcome('{"name": "Ana"}', '{"name": "Ana"}', {"text": "Ana lives here."})
    assert unsupported_share(grounded) == 0.0
    invented = CaseOutcome("Ana lives in Paris with Bob", None, {"text": "Ana lives in Lisbon."})
    assert unsupported_share(invented) == pytest.approx(2 / 4)  # paris, bob of ana/lives/paris/bob
    assert unsupported_share(CaseOutcome("the and of", None, {"text": "x"})) == 0.0


def test_hallucination_rate_uses_the_reference_check_without_a_judge() -> None:
    cases = [
        scored("positive", expected="positive", text="I loved it"),
        scored("Paris Berlin Rome", expected="Lisbon", text="Ana lives in Lisbon"),
        scored("Lisbon Ana", expected="Lisbon", text="Ana lives in Lisbon"),
        scored("Lisbon Madrid", expected="Lisbon", text="Ana lives in Lisbon"),  # 0.5, not above
    ]
    assert hallucination_rate(cases) == 0.25
    assert hallucination_rate(cases, threshold=0.4) == 0.5


def test_the_judges_flag_overrides_the_reference_check() -> None:
    cases = [
        scored("positive", expected="positive", unsupported=True),
        scored("Paris Berlin Rome", expected="Lisbon", unsupported=False),
    ]
    assert hallucination_rate(cases) == 0.5
    assert hallucination_rate([cases[1]]) == 0.0


def test_label_vocabulary_recognizes_a_classification_dataset() -> None:
    sentiment = ["positive", "Negative.", "positive", "negative"]
    assert label_vocabulary(sentiment) == {"positive", "negative"}
    assert label_vocabulary(["very positive", "neutral", "neutral", "very positive"]) == {
        "very positive",
        "neutral",
    }
    assert label_vocabulary(["Lisbon", "Paris", "Rome", "Oslo"]) is None  # no label repeats
    assert label_vocabulary(["positive", None]) is None  # a case without an expected output
    assert label_vocabulary(["a long expected answer here", "a long expected answer here"]) is None
    assert label_vocabulary([]) is None


def test_a_short_answer_is_at_most_one_content_token_longer_than_the_longest_label() -> None:
    labels = frozenset({"positive", "negative"})
    assert is_short_answer(" 5/5", labels)
    assert is_short_answer("Sentiment: negative", labels)
    assert not is_short_answer("Spielberg directed this lovely film", labels)


def classification_cases(outputs: list[str]) -> list[ScoredCase]:
    """Sentiment cases built so that the expected label is known: even cases positive."""
    labels = ["positive" if i % 2 == 0 else "negative" for i in range(len(outputs))]
    return [
        scored(out, 0.0, passed=out.strip() == label, expected=label, text=f"review number {i}")
        for i, (out, label) in enumerate(zip(outputs, labels, strict=True))
    ]


def test_wrong_labels_on_a_classification_dataset_are_errors_not_hallucinations() -> None:
    ratings = classification_cases([" 5/5"] * 14)  # the issue's case: a rating, not a label
    swapped = classification_cases(["negative", "positive"] * 7)  # every label wrong
    # Without the labels every "5" is unsupported but the one in "review number 5": 93 %.
    assert hallucination_rate(ratings) == 13 / 14
    assert summarize(ratings).hallucination_rate == 0.0
    assert summarize(ratings).accuracy == 0.0
    assert summarize(swapped).hallucination_rate == 0.0
    assert summarize(swapped).accuracy == 0.0


def test_invented_content_on_a_classification_dataset_is_a_hallucination() -> None:
    outputs = ["positive", "negative", "Spielberg directed this lovely Oscar film", "negative"]
    cases = classification_cases(outputs)
    summary = summarize(cases)
    assert summary.hallucination_rate == 0.25  # only the invented director and award
    assert summary.accuracy == 0.75
    # A label word inside a longer answer is supported by the label vocabulary.
    labels = label_vocabulary([c.outcome.expected for c in cases])
    grounded = scored("review negative number", expected="positive", text="review number 1")
    assert hallucination_rate([grounded], labels=labels) == 0.0


def test_summarize_combines_every_aggregate() -> None:
    cases = [
        scored("positive", 1.0, expected="positive", latency_ms=10.0, cost_usd=0.001),
        scored(
            "negative", 0.25, passed=False, expected="positive", latency_ms=30.0, cost_usd=0.002
        ),
    ]
    summary = summarize(cases)
    assert summary.cases == 2
    assert summary.overall_score == 0.625
    assert summary.accuracy == 0.5
    # A classification dataset (label "positive"): "negative" is a wrong label, an error that
    # accuracy counts, not a hallucination.
    assert summary.hallucination_rate == 0.0
    assert summary.style_consistency == 1.0
    assert summary.total_cost_usd == pytest.approx(0.003)
    assert summary.latency_ms.p50 == 20.0
    with pytest.raises(ValueError, match="no cases"):
        summarize([])


def test_bootstrap_finds_a_clear_improvement_significant() -> None:
    rng = np.random.default_rng(1)
    baseline = rng.uniform(0.2, 0.6, 60).tolist()
    candidate = [min(1.0, b + 0.3 + rng.normal(0, 0.05)) for b in baseline]
    result = paired_bootstrap(baseline, candidate, seed=3)
    assert result.delta == pytest.approx(np.mean(candidate) - np.mean(baseline))
    assert 0.0 < result.ci_low < result.delta < result.ci_high
    assert result.significant


def test_bootstrap_finds_a_clear_regression_significant() -> None:
    result = paired_bootstrap([1.0, 0.9, 1.0, 0.8] * 10, [0.2, 0.3, 0.1, 0.4] * 10)
    assert result.delta < 0
    assert result.ci_high < 0
    assert result.significant


def test_bootstrap_on_identical_scores_is_not_significant() -> None:
    scores = [0.1, 0.5, 0.9, 0.4, 0.7] * 8
    result = paired_bootstrap(scores, list(scores))
    assert (result.delta, result.ci_low, result.ci_high) == (0.0, 0.0, 0.0)
    assert not result.significant


def test_bootstrap_on_noise_is_not_significant() -> None:
    # Pairs that differ by symmetric noise only: +0.1 and -0.1 in equal numbers.
    baseline = [0.5] * 40
    candidate = [0.6, 0.4] * 20
    result = paired_bootstrap(baseline, candidate, seed=11)
    assert result.ci_low < 0.0 < result.ci_high
    assert not result.significant


def test_bootstrap_is_reproducible_with_a_seed_and_varies_without() -> None:
    a = [0.2, 0.4, 0.9, 0.1, 0.6] * 6
    b = [0.3, 0.2, 0.8, 0.5, 0.9] * 6
    assert paired_bootstrap(a, b, seed=5) == paired_bootstrap(a, b, seed=5)
    assert paired_bootstrap(a, b, seed=5).ci_low != paired_bootstrap(a, b, seed=6).ci_low


def test_bootstrap_handles_many_cases_in_blocks() -> None:
    a = [0.0] * 5000
    b = [1.0] * 5000
    result = paired_bootstrap(a, b, resamples=500)
    assert (result.delta, result.ci_low, result.ci_high, result.significant) == (
        1.0,
        1.0,
        1.0,
        True,
    )


def test_bootstrap_refuses_unpaired_or_empty_input() -> None:
    with pytest.raises(ValueError, match="equally long"):
        paired_bootstrap([0.1, 0.2], [0.1])
    with pytest.raises(ValueError, match="equally long"):
        paired_bootstrap([], [])
    with pytest.raises(ValueError, match="confidence"):
        paired_bootstrap([0.1], [0.2], confidence=1.0)
