"""Request and response shapes of the dataset API, with the examples shown in /docs."""

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

from autoforge.datasets.domain import MAX_ITEM_NAME, MAX_ITEMS, VersionMode
from autoforge.datasets.sealing import MAX_FIELD_CHARS, MAX_FIELDS
from autoforge.evaluations.scoring import Scoring
from autoforge.prompts import domain as prompt_domain

Text = Annotated[
    str, AfterValidator(prompt_domain.no_nul), AfterValidator(prompt_domain.no_lone_surrogates)
]
SensitiveFields = Annotated[
    list[Annotated[Text, Field(min_length=1, max_length=MAX_FIELD_CHARS)]],
    Field(max_length=MAX_FIELDS, examples=[["email", "account_number"]]),
]
Difficulty = Literal["easy", "medium", "hard"]
EXAMPLE_ID = "0b9f6c1e-5d0a-4c2e-8a3b-2f4e6d8c1a77"
VERSION_ID = "5e2d8a41-7c3b-4f1e-9d6a-1b0c2e3f4a55"

_ITEM_EXAMPLE: JsonDict = {
    "name": "sentiment-001",
    "input": {"text": "Great headphones, the sound is amazing."},
    "expected": "positive",
    "metadata": {
        "category": "product",
        "difficulty": "easy",
        "features_tested": ["explicit_sentiment"],
    },
}
_VERSION_EXAMPLE: JsonDict = {
    "id": VERSION_ID,
    "dataset_id": EXAMPLE_ID,
    "version": 2,
    "item_count": 44,
    "note": "two more sarcastic reviews",
    "sensitive": [],
    "created_by": "local-user",
    "created_at": "2026-11-24T09:12:00.000000Z",
}
_DATASET_EXAMPLE: JsonDict = {
    "id": EXAMPLE_ID,
    "name": "sentiment",
    "description": "Short reviews labelled positive or negative",
    "latest_version": 2,
    "latest": _VERSION_EXAMPLE,
    "created_at": "2026-11-23T17:46:09.515656Z",
    "updated_at": "2026-11-24T09:12:00.000000Z",
}


class ItemMetadata(BaseModel):
    """What a case is about. Keys other than these three are kept as given."""

    model_config = ConfigDict(extra="allow")

    category: Text | None = Field(default=None, max_length=100, examples=["product"])
    difficulty: Difficulty | None = None
    features_tested: list[Annotated[Text, Field(max_length=100)]] = Field(
        default_factory=list, max_length=50, examples=[["negation", "sarcasm"]]
    )

    @model_validator(mode="after")
    def _storable_extras(self) -> ItemMetadata:
        prompt_domain.no_lone_surrogates(self.model_extra)
        return self


class DatasetItemIn(BaseModel):
    """One test case: the template variables it fills in and the answer it expects."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    name: Text | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_ITEM_NAME,
        description="unique within a version; `case-0001` style when left out",
    )
    input: Annotated[dict[str, Any], AfterValidator(prompt_domain.no_lone_surrogates)] = Field(
        description='template variables, e.g. `{"text": "..."}`'
    )
    expected: Text | None = Field(default=None, max_length=1_000_000)
    metadata: ItemMetadata = Field(default_factory=ItemMetadata)


class DatasetCreate(BaseModel):
    """`items`, when given (even empty), become version 1; without them there is no version yet."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "sentiment",
                    "description": "Short reviews labelled positive or negative",
                    "items": [_ITEM_EXAMPLE, {"input": {"text": "Not bad at all."}}],
                }
            ]
        },
    )

    name: str = Field(description="unique per owner; used in `/datasets/by-name/{name}`")
    description: Text | None = Field(default=None, max_length=2000)
    items: list[DatasetItemIn] | None = Field(default=None, max_length=MAX_ITEMS)
    scoring: Scoring | None = Field(
        default=None,
        description="how runs score these items unless they say otherwise; default: "
        "inferred from the expected answers (labels, JSON or free text)",
    )
    sensitive: SensitiveFields | None = Field(
        default=None,
        description="keys of the items' `input` whose values are stored encrypted; each "
        "must be in some item (422 otherwise). Readers of the dataset still see them",
    )

    check_name = field_validator("name")(prompt_domain.validate_name)

    @model_validator(mode="after")
    def _sensitive_needs_items(self) -> DatasetCreate:
        if self.sensitive and self.items is None:
            raise ValueError("`sensitive` names fields of `items`; give the items too")
        return self


class DatasetVersionCreate(BaseModel):
    """`replace`: the items are the whole new version. `append`: the previous version's items
    are copied, then these are added after them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "mode": "append",
                    "items": [
                        {"input": {"text": "Oh great, it broke again."}, "expected": "negative"}
                    ],
                    "note": "a sarcastic review",
                }
            ]
        },
    )

    mode: VersionMode = "replace"
    items: list[DatasetItemIn] = Field(max_length=MAX_ITEMS)
    note: Text | None = Field(default=None, max_length=2000)
    scoring: Scoring | None = Field(
        default=None,
        description="default: the previous version's if it was given, else inferred anew",
    )
    sensitive: SensitiveFields | None = Field(
        default=None,
        description="fields stored encrypted; default: the previous version's. `[]` "
        "stores every field as given from this version on",
    )


class DatasetVersionInfo(BaseModel):
    """An immutable version: evaluations record its `id`, so they know exactly what they ran."""

    model_config = ConfigDict(json_schema_extra={"examples": [_VERSION_EXAMPLE]})

    id: str = Field(description="the version's own id (what an evaluation records)")
    dataset_id: str
    version: int
    item_count: int
    note: str | None
    scoring: Scoring = Field(description="how runs score these items unless they say otherwise")
    sensitive: list[str] = Field(
        default_factory=list, description="the input fields its items hold encrypted"
    )
    created_by: str
    created_at: datetime


class Dataset(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_DATASET_EXAMPLE]})

    id: str
    name: str
    description: str | None
    latest_version: int = Field(description="0 while the dataset has no version")
    latest: DatasetVersionInfo | None = Field(description="the latest version; null if none")
    created_at: datetime
    updated_at: datetime


class DatasetPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_DATASET_EXAMPLE], "next_cursor": None}]}
    )

    items: list[Dataset]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at end")


class VersionPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_VERSION_EXAMPLE], "next_before": None}]}
    )

    items: list[DatasetVersionInfo] = Field(description="newest first")
    next_before: int | None = Field(description="pass as `before` for older versions")


class DatasetItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{**_ITEM_EXAMPLE, "position": 0}]})

    name: str
    position: int = Field(description="0-based order within the version")
    input: dict[str, Any]
    expected: str | None
    metadata: ItemMetadata


class ItemPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dataset_id": EXAMPLE_ID,
                    "version": 2,
                    "total": 44,
                    "items": [{**_ITEM_EXAMPLE, "position": 0}],
                    "next_offset": 1,
                }
            ]
        }
    )

    dataset_id: str
    version: int
    total: int = Field(description="items in the version")
    items: list[DatasetItem] = Field(description="in position order")
    next_offset: int | None = Field(description="pass as `offset` for the next page; null at end")


class ExamplesInstalled(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"created": ["sentiment", "sentiment-classifier"]}, {"created": []}]
        }
    )

    created: list[str] = Field(
        description="the datasets and prompts created now; empty when all were there already"
    )
