"""Rules of the evaluation aggregate: rendering a case, the shape of its model call, events.

Pure: imports neither SQLAlchemy nor FastAPI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from autoforge.events.base import DomainEvent, register
from autoforge.templates.domain import Parameter, render, variables_in

CallMode = Literal["auto", "chat", "completion"]
TERMINAL_STATUSES = ("completed", "failed")
DEFAULT_ASSERTIONS: dict[str, Any] = {"assertions": [{"type": "icontains"}]}


def render_case(content: str, inputs: Mapping[str, Any]) -> str:
    """The prompt version's `{{variables}}` filled from one item's input. Every variable the
    prompt uses must be in the input; inputs the prompt does not use are ignored, since a
    dataset may serve several prompts."""
    names = variables_in(content)
    parameters = [Parameter(name=name, type=_type_of(inputs.get(name))) for name in names]
    return render(content, parameters, {name: inputs[name] for name in names if name in inputs})


def _type_of(value: Any) -> str:
    # Prompts declare no types (templates do): whatever JSON type the item holds is fine.
    for name, kind in (("bool", bool), ("int", int), ("float", float), ("list", list)):
        if isinstance(value, kind):
            return name
    return "dict" if isinstance(value, dict) else "str"


def as_chat(mode: CallMode, model: str) -> bool:
    """Whether to send the rendered prompt as a user message or as plain text. The embedded
    model is a base model: a few-shot prompt works best verbatim, not inside a chat
    transcript. Hosted models are chat models."""
    return mode == "chat" or (mode == "auto" and not model.startswith("local/"))


def provider_of(model: str) -> str:
    """LiteLLM names carry the provider as a prefix (`openai/gpt-4o`); bare names are OpenAI's."""
    return model.split("/", 1)[0] if "/" in model else "openai"


@register
@dataclass(frozen=True, kw_only=True)
class EvaluationCompleted(DomainEvent):
    """Every case of an evaluation is scored and its aggregates are stored."""

    evaluation_id: str
    group_id: str | None
    prompt_id: str
    prompt_version: int
    model: str
    cases: int
    overall_score: float
    accuracy: float
    cache_hits: int
    stream_prefix: ClassVar[str] = "evaluation"

    @property
    def stream_id(self) -> str:
        return f"evaluation-{self.evaluation_id}"
