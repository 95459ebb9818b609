"""A model's extraction, as a FakeModelClient answers it: located in the prompt, merged with
the rules' requirements, and the local model never asked."""

from __future__ import annotations

import json

import pytest

from autoforge.diffoscope.extract import extract_requirements
from autoforge.diffoscope.llm_extract import (
    extraction_messages,
    merge,
    parse_llm_requirements,
)
from autoforge.diffoscope.service import extraction_model
from autoforge.errors import ValidationFailed
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.types import CompletionRequest

PROMPT = "Answer in JSON. Cite the article number you rely on. Keep it short."
REPLY = [
    {"kind": "json", "quote": "in JSON", "description": "JSON answer"},
    {
        "kind": "must_include",
        "quote": "Cite the article number",
        "description": "cites an article",
        "phrase": "article",
    },
    {"kind": "tone", "quote": "keep it SHORT", "tone": "Concise"},
    {"kind": "other", "quote": "not in the prompt at all", "description": "made up"},
    {"kind": "max_words", "quote": "Keep it short", "limit": "many"},
    "not an object",
]


def test_the_models_json_list_becomes_located_requirements() -> None:
    fake = FakeModelClient(
        reply=lambda request: f"Here you are:\n```json\n{json.dumps(REPLY)}\n```"
    )
    request = CompletionRequest(model="fake/extractor", messages=extraction_messages(PROMPT))
    reply = fake.complete(request, timeout_s=5).text
    assert PROMPT in str(fake.calls[0].messages[0]["content"])  # type: ignore[index]

    found = parse_llm_requirements(reply, PROMPT)
    assert [(r.kind, PROMPT[r.start : r.end]) for r in found] == [
        ("json", "in JSON"),
        ("must_include", "Cite the article number"),
        ("tone", "Keep it short"),
        ("other", "Keep it short"),  # a limit that is no number: kept, but not checkable
    ]
    assert all(r.source == "llm" for r in found)
    assert found[2].params == {"tone": "concise"}


def test_merging_keeps_the_rules_and_adds_what_is_new() -> None:
    rules = extract_requirements(PROMPT)
    assert [r.kind for r in rules] == ["json"]
    merged = merge(rules, parse_llm_requirements(json.dumps(REPLY), PROMPT))
    assert [(r.id, r.kind, r.source) for r in merged] == [
        ("r1", "json", "rules"),
        ("r2", "must_include", "llm"),
        ("r3", "tone", "llm"),
        ("r4", "other", "llm"),
    ]


@pytest.mark.parametrize("reply", ["no list here", "[not json", '{"kind": "json"}', "[]"])
def test_an_unusable_reply_adds_nothing(reply: str) -> None:
    assert parse_llm_requirements(reply, PROMPT) == []


def test_the_local_model_is_never_asked() -> None:
    assert extraction_model(None, None) is None
    assert extraction_model(None, "local/gemma-3-270m") is None
    assert extraction_model(None, "openai/gpt-4o") == "openai/gpt-4o"
    assert extraction_model("anthropic/claude", "openai/gpt-4o") == "anthropic/claude"
    with pytest.raises(ValidationFailed):
        extraction_model("local/gemma-3-270m", None)
