"""A candidate splits any template into parts and renders it back exactly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from autoforge.errors import ValidationFailed
from autoforge.evaluations.domain import render_case
from autoforge.evaluations.examples import EXAMPLE_NAMES, example_setup
from autoforge.optimizations import Candidate, Lineage
from autoforge.optimizations.candidate import demonstration_from
from autoforge.templates.domain import variables_in

TEMPLATES = [
    "Classify the sentiment of this review as positive or negative.\n\n{{text}}\n",
    "Is the following review positive or negative?\nReview: {{text}}\nAnswer:",
    "{{text}}",
    "Translate '{{text}}' into French:",
    "Answer briefly.\n\nQuestion: {{question}}\nContext: {{context}}\nAnswer: ",
    *(example_setup(name).template for name in EXAMPLE_NAMES),
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_template_renders_back_exactly(template: str) -> None:
    candidate = Candidate.from_template(template)

    assert candidate.render() == template
    assert candidate.variables == variables_in(template)


def test_parts_are_found_in_an_instruction_only_prompt() -> None:
    candidate = Candidate.from_template("Is it good?\nReview: {{text}}\nAnswer:")

    assert candidate.instruction == "Is it good?"
    assert candidate.separator == "\n"
    assert candidate.input_label == "Review:"
    assert candidate.output_cue == "Answer:"


def test_demonstrations_render_as_solved_examples_before_the_query() -> None:
    start = Candidate.from_template("Classify.\n\nReview: {{text}}\nSentiment:")
    demos = (
        demonstration_from("a", {"text": "Great."}, "positive"),
        demonstration_from("b", {"text": "Awful."}, "negative"),
    )

    rendered = replace(start, demonstrations=demos).render()

    assert rendered == (
        "Classify.\n\nReview: Great.\nSentiment: positive\n\n"
        "Review: Awful.\nSentiment: negative\n\nReview: {{text}}\nSentiment:"
    )
    assert render_case(rendered, {"text": "Fine."}).endswith("Review: Fine.\nSentiment:")


def test_an_answer_prefix_ending_in_a_newline_gets_no_extra_space() -> None:
    start = Candidate.from_template("{{text}}\n")
    demo = demonstration_from("a", {"text": "Great."}, "positive")

    assert replace(start, demonstrations=(demo,)).render() == "Great.\npositive\n\n{{text}}\n"


def test_label_and_cue_can_be_reworded_when_the_query_is_one_labelled_line() -> None:
    start = Candidate.from_template("{{text}}\n")

    changed = start.with_input_label("Review:").with_output_cue("Sentiment:")

    assert changed.render() == "Review: {{text}}\nSentiment:"
    assert Candidate.from_template("Translate '{{text}}' into French:").input_label is None
    assert Candidate.from_template("Translate '{{text}}' into French:").output_cue is None


def test_identity_is_the_content_not_the_lineage() -> None:
    a = Candidate.from_template("Review: {{text}}\nSentiment:")
    b = replace(a, lineage=Lineage(("x",), ("change_output_cue",)))

    assert a == b
    assert a.id == b.id
    assert a.id != a.with_output_cue("Answer:").id


def test_a_template_without_variables_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        Candidate.from_template("No variables here.")
