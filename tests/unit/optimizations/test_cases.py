"""Dataset items become cases; splits are stratified by label and reproducible."""

from __future__ import annotations

from collections import Counter

import pytest

from autoforge.errors import ValidationFailed
from autoforge.evaluations.examples import load_example
from autoforge.optimizations import cases_from_items, split_cases

SENTIMENT = cases_from_items(load_example("sentiment"))


def test_a_split_is_disjoint_balanced_and_reproducible() -> None:
    split = split_cases(SENTIMENT, train=20, val=16, test=8, seed=3)

    names = [c.name for part in (split.train, split.val, split.test) for c in part]
    assert len(names) == len(set(names)) == 44
    assert Counter(c.expected for c in split.train) == {"positive": 10, "negative": 10}
    assert Counter(c.expected for c in split.val) == {"positive": 8, "negative": 8}
    assert split_cases(SENTIMENT, train=20, val=16, test=8, seed=3) == split
    assert split_cases(SENTIMENT, train=20, val=16, test=8, seed=4).train != split.train


def test_non_classification_data_is_balanced_by_category() -> None:
    arithmetic = cases_from_items(load_example("arithmetic"))

    split = split_cases(arithmetic, train=15, val=15, seed=0)

    categories = Counter(str(c.metadata["category"]) for c in split.train)
    assert set(categories.values()) == {5}


def test_asking_for_more_cases_than_exist_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        split_cases(SENTIMENT, train=40, val=10)


def test_duplicate_case_names_are_refused() -> None:
    item = {"name": "same", "input": {"text": "x"}, "expected": "y"}
    with pytest.raises(ValidationFailed):
        cases_from_items([item, item])
