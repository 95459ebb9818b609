"""Request and response bodies of `/api/v1/secrets`: a value goes in, never comes out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

# What LiteLLM reads from the environment, e.g. OPENAI_API_KEY, ANTHROPIC_API_KEY.
NAME_PATTERN = r"^[A-Z][A-Z0-9_]{1,63}$"
MAX_VALUE_CHARS = 8192


class SecretValue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # SecretStr: the value prints as `**********` in any repr, log line or traceback.
    value: SecretStr = Field(
        min_length=1, max_length=MAX_VALUE_CHARS, description="stored encrypted, never returned"
    )


class Secret(BaseModel):
    name: str = Field(description="e.g. OPENAI_API_KEY")
    display: str = Field(description="the value's last four characters, e.g. `…abcd`")
    created_at: datetime
    updated_at: datetime


class DatasetValuesRotation(BaseModel):
    """The same for the values of sensitive dataset fields (`datasets/sensitive.py`)."""

    reencrypted: int = Field(description="values moved from an older key to the newest")
    current: int = Field(description="values already under the newest key, left as they were")


class Rotation(BaseModel):
    """What a re-encryption under the newest key did, over every project."""

    reencrypted: int = Field(description="secrets moved from an older key to the newest")
    current: int = Field(description="secrets already under the newest key, left as they were")
    projects: int = Field(description="projects holding secrets")
    dataset_values: DatasetValuesRotation = Field(
        description="the values of sensitive dataset fields, every project's"
    )
