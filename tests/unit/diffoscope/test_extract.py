"""The deterministic extractors: each requirement kind, its parameters and its source span."""

from __future__ import annotations

import json

import pytest

from autoforge.diffoscope.extract import Requirement, extract_requirements, prompt_text

PROMPT = (
    "You answer support tickets. Answer in at most 2 sentences, in JSON, in French. "
    'Keep a formal tone. Always mention "refund". Never say "guarantee" or "promise". '
    "Use no more than 50 words. Give 3 bullet points."
)


def by_kind(text: str) -> dict[str, list[Requirement]]:
    found: dict[str, list[Requirement]] = {}
    for requirement in extract_requirements(text):
        found.setdefault(requirement.kind, []).append(requirement)
    return found


def test_every_kind_is_found_with_its_parameters_and_its_span() -> None:
    found = by_kind(PROMPT)
    expected = {
        "sentence_count": ("at most 2 sentences", {"bound": "at_most", "count": 2}),
        "json": ("in JSON", {}),
        "language": ("in French", {"language": "French"}),
        "tone": ("formal tone", {"tone": "formal"}),
        "max_words": ("no more than 50 words", {"limit": 50}),
        "item_count": ("3 bullet points", {"bound": "exactly", "count": 3}),
        "list": ("bullet points", {}),
    }
    for kind, (quote, params) in expected.items():
        (requirement,) = found[kind]
        assert PROMPT[requirement.start : requirement.end] == quote, kind
        assert requirement.params == params, kind
    assert [r.params["phrase"] for r in found["must_include"]] == ["refund"]
    assert [r.params["phrase"] for r in found["must_avoid"]] == ["guarantee", "promise"]
    avoid = found["must_avoid"][1]
    assert PROMPT[avoid.start : avoid.end] == '"promise"'


def test_requirements_are_numbered_in_the_order_of_the_text() -> None:
    found = extract_requirements(PROMPT)
    assert [r.id for r in found] == [f"r{i}" for i in range(1, len(found) + 1)]
    assert [r.start for r in found] == sorted(r.start for r in found)
    assert all(r.source == "rules" for r in found)


@pytest.mark.parametrize(
    ("text", "words", "quote"),
    [
        ("Is the number even? Answer yes or no.", ["yes", "no"], "yes or no"),
        (
            "Classify the review as positive, negative or neutral.",
            ["positive", "negative", "neutral"],
            "positive, negative or neutral",
        ),
        ('Reply with one of: "billing", "bug", "other".', ["billing", "bug", "other"], None),
    ],
)
def test_the_answer_vocabulary(text: str, words: list[str], quote: str | None) -> None:
    (requirement,) = by_kind(text)["vocabulary"]
    assert requirement.params == {"words": words}
    if quote is not None:
        assert text[requirement.start : requirement.end] == quote


@pytest.mark.parametrize(
    ("text", "bound", "count"),
    [
        ("Reply in one sentence.", "exactly", 1),
        ("Write exactly three sentences.", "exactly", 3),
        ("Answer in 2 sentences or fewer.", "at_most", 2),
        ("Use at least 4 sentences.", "at_least", 4),
        ("Give a 2-sentence answer.", "exactly", 2),
    ],
)
def test_sentence_counts_and_their_bounds(text: str, bound: str, count: int) -> None:
    (requirement,) = by_kind(text)["sentence_count"]
    assert requirement.params == {"bound": bound, "count": count}


def test_a_repeated_requirement_is_kept_once_at_its_first_mention() -> None:
    text = "Answer in at most 2 sentences. Remember: 2 sentences or fewer."
    (requirement,) = extract_requirements(text)
    assert requirement.start == text.index("at most")


def test_a_length_in_characters_and_typographic_quotes() -> None:
    text = "Keep it under 280 characters and never use “basically”."
    found = by_kind(text)
    assert found["max_chars"][0].params == {"limit": 280}
    (avoid,) = found["must_avoid"]
    assert avoid.params == {"phrase": "basically"}
    assert text[avoid.start : avoid.end] == "“basically”"


def test_plain_text_asks_for_nothing() -> None:
    assert extract_requirements("Summarise {{text}} for a colleague.") == []
    # "answer ... or fewer" is a length, not a vocabulary of answers.
    assert "vocabulary" not in by_kind("Answer in 3 sentences or fewer.")


def test_a_chat_versions_text_holds_each_message_under_its_role() -> None:
    messages = [
        {"role": "system", "content": "Answer in JSON."},
        {"role": "user", "content": "{{question}}"},
    ]
    text = prompt_text("chat", json.dumps(messages))
    assert text == "[system]\nAnswer in JSON.\n\n[user]\n{{question}}"
    (requirement,) = extract_requirements(text)
    assert text[requirement.start : requirement.end] == "in JSON"
    assert prompt_text("text", "Answer in JSON.") == "Answer in JSON."


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Given the JSON below, summarise it.", []),
        ("Do not answer in JSON.", []),
        ("Never reply in French; answer in English.", [("language", "in English")]),
        ("Output a JSON object with keys a and b.", [("json", "Output a JSON object")]),
        ("The answer must be valid JSON.", [("json", "be valid JSON")]),
        ("Don't be formal.", []),
    ],
)
def test_a_format_only_mentioned_or_ruled_out_is_not_required(
    text: str, found: list[tuple[str, str]]
) -> None:
    assert [(r.kind, text[r.start : r.end]) for r in extract_requirements(text)] == found
