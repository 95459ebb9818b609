"""Langfuse's wire shapes (camelCase on the wire), as its SDKs send and parse them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from autoforge.prompts import domain
from autoforge.prompts.schemas import MAX_CONTENT, Metadata, Text

PromptType = Literal["text", "chat"]
Label = Annotated[str, AfterValidator(domain.validate_label)]


class LangfuseWire(BaseModel):
    """Fields are snake_case here and camelCase in JSON, both ways."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class LangfuseChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Text = Field(min_length=1, max_length=100)
    content: Text = Field(max_length=MAX_CONTENT)
    type: Literal["chatmessage"] | None = None


class LangfusePlaceholder(BaseModel):
    """Stands for a list of messages given when the prompt is compiled."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["placeholder"]
    name: Text = Field(min_length=1, max_length=200)


LangfuseMessage = LangfusePlaceholder | LangfuseChatMessage


class LangfusePromptCreate(LangfuseWire):
    """A new version; the prompt is created when the name is new. Unknown keys are ignored,
    as Langfuse does."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "name": "support/reply",
                    "type": "text",
                    "prompt": "Answer {{question}} kindly.",
                    "config": {"temperature": 0.2},
                    "labels": ["production"],
                    "tags": ["support"],
                    "commitMessage": "first draft",
                }
            ]
        },
    )

    name: str = Field(description="'/' makes folders, e.g. `support/reply`")
    type: PromptType | None = Field(default=None, description="text when left out")
    prompt: Text | list[LangfuseMessage] = Field(description="text, or chat messages")
    config: Metadata | None = None
    labels: list[Label] | None = Field(default=None, max_length=50)
    tags: list[str] | None = Field(default=None, max_length=domain.MAX_TAGS)
    commit_message: Text | None = Field(default=None, max_length=2000)

    check_name = field_validator("name")(domain.validate_prompt_name)

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str] | None) -> list[str] | None:
        """Stored lower-cased, like every tag of ours."""
        return None if value is None else domain.normalize_tags(value)

    @model_validator(mode="after")
    def _type_fits_prompt(self) -> LangfusePromptCreate:
        chat = isinstance(self.prompt, list)
        if self.type == "chat" and not chat:
            raise ValueError("a chat prompt's `prompt` is a list of messages")
        if self.type in (None, "text") and chat:
            raise ValueError('a list of messages needs `"type": "chat"`')
        if not chat and not 1 <= len(str(self.prompt)) <= MAX_CONTENT:
            raise ValueError(f"a text prompt has 1 to {MAX_CONTENT} characters")
        return self


class LangfuseLabelsUpdate(LangfuseWire):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"newLabels": ["production"]}]}
    )

    new_labels: list[Label] = Field(max_length=50, description="added to this version")


class LangfusePrompt(LangfuseWire):
    """One version, as `langfuse.get_prompt` parses it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "support/reply",
                    "version": 2,
                    "type": "text",
                    "prompt": "Answer {{question}} kindly.",
                    "config": {"temperature": 0.2},
                    "labels": ["latest", "production"],
                    "tags": ["support"],
                    "commitMessage": "friendlier",
                }
            ]
        }
    )

    name: str
    version: int
    type: PromptType
    prompt: str | list[dict[str, Any]]
    config: dict[str, Any]
    labels: list[str] = Field(description="of this version; `latest` on the newest")
    tags: list[str]
    commit_message: str | None


class LangfusePromptMeta(LangfuseWire):
    name: str
    type: PromptType = Field(description="of the newest version")
    versions: list[int]
    labels: list[str]
    tags: list[str]
    last_updated_at: datetime
    last_config: dict[str, Any] = Field(description="of the newest version")


class LangfusePageMeta(LangfuseWire):
    page: int
    limit: int
    total_items: int
    total_pages: int


class LangfusePromptMetaList(LangfuseWire):
    data: list[LangfusePromptMeta]
    meta: LangfusePageMeta


class LangfuseOrganization(LangfuseWire):
    id: str
    name: str


class LangfuseProject(LangfuseWire):
    id: str
    name: str
    organization: LangfuseOrganization
    metadata: dict[str, Any]


class LangfuseProjects(LangfuseWire):
    data: list[LangfuseProject] = Field(description="the caller's project")
