"""How chat messages become a completion prompt for the base (non-chat) local model."""

from __future__ import annotations

from autoforge.llm.local_model import CHAT_STOP, chat_prompt, stop_list, text_of


def test_system_text_leads_and_the_transcript_ends_on_the_assistant_turn() -> None:
    prompt = chat_prompt(
        [
            {"role": "system", "content": "You answer in one word."},
            {"role": "user", "content": "Capital of France?"},
            {"role": "assistant", "content": "Paris."},
            {"role": "user", "content": " And of Italy? "},
        ]
    )

    assert prompt == (
        "You answer in one word.\n\n"
        "User: Capital of France?\n"
        "Assistant: Paris.\n"
        "User: And of Italy?\n"
        "Assistant:"
    )


def test_without_a_system_message_the_transcript_starts_with_the_user() -> None:
    assert chat_prompt([{"role": "user", "content": "Hi"}]) == "User: Hi\nAssistant:"


def test_content_parts_contribute_their_text_only() -> None:
    parts = [{"type": "text", "text": "Hello "}, {"type": "image_url", "image_url": {}}]

    assert text_of(parts) == "Hello "
    assert text_of(None) == ""


def test_chat_adds_turn_stops_after_the_callers_own() -> None:
    assert stop_list("###", chat=True) == ["###", *CHAT_STOP]
    assert stop_list(["a", "\nUser:"], chat=True)[:2] == ["a", "\nUser:"]
    assert len(stop_list(["\nUser:"], chat=True)) == len(CHAT_STOP)
    assert stop_list(None, chat=False) == []
