"""The style genome: each gene on hand-built outputs, consistency, distance and drift."""

from __future__ import annotations

import math

import pytest

from autoforge.style.genome import (
    DRIFT_THRESHOLD,
    GENE_NAMES,
    differences,
    distance,
    drifted,
    genes_of,
    profile,
)


def test_every_gene_is_measured_on_a_hand_built_output() -> None:
    genes = genes_of("I think you'll like it. However, maybe not!")
    assert genes["words"] == 8  # I think you'll like it However maybe not (you'll is one)
    assert genes["sentences"] == 2
    assert genes["sentence_words"] == 4.0
    assert genes["lexical_diversity"] == 1.0
    # formal: however (1); informal: you'll and "!" (2) -> (1 + 1) / (1 + 2 + 2)
    assert genes["formality"] == pytest.approx(2 / 5)
    assert genes["first_person"] == 1.0
    assert genes["second_person"] == 1.0
    assert genes["hedging"] == 1.0  # think + maybe over 2 sentences
    assert genes["json"] == 0.0
    assert genes["markdown"] == 0.0
    assert set(genes) == set(GENE_NAMES)


def test_structure_genes_see_json_and_markdown() -> None:
    assert genes_of('{"label": "positive"}')["json"] == 1.0
    assert genes_of("[1, 2]")["json"] == 1.0
    assert genes_of("plain")["json"] == 0.0
    markdown = genes_of("# Title\n\n- one\n- two\nplain line")
    assert markdown["markdown"] == pytest.approx(3 / 4)
    assert genes_of("a **bold** claim")["markdown"] == 1.0


def test_reading_grade_follows_flesch_kincaid() -> None:
    text = "The cat sat on the mat because it was happy."
    # 10 words, 1 sentence; syllables: because (silent e) and happy 2, the rest 1 -> 12
    expected = 0.39 * 10 / 1 + 11.8 * 12 / 10 - 15.59
    assert genes_of(text)["reading_grade"] == pytest.approx(expected)
    assert genes_of("Researchers evaluated classification accuracy.")["reading_grade"] == 20.0
    assert genes_of("no")["reading_grade"] == 0.0  # negative grades clip at 0
    assert genes_of("")["reading_grade"] == 0.0


def test_length_uppercase_and_punctuation() -> None:
    genes = genes_of("  ABCD.  ")
    assert (genes["chars"], genes["uppercase"], genes["punctuation"]) == (5.0, 1.0, 0.2)
    assert genes_of(" 5/5")["words"] == 0.0  # numbers are not words


def test_profile_means_spreads_and_consistency() -> None:
    genome = profile(["ab", "ABCD."])
    assert genome.samples == 2
    assert genome.genes["chars"] == 3.5
    assert genome.spread["chars"] == 1.5
    assert genome.consistency == pytest.approx(1 - (1.5 / 3.5 + 1.0 + 0.2) / len(GENE_NAMES))
    assert profile(["Only one, but long and varied!"]).consistency == 1.0
    with pytest.raises(ValueError, match="no cases"):
        profile([])


def test_consistency_ranks_alike_outputs_above_mixed_ones() -> None:
    alike = profile(["positive", "negative"] * 3).consistency
    mixed = profile(["positive", "# Report\n- I think so", '{"a": 1}', "You MUST act now!!!"])
    assert alike == 1.0
    assert mixed.consistency < 0.7


def test_distance_is_zero_for_the_same_style_and_grows_with_change() -> None:
    labels = profile(["positive", "negative", "positive"])
    same = profile(["negative", "positive", "negative"])
    ratings = profile([" 5/5", " 4/5", " 5/5"])
    essays = profile(["I believe this review is, perhaps, mostly positive. " * 3] * 3)
    assert distance(labels, same) == 0.0
    assert 0.0 < distance(labels, ratings) < distance(labels, essays) <= 1.0
    assert drifted(labels, essays)
    assert not drifted(labels, same)


def test_distance_is_the_root_mean_square_of_the_gene_differences() -> None:
    text, data = profile(["x"]), profile(['{"x": 1}'])
    found = {d.name: d for d in differences(text, data)}
    assert found["json"].difference == 1.0
    assert found["chars"].a_scaled == pytest.approx(1 / 8)  # 1 char against 8
    assert found["chars"].b_scaled == 1.0
    assert found["chars"].difference == pytest.approx(7 / 8)
    squares = sum(d.difference**2 for d in found.values())
    assert distance(text, data) == pytest.approx(math.sqrt(squares / len(GENE_NAMES)))
    assert distance(text, data) == distance(data, text)


def test_one_share_gene_flipping_alone_crosses_the_drift_threshold() -> None:
    # The same text, with and without a first person: only first_person moves, fully.
    a, b = profile(["we saw it"]), profile(["ye saw it"])
    moved = [d.name for d in differences(a, b) if d.difference]
    assert moved == ["first_person"]
    assert distance(a, b) == pytest.approx(math.sqrt(1 / len(GENE_NAMES)))
    assert distance(a, b) > DRIFT_THRESHOLD
    assert not drifted(a, b, threshold=0.3)
