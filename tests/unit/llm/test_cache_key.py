"""The cache key: equal requests hash equally, anything that shapes the output changes it."""

from __future__ import annotations

from typing import Any

import pytest

from autoforge.errors import ValidationFailed
from autoforge.llm.cache import cache_key
from autoforge.llm.types import CompletionRequest

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
PARAMS: dict[str, Any] = {"temperature": 0, "max_tokens": 32, "stop": ["\n"], "seed": 7}


def chat(**changes: Any) -> CompletionRequest:
    fields: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": MESSAGES, "params": PARAMS}
    fields.update(changes)
    return CompletionRequest(**fields)


def test_the_same_request_gives_the_same_key() -> None:
    assert cache_key(chat()) == cache_key(chat())
    assert len(cache_key(chat())) == 64


def test_key_order_in_params_and_messages_does_not_matter() -> None:
    reordered_params = dict(reversed(list(PARAMS.items())))
    reordered_messages = [{"content": m["content"], "role": m["role"]} for m in MESSAGES]

    assert cache_key(chat(params=reordered_params)) == cache_key(chat())
    assert cache_key(chat(messages=reordered_messages)) == cache_key(chat())


def test_an_unset_param_and_a_null_param_are_the_same_request() -> None:
    assert cache_key(chat(params={**PARAMS, "top_p": None})) == cache_key(chat())


def test_integer_and_float_temperatures_are_the_same_request() -> None:
    assert cache_key(chat(params={**PARAMS, "temperature": 0.0})) == cache_key(chat())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temperature", 0.0001),
        ("max_tokens", 33),
        ("stop", ["\n\n"]),
        ("seed", 8),
        ("top_p", 0.9),
        ("response_format", {"type": "json_object"}),
    ],
)
def test_an_output_affecting_param_changes_the_key(name: str, value: Any) -> None:
    assert cache_key(chat(params={**PARAMS, name: value})) != cache_key(chat())


def test_model_messages_and_prompt_each_change_the_key() -> None:
    base = cache_key(chat())

    assert cache_key(chat(model="openai/gpt-4o")) != base
    assert cache_key(chat(messages=[*MESSAGES[:1], {"role": "user", "content": "Hi!"}])) != base
    text = CompletionRequest("openai/gpt-4o-mini", prompt="Hi", params=PARAMS)
    assert cache_key(text) != base


def test_only_temperature_zero_counts_as_deterministic() -> None:
    assert chat().deterministic
    assert not chat(params={"temperature": 0.2}).deterministic
    assert not chat(params={}).deterministic


def test_transport_settings_are_not_params() -> None:
    with pytest.raises(ValidationFailed, match="timeout"):
        chat(params={"timeout": 5})


def test_a_request_needs_exactly_one_of_messages_and_prompt() -> None:
    with pytest.raises(ValidationFailed):
        CompletionRequest("m", messages=MESSAGES, prompt="x")
    with pytest.raises(ValidationFailed):
        CompletionRequest("m")
    with pytest.raises(ValidationFailed):
        CompletionRequest("m", messages=[])


def test_an_integer_beyond_64_bits_in_a_message_still_gives_a_stable_key() -> None:
    """Found by schemathesis: orjson refuses such integers, which once made a 500."""
    huge = [{"role": "user", "content": "Hi", "n": -(2**63) - 1}]
    other = [{"role": "user", "content": "Hi", "n": -(2**63) - 2}]

    assert cache_key(chat(messages=huge)) == cache_key(chat(messages=huge))
    assert cache_key(chat(messages=huge)) != cache_key(chat(messages=other))


def test_each_project_has_its_own_cache_entries() -> None:
    request = CompletionRequest(model="m", prompt="p", params={"temperature": 0})

    mine, theirs = request.for_project("a"), request.for_project("b")

    assert cache_key(mine) != cache_key(theirs)
    assert cache_key(mine) == cache_key(request.for_project("a"))
    assert cache_key(request) not in {cache_key(mine), cache_key(theirs)}  # calls of no project
