"""Request and response shapes of the prompt API, with the examples shown in /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from autoforge.prompts import domain

Status = Literal["draft", "active", "archived"]
Visibility = Literal["private", "shared", "public"]
Kind = Literal["text", "chat"]
KIND_HELP = "text: `content` is the template; chat: `content` is a JSON list of messages"
VISIBILITY_HELP = (
    "private: this project only; shared: readable (not writable) by every project of the "
    "organization; public: readable by anyone who may read prompts here"
)
Text = Annotated[str, AfterValidator(domain.no_nul), AfterValidator(domain.no_lone_surrogates)]
Metadata = Annotated[dict[str, Any], AfterValidator(domain.no_lone_surrogates)]
MAX_CONTENT = 500_000
EXAMPLE_ID = "7f1c2f9e-3c1b-4a57-9d7e-1f0a4e0b6c11"

_CREATE_EXAMPLE: JsonDict = {
    "name": "support-reply",
    "title": "Support reply",
    "content": "You are a friendly support agent. Answer: {question}",
    "status": "draft",
    "tags": ["support", "email"],
    "metadata": {"team": "care"},
}
_PROMPT_EXAMPLE: JsonDict = {
    "id": EXAMPLE_ID,
    "name": "support-reply",
    "title": "Support reply",
    "content": "You are a friendly support agent. Answer: {question}",
    "status": "active",
    "visibility": "private",
    "project_id": "default-project",
    "version": 3,
    "tags": ["email", "support"],
    "labels": {"production": 2, "staging": 3},
    "metadata": {"team": "care"},
    "parent_id": None,
    "template_id": None,
    "created_at": "2026-11-23T17:46:09.515656Z",
    "updated_at": "2026-11-24T09:12:00.000000Z",
    "deleted_at": None,
}


def _clean_tags(value: list[str] | None) -> list[str] | None:
    return None if value is None else domain.normalize_tags(value)


class PromptCreate(BaseModel):
    """Either `content`, or `template_id` plus `variables` to render the content from."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CREATE_EXAMPLE]})

    name: str = Field(
        description="unique per owner; used in `/prompts/by-name/{name}`; '/' makes folders"
    )
    title: Text = Field(min_length=1, max_length=255)
    content: Text | None = Field(default=None, min_length=1, max_length=MAX_CONTENT)
    kind: Kind = Field(default="text", description=KIND_HELP)
    config: Metadata | None = Field(default=None, description="model settings of the version")
    status: Status = "draft"
    visibility: Visibility = Field(default="private", description=VISIBILITY_HELP)
    tags: list[str] = Field(default_factory=list, max_length=domain.MAX_TAGS)
    metadata: Metadata = Field(default_factory=dict)
    parent_id: str | None = Field(default=None, max_length=36)
    template_id: str | None = Field(default=None, max_length=36)
    variables: dict[str, Any] = Field(default_factory=dict)
    change_note: Text | None = Field(default=None, max_length=2000)

    check_name = field_validator("name")(domain.validate_prompt_name)
    clean_tags = field_validator("tags")(_clean_tags)

    @model_validator(mode="after")
    def _one_source(self) -> PromptCreate:
        if (self.content is None) == (self.template_id is None):
            raise ValueError("give exactly one of `content` or `template_id`")
        if self.variables and self.template_id is None:
            raise ValueError("`variables` only apply with `template_id`")
        if self.kind == "chat":
            domain.validate_chat_content(self.content or "")
        return self


class PromptUpdate(BaseModel):
    """Fields left out (or null) stay as they are. A title or content change makes a version."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "content": "You are a concise support agent. Answer: {question}",
                    "change_note": "shorter answers",
                    "base_version": 3,
                }
            ]
        },
    )

    title: Text | None = Field(default=None, min_length=1, max_length=255)
    content: Text | None = Field(default=None, min_length=1, max_length=MAX_CONTENT)
    kind: Kind | None = Field(default=None, description=KIND_HELP)
    config: Metadata | None = Field(default=None, description="model settings of the version")
    tags: list[str] | None = Field(default=None, max_length=domain.MAX_TAGS)
    metadata: Metadata | None = None
    visibility: Visibility | None = Field(default=None, description=VISIBILITY_HELP)
    change_note: Text | None = Field(default=None, max_length=2000)
    base_version: int | None = Field(
        default=None,
        ge=1,
        le=domain.MAX_VERSION,
        description="the version this edit started from; or send it as `If-Match`",
    )

    clean_tags = field_validator("tags")(_clean_tags)


class StatusChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "active"}]}
    )

    status: Status


class LabelAssign(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 2}]})

    version: int = Field(ge=1, le=domain.MAX_VERSION)


class Rollback(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"version": 2, "base_version": 5}]}
    )

    version: int = Field(
        ge=1, le=domain.MAX_VERSION, description="the version whose title and content come back"
    )
    base_version: int | None = Field(default=None, ge=1, le=domain.MAX_VERSION)
    change_note: Text | None = Field(default=None, max_length=2000)


class Prompt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_PROMPT_EXAMPLE]})

    id: str
    name: str
    title: str
    content: str
    status: Status
    visibility: Visibility
    project_id: str = Field(description="the project it belongs to (another one when shared)")
    version: int
    tags: list[str]
    labels: dict[str, int] = Field(description="label -> version number")
    metadata: dict[str, Any]
    parent_id: str | None
    template_id: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class PromptPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_PROMPT_EXAMPLE], "next_cursor": "WyIy..."}]}
    )

    items: list[Prompt]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at end")


class PromptVersion(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prompt_id": EXAMPLE_ID,
                    "version": 2,
                    "title": "Support reply",
                    "content": "You are a friendly support agent. Answer: {question}",
                    "kind": "text",
                    "config": {"temperature": 0.2},
                    "change_note": "friendlier tone",
                    "created_by": "local-user",
                    "created_at": "2026-11-23T18:00:00.000000Z",
                    "labels": ["production"],
                }
            ]
        }
    )

    prompt_id: str
    version: int
    title: str
    content: str
    kind: Kind = Field(description=KIND_HELP)
    config: dict[str, Any] | None = Field(description="model settings of the version")
    change_note: str | None
    created_by: str
    created_at: datetime
    labels: list[str]


class VersionPage(BaseModel):
    items: list[PromptVersion] = Field(description="newest first")
    next_before: int | None = Field(description="pass as `before` for older versions")


class PromptDiff(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prompt_id": EXAMPLE_ID,
                    "from_version": 1,
                    "to_version": 2,
                    "title_changed": False,
                    "diff": "--- v1\n+++ v2\n@@ -1 +1 @@\n-Hi\n+Hello\n",
                }
            ]
        }
    )

    prompt_id: str
    from_version: int
    to_version: int
    title_changed: bool
    diff: str = Field(description="unified diff of the content; empty when equal")


class ResolvedPrompt(BaseModel):
    """What an application fetches: the text of the version a label points at."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prompt_id": EXAMPLE_ID,
                    "name": "support-reply",
                    "label": "production",
                    "version": 2,
                    "title": "Support reply",
                    "content": "You are a friendly support agent. Answer: {question}",
                    "status": "active",
                }
            ]
        }
    )

    prompt_id: str
    name: str
    label: str | None
    version: int
    title: str
    content: str
    status: Status


class Label(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prompt_id": EXAMPLE_ID,
                    "label": "production",
                    "version": 2,
                    "updated_by": "local-user",
                    "updated_at": "2026-11-24T09:12:00.000000Z",
                }
            ]
        }
    )

    prompt_id: str
    label: str
    version: int
    updated_by: str
    updated_at: datetime


class ImportRecord(BaseModel):
    """One JSONL line. Unknown keys (such as `id` or `version` from an export) are ignored."""

    model_config = ConfigDict(extra="ignore")

    name: str
    title: Text = Field(min_length=1, max_length=255)
    content: Text = Field(min_length=1, max_length=MAX_CONTENT)
    status: Status | None = None
    tags: list[str] | None = Field(default=None, max_length=domain.MAX_TAGS)
    metadata: Metadata | None = None
    kind: Kind = Field(default="text", description=KIND_HELP)
    config: Metadata | None = Field(default=None, description="unset: the current one stays")

    check_name = field_validator("name")(domain.validate_prompt_name)
    clean_tags = field_validator("tags")(_clean_tags)

    @model_validator(mode="after")
    def _chat_content(self) -> ImportRecord:
        if self.kind == "chat":
            domain.validate_chat_content(self.content)
        return self


class ImportReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"total": 3, "created": 2, "updated": 1, "unchanged": 0}]}
    )

    total: int
    created: int
    updated: int
    unchanged: int
