"""Pure rules of an evaluation run: rendering a case, the shape of the call, provider names."""

from __future__ import annotations

import pytest

from autoforge.errors import ValidationFailed
from autoforge.evaluations.domain import as_chat, provider_of, render_case


def test_a_case_fills_every_variable_and_ignores_inputs_the_prompt_does_not_use() -> None:
    rendered = render_case(
        "Q: {{question}} ({{ n }} tries, strict={{strict}})",
        {"question": "2 + 2?", "n": 3, "strict": True, "unused": "x"},
    )
    assert rendered == "Q: 2 + 2? (3 tries, strict=true)"


def test_a_missing_variable_is_named() -> None:
    with pytest.raises(ValidationFailed, match="required variable 'text' is missing"):
        render_case("Review: {{text}}", {"review": "great"})


def test_a_value_that_looks_like_a_variable_is_not_expanded_again() -> None:
    assert render_case("{{a}}", {"a": "{{b}}", "b": "no"}) == "{{b}}"


@pytest.mark.parametrize(
    ("mode", "model", "chat"),
    [
        ("auto", "local/gemma-3-270m", False),  # a base model continues the text verbatim
        ("auto", "openai/gpt-4o-mini", True),
        ("chat", "local/gemma-3-270m", True),
        ("completion", "openai/gpt-4o-mini", False),
    ],
)
def test_the_call_shape_follows_the_mode_and_the_model(mode: str, model: str, chat: bool) -> None:
    assert as_chat(mode, model) is chat  # type: ignore[arg-type]


def test_the_provider_is_the_model_prefix() -> None:
    assert provider_of("anthropic/claude-3-5-haiku-latest") == "anthropic"
    assert provider_of("gpt-4o") == "openai"
