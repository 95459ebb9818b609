"""Response shape of the intent diffoscope: what the prompt asks, and how the outputs keep it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from autoforge.diffoscope.extract import Kind


class ViolatingOutput(BaseModel):
    test_case_name: str
    output: str
    reason: str = Field(description="why the output breaks the requirement")


class RequirementReport(BaseModel):
    id: str = Field(description="r1, r2, ... in the order of the prompt text")
    kind: Kind
    description: str
    start: int = Field(description="where it is stated: offset into `prompt_text`")
    end: int = Field(description="end offset (exclusive) into `prompt_text`")
    quote: str = Field(description="prompt_text[start:end]")
    source: Literal["rules", "llm"] = Field(description="found by a rule or by the model")
    params: dict[str, Any]
    checked: int = Field(description="outputs the check could judge")
    satisfied: int
    share: float | None = Field(description="satisfied / checked; null when none was checked")
    violations: int
    examples: list[ViolatingOutput] = Field(description="the first violating outputs")


class Diffoscope(BaseModel):
    evaluation_id: str
    prompt_id: str
    prompt_version: int
    prompt_text: str = Field(description="a chat version's messages, each under its [role]")
    outputs: int = Field(description="outputs checked (cases whose model call failed are not)")
    gap_score: float | None = Field(
        description="0 = every checked requirement always kept, 1 = each always broken"
    )
    requirements: list[RequirementReport]
    suggestions: list[str] = Field(description="most often broken requirement first")
    extraction_model: str | None = Field(description="the model that also extracted, if any")
    extraction_error: str | None = Field(
        default=None, description="why the model's extraction was not used (rules still were)"
    )
