"""Request and response bodies of similar-prompt search."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SimilarPrompt(BaseModel):
    id: str
    name: str
    title: str
    version: int
    status: str
    similarity: float = Field(description="cosine similarity of the current versions, 0..1")


class SimilarPrompts(BaseModel):
    items: list[SimilarPrompt]
    k: int
    threshold: float
    method: Literal["index", "exact"] = Field(
        description="`index`: the vector index answered; `exact`: a filtered scan did, because "
        "the index's nearest candidates held fewer than k of your prompts"
    )
    pending: int = Field(description="your prompts whose current version is not embedded yet")


class DuplicateCluster(BaseModel):
    prompts: list[SimilarPrompt] = Field(
        description="prompts over the duplicate threshold to another member; `similarity` is "
        "each one's highest similarity to another member"
    )
