"""Request and response shapes of the promptfoo import."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from autoforge.prompts import domain as prompt_domain

MAX_CONFIG_CHARS = 2_000_000
MAX_FILES = 50

_CONFIG_EXAMPLE = (
    "prompts:\n  - 'Capital of {{country}}? One word.'\n"
    "tests:\n  - vars: {country: France}\n"
    "    assert:\n      - type: icontains\n        value: Paris\n"
)


class PromptfooImport(BaseModel):
    """A promptfoo config as YAML text; files it names with `file://` may come along."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "capitals", "config": _CONFIG_EXAMPLE}]},
    )

    name: str = Field(description="the dataset's name; prompts are NAME, NAME-2, ...")
    config: str = Field(min_length=1, max_length=MAX_CONFIG_CHARS, description="the YAML text")
    files: dict[str, str] = Field(
        default_factory=dict,
        max_length=MAX_FILES,
        description="path (relative, as the config names it after file://) -> file text; "
        "a reference without an uploaded file is listed as unsupported",
    )

    check_name = field_validator("name")(prompt_domain.validate_name)


class ImportedPrompt(BaseModel):
    id: str
    name: str
    source: str = Field(description="where in the config it came from")


class PromptfooImportReport(BaseModel):
    prompts: list[ImportedPrompt]
    dataset_id: str
    dataset_name: str
    items: int
    assertions: dict[str, Any] = Field(description="the dataset version's assertion set")
    explanation: str
    unsupported: list[str] = Field(description="`location: why`, one per thing not imported")
