"""A stored prompt version turned into what a model is sent: text, or chat messages.

Pure: imports neither SQLAlchemy nor FastAPI. Runs, evaluations and optimizations share it,
so a chat prompt reaches the model the same way whichever of them calls it.

A chat version's content is a JSON list of `{role, content}` messages and
`{"type": "placeholder", "name"}` slots. Each message's content is rendered like a text
prompt (`{{variable}}`, same errors); a slot is filled with the variable of its name, a
list of `{role, content}` messages (or that list as JSON text, as the command line passes
it). A slot without its variable is a 422: the model is never sent a half-built transcript.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autoforge.errors import ValidationFailed
from autoforge.llm.types import Message
from autoforge.templates.domain import Parameter, render, resolve, variables_in

PLACEHOLDER = "placeholder"


def value_type(value: Any) -> str:
    """Prompts declare no types (templates do): whatever JSON type was given is fine."""
    for name, kinds in (("bool", bool), ("int", int), ("float", float), ("list", list)):
        if isinstance(value, kinds):
            return name
    return "dict" if isinstance(value, dict) else "str"


def render_text(content: str, variables: Mapping[str, Any], *, strict: bool) -> str:
    """`strict`: every given variable must be one the prompt uses (a run: a typo is a 422);
    otherwise unused ones are ignored (a dataset item may serve several prompts)."""
    names = variables_in(content)
    given = variables if strict else {n: variables[n] for n in names if n in variables}
    return render(content, [Parameter(n, value_type(given.get(n))) for n in names], given)


@dataclass(frozen=True, slots=True)
class Rendered:
    """What the model is sent: `messages` for a chat prompt, else `text`."""

    text: str
    messages: list[dict[str, str]] | None = None

    def as_call(self, chat: bool) -> tuple[list[Message] | None, str | None]:
        """(messages, prompt) for a `CompletionRequest`. A text prompt goes as one user
        message or as plain text (`chat`); a chat prompt is always its messages."""
        if self.messages is not None:
            return list(self.messages), None
        if chat:
            return [{"role": "user", "content": self.text}], None
        return None, self.text


def render_version(
    kind: str, content: str, variables: Mapping[str, Any], *, strict: bool
) -> Rendered:
    if kind != "chat":
        return Rendered(render_text(content, variables, strict=strict))
    messages = render_chat(content, variables, strict=strict)
    return Rendered(json.dumps(messages, ensure_ascii=False), messages)


def render_chat(
    content: str, variables: Mapping[str, Any], *, strict: bool
) -> list[dict[str, str]]:
    """The messages with every `{{variable}}` rendered and every placeholder filled; a 422
    names each missing, unknown or mistyped variable and each unfilled placeholder."""
    template = _messages_of(content)
    slots = [m["name"] for m in template if m.get("type") == PLACEHOLDER]
    texts = [m["content"] for m in template if m.get("type") != PLACEHOLDER]
    names = list(dict.fromkeys(n for text in texts for n in variables_in(text)))
    given = {k: v for k, v in variables.items() if k not in slots}
    if not strict:
        given = {n: given[n] for n in names if n in given}
    parameters = {n: Parameter(n, value_type(given.get(n))) for n in names}
    errors = [error for slot in slots for error in _slot_errors(slot, variables)]
    try:
        values = resolve(list(parameters.values()), given)
    except ValidationFailed as exc:
        errors = exc.errors + errors
    if errors:
        summary = "; ".join(e["message"] for e in errors[:5])
        raise ValidationFailed(f"the prompt variables are invalid: {summary}", errors)
    rendered: list[dict[str, str]] = []
    for message in template:
        if message.get("type") == PLACEHOLDER:
            rendered.extend(_slot_messages(variables[message["name"]]))
        else:
            used = {n: values[n] for n in variables_in(message["content"])}
            text = render(message["content"], [parameters[n] for n in used], used)
            rendered.append({"role": message["role"], "content": text})
    return rendered


def _messages_of(content: str) -> list[dict[str, Any]]:
    # Stored chat content was checked when it was written (prompts/domain.py); a version that
    # is not a list of messages any more is still refused rather than sent half-read.
    try:
        messages = json.loads(content)
    except ValueError:
        messages = None
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ValidationFailed("this chat prompt's content is not a JSON list of messages")
    return messages


def _slot_messages(value: Any) -> list[dict[str, str]]:
    items = json.loads(value) if isinstance(value, str) else value
    return [{"role": m["role"], "content": m["content"]} for m in items]


def _slot_errors(slot: str, variables: Mapping[str, Any]) -> list[dict[str, str]]:
    field = f"variables.{slot}"
    if slot not in variables:
        message = f"required placeholder '{slot}' is missing: give it a list of messages"
        return [{"field": field, "message": message}]
    value = variables[slot]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not _is_message_list(value):
        message = f'placeholder \'{slot}\' must be a list of {{"role", "content"}} messages'
        return [{"field": field, "message": message}]
    return []


def _is_message_list(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(
            isinstance(m, dict)
            and isinstance(m.get("role"), str)
            and isinstance(m.get("content"), str)
            for m in value
        )
    )
