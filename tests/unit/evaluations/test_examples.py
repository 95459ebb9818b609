"""The shipped example datasets load, are well formed, and their expected answers are right."""

from __future__ import annotations

import json
import operator
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from autoforge.errors import NotFoundError
from autoforge.evaluations import examples
from autoforge.evaluations.assertions import CaseOutcome, ScoringTools
from autoforge.evaluations.examples import EXAMPLE_NAMES, example_setup, load_example

README = Path(examples.__file__).with_name("README.md").read_text("utf-8")
QUESTION = re.compile(r"^What is (\d+) ([+*-]) (\d+)\?$")
OPERATIONS = {"+": operator.add, "-": operator.sub, "*": operator.mul}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_dataset_has_at_least_40_well_formed_items(name: str) -> None:
    items = load_example(name)
    assert len(items) >= 40
    names = [item["name"] for item in items]
    assert len(set(names)) == len(names)
    texts = [item["input"]["text"] for item in items]
    assert len(set(texts)) == len(texts)
    for item in items:
        assert set(item) == {"name", "input", "expected", "metadata"}
        assert set(item["input"]) == {"text"}
        assert 0 < len(item["input"]["text"]) <= 80  # short, for a 270M base model
        assert isinstance(item["expected"], str)
        assert item["expected"]
        metadata = item["metadata"]
        assert metadata["difficulty"] in {"easy", "medium", "hard"}
        assert isinstance(metadata["category"], str)
        assert metadata["features_tested"]
        assert all(isinstance(feature, str) for feature in metadata["features_tested"])


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_dataset_spans_every_difficulty(name: str) -> None:
    counts = Counter(item["metadata"]["difficulty"] for item in load_example(name))
    assert set(counts) == {"easy", "medium", "hard"}
    assert min(counts.values()) >= 8


def test_sentiment_labels_are_balanced() -> None:
    labels = Counter(item["expected"] for item in load_example("sentiment"))
    assert set(labels) == {"positive", "negative"}
    assert labels["positive"] == labels["negative"]
    categories = {item["metadata"]["category"] for item in load_example("sentiment")}
    assert categories == {"product", "movie"}


def test_extraction_expectations_are_json_people_found_in_the_sentence() -> None:
    for item in load_example("extraction"):
        person: dict[str, Any] = json.loads(item["expected"])
        assert next(iter(person)) == "name"
        assert set(person) <= {"name", "city", "age"}
        assert len(person) >= 2
        text = item["input"]["text"]
        assert person["name"] in text
        if "city" in person:
            assert person["city"] in text
        if "age" in person:
            assert isinstance(person["age"], int)
            assert str(person["age"]) in text
        expected_category = "person" + "".join(
            f"_{key}" for key in ("city", "age") if key in person
        )
        assert item["metadata"]["category"] == expected_category


def test_arithmetic_answers_are_correct() -> None:
    items = load_example("arithmetic")
    for item in items:
        match = QUESTION.fullmatch(item["input"]["text"])
        assert match is not None, item["input"]["text"]
        left, op, right = int(match[1]), match[2], int(match[3])
        assert item["expected"] == str(OPERATIONS[op](left, right)), item["name"]
    assert {QUESTION.fullmatch(i["input"]["text"])[2] for i in items} == {"+", "-", "*"}  # type: ignore[index]
    assert any(item["expected"].startswith("-") for item in items)


def test_an_unknown_example_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="choose from sentiment, extraction, arithmetic"):
        load_example("poetry")
    with pytest.raises(NotFoundError):
        example_setup("poetry")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_suggested_setup_passes_every_expected_answer(name: str) -> None:
    setup = example_setup(name)
    assert setup.template.count("{{text}}") == 1
    assert setup.generation["stop"] == ["\n"]
    for item in load_example(name):
        outcome = CaseOutcome(" " + item["expected"], item["expected"], item["input"])
        score = setup.assertions.score(outcome, ScoringTools())
        assert score.passed, (item["name"], score.reason)
        assert score.value == 1.0


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_suggested_setup_fails_a_wrong_answer(name: str) -> None:
    wrong = {"sentiment": "neutral", "extraction": '{"name": "Nobody"}', "arithmetic": "-999"}
    item = load_example(name)[0]
    score = example_setup(name).assertions.score(
        CaseOutcome(wrong[name], item["expected"], item["input"]), ScoringTools()
    )
    assert not score.passed


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_readme_shows_the_suggested_template(name: str) -> None:
    assert example_setup(name).template in README


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_few_shot_examples_are_not_dataset_items(name: str) -> None:
    template = example_setup(name).template
    for item in load_example(name):
        assert item["input"]["text"] not in template
