"""Request and response shapes of the template API, with the examples shown in /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict

from autoforge.prompts import domain as prompt_domain
from autoforge.templates.domain import Parameter

Text = Annotated[str, AfterValidator(prompt_domain.no_nul)]
ParameterType = Literal["str", "int", "float", "bool", "list", "dict"]
MAX_CONTENT = 500_000
EXAMPLE_ID = "0b7d5c1e-8f2a-4e61-b3a9-5d4c2e1f0a98"

_PARAMETERS_EXAMPLE: list[JsonDict] = [
    {"name": "product", "type": "str", "required": True},
    {"name": "tone", "type": "str", "required": False, "default": "friendly"},
    {"name": "max_words", "type": "int", "required": False, "default": 120},
]
_CONTENT_EXAMPLE = (
    "Write a {{tone}} answer about {{product}} in at most {{max_words}} words.\n"
    "Question: {{question}}"
)
_TEMPLATE_EXAMPLE: JsonDict = {
    "id": EXAMPLE_ID,
    "name": "support-answer",
    "description": "Answers a customer question about one product",
    "content": _CONTENT_EXAMPLE,
    "parameters": [*_PARAMETERS_EXAMPLE, {"name": "question", "type": "str", "required": True}],
    "variables": ["tone", "product", "max_words", "question"],
    "category": "support",
    "usage_count": 42,
    "created_at": "2026-11-23T17:46:09.515656Z",
    "updated_at": "2026-11-23T17:46:09.515656Z",
}


class ParameterSpec(BaseModel):
    """A declared variable: required ones must be given, optional ones fall back to `default`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)
    type: ParameterType = "str"
    required: bool = True
    default: Any = None
    description: Text | None = Field(default=None, max_length=500)

    def to_domain(self) -> Parameter:
        return Parameter(**self.model_dump())


class TemplateCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    key: _TEMPLATE_EXAMPLE[key]
                    for key in ("name", "description", "content", "parameters", "category")
                }
            ]
        },
    )

    name: str
    description: Text | None = Field(default=None, max_length=2000)
    content: Text = Field(min_length=1, max_length=MAX_CONTENT)
    parameters: list[ParameterSpec] = Field(default_factory=list, max_length=100)
    category: str | None = Field(default=None, min_length=1, max_length=64)

    check_name = field_validator("name")(prompt_domain.validate_name)


class TemplateUpdate(BaseModel):
    """Fields left out stay. Content and parameters are checked together after the change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"description": "Answers a customer question"}]},
    )

    description: Text | None = Field(default=None, max_length=2000)
    content: Text | None = Field(default=None, min_length=1, max_length=MAX_CONTENT)
    parameters: list[ParameterSpec] | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, min_length=1, max_length=64)


class Template(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_TEMPLATE_EXAMPLE]})

    id: str
    name: str
    description: str | None
    content: str
    parameters: list[ParameterSpec]
    variables: list[str] = Field(description="variables in order of first use")
    category: str | None
    usage_count: int = Field(description="how many times the template has been rendered")
    created_at: datetime
    updated_at: datetime


class TemplatePage(BaseModel):
    items: list[Template]
    next_cursor: str | None


class RenderRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"variables": {"product": "Forge Cloud", "question": "How do I log in?"}}]
        },
    )

    variables: dict[str, Any] = Field(default_factory=dict)


class Rendered(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "template_id": EXAMPLE_ID,
                    "content": "Write a friendly answer about Forge Cloud in at most 120 words.\n"
                    "Question: How do I log in?",
                    "usage_count": 43,
                }
            ]
        }
    )

    template_id: str
    content: str
    usage_count: int
